"""The ``policydocs`` command line: thin wiring from arguments to the stages.

Every user error is a `UserError`: one line on stderr, exit code 2, nothing
written. Commands that compare follow diff(1): 0 same, 1 different, 2 error.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path
from typing import IO, Any, Callable, Iterator

import click

from policydocs import __version__
from policydocs.errors import UserError

DEFAULT_STORE = "policy_versions"


def user_errors(func: Callable) -> Callable:
    """Turn `UserError` into one line on stderr and exit 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(f"policydocs: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


store_option = click.option(
    "--store", "store_root", type=click.Path(path_type=Path), default=DEFAULT_STORE,
    show_default=True, envvar="POLICYDOCS_STORE", help="The policy store folder.",
)


class OneLineError(click.ClickException):
    """A Click error shown as every user error is: one line on stderr."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"policydocs: {self.message}", err=True)


def usage_line(exc: click.ClickException) -> str:
    """"diff: invalid value for '--format': ...; see 'policydocs diff --help'"."""
    ctx = getattr(exc, "ctx", None)
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    command = " ".join(reversed(names))
    message = " ".join(exc.format_message().split()).rstrip(".")
    message = message[:1].lower() + message[1:]
    helper = f"policydocs {command} --help" if command else "policydocs --help"
    return f"{command + ': ' if command else ''}{message}; see '{helper}'"


@contextlib.contextmanager
def one_line_click_errors() -> Iterator[None]:
    """Click's own errors (usage, bad values) as one line, keeping their exit code
    (2 for usage errors). Bare ``policydocs`` still prints its help."""
    try:
        yield
    except click.ClickException as exc:
        if isinstance(exc, OneLineError) or type(exc).__name__ == "NoArgsIsHelpError":
            raise
        error = OneLineError(usage_line(exc))
        error.exit_code = exc.exit_code
        raise error from None


class Group(click.Group):
    """Usage errors exit 2 with one line, as every other user error does: Click
    raises them while parsing (make_context) or dispatching (invoke)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with one_line_click_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with one_line_click_errors():
            return super().invoke(ctx)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policydocs")
def main() -> None:
    """Publish legal policies with their history: import, check, compare, publish."""


@main.command()
@store_option
@click.option("--against", metavar="REF", default=None,
              help="Git ref of the last published state; its version files must not change. "
                   "[default: HEAD; outside git, or before the first commit, nothing is published]")
@click.option("--no-git", is_flag=True, help="Skip the immutability check (no git history).")
@user_errors
def check(store_root: Path, against: str | None, no_git: bool) -> None:
    """Validate the store and enforce that published versions are unchanged.

    Exit 0 when clean, 1 when problems were found (each listed as 'file: problem').
    """
    from policydocs.store import immutability_problems, load_store

    store, problems = load_store(store_root)
    if not no_git:
        changed, note = immutability_problems(store_root, against)
        problems += changed
        if note:
            click.echo(note, err=True)
    problems += _notice_period_problems(store, store_root)
    for problem in problems:
        click.echo(str(problem))
    count = sum(len(p.versions) for p in store.policies.values())
    if problems:
        click.echo(f"{len(problems)} problem(s) in {store_root}", err=True)
        sys.exit(1)
    click.echo(f"ok: {len(store.policies)} policies, {count} versions in {store_root}", err=True)


@main.command()
@store_option
@click.option("--out", type=click.Path(path_type=Path, allow_dash=True), default=Path("CHANGELOG.md"),
              show_default=True, help="Where to write it ('-' for standard output).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when the file differs from what the store gives.")
@click.option("--site-url", default=None, help="Base URL of the published site for links "
              "(default: site_url in policies.yml; none: links relative to the site root).")
@user_errors
def changelog(store_root: Path, out: Path, check_only: bool, site_url: str | None) -> None:
    """Generate CHANGELOG.md from the store: newest first, one entry per version."""
    from policydocs.changelog import changelog_entries, render_changelog
    from policydocs.comparisons import cached_compare, project_cache
    from policydocs.crashsafe import WriteLock, remove_temp_files
    from policydocs.fsutil import atomic_write_text
    from policydocs.materiality import load_rules
    from policydocs.store import open_store, read_text_file, today_from_env

    store = open_store(store_root)
    entries = changelog_entries(store, load_rules(store), today_from_env(),
                                compare=cached_compare(project_cache(store_root)))
    text = render_changelog(entries, site_url=site_url if site_url is not None else store.settings.site_url or "")
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    if check_only:
        current = read_text_file(out) if os.path.lexists(out) else None
        if current != text:
            state = "missing" if current is None else "stale"
            click.echo(f"{out}: {state}; run 'policydocs changelog' and commit the result", err=True)
            sys.exit(1)
        click.echo(f"{out}: up to date ({len(entries)} entries)", err=True)
        return
    # The lock makes the temporary files a killed run left there stale: they go first.
    with WriteLock(out.parent, lambda folder: remove_temp_files([folder], target=out.name), create=True):
        atomic_write_text(out, text)
    click.echo(f"wrote {out} ({len(entries)} entries)", err=True)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("."))
@click.option("--site-name", default="Our policies, with their history", show_default=True,
              help="The site's name (page titles, header, feeds).")
@user_errors
def init(folder: Path, site_name: str) -> None:
    """Start a policy site in FOLDER (default: here): an empty store in policy_versions/,
    an mkdocs.yml with the policydocs plugin and safe defaults, and docs/index.md."""
    from policydocs.scaffold import init_project

    written = init_project(folder, site_name)
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo(f"{folder}: already a policy site; nothing written")
    click.echo("next: policydocs import-git REPO --path 'GLOB' --store "
               f"{folder / 'policy_versions'}, then mkdocs build --strict in {folder}", err=True)


# --- import (issue #2: the importer, policydocs.ingest) -------------------------------


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--policy", "policy_id", required=True, help="Policy id (a slug such as privacy-policy).")
@click.option("--effective", metavar="DATE", help="Effective date when the text states none (YYYY[-MM[-DD]]).")
@click.option("--date-basis", type=click.Choice(["stated", "observed"]),
              help="Whether --effective is stated in the text or observed by you (default observed).")
@click.option("--announced", metavar="DATE", help="When the version was made public (needed for a future date).")
@click.option("--url", help="Where the page is published (default: the page's canonical link).")
@click.option("--title", help="Title as published (default: the page's heading).")
@click.option("--owner", help="Owner recorded in policies.yml when the policy is new.")
@click.option("--supersedes", multiple=True, metavar="POLICY",
              help="A policy this one replaces (recorded in policies.yml when the policy is new).")
@click.option("--hints", "hints_file", type=click.Path(path_type=Path),
              help="YAML hints for a capture whose structure no rule can recover (docs/importing.md).")
@store_option
@user_errors
def import_(source: Path, policy_id: str, store_root: Path, **options) -> None:
    """Import an HTML page, a text capture or a Markdown file as a new version of a policy."""
    from policydocs.ingest import import_source

    result = import_source(source, store_root=store_root, policy_id=policy_id,
                           supersedes=tuple(options.pop("supersedes")), **options)
    click.echo(result.message())


# --- notices and notice periods (issue #4: materiality, policydocs.notices) -------------


def _notice_period_problems(store, store_root: Path) -> list:
    from policydocs.comparisons import cached_compare, project_cache
    from policydocs.materiality import load_rules
    from policydocs.notices import notice_period_problems
    from policydocs.store import today_from_env

    return notice_period_problems(store, load_rules(store), today_from_env(),
                                  compare=cached_compare(project_cache(store_root)))


@main.command()
@click.argument("ref")
@click.option("--site-url", default="", help="Base URL of the published site, for links to the redline.")
@store_option
@user_errors
def notice(ref: str, site_url: str, store_root: Path) -> None:
    """Print the material-change notice of a version (REF: policy-id@version-id) as Markdown
    (a version with no material change has none: one line says so)."""
    from policydocs.comparisons import cached_compare, project_cache
    from policydocs.materiality import load_rules
    from policydocs.notices import no_notice_line, notice_markdown
    from policydocs.store import open_store

    store = open_store(store_root)
    version, rules = store.resolve(ref), load_rules(store)
    compare = cached_compare(project_cache(store_root))
    text = notice_markdown(store, version, rules, site_url=site_url, compare=compare)
    click.echo(text or no_notice_line(store, version, rules, compare=compare), nl=not text)
# --- issue #3: the compare engine (policydocs diff) ------------------------------------


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "docx", "pdf"]), default="text",
              show_default=True, help="Terminal word diff, the JSON contract, a redline page, a Word "
              "document with tracked changes, or a paginated PDF redline.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default=None,
              help="Write the output to this file (required for docx and pdf; '-' for standard output).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text format (auto: only on a terminal).")
@store_option
@user_errors
def diff(old: str, new: str, fmt: str, color: str, out: Path | None, store_root: Path) -> None:
    """Compare two versions: files or refs POLICY@VERSION.

    Exit 0 when identical, 1 when different, 2 on error (as diff(1)).
    """
    from policydocs.diffcmd import run_diff
    from policydocs.exports.output import check_output, write_output

    check_output(fmt, out)
    output, identical = run_diff(old, new, fmt, color, store_root)
    if out is None:
        click.echo(output, nl=False, color=True)  # the renderer already chose colour or not
    else:
        write_output(output, out)
    sys.exit(0 if identical else 1)
# --- history: import-git and the comparison cache (issue #6) ------------------------


@main.command("import-git")
@click.argument("repo", type=click.Path(path_type=Path))
@store_option
@click.option("--path", "globs", multiple=True, metavar="GLOB",
              help="Files to import (fnmatch on the whole path, '*' crosses folders); default '*.md'.")
@click.option("--map", "maps", multiple=True, metavar="FILE=POLICY",
              help="Policy id for a file (any of its names in the history); default: its own name "
                   "(an index.md: its folder's), see docs/import-git.md.")
@click.option("--since", metavar="DATE", help="Only commits on or after DATE (YYYY-MM-DD, UTC).")
@click.option("--keep-all", is_flag=True,
              help="One time-precise version per commit (YYYY-MM-DDTHHMMSSZ) instead of one per day.")
@user_errors
def import_git(repo: Path, store_root: Path, globs: tuple[str, ...], maps: tuple[str, ...],
               since: str | None, keep_all: bool) -> None:
    """Make one version per commit of REPO that changed a policy file (see docs/import-git.md)."""
    from policydocs.ingest_git import DEFAULT_GLOBS, import_git as run_import, parse_maps
    from policydocs.progress import progress_bar

    with progress_bar() as progress:
        report = run_import(repo, store_root, globs=globs or DEFAULT_GLOBS, maps=parse_maps(maps),
                            since=since, keep_all=keep_all, progress=progress)
    for note in report.notes:
        click.echo(note, err=True)
    for ref in report.blocked:
        click.echo(f"skipped {ref}: that day already holds a version (published versions are immutable)",
                   err=True)
    click.echo(report.summary_line())
    if report.repairs_line():
        click.echo(report.repairs_line())


cache_dir_option = click.option(
    "--cache-dir", type=click.Path(path_type=Path), default=None, envvar="POLICYDOCS_CACHE_DIR",
    help="The comparison cache folder [default: .cache/policydocs].",
)


@main.group()
def cache() -> None:
    """The on-disk comparison cache (safe to delete at any time)."""


@cache.command("clear")
@cache_dir_option
@user_errors
def cache_clear(cache_dir: Path | None) -> None:
    """Remove every cached comparison."""
    from policydocs.cache import ComparisonCache

    removed = ComparisonCache(cache_dir).clear()
    click.echo(f"removed {removed} cached comparisons")


@cache.command("stats")
@cache_dir_option
@user_errors
def cache_stats(cache_dir: Path | None) -> None:
    """Show where the cache is, how many entries it holds and its size."""
    from policydocs.cache import ComparisonCache

    stats = ComparisonCache(cache_dir).stats()
    click.echo(f"{stats.folder}: {stats.entries} comparisons, {stats.bytes / 1e6:.1f} MB "
               f"of {stats.max_bytes / 1e6:.0f} MB")
# --- tracking live pages (issue #13: policydocs.track) ---------------------------------


@main.command()
@click.argument("policies", nargs=-1, metavar="[POLICY ...]")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per policy.")
@click.option("--accept-shrink", is_flag=True,
              help="Record a text that shrank by more than half (refused by default: a broken page).")
@user_errors
def track(policies: tuple[str, ...], store_root: Path, as_json: bool, accept_shrink: bool) -> None:
    """Fetch the tracked pages and record a version where the text changed (docs/tracking.md).

    Exit 0 when every page was fetched and extracted, 1 when any failed (the others
    are still processed), 2 on a usage error.
    """
    import json

    from policydocs.track import run_track

    report = run_track(store_root, policies, accept_shrink=accept_shrink)
    if as_json:
        click.echo(json.dumps([o.as_dict() for o in report.outcomes], indent=2, ensure_ascii=False))
    else:
        for outcome in report.outcomes:
            click.echo(outcome.line())
    sys.exit(1 if report.failed else 0)


@main.command()
@store_option
@click.option("--base", metavar="REF", default=None,
              help="Git ref to review against [default: origin/main when it exists, else HEAD].")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="A GitHub comment, or the same as JSON.")
@click.option("--site-url", default="", help="Base URL of the published site, for links to the redline "
              "(default: site_url in policies.yml).")
@click.option("--exports", default="docx,pdf", show_default=True, metavar="FORMATS",
              help="The compare pages' downloads the site builds (its mkdocs.yml `exports`), linked "
                   "in the review; '' for none.")
@user_errors
def review(store_root: Path, base: str | None, fmt: str, site_url: str, exports: str) -> None:
    """What a reviewer reads on a pull request: every version added or changed since
    REF, its verdict and material changes, the draft notice, and check's results."""
    import json

    from policydocs.review import build_review, render_markdown

    formats = tuple(f.strip() for f in exports.split(",") if f.strip())
    unknown = [f for f in formats if f not in ("docx", "pdf")]
    if unknown:
        raise UserError(f"--exports: unknown format(s) {', '.join(unknown)}; use docx, pdf or ''")
    result = build_review(store_root, base, site_url=site_url, exports=formats)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_markdown(result), nl=False)
