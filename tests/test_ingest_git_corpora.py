"""Two real publishers' policy repositories imported whole: Basecamp's and Automattic's.

Each bundle of ../shared/corpora is cloned and imported once for the module (as a
user would: the CLI, then the same command again), then its site is built for
real with ``mkdocs build --strict``. Every version is checked against its own
source blob, read straight from git: the title its page shows, a clean body, the
date its text states.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import corpus_clone, policydocs, snapshot
from policydocs.store import Store, Version, load_store
from sitekit import SITE_MKDOCS_YML, mkdocs_build, write_site_project

pytestmark = pytest.mark.corpus

# The policies of each repository: Basecamp keeps one page per topic folder
# (`<topic>/index.md`, earlier `<topic>.md`; the root index, README and LICENSE
# are not policies). Legalmattic also holds offer letters, canned DMCA replies
# and a README: the policies are named one by one.
BASECAMP_ARGS = ("--path", "*/*.md")
LEGALMATTIC_ARGS = (
    "--path", "Privacy-Policy.md", "--path", "Cookie-Policy.md",
    "--path", "Privacy-Notice-for-Visitors-to-Our-Users-Sites.md", "--path", "Legal-Guidelines.md",
    "--path", "User-Guidelines.md", "--path", "Store-Guidelines.md",
    "--path", "Terms of Service/*", "--path", "DMCA/Site Pages/*",
    # The Polldaddy terms were a file, then a folder holding the (later Crowdsignal) terms:
    # the import says so and names these two maps, which keep one history.
    "--map", "Terms of Service/Polldaddy=crowdsignal-terms-and-conditions",
    "--map", "Terms of Service/Polldaddy/Polldaddy Terms and Conditions=crowdsignal-terms-and-conditions",
)

BASECAMP_IDS = {
    "abuse", "backpack-subprocessors", "basecamp-subprocessors", "campfire-subprocessors", "cancellation",
    "ccpa", "chicago", "company-processors", "copyright", "gdpr", "hey", "hey-subprocessors",
    "highrise-subprocessors", "how-we-handle", "incapacitated", "ohio", "ownership-bc3", "ownership-hey",
    "privacy", "privacy-shield", "recruitment", "refund", "regulations", "response", "safe-harbor",
    "safe-harbor-questions", "security", "sla", "taxes", "terms", "until-the-end-of-the-internet",
    "updates", "washington"}
LEGALMATTIC_IDS = {
    "ar", "automattic-ads", "cloudup-com-en-terms-of-service", "cloudup-en-terms-of-service",
    "cookie-policy", "crowdsignal-terms-and-conditions", "de-geschaftsbedingungen", "dmca-counter-notice",
    "dmca-takedown-notice", "es-condiciones-de-servicio", "es-terminos-de-servicio",
    "fr-conditions-dutilisation", "he", "id-ketentuan-layanan", "it-termini-di-servizio", "ja", "ko",
    "legal-guidelines", "nl-servicevoorwaarden", "privacy-notice-for-visitors-to-our-users-sites",
    "privacy-policy", "pt-br-termos-de-servico", "ru", "store-guidelines", "sv-anvandarvillkor",
    "tr-hizmet-kosullar", "tr-kullanm-sartlar", "user-guidelines", "woocommerce-use-terms", "wordads",
    "wordpress-com-en-terms-of-service", "zh-cn", "zh-tw"}

_STATED = re.compile(r"(?i)(?:last updated|last modified|effective date)\s*:\s*"
                     r"(january|february|march|april|may|june|july|august|september|october|november|december)"
                     r"\s+(\d{1,2}),\s+(\d{4})")
_MARKUP = re.compile(r"<!--|\{%|\{\{|<(?:a|span|figure|img|picture|p|div|dl|dt|dd|ul|li|h[1-6]|strong)[\s>/]",
                     re.I)


@dataclass(frozen=True)
class ImportedCorpus:
    """A corpus imported twice into one store, and its site built."""

    repo: Path
    store: Store
    first: subprocess.CompletedProcess
    again: subprocess.CompletedProcess
    unchanged_by_rerun: bool
    site: Path
    build: subprocess.CompletedProcess

    def source(self, version: Version) -> str:
        """The blob a version was made from, read from git, not through the importer."""
        return subprocess.run(["git", "-C", str(self.repo), "show",
                               f"{version.source.commit}:{version.source.path}"],
                              capture_output=True, text=True, check=True).stdout


def import_corpus(tmp: Path, name: str, args: tuple[str, ...]) -> ImportedCorpus:
    repo = corpus_clone(tmp, name)
    first = policydocs("import-git", str(repo), "--store", "pv", *args, cwd=tmp)
    assert first.returncode == 0, first.stderr
    before = snapshot(tmp / "pv")
    again = policydocs("import-git", str(repo), "--store", "pv", *args, cwd=tmp)
    unchanged = snapshot(tmp / "pv") == before
    store, problems = load_store(tmp / "pv")
    assert problems == [], problems[:3]
    project = write_site_project(tmp / "site", tmp / "pv")
    (project / "mkdocs.yml").write_text(SITE_MKDOCS_YML + "      compare: consecutive\n      exports: []  # Word/PDF exports are tested on the seed store\n")
    build = mkdocs_build(project, check=False)
    return ImportedCorpus(repo, store, first, again, unchanged, project / "site", build)


@pytest.fixture(scope="module")
def basecamp(tmp_path_factory) -> ImportedCorpus:
    return import_corpus(tmp_path_factory.mktemp("basecamp"), "basecamp-policies", BASECAMP_ARGS)


@pytest.fixture(scope="module")
def legalmattic(tmp_path_factory) -> ImportedCorpus:
    return import_corpus(tmp_path_factory.mktemp("legalmattic"), "automattic-legalmattic", LEGALMATTIC_ARGS)


@pytest.fixture(params=["basecamp", "legalmattic"])
def corpus(request) -> ImportedCorpus:
    return request.getfixturevalue(request.param)


def front_matter_title(source: str) -> str | None:
    block = re.match(r"---[ \t]*\n(.*?)\n---[ \t]*\n", source, re.S)
    meta = (yaml.safe_load(block.group(1)) or {}) if block else {}
    return str(meta["title"]).strip() if meta.get("title") else None


def name_in_words(path: str) -> str:
    parts = path.split("/")
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    if stem.lower() == "index":
        stem = parts[-2]
    words = " ".join(stem.replace("-", " ").replace("_", " ").split())
    return words[:1].upper() + words[1:] if words.islower() else words


def is_opening_heading(title: str, source: str) -> bool:
    """The source opens (after front matter, comments, a figure) with ``title`` as a
    level-1 or level-2 heading: ATX, setext or HTML."""
    text = re.sub(r"(?s)\A---[ \t]*\n.*?\n---[ \t]*\n", "", source)
    text = re.sub(r"(?s)<!--.*?-->|<figure.*?</figure>", "", text).lstrip()
    lines = text.split("\n\n", 1)[0].split("\n")

    def plain(line: str) -> str:
        return " ".join(html.unescape(re.sub(r"[*`]|<[^>]+>", "", line)).split())

    opening = (re.match(r"#{1,2}\s+(.*?)\s*#*$", lines[0]) or re.match(r"<h[12][^>]*>(.*?)</h[12]>", lines[0]))
    if opening:
        return plain(opening.group(1)) == title
    return len(lines) > 1 and bool(re.fullmatch(r"=+|-+", lines[-1].strip())) \
        and plain(" ".join(lines[:-1])) == title


def test_every_file_history_is_imported_and_a_rerun_writes_nothing(corpus):
    assert corpus.first.stdout.startswith("imported ")
    assert corpus.again.returncode == 0 and corpus.again.stdout.startswith("nothing new to import")
    assert corpus.unchanged_by_rerun
    assert sum(len(p.versions) for p in corpus.store.policies.values()) > 200


def test_policy_ids_are_the_files_own_names(basecamp, legalmattic):
    assert set(basecamp.store.policies) == BASECAMP_IDS
    assert set(legalmattic.store.policies) == LEGALMATTIC_IDS
    assert "ids: 3 files would be policy 'en-terms-of-service'" in legalmattic.first.stderr
    assert "skipped 1 matched files that are not Markdown or HTML: Terms of Service/Other/Untitled 19.txt" \
        in legalmattic.first.stderr


def test_moved_and_renamed_pages_keep_one_history(basecamp, legalmattic):
    paths = {pid: {v.source.path for v in p.versions} for pid, p in basecamp.store.policies.items()}
    assert paths["terms"] == {"terms.md", "terms/index.md"}
    assert paths["privacy"] == {"privacy/index.md", "privacy/privacy-policy.md"}
    # The Polldaddy file and the folder that replaced it were committed on one day: one version.
    first = legalmattic.store.policy("crowdsignal-terms-and-conditions").versions[0]
    added = subprocess.run(["git", "-C", str(legalmattic.repo), "log", "--format=%H", "--diff-filter=A",
                            "--", "Terms of Service/Polldaddy"], capture_output=True, text=True).stdout.split()
    polldaddy_file, folder_file = added[-1], added[-2]  # oldest last: the file, then the folder's
    assert (first.source.commit, first.summary) == (
        folder_file, f"Last of 2 commits recorded on 2018-05-13; folded: {polldaddy_file[:12]}.")


def test_every_version_has_the_title_its_page_shows(corpus):
    from_front_matter = 0
    for version in corpus.store.all_versions():
        source = corpus.source(version)
        stated = front_matter_title(source)
        if stated:
            from_front_matter += 1
            assert version.title == stated, version.ref
        else:
            assert (is_opening_heading(version.title, source)
                    or version.title == name_in_words(version.source.path)), (version.ref, version.title)
        assert "/" not in version.title
    if corpus.repo.name == "basecamp-policies":
        assert from_front_matter > 200
    for policy in corpus.store.policies.values():
        assert policy.title == policy.versions[-1].title


def test_every_body_is_policy_text_without_page_markup(corpus):
    for version in corpus.store.all_versions():
        assert not version.body.startswith(("---", "+++")), version.ref
        assert not _MARKUP.search(version.body), (version.ref, _MARKUP.search(version.body).group(0))
        for key in ("layout:", "description:", "redirect_from:"):
            assert key not in version.body.split("\n\n", 1)[0], version.ref


def test_the_date_a_text_states_is_its_legal_date(corpus):
    found = 0
    for version in corpus.store.all_versions():
        source = re.sub(r"<!--.*?-->", "", corpus.source(version), flags=re.S)
        m = _STATED.search(source)
        if not m:
            continue
        found += 1
        month, day, year = m.groups()
        stated = dt.datetime.strptime(f"{month} {day} {year}", "%B %d %Y").date().isoformat()
        assert (version.legal_date, version.legal_date_basis) == (stated, "stated"), version.ref
    assert found >= 20


def test_basecamps_last_updated_line_gives_the_privacy_policy_its_date(basecamp):
    newest = basecamp.store.policy("privacy").versions[-1]
    assert "*Last updated: April 20, 2023*" in newest.body
    assert newest.legal_date == "2023-04-20" and newest.title == "Privacy policy"


def test_the_imported_store_builds_a_strict_site_without_warnings(corpus):
    assert corpus.build.returncode == 0, corpus.build.stderr[-3000:]
    assert "WARNING" not in corpus.build.stderr
    for policy_id, policy in corpus.store.policies.items():
        page = (corpus.site / "policies" / policy_id / "index.html").read_text(encoding="utf-8")
        assert policy.versions[-1].title in html.unescape(page), policy_id
