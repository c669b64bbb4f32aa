"""Reading a source file: its bytes, its kind (html, markdown, text) and its text.

Decoding order: UTF-8 (a BOM is dropped); bytes with no valid UTF-8 sequence at
all are a legacy encoding — Windows-1252 when that reads as Western text, else
charset-normalizer's guess. Bytes that are *mostly* UTF-8 with damaged
sequences are refused: guessing there would silently corrupt the text. A
Markdown file (``.md``, ``.markdown``) is UTF-8 or refused: nobody saves
Markdown in a legacy charset, so invalid bytes there are damage, not an encoding.
The file is read with a bounded reader: past `MAX_SOURCE_BYTES` it is refused.
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
from policydocs.limits import MAX_SOURCE_BYTES, SOURCE_TOO_LARGE
from policydocs.store import read_file_bytes

MARKDOWN_SUFFIXES = (".md", ".markdown")
KINDS = ("html", "markdown", "text")
_MOJIBAKE_MARKS = re.compile("[ÂÃâ€]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
# A UTF-8 sequence misread as Latin-1 or Windows-1252, as the repaired text's own
# UTF-8 bytes: a lead byte's character (U+00C2-U+00F4: C3 82-B4) then a continuation
# byte's (U+0080-U+00BF: C2 80-BF, or its Windows-1252 reading: € ‚ ƒ „ … † ‡ ˆ ‰ Š
# ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ); or C1 controls, terminal escapes, surrogates.
# One pattern per lead byte: a literal first byte lets re skip ahead (4x one alternation).
_REPAIRABLE = tuple(re.compile(p) for p in (
    rb"\xc3[\x82-\xb4](?:\xc2[\x80-\xbf]|\xe2\x82\xac|\xe2\x80[\x93\x94\x98-\x9a\x9c-\x9e\xa0-\xa2\xa6\xb0"
    rb"\xb9\xba]|\xc6\x92|\xcb[\x86\x9c]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xe2\x84\xa2)",
    rb"\xc2[\x80-\x9f]", rb"\x1b", rb"\xed[\xa0-\xbf]"))
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
    data = read_file_bytes(path, where=where, limit=MAX_SOURCE_BYTES, too_large=SOURCE_TOO_LARGE)
    return decode_source(data, name=path.name, where=where, kind=kind)


def decode_source(data: bytes, *, name: str, where: str, kind: str | None = None) -> SourceText:
    """A source's bytes, wherever they came from (a file, a git blob), as repaired text;
    ``name`` (the file name) helps tell its kind. Markdown is UTF-8 only."""
    if len(data) > MAX_SOURCE_BYTES:
        raise UserError(f"{where}: larger than {SOURCE_TOO_LARGE}")
    if not data.strip():
        raise UserError(f"{where}: empty file; nothing to import")
    check_not_binary(data, where)
    strict = kind == "markdown" or (kind is None and Path(name).suffix.lower() in MARKDOWN_SUFFIXES)
    text, encoding = decode(data, where, utf8_only=strict)
    if "\r" in text:  # (speedup)
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


def decode(data: bytes, where: str, *, utf8_only: bool = False) -> tuple[str, str]:
    """The text and its encoding; ``utf8_only`` (Markdown) refuses any invalid UTF-8."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = bom + exc.start
    if utf8_only:
        raise UserError(f"{where}: invalid UTF-8 at byte {first_bad} (Markdown is read as UTF-8 "
                        "only); re-save it as UTF-8")
    data = data[bom:]
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
    ~40 ms per 60 kB text, and a history import reads a thousand of them; the
    check runs on the text's UTF-8 bytes, where every lead character is a 0xC3."""
    raw = text.encode("utf-8", "surrogatepass")
    if not any(pattern.search(raw) for pattern in _REPAIRABLE):
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
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(html|body|article|main)[\s>]", head):
        return "html"
    if text.startswith("---\n") or re.search(r"(?m)^#{1,6} \S", text[:20000]):
        return "markdown"
    return "text"
