"""Site test kit: small hand-made stores (seed-like, and one with hostile text) and
a real ``mkdocs build --strict`` of a tmp project with this worktree's code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "policy_versions"

REGISTRY = """\
policies:
  privacy-policy:
    title: Privacy Policy
    owner: OpenAI
    url: https://openai.com/api/policies/privacy/
  api-data-privacy:
    title: API data privacy
    owner: OpenAI
    supersedes: [privacy-policy]
  security:
    title: Security & privacy
    owner: OpenAI
"""

VERSIONS = {
    "privacy-policy/2021-02-11.md": """\
---
title: Privacy Policy
effective: 2021-02-11
date_basis: stated
source:
  url: https://openai.com/api/policies/privacy/
  file: 001_7701745fbed038bc.txt
  sha256: 7701745fbed038bc0000000000000000000000000000000000000000000000aa
---
# Privacy Policy

We collect the content you submit through the API.

## How we use data

We may use content submitted through the API to improve our models.

## Retention

We keep API data for as long as we need it.
""",
    "api-data-privacy/2023-07-21.md": """\
---
title: API data privacy
effective: 2023-07-21
date_basis: stated
material: true
material_reason: API data is no longer used to train models and is kept for 30 days.
summary: API data is no longer used for training; retention is 30 days.
---
# API data privacy

We collect the content you submit through the API.

## How we use data

We do not use content submitted through the API to train our models.

## Retention

We keep API data for 30 days to identify abuse, then delete it.
""",
    "security/2023.md": """\
---
title: Security & privacy
effective: 2023
date_basis: observed
source:
  url: https://openai.com/security
---
# Security & privacy

Our API has been evaluated by a third-party security auditor & is SOC 2 Type 2 compliant.
""",
}

HOSTILE_BODY = """\
# Terms <script>window.__pwned = 1</script>

A paragraph with <img src="x" onerror="window.__pwned = 2"> and <b>bold</b> raw HTML.

[Click me](javascript:window.__pwned=3) and [safe](https://example.org/).

<div onclick="window.__pwned = 4">raw div</div>
{: onclick="window.__pwned = 5" }

<iframe src="javascript:window.__pwned=6"></iframe>
"""


# --- a policy whose second version moves a section and edits clauses -----------------

MOVED_TERMS = {
    "user-terms/2023-01-01.md": "---\ntitle: Terms of use\neffective: 2023-01-01\ndate_basis: stated\n---\n" + """# Terms of use

## Accounts

You must be at least 13 years old to create an account and use the services.

## Payment

Fees are billed monthly in advance and are not refundable except where the law requires it.

## Termination

We may suspend or end your access if you break these terms or the law.

## Disputes

Any dispute will be resolved by binding arbitration in San Francisco, California.
""",
    "user-terms/2023-06-01.md": "---\ntitle: Terms of use\neffective: 2023-06-01\ndate_basis: stated\n---\n" + """# Terms of use

## Accounts

You must be at least 18 years old to create an account and use the services.

## Termination

We may suspend or end your access if you break these terms or the law.

## Payment

Fees are billed monthly in advance and are not refundable except where the law requires it.

## Disputes

Any dispute will be resolved by the courts of Ireland.
""",
}
MOVED_TERMS_REGISTRY = "  user-terms:\n    title: Terms of use\n    owner: Example\n"


def write_store(root: Path, *, hostile: bool = False, moved: bool = False,
                extra: dict[str, str] | None = None) -> Path:
    """The three seed-like policies (and optionally one with hostile text, one whose
    second version moves a section) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    registry = REGISTRY
    files = dict(VERSIONS)
    if hostile:
        registry += "  terms:\n    title: Terms <em>of</em> use\n"
        files["terms/2023-01-01.md"] = (
            "---\ntitle: Terms of use\neffective: 2023-01-01\ndate_basis: stated\n---\n" + HOSTILE_BODY)
    if moved:
        registry += MOVED_TERMS_REGISTRY
        files.update(MOVED_TERMS)
    files.update(extra or {})
    (root / "policies.yml").write_text(registry)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# --- site (issue #5): a real MkDocs project in a tmp dir -----------------------------

SITE_TODAY_EPOCH = "1690329600"  # 2023-07-26: five days after API data privacy took effect

SITE_MKDOCS_YML = """\
site_name: Test policies
site_url: https://policies.example.org/
theme:
  name: material
  font: false
plugins:
  - search
  - policydocs:
      banner_days: 30
      exports: []  # the Word/PDF downloads cost seconds a page: built where a test checks them
"""


def write_site_project(root: Path, store: Path | None = None) -> Path:
    """A minimal MkDocs project whose store is a copy of ``store`` (default: the repo's)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "reading.md").write_text("# How to read a redline\n\nInsertions are underlined.\n")
    (root / "mkdocs.yml").write_text(SITE_MKDOCS_YML)
    source = store or STORE
    if not (source / "policies.yml").is_file():
        pytest.fail(f"no policy store at {source}: the site tests need the seed store")
    shutil.copytree(source, root / "policy_versions")
    return root


def mkdocs_build(project: Path, site_dir: str = "site", *, env: dict | None = None,
                 check: bool = True) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``project`` with this worktree's code, as CI runs it."""
    full_env = dict(os.environ, SOURCE_DATE_EPOCH=SITE_TODAY_EPOCH)
    full_env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", site_dir], cwd=project,
        capture_output=True, text=True, env=full_env, timeout=600,
    )
    if check and result.returncode != 0:
        pytest.fail(f"mkdocs build failed:\n{result.stderr}")
    return result
