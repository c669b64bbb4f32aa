"""Other page shapes than the seeds: a generic HTML page and a Markdown file."""

from __future__ import annotations

import yaml

PAGE = """<!doctype html><html><head><title>Terms | Example</title>
<link rel="canonical" href="https://example.com/legal/terms/">
<script>document.write('tracking')</script></head><body>
<div class="cookie-consent">We use cookies. <button>Accept all cookies</button></div>
<header><nav><a href="/">Home</a> <a href="/login">Log in</a></nav></header>
<main><h1>Terms of Service</h1><p class="meta">Effective date: 1 March 2024</p>
<p>You may use the service as <a href="/legal/acceptable-use">allowed</a>.<sup id="fnref:1"><a href="#fn:1">1</a></sup></p>
<h2>Fees</h2><table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>$5</td></tr></table>
<p>&lt;script&gt;alert(1)&lt;/script&gt; is shown as text.</p>
<section class="footnotes"><ol><li id="fn:1"><p>Within the law. <a href="#fnref:1">↩</a></p></li></ol></section>
</main><footer>© 2024 Example · <a href="/privacy">Privacy</a></footer></body></html>"""


def front_matter(path):
    return yaml.safe_load(path.read_text().split("---\n")[1])


def test_html_page_becomes_markdown_article_without_chrome(run_cli, tmp_path):
    (tmp_path / "terms.html").write_text(PAGE)
    result = run_cli("import", "terms.html", "--policy", "terms", "--store", "store")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "store" / "terms" / "2024-03-01.md"
    body = path.read_text().split("\n---\n", 1)[1]
    assert body.startswith("# Terms of Service\n")
    assert "[allowed](https://example.com/legal/acceptable-use)" in body
    assert "| Plan | Price |" in body and "| Basic | $5 |" in body
    assert "acceptable-use).[^1]\n" in body and body.endswith("\n\n[^1]: Within the law.\n")
    assert "&lt;script>alert(1)&lt;/script> is shown as text." in body
    for chrome in ("cookies", "Log in", "Home", "© 2024", "tracking", "Effective date"):
        assert chrome not in body
    meta = front_matter(path)
    assert meta["date_basis"] == "stated" and meta["source"]["url"] == "https://example.com/legal/terms/"
    registry = yaml.safe_load((tmp_path / "store" / "policies.yml").read_text())
    assert registry["policies"]["terms"] == {"title": "Terms of Service", "url": "https://example.com/legal/terms/"}


def test_markdown_file_keeps_its_body_and_front_matter_dates(run_cli, tmp_path):
    text = "---\ntitle: Cookie Policy\neffective: 2022-05\n---\n# Cookies\n\nWe use **two** cookies.\n\n- session\n- consent\n"
    (tmp_path / "cookies.md").write_text(text)
    result = run_cli("import", "cookies.md", "--policy", "cookies", "--store", "store")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "store" / "cookies" / "2022-05.md"
    assert path.read_text().endswith("# Cookies\n\nWe use **two** cookies.\n\n- session\n- consent\n")
    meta = front_matter(path)
    assert meta["title"] == "Cookie Policy" and meta["date_basis"] == "observed"


def test_an_existing_version_file_is_never_overwritten(run_cli, tmp_path):
    (tmp_path / "terms.html").write_text(PAGE)
    assert run_cli("import", "terms.html", "--policy", "terms", "--store", "store").returncode == 0
    again = run_cli("import", "terms.html", "--policy", "terms", "--store", "store")
    assert again.returncode == 0 and "duplicate of terms@2024-03-01 (100.0 % similar)" in again.stdout
