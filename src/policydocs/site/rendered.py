"""Rendered HTML kept on disk beside the comparisons, so a warm build renders nothing.

A version page's body and a compare page's redline are pure functions of the
texts, the rules and this package's rendering code: keyed by all of these (the
code by the digest of its source files and the Markdown library's version), a
stored text can never be stale. Links, titles and dates around them are made
fresh on every build.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Callable, Protocol

import markdown

from policydocs.compare import ENGINE_VERSION

RENDERING_CODE = ("redline.py", "site/text.py", "site/rendered.py", "site/redline_view.py",
                  "exports/__init__.py", "exports/word.py", "exports/pdf.py", "exports/merged.py",
                  "exports/reading.py", "exports/summary.py")


class TextStore(Protocol):
    """Where rendered texts live (`policydocs.cache.ComparisonCache` is one)."""

    def get_text(self, key: str) -> str | None: ...

    def put_text(self, key: str, text: str) -> None: ...

    def get_bytes(self, key: str, suffix: str) -> bytes | None: ...

    def put_bytes(self, key: str, suffix: str, data: bytes) -> None: ...


def _code_digest() -> str:
    digest = hashlib.sha256(f"{markdown.__version__}\0{ENGINE_VERSION}".encode())
    package = resources.files("policydocs")
    for name in RENDERING_CODE:
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()


def remembered(store: TextStore | None, parts: tuple[str, ...], make: Callable[[], str]) -> str:
    """``make()``, or the text it made before for the same ``parts``."""
    if store is None:
        return make()
    key = hashlib.sha256("\0".join((CODE_DIGEST, *parts)).encode()).hexdigest()
    found = store.get_text(key)
    if found is None:
        found = make()
        store.put_text(key, found)
    return found


def remembered_file(store: TextStore | None, parts: tuple[str, ...], suffix: str,
                    make: Callable[[], bytes]) -> bytes:
    """``make()``, or the file it made before for the same ``parts`` (exports)."""
    if store is None:
        return make()
    key = hashlib.sha256("\0".join((CODE_DIGEST, suffix, *parts)).encode()).hexdigest()
    found = store.get_bytes(key, suffix)
    if found is None:
        found = make()
        store.put_bytes(key, suffix, found)
    return found
