"""The MkDocs plugin ``policydocs``: wires MkDocs events to `policydocs.site`.

Events used, and why:

- ``on_config``: load the store (fail the build with one clear line when it is
  invalid), put the banner templates and the CSS/JS on the theme.
- ``on_files``: ask the core for the site model and add each page with
  ``File.generated`` — version, archive and compare pages ``NOT_IN_NAV`` (Material
  renders the nav into every page, so a big nav makes builds quadratic). Those
  pages are `FinishedPage`s: MkDocs never runs Markdown on them.
- ``on_nav``: list the policies (by title) under one "Policies" section.
- ``on_page_markdown``: the page's banner goes into ``page.meta`` for the
  ``announce`` block.
- ``on_page_content``: generated pages get the core's finished HTML, so MkDocs'
  Markdown (and its raw-HTML handling) never sees policy text.
- ``on_env``: the theme's navigation partial is rendered once per page depth for
  the pages out of the nav (Material renders the whole nav into every page: with
  thousands of compare pages that was 40 % of a build).
- ``on_post_page``: a `FinishedPage`'s HTML is made only now and put in place of
  its placeholder, so the theme's template, the search plugin and memory never
  carry a whole corpus of redlines at once.
- ``on_post_build``: feeds and ``api/policies.json``.
- ``on_serve``: ``mkdocs serve`` rebuilds when the store changes.

Nothing generated is written into ``docs/``.
"""

from __future__ import annotations

import functools
import posixpath
from pathlib import Path

import jinja2
from markupsafe import Markup

from mkdocs.config.base import Config
from mkdocs.config.config_options import Choice, ListOfItems, Type
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from policydocs import memo
from policydocs.cache import ComparisonCache as DiskCache
from policydocs.cache import default_cache_dir
from policydocs.comparisons import compare_versions
from policydocs.errors import UserError
from policydocs.fsutil import atomic_write_bytes
from policydocs.materiality import load_rules
from policydocs.site import PairComparisons, SiteModel, SiteOptions, build_site
from policydocs.progress import progress_bar
from policydocs.site.history import site_pairs
from policydocs.site.model import GeneratedPage, changelog_uri, home_uri
from policydocs.site.text import esc
from policydocs.store import Store, open_store, today_from_env

log = get_plugin_logger(__name__)
PACKAGE = Path(__file__).parent
ASSETS_URI = "assets/policydocs"

# Comparisons survive `mkdocs serve` rebuilds (which load a fresh plugin each time),
# kept by `policydocs.memo`: they are keyed by body hashes and rules, so a stale entry
# can never be served. With ``disk_cache`` on, one in-memory cache per disk folder
# stands in front of it (a cold build fills .cache/policydocs/, a warm one, another
# process, reads it back); it holds verdicts for every pair but whole comparisons only
# for the last few: a compare page reads its comparison back from disk when MkDocs
# writes it.
KEEP_IN_MEMORY = 32
# ``compare: all`` is quadratic: past this many extra compare pages the build warns.
COMPARE_ALL_WARN_PAGES = 300


class PolicyDocsConfig(Config):
    enabled = Type(bool, default=True)
    """Turn the plugin off (e.g. to preview hand-written pages only)."""
    store = Type(str, default="policy_versions")
    """The policy store, relative to mkdocs.yml."""
    compare = Choice(("adjacent", "consecutive", "all"), default="consecutive")
    """Compare pages for consecutive versions, ``supersedes`` links and each version
    against the current (and any upcoming) one (``adjacent``: pages grow linearly with
    versions, but comparing old versions with the current one costs more as texts drift
    apart); only consecutive versions and ``supersedes`` links (``consecutive``: linear
    time, for very long histories); or every pair of versions of a policy (``all``:
    quadratic, for policies with few versions)."""
    banner_days = Type(int, default=30)
    """How long after a material change takes effect its policy page shows a banner."""
    feeds = Type(bool, default=True)
    """Write Atom feeds (``feed.xml`` and one per policy)."""
    exports = ListOfItems(Choice(("docx", "pdf")), default=[])
    """Reviewers' downloads made for every compare page: ``[docx, pdf]`` for a Word
    document with tracked changes and a paginated PDF (cached like the comparisons).
    Off by default: a PDF costs ~0.15 s a page, minutes on a long history's cold build."""
    disk_cache = Type(bool, default=True)
    """Keep comparisons on disk (``.cache/policydocs/`` beside mkdocs.yml, or
    ``$POLICYDOCS_CACHE_DIR``) so rebuilds and CI runs only compare new pairs."""


class PolicyDocsPlugin(BasePlugin[PolicyDocsConfig]):
    """Generate the policy pages of ARCHITECTURE.md URL map at build time."""

    def __init__(self) -> None:
        self._store: Store | None = None
        self._model: SiteModel | None = None
        self._pages: dict[str, GeneratedPage] = {}
        self._banner: dict[str, str] = {}
        self._own_index = False
        self._disk: DiskCache | None = None
        self._nav_urls: tuple[str, ...] = ()

    # --- events ------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        root = Path(config.config_file_path or ".").parent / self.config.store
        try:
            self._store = open_store(root)
            self._rules = load_rules(self._store)
        except UserError as exc:
            raise PluginError(f"policydocs: {exc}") from None
        theme_dirs = config.theme.dirs
        theme_dirs.insert(1 if config.theme.custom_dir else 0, str(PACKAGE / "templates"))
        for asset in self._asset_names():
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if asset.endswith((".css", ".js")) and f"{ASSETS_URI}/{asset}" not in target:
                target.append(f"{ASSETS_URI}/{asset}")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        assert self._store is not None
        self._own_index = files.get_file_from_path(home_uri()) is not None
        self._model = self._build_model(config)
        self._pages = {p.src_uri: p for p in self._model.pages}
        self._banner = {p.src_uri: p.banner for p in self._model.pages if p.banner}
        for page in self._model.pages:
            if page.src_uri == home_uri() and self._own_index:
                continue  # the project's own index.md gets the listing appended
            if not page.in_nav and not page.searchable:
                file = File.generated(config, page.src_uri, content="",
                                      inclusion=InclusionLevel.NOT_IN_NAV)
                FinishedPage(page, file, config)
                files.append(file)
                continue
            # With a hand-written `nav`, MkDocs would list the policy pages as "not in
            # the nav configuration"; on_nav places them, so they are never "missing".
            in_nav = page.in_nav and not config.nav
            inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.src_uri, content=_stub(page.searchable),
                                        inclusion=inclusion))
        for asset in self._asset_names():
            files.append(File.generated(config, f"{ASSETS_URI}/{asset}",
                                        abs_src_path=str(PACKAGE / "assets" / asset)))
        log.debug("generated %d pages", len(self._model.pages))
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if not self.config.enabled or self._model is None:
            return None
        nav = _with_policies_section(nav, files, self._model.nav_policies)
        self._nav_urls = tuple(p.url for p in nav.pages)
        return nav

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        if not self.config.enabled:
            return None
        generated = self._pages.get(page.file.src_uri)
        if generated is not None and not (page.file.src_uri == home_uri() and self._own_index):
            # Material puts ``meta.title`` into ``<title>``, the header and the nav as it
            # is (MkDocs titles are HTML); a title is store data, so it goes in escaped,
            # and here rather than through YAML front matter, which would change or drop
            # a title holding characters YAML does not carry.
            page.meta["title"] = esc(generated.title)
        banner = self._banner.get(page.file.src_uri)
        if banner:
            page.meta["pd_banner"] = banner
        return None

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str | None:
        if not self.config.enabled:
            return None
        generated = self._pages.get(page.file.src_uri)
        if generated is None or isinstance(page, FinishedPage):
            return None
        if page.file.src_uri == home_uri() and self._own_index:
            return html + generated.body()
        return generated.body()

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig,
               files: Files) -> jinja2.Environment | None:
        if not self.config.enabled:
            return None
        # The theme's own partials/nav.html: every template folder but ours.
        others = [d for d in config.theme.dirs if Path(d) != PACKAGE / "templates"]
        theme_nav = jinja2.Environment(loader=jinja2.FileSystemLoader(others))  # only to find the file
        source, filename, _ = theme_nav.loader.get_source(theme_nav, "partials/nav.html")
        nav_template = env.from_string(source)

        rendered: dict[str, str] = {}

        @jinja2.pass_context
        def policydocs_nav(context: jinja2.runtime.Context) -> Markup:
            page = context.get("page")
            key = self._nav_key(page) if isinstance(page, FinishedPage) else None
            if key is not None and key in rendered:
                return Markup(rendered[key])
            html = nav_template.render(context.get_all())
            if key is not None:
                rendered[key] = html
            return Markup(html)

        env.globals["policydocs_nav"] = policydocs_nav
        return env

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled or not isinstance(page, FinishedPage):
            return None
        before, marker, after = output.partition(FinishedPage.PLACEHOLDER)
        return before + page.generated.body() + after if marker else output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self._model is None:
            return
        site_dir = Path(config.site_dir)
        for extra in self._model.files:
            content = extra.body()
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            atomic_write_bytes(site_dir / extra.dest_uri, data, sync_dir=False)
        if self._disk is not None:
            self._disk.sync()  # one folder sync per shard written by this build, not one per entry
            log.info("comparison cache %s: %d hits, %d misses", self._disk.folder,
                     self._disk.hits, self._disk.misses)
            problem = self._disk.report()
            if problem:  # info, not a warning: a damaged cache must not fail --strict
                log.info(problem)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:
        if self.config.enabled and self._store is not None:
            server.watch(str(self._store.root))
        return server

    # --- helpers -----------------------------------------------------------------

    def _nav_key(self, page: Page) -> str | None:
        """Pages out of the nav whose folders sit side by side (``compare/a/``,
        ``compare/b/``) get the same relative nav links, unless a nav page lies inside
        the page's own folder: the parent folder is the key of their shared nav."""
        folder = page.url[:-1] if page.url.endswith("/") else posixpath.dirname(page.url)
        if any(url.startswith(f"{folder}/") for url in self._nav_urls):
            return None
        return posixpath.dirname(folder)

    def _build_model(self, config: MkDocsConfig) -> SiteModel:
        store = self._store
        assert store is not None
        options = SiteOptions(
            compare=self.config.compare, banner_days=self.config.banner_days,
            feeds=self.config.feeds,
            site_url=config.site_url or store.settings.site_url or "",
            site_name=store.settings.site_name or config.site_name,
            directory_urls=config.use_directory_urls, home_intro=not self._own_index,
            template_dirs=(config.theme.custom_dir,) if config.theme.custom_dir else (),
            exports=tuple(self.config.exports),
        )
        today = today_from_env()
        if options.compare == "all":
            pages = sum(1 for p in site_pairs(store, today, "all") if p.kind == "any")
            if pages > COMPARE_ALL_WARN_PAGES:
                log.warning("compare: all builds %d extra compare pages (every pair of versions: "
                            "time and cache grow with the square of the versions); use "
                            "'compare: consecutive' (linear) or 'adjacent' for long histories",
                            pages)
        try:
            cache = self._cache(config)
            with progress_bar() as progress:
                return build_site(store, self._rules, today, options, cache=cache, texts=self._disk,
                                  progress=progress)
        except UserError as exc:
            raise PluginError(f"policydocs: {exc}") from None

    def _cache(self, config: MkDocsConfig) -> PairComparisons:
        if not self.config.disk_cache:
            self._disk = None
            return memo.kept("site: comparisons", PairComparisons)
        folder = default_cache_dir(Path(config.config_file_path or ".").parent).resolve()

        def disk_backed() -> tuple[DiskCache, PairComparisons]:
            disk = DiskCache(folder)
            return disk, PairComparisons(functools.partial(compare_versions, cache=disk), keep=KEEP_IN_MEMORY)

        self._disk, memory = memo.kept(("site: comparisons on disk", folder), disk_backed)
        return memory

    @staticmethod
    def _asset_names() -> list[str]:
        return sorted(p.name for p in (PACKAGE / "assets").iterdir()
                      if p.is_file() and not p.name.startswith("."))


class FinishedPage(Page):
    """A generated page kept out of the nav and out of search (versions, archives,
    compare pages): no Markdown source, no Markdown run, and only a placeholder as
    content until ``on_post_page`` puts the core's HTML in the written file."""

    # Material adds a heading from the title unless the content has an "<h1": the
    # generated HTML has its own, so the placeholder says so.
    PLACEHOLDER = "<!-- policydocs: the generated page, with its own <h1>, goes here -->"

    def __init__(self, generated: GeneratedPage, file: File, config: MkDocsConfig) -> None:
        self.generated = generated
        super().__init__(esc(generated.title), file, config)  # MkDocs titles are HTML

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown = ""
        # ``meta.title`` is what Material puts in ``<title>`` and the header as it is;
        # without it the theme uses ``page.title | striptags``, and striptags turns
        # the escaped title back into markup (a title is store data, never HTML).
        self.meta = {"title": self.title, "search": {"exclude": True}}
        if self.generated.kind == "compare":  # the redline needs the page's whole width
            self.meta["hide"] = ["navigation", "toc"]

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = self.PLACEHOLDER
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        self.links_to_anchors = {}


def _stub(searchable: bool) -> str:
    """A generated page's Markdown: nothing but whether search skips it (its title is
    set in ``on_page_markdown``, its HTML in ``on_page_content``)."""
    return "" if searchable else "---\nsearch:\n  exclude: true\n---\n"


def _with_policies_section(nav: Navigation, files: Files, policy_uris: tuple[str, ...]) -> Navigation:
    """The nav MkDocs made, with the generated pages regrouped: home first, then a
    "Policies" section listing each policy by title, then the changelog."""
    generated = set(policy_uris) | {changelog_uri()}

    def keep(item):
        if isinstance(item, Page):
            return None if item.file.src_uri in generated else item
        if isinstance(item, Section):
            children = [c for c in (keep(ch) for ch in item.children) if c is not None]
            if not children:
                return None
            item.children = children
        return item

    items = [i for i in (keep(item) for item in nav.items) if i is not None]
    policy_pages = [f.page for f in (files.get_file_from_path(u) for u in policy_uris) if f and f.page]
    section = Section("Policies", policy_pages)
    at = 1 if items and isinstance(items[0], Page) and items[0].is_homepage else 0
    items.insert(at, section)
    changelog = files.get_file_from_path(changelog_uri())
    if changelog and changelog.page:
        items.insert(at + 1, changelog.page)
    _link_up(items, None)
    pages = _pages(items)
    for i, page in enumerate(pages):
        page.previous_page = pages[i - 1] if i else None
        page.next_page = pages[i + 1] if i + 1 < len(pages) else None
    return Navigation(items, pages)


def _link_up(items: list, parent: Section | None) -> None:
    for item in items:
        item.parent = parent
        if isinstance(item, Section):
            _link_up(item.children, item)


def _pages(items: list) -> list[Page]:
    out: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            out.append(item)
        elif isinstance(item, Section):
            out.extend(_pages(item.children))
    return out
