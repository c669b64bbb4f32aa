"""The importer's vocabularies, read once from ``policydocs/data/*.yml``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml


def read_data(name: str) -> dict[str, Any]:
    """One of the importer's data files (``policydocs/data/NAME``), parsed."""
    text = resources.files("policydocs").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe


@dataclass(frozen=True)
class Vocabulary:
    header_end_phrases: tuple[str, ...]
    chrome_phrases: frozenset[str]  # lower-case
    cookie_phrases: tuple[str, ...]  # lower-case
    html_drop_tags: tuple[str, ...]
    html_chrome_markers: tuple[str, ...]
    camel_case_words: tuple[str, ...]
    contraction_suffixes: tuple[str, ...]
    heading_max_words: int
    footer_repeat_chars: int
    date_phrases: tuple[str, ...]
    months: dict[str, int]

    def is_chrome(self, text: str) -> bool:
        return text.strip().rstrip(".").strip().lower() in self.chrome_phrases


@functools.cache
def vocabulary() -> Vocabulary:
    ingest, dates = read_data("ingest.yml"), read_data("dates.yml")
    return Vocabulary(
        header_end_phrases=tuple(ingest["header_end_phrases"]),
        chrome_phrases=frozenset(p.lower() for p in ingest["chrome_phrases"]),
        cookie_phrases=tuple(p.lower() for p in ingest["cookie_phrases"]),
        html_drop_tags=tuple(ingest["html_drop_tags"]),
        html_chrome_markers=tuple(ingest["html_chrome_markers"]),
        camel_case_words=tuple(ingest["camel_case_words"]),
        contraction_suffixes=tuple(ingest["contraction_suffixes"]),
        heading_max_words=int(ingest["heading_max_words"]),
        footer_repeat_chars=int(ingest["footer_repeat_chars"]),
        date_phrases=tuple(dates["phrases"]),
        months={k.lower(): int(v) for k, v in dates["months"].items()},
    )
