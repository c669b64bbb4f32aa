"""The result of a comparison: the types every later stage builds on.

Materiality, notices, the site and the CLI renderers read only these; the JSON
shape of ``policydocs diff`` is `Comparison.to_json()` (ARCHITECTURE.md, "The diff JSON").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SegmentOp = Literal["equal", "delete", "insert"]
ChangeType = Literal["insert", "delete", "replace", "move"]
ChangeKind = Literal["content", "editorial"]
# What a block is, as markdown-it reads it: "same" is an unchanged stretch (one block
# for many), "blank" blank lines alone, "" no block (the empty side of a change).
BlockKind = Literal["heading", "paragraph", "list_item", "table_header", "table_row", "code", "html",
                    "rule", "blank", "same", ""]


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
    """One reviewable change, with the section (heading path) it sits in and what its
    blocks are (heading, list item, table row, ...): later stages read the block kinds
    rather than guessing them from the text again."""

    id: str
    type: ChangeType
    kind: ChangeKind
    section: tuple[str, ...]
    old_text: str
    new_text: str
    material: bool = False
    reasons: tuple[Reason, ...] = ()
    move: str | None = None  # move id shared by both ends of a move
    editorial: str | None = None  # for kind=editorial: the noise check that decided (rules/noise.yml)
    old_section: tuple[str, ...] = ()  # for moves: where the text came from
    old_context: str = ""  # the whole old block, for explanations
    new_context: str = ""  # the whole new block
    old_block_kind: BlockKind = ""  # what the old block is (its first, for a run of blocks)
    new_block_kind: BlockKind = ""  # what the new block is


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

    def old_body(self) -> str:
        return "".join(s.text for s in self.segments if s.op != "insert")

    def new_body(self) -> str:
        return "".join(s.text for s in self.segments if s.op != "delete")

    def to_json(self, old_meta: dict[str, Any] | None = None,
                new_meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``policydocs diff --format json`` document (ARCHITECTURE.md, "The diff JSON")."""

        def side(meta: dict[str, Any] | None, sha: str) -> dict[str, Any]:
            meta = meta or {}
            return {"ref": meta.get("ref"), "title": meta.get("title"), "sha256": sha}

        stats = self.stats
        return {
            "format": 1,
            "old": side(old_meta, self.old_sha256),
            "new": side(new_meta, self.new_sha256),
            "identical": self.identical,
            "material": self.material,
            "verdict_basis": self.verdict_basis,
            **({"computed_material": self.computed_material, "override_reason": self.override_reason}
               if self.verdict_basis == "override" else {}),
            "stats": {k: getattr(stats, k) for k in (
                "old_words", "new_words", "inserted_words", "deleted_words",
                "moved_words", "changes", "material_changes")},
            "changes": [{
                "id": c.id, "type": c.type, "kind": c.kind, "editorial": c.editorial,
                "section": list(c.section), "old_text": c.old_text, "new_text": c.new_text, "material": c.material,
                "reasons": [{"rule": r.rule, "explanation": r.explanation} for r in c.reasons],
            } for c in self.changes],
            "segments": [_segment_json(s) for s in self.segments],
        }


def _segment_json(segment: Segment) -> dict[str, str]:
    out = {"op": segment.op, "text": segment.text}
    if segment.change:
        out["change"] = segment.change
    if segment.move:
        out["move"] = segment.move
    return out
