"""``policydocs init``: a new policy site — an empty store, an ``mkdocs.yml`` with the
plugin and safe defaults, a minimal ``docs/`` — that builds ``--strict`` at once.

The files are templates in ``data/init/`` (a project can read what it gets). Written
crash-safely and idempotently: every target is checked before anything is written
(a file that exists with other content is refused, nothing written), each file lands
atomically, and the store's ``policies.yml`` comes last; killed half-way, the same
command run again completes, since files already as intended are left alone.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from policydocs.crashsafe import WriteLock, remove_temp_files
from policydocs.errors import UserError
from policydocs.fsutil import atomic_write_text

TEMPLATES = "data/init"
MAX_SITE_NAME = 200


@dataclass(frozen=True)
class ScaffoldFile:
    """One file ``init`` writes: where (relative to the project) and what."""

    path: str
    text: str


def _template(name: str) -> str:
    return resources.files("policydocs").joinpath(f"{TEMPLATES}/{name}").read_text(encoding="utf-8")


def _yaml_scalar(value: str) -> str:
    """``value`` as one double-quoted YAML scalar (any character survives)."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10_000).strip()


def _markdown_text(value: str) -> str:
    """``value`` as literal Markdown text: HTML escaped, Markdown's markup characters too."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", html.escape(value, quote=False)) \
        .replace("\\&", "&")


def scaffold_files(site_name: str) -> list[ScaffoldFile]:
    """What ``init`` writes, in the order it writes them (the store last)."""
    if not site_name.strip() or len(site_name) > MAX_SITE_NAME or not site_name.isprintable():
        raise UserError(f"--site-name: give a printable name of 1 to {MAX_SITE_NAME} characters")
    # Material prints ``config.site_name`` as HTML, unescaped: mkdocs.yml holds it escaped.
    config_name = _yaml_scalar(html.escape(site_name, quote=True))
    return [
        ScaffoldFile(".gitignore", _template("gitignore")),
        ScaffoldFile("docs/index.md", _template("index.md").replace("{site_name}", _markdown_text(site_name))),
        ScaffoldFile("mkdocs.yml", _template("mkdocs.yml").replace("{site_name}", config_name)),
        ScaffoldFile("policy_versions/policies.yml",
                     _template("policies.yml").replace("{site_name}", _yaml_scalar(site_name))
                     .replace("{{}}", "{}")),
    ]


def init_project(folder: Path, site_name: str) -> list[Path]:
    """Write the scaffold into ``folder``; the files written (none when all are there)."""
    folder = Path(folder)
    files = scaffold_files(site_name)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: is a file; give a folder for the new policy site")
    todo = []
    for item in files:
        target = folder / item.path
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise UserError(f"{target}: exists and is not a file; remove it or choose another folder")
        if target.exists():
            if target.read_text(encoding="utf-8", errors="replace") != item.text:
                raise UserError(f"{target}: exists already with other content; nothing written "
                                "(init only starts a new site: move it away or choose another folder)")
            continue
        todo.append((target, item.text))
    with WriteLock(folder, lambda _: _remove_own_temp_files(folder, files), create=True):
        for target, text in todo:
            atomic_write_text(target, text, overwrite=False)
    return [target for target, _ in todo]


def _remove_own_temp_files(folder: Path, files: list[ScaffoldFile]) -> None:
    """What a killed ``init`` left: the temporary files of its own targets, nothing else."""
    for item in files:
        target = folder / item.path
        if target.parent.is_dir():
            remove_temp_files([target.parent], target=target.name)
