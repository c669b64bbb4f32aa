"""The seeds imported: every sentence of each article once and in order, nothing else.

Expected sentences are taken from the sources themselves, independently of the
importer: from the HTML with BeautifulSoup for 001, from the ftfy-repaired raw
capture for 003/004 (split at sentence ends and at the places where lines
were glued). Comparison is on letters and digits only, so that restored
punctuation, Markdown syntax and lost line breaks do not matter.
"""

from __future__ import annotations

import re
from pathlib import Path

import ftfy
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, seed

HINTS = ROOT / "sources" / "hints"
NAV_AND_FOOTER = ("Log in", "Sign up", "Back to top", "Brand guidelines", "© 2015", "Skip to main",
                  "Search Submit", "Terms & policies", "Featured roles", "Apply now", "Careers")


def letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def body_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1]


def import_seed(run_cli, tmp_path: Path, number: str, policy: str, *extra: str) -> str:
    store = tmp_path / "store"
    hints = HINTS / f"{seed(number).stem}.yml"
    args = ["--hints", str(hints)] if hints.exists() else []
    result = run_cli("import", str(seed(number)), "--policy", policy, "--store", str(store), *args, *extra)
    assert result.returncode == 0, result.stderr
    (written,) = (store / policy).glob("*.md")
    return body_of(written)


def assert_sentences_once_in_order(sentences: list[str], body: str) -> None:
    collapsed = [s for i, s in enumerate(sentences) if i == 0 or letters(s) != letters(sentences[i - 1])]
    stream, position = letters(body), -1
    for sentence in collapsed:
        key = letters(sentence)
        expected = sum(1 for s in collapsed if letters(s) == key)
        assert stream.count(key) == expected, f"sentence not present exactly once: {sentence!r}"
        at = stream.find(key, position + 1)
        assert at > position, f"sentence out of order: {sentence!r}"
        position = at


def sentences_in(text: str, *, glued: bool) -> list[str]:
    """Sentences of at least three words ending in . ! ? or :, split where text was glued."""
    text = re.sub(r"\s+", " ", text)
    pattern = r"(?<=[.!?:])\s*(?=[A-Z(“\"])" + (r"|(?<=[a-z)])(?=[A-Z])" if glued else "")
    pieces = [p.strip() for p in re.split(pattern, text)]
    return [p for p in pieces if len(p.split()) >= 3 and p[-1] in ".!?:"]


def assert_clean(body: str) -> None:
    for bad in ("â", "Â", "Ã"):
        assert bad not in body, f"mojibake {bad!r} left in the text"
    for chrome in NAV_AND_FOOTER:
        assert chrome not in body, f"site chrome {chrome!r} in the text"


def headings(body: str) -> list[str]:
    return re.findall(r"(?m)^#{1,6} (.+)$", body)


# --- 001: the HTML page ----------------------------------------------------------------


def html_article_sentences() -> tuple[list[str], list[str]]:
    soup = BeautifulSoup(seed("001").read_bytes(), "lxml")
    article = soup.find("article")
    for nav in article.find_all("nav"):
        nav.decompose()
    sentences = []
    for block in article.find_all(["p", "li"]):
        own = "".join(s for s in block.find_all(string=True) if s.find_parent(["p", "li"]) is block)
        sentences += sentences_in(own.replace("↩", ""), glued=False)
    return sentences, [h.get_text(" ", strip=True) for h in article.find_all(["h1", "h2", "h3"])]


def test_html_page_keeps_every_article_sentence_once_in_order(run_cli, tmp_path):
    body = import_seed(run_cli, tmp_path, "001", "privacy-policy")
    sentences, _ = html_article_sentences()
    assert len(sentences) > 60
    assert_sentences_once_in_order(sentences, body)
    assert_clean(body)
    assert "Updated February 11, 2021" not in body  # the date is in the front matter


def test_html_page_headings_lists_links_and_footnote_are_markdown(run_cli, tmp_path):
    body = import_seed(run_cli, tmp_path, "001", "privacy-policy")
    _, page_headings = html_article_sentences()
    assert headings(body) == page_headings
    assert body.startswith("# Privacy Policy\n")
    assert "- **Our Affiliates**. We may share" in body
    assert "[Terms of Use](https://openai.com/api/policies/terms)" in body
    assert "**Registration Data (API Customers only[^1])**" in body
    assert re.search(r"(?m)^\[\^1\]: Only API Customers are required to create accounts with us\.$", body)
    assert "↩" not in body


# --- 003 / 004: flattened text captures -------------------------------------------------


def capture_article(number: str) -> str:
    raw = ftfy.fix_text(seed(number).read_text(encoding="utf-8"))
    article = raw.split("Search Submit")[-1].split("ResearchOverviewIndex")[0]
    article = re.sub(r"Updated\s*July 21, 2023", " ", article)  # goes to the front matter
    article = re.sub(r"\[\^[\w-]+\]", "", article)  # footnote markers with no footnote text
    return article.split("Featured roles")[0]  # the careers promotion is not the policy


@pytest.mark.parametrize("number, policy, extra", [
    ("003", "api-data-privacy", ()), ("004", "security", ("--effective", "2023"))])
def test_text_capture_keeps_every_article_sentence_once_in_order(run_cli, tmp_path, number, policy, extra):
    body = import_seed(run_cli, tmp_path, number, policy, *extra)
    sentences = sentences_in(capture_article(number), glued=True)
    assert len(sentences) > 15
    assert_sentences_once_in_order(sentences, body)
    assert_clean(body)


def test_api_data_privacy_headings_table_and_lists(run_cli, tmp_path):
    body = import_seed(run_cli, tmp_path, "003", "api-data-privacy")
    assert headings(body) == [
        "API data privacy", "Our commitment", "Model usage and training", "Fine-tuning", "Model outputs",
        "Compliance", "How can I get a Data Processing Addendum (DPA)?", "Abuse monitoring",
        "Safe and responsible use of our models", "Data access", "Zero data retention",
        "Addressing policy violations"]
    assert body.startswith("# API data privacy\n")
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in body.splitlines() if line.startswith("|")]
    assert rows[0] == ["", "API inputs and outputs", "Fine-tuning training data", "Fine-tuned models"]
    assert set(rows[1]) <= {"---"}
    assert rows[2] == ["Ownership (as between OpenAI and Customer)", "Customer", "Customer",
                       "OpenAI (customer has exclusive access to the model that they trained)"]
    assert "- We strive to be transparent about our data handling practices and policies.\n" in body
    assert "- GDPR\n- CCPA and other state privacy laws\n" in body
    assert "for (b)—our developer API platform and future business service offerings—not for" in body
    assert "We don’t restrict customer use" in body and "the customer’s account." in body
    assert "[^" not in body


def test_security_headings_and_repaired_quotes(run_cli, tmp_path):
    body = import_seed(run_cli, tmp_path, "004", "security", "--effective", "2023")
    assert headings(body) == [
        "Security & privacy", "Compliance & accreditations", "Compliance", "External auditing",
        "Customer requirements", "Reporting security issues", "Our goal is to build helpful AI models",
        "Ways to manage data", "More information"]
    assert "or “copy and paste” training information" in body
    assert "learn about the world—not private individuals" in body
    assert "- An opt-out form\n" in body
    for furniture in ("Visit our trust portal", "null links", "Read about the program", "Quick links"):
        assert furniture not in body


# --- call-to-action links (issue #9, item 7) ----------------------------------------------

CTA_LINKS = {"Visit our trust portal": "https://trust.example.org/",
             "Participate in our Bug Bounty Program": "https://bugs.example.org/openai",
             "Read about the program": "https://example.org/blog/bug-bounty",
             "Read more about how our models are developed": "https://example.org/models"}


def test_call_to_action_links_of_a_capture_are_kept_where_they_stood(run_cli, tmp_path):
    """A text capture lost the links' addresses: a hints file's ``links`` gives them."""
    hints = yaml.safe_load((HINTS / f"{seed('004').stem}.yml").read_text())
    hints["drop"] = [d for d in hints["drop"] if d not in CTA_LINKS]
    hints["links"] = CTA_LINKS
    (tmp_path / "hints.yml").write_text(yaml.safe_dump(hints))
    store = tmp_path / "store"
    result = run_cli("import", str(seed("004")), "--policy", "security", "--store", str(store),
                     "--effective", "2023", "--hints", str(tmp_path / "hints.yml"))
    assert result.returncode == 0, result.stderr
    assert "5 call-to-action links kept (hints)" in result.stdout
    body = body_of(store / "security" / "2023.md")
    assert ("products.\n\n[Visit our trust portal](https://trust.example.org/)\n\nOpenAI invests in security"
            in body)
    assert "## Compliance & accreditations\n\n[Visit our trust portal](https://trust.example.org/)\n\n" in body
    assert ("impact.\n\n[Participate in our Bug Bounty Program](https://bugs.example.org/openai)\n\n"
            "[Read about the program](https://example.org/blog/bug-bounty)\n\nWe are committed") in body
    assert "individuals\n\n[Read more about how our models are developed](https://example.org/models)\n" in body
    assert "Quick links" not in body and "null links" not in body  # labels of link lists stay out
    assert headings(body) == headings(import_seed(run_cli, tmp_path / "plain", "004", "security",
                                                  "--effective", "2023"))


def test_call_to_action_links_of_an_html_article_are_kept_as_links(run_cli, tmp_path):
    page = """<!doctype html><html><head><link rel="canonical" href="https://example.org/security"></head>
    <body><nav><a href="/">Home</a></nav><main><h1>Security &amp; privacy</h1>
    <p>We are committed to building trust in our platform.</p>
    <div class="cta"><a href="https://trust.example.org/"><button class="btn">Visit our trust portal</button></a></div>
    <p>We invite researchers to report security issues via our Bug Bounty Program.</p>
    <ul class="links"><li><a href="/bug-bounty" class="card"><span>Read about the program</span><svg></svg></a></li></ul>
    </main></body></html>"""
    (tmp_path / "security.html").write_text(page)
    result = run_cli("import", "security.html", "--policy", "security", "--store", "store", "--effective", "2023")
    assert result.returncode == 0, result.stderr
    body = body_of(tmp_path / "store" / "security" / "2023.md")
    assert "platform.\n\n[Visit our trust portal](https://trust.example.org/)\n\nWe invite" in body
    assert "- [Read about the program](https://example.org/bug-bounty)\n" in body
    assert "Home" not in body


def test_a_hints_link_needs_a_web_address(run_cli, tmp_path):
    (tmp_path / "hints.yml").write_text("links:\n  Visit our trust portal: javascript:alert(1)\n")
    result = run_cli("import", str(seed("004")), "--policy", "security", "--store", "store",
                     "--effective", "2023", "--hints", "hints.yml")
    assert result.returncode == 2 and not (tmp_path / "store").exists()
    (line,) = result.stderr.strip().splitlines()
    assert "hints.yml" in line and "'links: Visit our trust portal' must be an http:// or https:// address" in line
