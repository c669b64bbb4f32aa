"""``policydocs diff`` as a user runs it: formats, exit codes, bad input."""

from __future__ import annotations

import json
import time

OLD = "# Policy\n\n## Retention\n\nWe keep data for 30 days.\n\nSee [terms](https://a.example/t).\n"
NEW = "# Policy\n\n## Retention\n\nWe keep data for 90 days.\n\nSee [terms](https://a.example/terms).\n"


def _files(tmp_path, old=OLD, new=NEW):
    (tmp_path / "old.md").write_text(old, encoding="utf-8")
    (tmp_path / "new.md").write_text(new, encoding="utf-8")
    return "old.md", "new.md"


def test_text_diff_marks_words_and_exits_1_when_different(run_cli, tmp_path):
    r = run_cli("diff", *_files(tmp_path))
    assert r.returncode == 1
    assert "[-30-]{+90+}" in r.stdout and "Retention" in r.stdout
    assert "\x1b[" not in r.stdout  # piped: no colour
    assert "1 content, 1 editorial" in r.stdout


def test_color_always_colours_the_words(run_cli, tmp_path):
    r = run_cli("diff", *_files(tmp_path), "--color", "always")
    assert "\x1b[" in r.stdout and "[-30-]" not in r.stdout


def test_json_follows_the_contract_and_rebuilds_both_files(run_cli, tmp_path):
    r = run_cli("diff", *_files(tmp_path), "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["format"] == 1 and doc["identical"] is False and doc["verdict_basis"] == "rules"
    content = [c for c in doc["changes"] if c["kind"] == "content"]
    editorial = [c for c in doc["changes"] if c["kind"] == "editorial"]
    # 30 → 90 days of retention is material; a link target alone never is
    assert doc["material"] is True and content[0]["material"] is True
    assert "data-retention" in {r["rule"] for r in content[0]["reasons"]}
    assert editorial[0]["material"] is False and editorial[0]["reasons"] == []
    assert editorial[0]["editorial"] == "link" and content[0]["editorial"] is None  # which check decided
    assert "".join(s["text"] for s in doc["segments"] if s["op"] != "insert") == OLD
    assert "".join(s["text"] for s in doc["segments"] if s["op"] != "delete") == NEW
    assert {c["kind"] for c in doc["changes"]} == {"content", "editorial"}
    assert doc["changes"][0]["section"] == ["Policy", "Retention"]


def test_identical_files_exit_0_with_no_changes(run_cli, tmp_path):
    r = run_cli("diff", *_files(tmp_path, OLD, OLD), "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["changes"] == []


def test_html_page_escapes_policy_text_and_links_changes(run_cli, tmp_path):
    evil = NEW + "\n<script>alert(1)</script>\n"
    r = run_cli("diff", *_files(tmp_path, OLD, evil), "--format", "html")
    assert r.returncode == 1
    assert "<script>alert(1)</script>" not in r.stdout and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.stdout
    assert 'id="c1"' in r.stdout and 'href="#c1"' in r.stdout
    assert '<del class="pd-del' in r.stdout and '<ins class="pd-ins' in r.stdout
    assert "pd-editorial" in r.stdout and 'data-pd-view="sides"' in r.stdout


def test_moves_link_both_ends_in_html(run_cli, tmp_path):
    a = "# P\n\n## One\n\nFirst paragraph about data retention periods.\n\n## Two\n\nSecond paragraph about sharing.\n"
    b = "# P\n\n## Two\n\nSecond paragraph about sharing.\n\n## One\n\nFirst paragraph about data retention periods.\n"
    r = run_cli("diff", *_files(tmp_path, a, b), "--format", "html")
    assert 'href="#m1-to"' in r.stdout and 'href="#m1-from"' in r.stdout


def test_bad_inputs_give_one_line_and_exit_2(run_cli, tmp_path):
    (tmp_path / "bin.md").write_bytes(b"\x00\x01binary")
    (tmp_path / "latin.md").write_bytes(b"caf\xe9")
    (tmp_path / "ok.md").write_text("hello\n")
    for args, needle in [(("bin.md", "ok.md"), "binary"), (("latin.md", "ok.md"), "UTF-8"),
                         (("missing.md", "ok.md"), "no such file"),
                         (("nope@2020-01-01", "ok.md"), "policies.yml")]:
        r = run_cli("diff", *args)
        assert r.returncode == 2 and r.stdout == "" and needle in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_unknown_ref_in_a_store_is_refused(run_cli, tmp_path):
    store = tmp_path / "policy_versions"
    store.mkdir()
    (store / "policies.yml").write_text("policies:\n  privacy-policy:\n    title: Privacy\n")
    (store / "privacy-policy").mkdir()
    r = run_cli("diff", "privacy-policy@2021-02-11", "privacy-policy@2023-07-21")
    assert r.returncode == 2 and "no version '2021-02-11'" in r.stderr


def test_empty_against_non_empty_is_all_inserted(run_cli, tmp_path):
    r = run_cli("diff", *_files(tmp_path, "", NEW), "--format", "json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and {c["type"] for c in doc["changes"]} == {"insert"}


def test_20_mb_file_is_refused_quickly_with_a_clear_message(run_cli, tmp_path):
    (tmp_path / "big.md").write_text("word " * 4_200_000)
    (tmp_path / "ok.md").write_text("hello\n")
    started = time.monotonic()
    r = run_cli("diff", "big.md", "ok.md")
    assert r.returncode == 2 and "MB" in r.stderr and "limit" in r.stderr
    assert time.monotonic() - started < 60  # a hang would hit the fixture's timeout instead


def test_html_redline_lists_material_reasons_by_topic_with_the_changed_words(run_cli):
    from bs4 import BeautifulSoup

    from conftest import ROOT

    r = run_cli("diff", "privacy-policy@2021-02-11", "api-data-privacy@2023-07-21", "--format", "html",
                cwd=ROOT)
    assert r.returncode == 1
    page = BeautifulSoup(r.stdout, "lxml")
    retention = page.select('.pd-reasons li[data-rule="data-retention"]')
    assert retention, "no retention reason on the redline"
    text = " ".join(li.get_text() for li in retention)
    assert text.startswith("retention and deletion:")  # the topic in words, not the rule id
    assert "as long as is needed" in text and "30 days" in text


def test_diff_of_store_refs_applies_the_new_versions_override(run_cli, tmp_path):
    store = tmp_path / "policy_versions"
    (store / "p").mkdir(parents=True)
    (store / "policies.yml").write_text("policies:\n  p:\n    title: P\n")
    head = "---\ntitle: P\neffective: {d}\ndate_basis: stated\n{extra}---\n"
    (store / "p/2024-01-01.md").write_text(head.format(d="2024-01-01", extra="") + OLD)
    (store / "p/2024-06-01.md").write_text(
        head.format(d="2024-06-01", extra="material: false\nmaterial_reason: Legal reviewed it.\n") + NEW)
    r = run_cli("diff", "p@2024-01-01", "p@2024-06-01", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["verdict_basis"] == "override" and doc["material"] is False
    assert doc["computed_material"] is True  # the rules' verdict stays visible beside the override
