"""The compare stage: two Markdown bodies → one `Comparison`.

The types below are the contract every later stage (materiality, notices,
site, CLI renderers) builds on; the JSON shape of ``policydocs diff`` is
`Comparison.to_json()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ENGINE_VERSION = "0"  # bump whenever compare() may give a different result (cache key)

SegmentOp = Literal["equal", "delete", "insert"]
ChangeType = Literal["insert", "delete", "replace", "move"]
ChangeKind = Literal["content", "editorial"]


@dataclass(frozen=True)
class Segment:
    """A run of text: kept, deleted or inserted. Segments rebuild both bodies exactly."""

    op: SegmentOp
    text: str
    change: str | None = None  # id of the Change this run belongs to ("c3")
    move: str | None = None  # id of the move ("m1") when the run is moved text


@dataclass(frozen=True)
class Reason:
    """Why a change is material: which rule fired, explained in plain words."""

    rule: str
    explanation: str


@dataclass(frozen=True)
class Change:
    """One reviewable change, with the section (heading path) it sits in."""

    id: str
    type: ChangeType
    kind: ChangeKind
    section: tuple[str, ...]
    old_text: str
    new_text: str
    material: bool = False
    reasons: tuple[Reason, ...] = ()
    move: str | None = None  # move id shared by both ends of a move
    editorial: str | None = None  # for kind=editorial: whitespace|case|quotes|punctuation|markdown|link|renumbering
    old_section: tuple[str, ...] = ()  # for moves: where the text came from
    old_context: str = ""  # the whole old block, for explanations
    new_context: str = ""  # the whole new block


@dataclass(frozen=True)
class Stats:
    old_words: int = 0
    new_words: int = 0
    inserted_words: int = 0
    deleted_words: int = 0
    moved_words: int = 0
    changes: int = 0
    material_changes: int = 0


@dataclass(frozen=True)
class Comparison:
    """The result of comparing two bodies: changes for reviewers, segments for rebuilding."""

    old_sha256: str
    new_sha256: str
    changes: tuple[Change, ...]
    segments: tuple[Segment, ...]
    stats: Stats
    material: bool = False
    verdict_basis: str = "none"  # "none" until materiality runs, then "rules" | "override"
    notes: tuple[str, ...] = field(default=())  # limits that applied (size caps, ...)
    computed_material: bool | None = None  # the rules' verdict, kept beside an override
    override_reason: str | None = None  # the version's material_reason when overridden

    @property
    def identical(self) -> bool:
        return self.old_sha256 == self.new_sha256


def compare(old_body: str, new_body: str) -> Comparison:
    raise NotImplementedError("the compare engine lands with issue #3")
