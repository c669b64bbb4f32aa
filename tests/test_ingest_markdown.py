"""Markdown sources as publishers keep them: front matter, comments, templates, raw HTML.

Each test imports a real file with the real CLI (``policydocs import``) and reads
the version file it wrote, as a maintainer would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import snapshot

JEKYLL_PAGE = """\
---
title: Privacy policy
description: The privacy of your data is a big deal to us.
layout: sheet
redirect_from: [/privacy-policy]
---
<!-- markdownlint-disable MD033 -->
<figure class="centered">
  <img alt="a quill" src="{% asset_path about/policies/privacy/shh.png %}" class="image-size-25">
</figure>

# Privacy policy

*Last updated: April 20, 2023*

We keep your data for 30 days. Questions? [Contact our support team]({{ site.email_support }}).

All data is encrypted via <a href="https://en.wikipedia.org/wiki/Transport_Layer_Security">SSL/TLS</a>
when sent to <span class="highlight">your browser</span>. <strong>We never sell it. </strong>Ever.

<ul>
{% for person in site.data.security-responders %}
  <li><a href="{{ person.url }}">{{ person.name }}</a></li>
{% endfor %}
</ul>

<dl>

<dt>**Retention.**</dt>

<dd>We delete backups after 30 days.</dd>

</dl>

<!-- TODO: add the Swiss addendum -->
"""


def import_md(run_cli, tmp_path: Path, text: str, name: str = "privacy.md", *args: str):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return run_cli("import", name, "--policy", "privacy", "--store", "store", "--effective", "2023-04-20",
                   *args)


def version(tmp_path: Path) -> tuple[dict, str]:
    (path,) = (tmp_path / "store" / "privacy").glob("*.md")
    _, meta, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(meta), body


def test_front_matter_of_a_page_is_its_title_never_its_text(run_cli, tmp_path):
    result = import_md(run_cli, tmp_path, JEKYLL_PAGE)
    assert result.returncode == 0, result.stderr
    meta, body = version(tmp_path)
    assert meta["title"] == "Privacy policy"
    assert body.startswith("# Privacy policy\n\n*Last updated: April 20, 2023*\n")
    for metadata in ("layout", "sheet", "description", "redirect_from", "big deal"):
        assert metadata not in body
    assert meta["date_basis"] == "stated" and meta["effective"] == "2023-04-20"


def test_comments_templates_and_pictures_are_dropped_and_counted(run_cli, tmp_path):
    result = import_md(run_cli, tmp_path, JEKYLL_PAGE)
    _, body = version(tmp_path)
    for gone in ("<!--", "markdownlint", "TODO", "{%", "{{", "<figure", "<img", "person.name"):
        assert gone not in body
    assert "2 HTML comments dropped" in result.stdout
    assert "1 template loops dropped" in result.stdout
    assert "1 pictures dropped" in result.stdout


def test_raw_html_becomes_markdown_and_template_links_keep_their_text(run_cli, tmp_path):
    import_md(run_cli, tmp_path, JEKYLL_PAGE)
    _, body = version(tmp_path)
    assert "Questions? Contact our support team.\n" in body
    assert "via [SSL/TLS](https://en.wikipedia.org/wiki/Transport_Layer_Security)\nwhen sent to your browser." in body
    assert "**We never sell it.** Ever." in body
    assert "**Retention.**\n\nWe delete backups after 30 days.\n" in body
    assert "<" not in body


def test_toml_front_matter_is_read_as_well(run_cli, tmp_path):
    page = '+++\ntitle = "Cookie notice"\nweight = 3\n+++\n\nWe use one cookie to keep you signed in.\n'
    assert import_md(run_cli, tmp_path, page).returncode == 0
    meta, body = version(tmp_path)
    assert meta["title"] == "Cookie notice" and body == "We use one cookie to keep you signed in.\n"


@pytest.mark.parametrize("text, title", [
    ("Privacy Policy\n--------------\n\nWe keep data.\n\n### Who we are\n\nAcme.\n", "Privacy Policy"),
    ("CLOUDUP TERMS OF SERVICE\n========================\n\nBe nice.\n", "CLOUDUP TERMS OF SERVICE"),
    ("## **Terms &amp; Conditions**\n\nBe nice.\n", "Terms & Conditions"),
    # A text that opens with a paragraph, or with a section heading: named after its file.
    ("Our [Privacy Policy](https://x.example/) explains it.\n\n### What are cookies?\n\nData.\n",
     "Cookie Policy"),
    ("### Requesting Private Information\n\nWe protect users.\n", "Cookie Policy"),
])
def test_the_title_is_the_opening_heading_setext_or_atx_else_the_file_name(run_cli, tmp_path, text, title):
    assert import_md(run_cli, tmp_path, text, "Cookie-Policy.md").returncode == 0
    assert version(tmp_path)[0]["title"] == title


def test_fenced_code_is_kept_as_written(run_cli, tmp_path):
    text = "# API terms\n\nEmbed it so:\n\n```html\n<!-- keep me -->\n<a href=\"x\">x</a>\n```\n"
    assert import_md(run_cli, tmp_path, text).returncode == 0
    assert "```html\n<!-- keep me -->\n<a href=\"x\">x</a>\n```\n" in version(tmp_path)[1]


@pytest.mark.parametrize("text, problem", [
    ("---\ntitle: Privacy: the policy\n---\nWe keep data.\n", "invalid YAML (line 2)"),
    ("---\ntitle: Privacy\nWe keep data.\n", "has no closing '---' line"),
    ('+++\ntitle = "Privacy\n+++\nWe keep data.\n', "front matter: invalid TOML"),
])
def test_front_matter_that_does_not_parse_is_refused_with_one_line(run_cli, tmp_path, text, problem):
    (tmp_path / "store").mkdir()
    before = snapshot(tmp_path / "store")
    result = import_md(run_cli, tmp_path, text)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "privacy.md" in line and problem in line and "Traceback" not in result.stderr
    assert snapshot(tmp_path / "store") == before


def test_a_date_that_is_not_a_date_is_no_stated_date(run_cli, tmp_path):
    result = import_md(run_cli, tmp_path, "# Terms\n\nEffective: TBD\n\nBe nice.\n", "terms.md")
    assert result.returncode == 0, result.stderr
    meta, body = version(tmp_path)
    assert meta["date_basis"] == "observed" and "stated_date" not in meta  # the date given, observed
    assert "Effective: TBD" in body


def test_a_hard_line_break_is_kept_and_other_trailing_space_goes(run_cli, tmp_path):
    text = "# DMCA\n\nSend notices to: \n\nAutomattic Inc.  \n60 29th Street #343\nSan Francisco \xa0\n"
    assert import_md(run_cli, tmp_path, text).returncode == 0
    assert version(tmp_path)[1].endswith(
        "Send notices to:\n\nAutomattic Inc.  \n60 29th Street #343\nSan Francisco\n")
