"""Every input limit of policydocs, in one place (the table in docs/limits.md).

Each limit is enforced while the input is read or parsed, never trusted to a
size from ``stat`` (0 for devices and pipes) or left to a parser's recursion.
A refusal is one line naming the limit and, when it can be raised, how.
"""

from __future__ import annotations

import os

from policydocs.errors import UserError

MIB = 1024 * 1024


def _env_bytes(name: str, default: int) -> int:
    """A byte limit from the environment (a whole number of bytes), else ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) <= 0:
        raise UserError(f"{name}={raw!r}: not a whole number of bytes; give one such as "
                        f"{default} (the default), or unset it")
    return int(raw)


SOURCE_BYTES_ENV = "POLICYDOCS_MAX_SOURCE_BYTES"
MAX_SOURCE_BYTES = _env_bytes(SOURCE_BYTES_ENV, 8 * MIB)
"""A source to import. Real policy pages are a few hundred kB, script-heavy HTML
a few MB: a bigger file is almost surely the wrong one. Raised with the env var."""

MAX_COMPARE_BYTES = 1 * MIB
"""A text to compare (each side of ``diff``) and the body of a stored version (so
every version can be compared in bounded time). The largest real policy seen is
343 kB; the compare engine takes seconds on heavily edited 1 MB texts and tens of
seconds at 4-8 MB (docs/limits.md). Fixed: split a longer document into parts."""

MAX_FILE_BYTES = 16 * MIB
"""Any other file read: version files, ``policies.yml``, rule and hints files,
CHANGELOG.md for ``changelog --check``. Bounds memory; bodies have their own limit."""

MAX_ID_CHARS = 100
"""A policy id: it is a folder name, and file names are at most 255 bytes."""

MAX_HTML_DEPTH = 100
"""Elements open inside each other in an HTML source (real pages: 20-40). The HTML
converter recurses per level and fails near 400; a cheap scan counts it first."""

MAX_MARKDOWN_DEPTH = 32
"""Nesting in a Markdown body: block quotes and list levels at the start of a line,
and open emphasis or brackets in a paragraph (real policies: under 6). The
parsers recurse per level (Python-Markdown fails near 250 list levels or 500
emphasis levels, markdown-it.rs crashes on deep quotes); checked before any parser."""


def size_text(count: int) -> str:
    """A byte count for a message: '8 MB', '1.5 MB', '512 kB'."""
    if count < MIB:
        return f"{count / 1024:.0f} kB"
    return f"{count / MIB:.1f}".removesuffix(".0") + " MB"


# What each byte limit's refusal says after "FILE: larger than " (fsutil.read_bounded).
SOURCE_TOO_LARGE = (f"any policy page (limit {size_text(MAX_SOURCE_BYTES)}, MAX_SOURCE_BYTES); check "
                    f"that this is the right file, or raise the limit with {SOURCE_BYTES_ENV}=BYTES")
COMPARE_TOO_LARGE = (f"{size_text(MAX_COMPARE_BYTES)}, the limit for a text to compare (MAX_COMPARE_BYTES, "
                     "docs/limits.md); split the document and compare the parts")
FILE_TOO_LARGE = (f"{size_text(MAX_FILE_BYTES)}, the limit for a file policydocs reads (MAX_FILE_BYTES, "
                  "docs/limits.md); check that this is the right file")
