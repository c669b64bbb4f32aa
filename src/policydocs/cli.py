"""The ``policydocs`` command line: thin wiring from arguments to the stages.

Every user error is a `UserError`: one line on stderr, exit code 2, nothing
written. Commands that compare follow diff(1): 0 same, 1 different, 2 error.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Callable

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


class Group(click.Group):
    """Usage errors exit 2 with one line, as every other user error does."""

    def main(self, *args, **kwargs):
        kwargs.setdefault("standalone_mode", True)
        return super().main(*args, **kwargs)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policydocs")
def main() -> None:
    """Publish legal policies with their history: import, check, compare, publish."""


@main.command()
@store_option
@click.option("--against", metavar="REF", default="HEAD", show_default=True,
              help="Git ref of the last published state; its version files must not change.")
@click.option("--no-git", is_flag=True, help="Skip the immutability check (no git history).")
@user_errors
def check(store_root: Path, against: str, no_git: bool) -> None:
    """Validate the store and enforce that published versions are unchanged.

    Exit 0 when clean, 1 when problems were found (each listed as 'file: problem').
    """
    from policydocs.store import immutability_problems, load_store

    store, problems = load_store(store_root)
    if not no_git:
        problems += immutability_problems(store_root, against)
    for problem in problems:
        click.echo(str(problem))
    count = sum(len(p.versions) for p in store.policies.values())
    if problems:
        click.echo(f"{len(problems)} problem(s) in {store_root}", err=True)
        sys.exit(1)
    click.echo(f"ok: {len(store.policies)} policies, {count} versions in {store_root}", err=True)


# --- issue #3: the compare engine (policydocs diff) ------------------------------------


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help="Terminal word diff, the JSON contract, or a redline page.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text format (auto: only on a terminal).")
@store_option
@user_errors
def diff(old: str, new: str, fmt: str, color: str, store_root: Path) -> None:
    """Compare two versions: files or refs POLICY@VERSION.

    Exit 0 when identical, 1 when different, 2 on error (as diff(1)).
    """
    from policydocs.diffcmd import run_diff

    output, identical = run_diff(old, new, fmt, color, store_root)
    click.echo(output, nl=False, color=True)  # the renderer already chose colour or not
    sys.exit(0 if identical else 1)
