"""Reading a source file: its bytes, its kind (html, markdown, text) and its text.

Decoding order: UTF-8 (a BOM is dropped); bytes with no valid UTF-8 sequence at
all are a legacy encoding — Windows-1252 when that reads as Western text, else
charset-normalizer's guess. Bytes that are *mostly* UTF-8 with damaged
sequences are refused: guessing there would silently corrupt the text.
Mojibake (UTF-8 once read as Latin-1/cp1252) is repaired with ftfy, with the
options that keep the text otherwise as published (curly quotes stay curly).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import ftfy

from policydocs.errors import UserError
from policydocs.store import read_file_bytes

# Larger than any real policy page (the largest seen are a few hundred kB,
# script-heavy HTML a few MB): a bigger file is almost surely the wrong file.
MAX_SOURCE_BYTES = 8 * 1024 * 1024
KINDS = ("html", "markdown", "text")
_MOJIBAKE_MARKS = re.compile("[ÂÃâ€]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
# A UTF-8 sequence misread as Latin-1 or Windows-1252: a lead byte's character
# (Â..ô) then a continuation byte's (\x80-\xbf, or its Windows-1252 reading).
_REPAIRABLE = re.compile(
    "[\xc2-\xf4][\x80-\xbf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039"
    "\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]"
    "|[\x1b\x80-\x9f\ud800-\udfff]")
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_BINARY_MAGIC = {b"%PDF": "a PDF", b"PK\x03\x04": "a ZIP/Office file", b"\x89PNG": "a PNG image",
                 b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x7fELF": "a program"}


@dataclass(frozen=True)
class SourceText:
    """A source file decoded and repaired, with what was done to it."""

    path: Path
    sha256: str
    kind: str
    encoding: str
    text: str
    mojibake_repaired: int


def read_source(path: Path, *, kind: str | None = None) -> SourceText:
    path = Path(path)
    where = str(path)
    return decode_source(read_file_bytes(path, where=where), name=path.name, where=where, kind=kind)


def decode_source(data: bytes, *, name: str, where: str, kind: str | None = None) -> SourceText:
    """A source's bytes, wherever they came from (a file, a git blob), as repaired text;
    ``name`` (the file name) helps tell its kind."""
    if len(data) > MAX_SOURCE_BYTES:
        raise UserError(f"{where}: {len(data) / 1048576:.1f} MB is larger than any policy page "
                        f"(limit {MAX_SOURCE_BYTES // 1048576} MB); check that this is the right file")
    if not data.strip():
        raise UserError(f"{where}: empty file; nothing to import")
    check_not_binary(data, where)
    text, encoding = decode(data, where)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kind = kind or sniff_kind(Path(name), text)
    repaired, count = repair_mojibake(text)
    return SourceText(path=Path(name), sha256=hashlib.sha256(data).hexdigest(), kind=kind,
                      encoding=encoding, text=repaired, mojibake_repaired=count)


def check_not_binary(data: bytes, where: str) -> None:
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise UserError(f"{where}: binary file ({what}), not HTML, text or Markdown; "
                            "save the page as HTML or text first")
    head = data[:65536]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # (speedup) counted in C
    if b"\x00" in head or controls > len(head) * 0.01:
        raise UserError(f"{where}: binary file (control bytes), not HTML, text or Markdown")


def decode(data: bytes, where: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if _UTF8_MULTIBYTE.search(data):
        raise UserError(f"{where}: invalid UTF-8 at byte {first_bad} (the file is UTF-8 with "
                        "damaged bytes); re-save or re-capture it as UTF-8")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _mostly_ascii_letters(text):
        return text, "cp1252"
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UserError(f"{where}: not text in any known encoding; save it as UTF-8")
    return str(best), best.encoding


def _mostly_ascii_letters(text: str) -> bool:
    """Western text read as cp1252 has few non-ASCII letters; Cyrillic or Greek
    bytes read as cp1252 turn into runs of accented letters."""
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(1 for c in letters if ord(c) > 127) <= 0.3 * len(letters)


def repair_mojibake(text: str) -> tuple[str, int]:
    """ftfy's repair, keeping quotes, widths and ligatures as they were.

    (speedup) ftfy runs only on text holding what it could repair: a UTF-8 lead
    character read as Latin-1/Windows-1252 followed by a continuation character,
    C1 controls, terminal escapes or surrogates. ftfy's own badness scan costs
    ~40 ms per 60 kB text, and a history import reads a thousand of them. Every
    lead character (U+00C2-U+00F4) is a 0xC3 byte in UTF-8, and bytes.find is C."""
    raw = text.encode("utf-8", "surrogatepass")
    if not (b"\xc3" in raw or b"\x1b" in raw or b"\xed" in raw or _C1_UTF8.search(raw)) \
            or not _REPAIRABLE.search(text):
        return text, 0
    fixed = ftfy.fix_text(text, unescape_html=False, uncurl_quotes=False, fix_character_width=False,
                          fix_latin_ligatures=False, normalization=None, fix_line_breaks=False,
                          remove_control_chars=False)
    count = len(_MOJIBAKE_MARKS.findall(text)) - len(_MOJIBAKE_MARKS.findall(fixed))
    return fixed, max(count, 0)


def sniff_kind(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(html|body|article|main)[\s>]", head):
        return "html"
    if text.startswith("---\n") or re.search(r"(?m)^#{1,6} \S", text[:20000]):
        return "markdown"
    return "text"
