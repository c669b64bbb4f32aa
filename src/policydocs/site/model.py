"""What the site is made of: generated pages, extra files, and where each lives.

The URL map is ARCHITECTURE.md's "URLs" section; every link between generated pages
is made here, relative to the page it sits on, so the site works from any
base path (a project page on GitHub Pages, a local ``http.server``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Callable, Literal

CompareSet = Literal["all", "adjacent"]


@dataclass(frozen=True)
class SiteOptions:
    """The plugin's settings, as the core needs them."""

    compare: CompareSet = "adjacent"  # consecutive + supersedes + each vs current; or all pairs
    banner_days: int = 30  # a material change is announced this many days after it took effect
    feeds: bool = True
    site_url: str = ""
    site_name: str = "Policies"
    directory_urls: bool = True
    home_intro: bool = True  # False when the project writes its own index.md above the listing
    template_dirs: tuple[str, ...] = ()  # the site's overrides of policydocs/pages/*.html, first
    exports: tuple[str, ...] = ("docx", "pdf")  # reviewers' downloads on every compare page


@dataclass(frozen=True)
class GeneratedPage:
    """One page made from the store; ``html`` is its finished (escaped) body, or
    ``render`` makes it on demand (version and compare pages of a big store: made
    one at a time while MkDocs writes them, never all held at once)."""

    src_uri: str
    title: str
    html: str = ""
    in_nav: bool = False
    searchable: bool = False
    banner: str = ""  # HTML for Material's announcement bar, empty for none
    kind: str = "page"  # home | policy | versions | version | compare | changelog
    render: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    def body(self) -> str:
        return self.html if self.render is None else self.render()


@dataclass(frozen=True)
class ExtraFile:
    """A non-page file written beside the pages (feeds, JSON, source diffs); ``render``
    makes its content when it is written (never all held at once)."""

    dest_uri: str
    content: str | bytes = ""
    render: Callable[[], str | bytes] | None = field(default=None, compare=False, repr=False)

    def body(self) -> str | bytes:
        return self.content if self.render is None else self.render()


@dataclass(frozen=True)
class SiteModel:
    pages: tuple[GeneratedPage, ...]
    files: tuple[ExtraFile, ...] = field(default=())
    nav_policies: tuple[str, ...] = ()  # src_uri of the policy pages, in registry order

    def page(self, src_uri: str) -> GeneratedPage:
        for page in self.pages:
            if page.src_uri == src_uri:
                return page
        raise KeyError(src_uri)


# --- the URL map -----------------------------------------------------------------------


def home_uri() -> str:
    return "index.md"


def policy_uri(policy_id: str) -> str:
    return f"policies/{policy_id}/index.md"


def versions_uri(policy_id: str) -> str:
    return f"policies/{policy_id}/versions/index.md"


def version_uri(policy_id: str, version_id: str) -> str:
    return f"policies/{policy_id}/{version_id}/index.md"


def compare_uri(slug: str) -> str:
    return f"compare/{slug}/index.md"


def compare_export_uri(slug: str, old_ref: str, new_ref: str, fmt: str) -> str:
    """``compare/<slug>/redline-<old-ref>-to-<new-ref>.docx``: a name that says what it is."""
    return f"compare/{slug}/redline-{old_ref.replace('@', '-')}-to-{new_ref.replace('@', '-')}.{fmt}"


def changelog_uri() -> str:
    return "changelog/index.md"


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives a page (``policies/x/index.md`` → ``policies/x/``)."""
    if src_uri.endswith("index.md"):
        base = src_uri[: -len("index.md")]
        return base if directory_urls else base + "index.html"
    stem = src_uri[: -len(".md")]
    return f"{stem}/" if directory_urls else f"{stem}.html"


def link(from_src: str, to: str, directory_urls: bool = True) -> str:
    """A relative link from one page to a page (``*.md``) or a file (anything else)."""
    here = posixpath.dirname(page_url(from_src, directory_urls)) or "."
    target = page_url(to, directory_urls) if to.endswith(".md") else to
    rel = posixpath.relpath(target or ".", here)
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel
