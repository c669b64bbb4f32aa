"""Memoisation in one place: every in-process memo, named, bounded and emptied together.

Why memos at all: a history walk compares each body twice (the new side of one
pair is the old side of the next), so the facts of a body (its hash, lines, fence
and heading lines, word count) are remembered for the last few bodies; the same
changed region is often cut into the same window again, so parsed windows are
remembered by their text; and materiality asks for the plain text of one block once
per change in it. Every memo is a pure function's results, so a hit can never change
a result, only its cost.

Three shapes, all registered here by name:

- `memoised(name, size)`: a function's results (`functools.lru_cache`, least
  recently used out);
- `Table(name, size)`: results put from outside (a body's word count, known from a
  diff without counting), oldest out;
- `kept(name, make)`: one object for the life of the process (the site's comparisons
  across ``mkdocs serve`` rebuilds).

The on-disk cache of whole comparisons across processes is `policydocs.cache`.
`forget_all` empties everything (benchmarks time first comparisons with it);
`statistics` says how each memo is doing.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
F = TypeVar("F", bound=Callable[..., Any])

_FUNCTIONS: dict[str, Any] = {}  # name → lru_cache wrapper
_TABLES: dict[str, "Table[Any, Any]"] = {}
_KEPT: dict[Hashable, Any] = {}


def memoised(name: str, size: int | None) -> Callable[[F], F]:
    """Decorator: remember the last ``size`` results of a pure function (None: all)."""

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=size)(fn)
        _FUNCTIONS[name] = cached
        return cached  # type: ignore[return-value]

    return wrap


class Table(Generic[K, V]):
    """A bounded mapping of results put from outside; the oldest entry goes first."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self.hits = self.misses = 0
        self._entries: dict[K, V] = {}
        _TABLES[name] = self

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        if len(self._entries) > self.size:  # forget the oldest (never raises if raced)
            self._entries.pop(next(iter(self._entries), None), None)  # type: ignore[arg-type]

    def clear(self) -> None:
        self._entries.clear()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


def kept(name: Hashable, make: Callable[[], V]) -> V:
    """The one object of this name for the life of the process, made on first use."""
    if name not in _KEPT:
        _KEPT[name] = make()
    return _KEPT[name]


def forget_all() -> None:
    """Empty every memo and kept object: the next call pays what a first call pays."""
    for fn in _FUNCTIONS.values():
        fn.cache_clear()
    for table in _TABLES.values():
        table.clear()
    _KEPT.clear()


def statistics() -> dict[str, tuple[int, int, int]]:
    """name → (hits, misses, entries) of every memo, for benchmarks and profiling."""
    out = {name: (info.hits, info.misses, info.currsize)
           for name, info in ((n, f.cache_info()) for n, f in _FUNCTIONS.items())}
    out.update({name: (t.hits, t.misses, len(t)) for name, t in _TABLES.items()})
    return dict(sorted(out.items()))
