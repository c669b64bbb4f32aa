"""The committed seed store is exactly what the importer makes of the seeds today."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import yaml

from conftest import ROOT, SHARED, STORE, seed, snapshot
from policydocs.store import EDITABLE_KEYS, split_front_matter


def frozen_parts(files: dict[str, bytes]) -> dict[str, object]:
    """Each file as the importer owns it: version files without the fields maintainers
    may still edit after publication (summary, material, material_reason)."""
    out: dict[str, object] = {}
    for name, data in files.items():
        if name.endswith(".md"):
            meta, body = split_front_matter(data.decode("utf-8"), where=name)
            out[name] = ({k: v for k, v in meta.items() if k not in EDITABLE_KEYS}, body)
        else:
            out[name] = data
    return out


def test_committed_store_is_what_import_seeds_produces(tmp_path):
    out = tmp_path / "policy_versions"
    env = dict(os.environ, POLICYDOCS_PYTHON=sys.executable, POLICYDOCS_SHARED=str(SHARED))
    result = subprocess.run(["bash", str(ROOT / "scripts" / "import-seeds"), str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert frozen_parts(snapshot(out)) == frozen_parts(snapshot(STORE))
    assert "duplicate of privacy-policy@2021-02-11" in result.stdout


def test_seed_registry_names_owner_urls_and_supersession():
    registry = yaml.safe_load((STORE / "policies.yml").read_text())["policies"]
    assert set(registry) == {"privacy-policy", "api-data-privacy", "security"}
    assert all(entry["owner"] == "OpenAI" and entry["url"].startswith("https://openai.com/")
               for entry in registry.values())
    assert registry["privacy-policy"]["url"] == "https://openai.com/api/policies/privacy/"
    assert registry["api-data-privacy"]["supersedes"] == ["privacy-policy"]


def test_lossy_capture_of_a_stored_version_is_reported_as_duplicate(run_cli, tmp_path):
    store = tmp_path / "store"
    first = run_cli("import", str(seed("001")), "--policy", "privacy-policy", "--store", str(store))
    assert first.returncode == 0, first.stderr
    before = snapshot(store)
    again = run_cli("import", str(seed("000")), "--policy", "privacy-policy", "--store", str(store))
    assert again.returncode == 0, again.stderr
    assert "duplicate of privacy-policy@2021-02-11" in again.stdout
    similarity = float(again.stdout.split("(")[1].split("%")[0])
    assert 90 <= similarity <= 100
    assert "nothing written" in again.stdout
    assert snapshot(store) == before


def test_page_without_stated_date_needs_effective_and_records_it_as_observed(run_cli, tmp_path):
    store = tmp_path / "store"
    hints = ["--hints", str(ROOT / "sources" / "hints" / f"{seed('004').stem}.yml")]
    refused = run_cli("import", str(seed("004")), "--policy", "security", "--store", str(store), *hints)
    assert refused.returncode == 2
    assert "--effective" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not store.exists()
    done = run_cli("import", str(seed("004")), "--policy", "security", "--store", str(store),
                   "--effective", "2023", *hints)
    assert done.returncode == 0, done.stderr
    meta = yaml.safe_load((store / "security" / "2023.md").read_text().split("---\n")[1])
    assert meta["effective"] == "2023" and meta["date_basis"] == "observed"
    assert meta["title"] == "Security & privacy"
    assert meta["source"]["file"] == seed("004").name
    assert meta["source"]["sha256"] == hashlib.sha256(seed("004").read_bytes()).hexdigest()


def test_stated_date_becomes_the_version_id_with_stated_basis(run_cli, tmp_path):
    store = tmp_path / "store"
    result = run_cli("import", str(seed("003")), "--policy", "api-data-privacy", "--store", str(store))
    assert result.returncode == 0, result.stderr
    text = (store / "api-data-privacy" / "2023-07-21.md").read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["date_basis"] == "stated" and meta["effective"] == "2023-07-21"
    assert "repeated sentences removed" in result.stdout and "apostrophes restored" in result.stdout
