"""Stage 6, assemble: the aligned blocks → segments and changes, in body order.

Walks the aligned chain: kept blocks are equal segments, corresponding blocks are
word-diffed (`words.diff_words`) and each change classified (`editorial.classify`),
unmatched blocks become deleted and inserted runs (one per section; one deleted run
facing one inserted run is a replace when they belong together), moves and
counterparts are emitted at both ends. `finish` numbers changes by first appearance
and counts words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace

from policydocs.compare import pairing
from policydocs.compare.align import Aligner, Pair
from policydocs.compare.blocks import Block
from policydocs.compare.editorial import classify, whole_blocks_kind
from policydocs.compare.model import Change, ChangeType, Comparison, Segment, SegmentOp, Stats
from policydocs.compare.words import WORD_TOKEN_CAP, diff_words
from policydocs.memo import Table, memoised
from policydocs.plaintext import count_words, words


class Draft:
    """Segments in body order and changes with provisional ids, as they are emitted,
    and the limits that applied."""

    def __init__(self, notes: list[str] | None = None) -> None:
        # (op, change, move) of each segment and its texts, joined once in `segments`:
        # runs of kept blocks after an unchanged stretch merge into one segment without
        # copying the growing text at every block
        self._runs: list[tuple[SegmentOp, str | None, str | None]] = []
        self._texts: list[list[str]] = []
        self.changes: dict[str, Change] = {}
        self.notes: list[str] = notes if notes is not None else []
        self._n = 0

    def new_id(self) -> str:
        self._n += 1
        return f"_{self._n}"

    def emit(self, op: SegmentOp, text: str, change: str | None = None, move: str | None = None) -> None:
        if not text:
            return
        run = (op, change, move)
        if self._runs and self._runs[-1] == run:
            self._texts[-1].append(text)
        else:
            self._runs.append(run)
            self._texts.append([text])

    @property
    def segments(self) -> list[Segment]:
        """The segments emitted so far, adjacent runs of one op, change and move merged."""
        return self.renamed({})

    def renamed(self, rename: dict[str, str]) -> list[Segment]:
        """`segments` with the change ids in ``rename`` replaced (others kept)."""
        return [Segment(op, "".join(texts), rename.get(change, change) if change else None, move)
                for (op, change, move), texts in zip(self._runs, self._texts)]

    def runs(self) -> Iterator[tuple[SegmentOp, str | None, str | None, str]]:
        """(op, change, move, text) of each segment emitted so far, in body order."""
        for (op, change, move), texts in zip(self._runs, self._texts):
            yield op, change, move, "".join(texts)

    def change_ids(self) -> list[str | None]:
        """The change id of each segment, in body order."""
        return [change for _, change, _ in self._runs]

    def add(self, change: Change) -> None:
        self.changes[change.id] = change


def emit(old: list[Block], new: list[Block], alignment: Aligner) -> Draft:
    """Segments and changes of two aligned block lists, in body order."""
    draft = Draft(alignment.notes)
    _Emitter(draft, old, new, alignment, draft.notes).run()
    return draft


def unchanged(body: str) -> Comparison:
    """The comparison of a body with itself: one kept segment."""
    draft = Draft()
    draft.emit("equal", body)
    return finish(draft, body, body)


Side = list[tuple[str, "str | None"]]  # (text, change id or None for kept text)


def _word_sides(draft: Draft, old: Block, new: Block, old_text: str, new_text: str, notes: list[str],
                move: str | None = None) -> tuple[Side, Side]:
    """Word-diff an aligned pair (``old`` and ``new`` its first blocks): register its
    changes, return the old and new side runs."""
    ops, capped = diff_words(old_text, new_text)
    if capped:
        notes.append(f"a block pair of more than {WORD_TOKEN_CAP} tokens was diffed coarsely")
    groups: list[list[tuple[int, str]]] = []
    for op, text in ops:
        if op == 0 or not groups or groups[-1][-1][0] == 0:
            groups.append([(op, text)])
        else:
            groups[-1].append((op, text))
    old_pos = new_pos = 0
    old_side: Side = []
    new_side: Side = []
    for group in groups:
        if group[0][0] == 0:
            cid, deleted, inserted = None, group[0][1], group[0][1]
        else:
            deleted = "".join(t for op, t in group if op == -1)
            inserted = "".join(t for op, t in group if op == 1)
            cid = draft.new_id()
            category = classify(deleted, inserted, old_text, new_text,
                                (old_pos, old_pos + len(deleted)), (new_pos, new_pos + len(inserted)))
            ctype: ChangeType = "replace" if deleted and inserted else ("delete" if deleted else "insert")
            draft.add(Change(cid, ctype, "editorial" if category else "content", new.section,
                             deleted, inserted, move=move, editorial=category,
                             old_context=old_text, new_context=new_text,
                             old_block_kind=old.kind, new_block_kind=new.kind))
        old_side.append((deleted, cid))
        new_side.append((inserted, cid))
        old_pos += len(deleted)
        new_pos += len(inserted)
    return old_side, new_side


_WORD_CHAR = re.compile(r"\w")
REARRANGED_EDITS = 8  # neighbouring edits looked at together for words that only moved across markup


def mark_rearranged(draft: Draft) -> Draft:
    """Edits that only rearrange markup around the same words, made editorial: two or
    more neighbouring edits, with nothing but marks and spaces kept between them, whose
    deleted words read, in order, exactly as their inserted words ("1.  ### Ownership" →
    "### 1. Ownership"; a list item deleted from the end of one block and inserted as a
    block of its own under a new heading). Read in order, the words of the stretch are
    the same before and after, so a reader reads no difference, whatever the words say.
    Kept words between two edits end the stretch ("not X" → "X not" keeps X between the
    two edits of "not": those words read differently), and so does a table's cell
    boundary ("| Sold | Yes | |" → "| Sold | | Yes |" moves a word to another column).
    Moves are left as they are."""
    # (change id, its deleted words, its inserted words) of the stretch being read, in body order
    stretch: list[tuple[str, list[str], list[str]]] = []

    def settle(everything: bool) -> None:
        """Mark the stretch's longest opening run (two edits or more) whose words read the
        same, drop it (or the first edit when none does); again until the stretch is read
        (``everything``) or shorter than `REARRANGED_EDITS`."""
        while stretch and (everything or len(stretch) >= REARRANGED_EDITS):
            dels: list[str] = []
            ins: list[str] = []
            last = 0
            for n, (_cid, deleted, inserted) in enumerate(stretch, 1):
                dels += deleted
                ins += inserted
                if n > 1 and dels and dels == ins:
                    last = n
            for cid, _, _ in stretch[:last]:
                change = draft.changes[cid]
                if change.kind == "content":
                    draft.changes[cid] = replace(change, kind="editorial", editorial="markdown")
            del stretch[:max(last, 1)]

    seen: set[str] = set()  # a replace's deleted and inserted runs may sit apart
    for _op, cid, move, text in draft.runs():
        if cid is None or move is not None or "|" in text:
            # kept text is only read while a stretch is open (a long unchanged stretch is not scanned)
            if stretch and (cid is not None or "|" in text or _WORD_CHAR.search(text)):
                settle(everything=True)  # kept words, a move, or a table cell boundary end it
        elif cid not in seen:
            seen.add(cid)
            change = draft.changes[cid]
            stretch.append((cid, words(change.old_text), words(change.new_text)))
            settle(everything=False)
    settle(everything=True)
    return draft


class _Emitter:
    """Walks the aligned chain in body order and emits segments and changes."""

    def __init__(self, draft: Draft, old: list[Block], new: list[Block], aligner: Aligner,
                 notes: list[str]) -> None:
        self.draft, self.old, self.new, self.aligner, self.notes = draft, old, new, aligner, notes
        self.links_by_old = {p.o0: p for p in aligner.moves + aligner.counterparts}
        self.links_by_new = {p.n0: p for p in aligner.moves + aligner.counterparts}
        self.move_sides: dict[Pair, tuple[str, str, Side, Side]] = {}
        self.counterpart_ids: dict[Pair, str] = {}

    def run(self) -> None:
        o = n = 0
        end = Pair(len(self.old), len(self.old), len(self.new), len(self.new))
        for pair in self.aligner.chain + [end]:
            self._unmatched(o, pair.o0, n, pair.n0)
            if pair is not end:
                old_t = "".join(b.text for b in self.old[pair.o0:pair.o1])
                new_t = "".join(b.text for b in self.new[pair.n0:pair.n1])
                if old_t == new_t:  # (speedup) kept as it is: what its word diff would give
                    self.draft.emit("equal", old_t)
                else:
                    self._edited(self.old[pair.o0], self.new[pair.n0], old_t, new_t)
            o, n = pair.o1, pair.n1

    def _edited(self, old: Block, new: Block, old_t: str, new_t: str) -> None:
        """An aligned pair whose texts differ (``old`` and ``new`` its first blocks): word-diffed."""
        old_side, new_side = _word_sides(self.draft, old, new, old_t, new_t, self.notes)
        for (o_text, cid), (n_text, _) in zip(old_side, new_side):
            if cid is None:
                self.draft.emit("equal", o_text)
            else:
                self.draft.emit("delete", o_text, cid)
                self.draft.emit("insert", n_text, cid)

    def _move_end(self, pair: Pair, op: SegmentOp) -> None:
        """One end of a move: the old side as deletes, the new side as inserts, with
        the move id; words edited inside keep their own change ids."""
        if pair not in self.move_sides:
            mid = f"m{len(self.move_sides) + 1}"
            cid = self.draft.new_id()
            old, new = self.old[pair.o0], self.new[pair.n0]
            self.draft.add(Change(cid, "move", "content", new.section, old.text, new.text,
                                  move=mid, old_section=old.section,
                                  old_context=old.text, new_context=new.text,
                                  old_block_kind=old.kind, new_block_kind=new.kind))
            sides = _word_sides(self.draft, old, new, old.text, new.text, self.notes, mid)
            self.move_sides[pair] = (mid, cid, *sides)
        mid, cid, old_side, new_side = self.move_sides[pair]
        for text, edit in (old_side if op == "delete" else new_side):
            self.draft.emit(op, text, edit or cid, mid)

    def _counterpart_end(self, pair: Pair, op: SegmentOp) -> None:
        """One end of a counterpart pair: the whole old block deleted where it was, the
        whole new block inserted where it is, one `replace` change linking both."""
        old, new = self.old[pair.o0], self.new[pair.n0]
        if pair not in self.counterpart_ids:
            cid = self.counterpart_ids[pair] = self.draft.new_id()
            self.draft.add(Change(cid, "replace", "content", new.section, old.text, new.text,
                                  old_section=old.section, old_context=old.text, new_context=new.text,
                                  old_block_kind=old.kind, new_block_kind=new.kind))
        self.draft.emit(op, old.text if op == "delete" else new.text, self.counterpart_ids[pair])

    def _unmatched(self, o0: int, o1: int, n0: int, n1: int) -> None:
        """Blocks between two aligned pairs: moved and counterpart ends, deleted and
        inserted runs (a run per section; one deleted run facing one inserted run is a
        replace when the two are one clause edited or on one subject)."""
        runs: list[tuple[SegmentOp, Pair | None, list[Block]]] = []
        for op, blocks, lo, hi, links in (("delete", self.old, o0, o1, self.links_by_old),
                                          ("insert", self.new, n0, n1, self.links_by_new)):
            for k in range(lo, hi):
                if k in links:
                    runs.append((op, links[k], []))
                elif runs and runs[-1][0] == op and runs[-1][1] is None \
                        and runs[-1][2][-1].section == blocks[k].section:
                    runs[-1][2].append(blocks[k])
                else:
                    runs.append((op, None, [blocks[k]]))
        plain = [r for r in runs if r[1] is None]
        replace_id = None
        if len(plain) == 2 and plain[0][0] == "delete" and plain[1][0] == "insert":
            old_t = "".join(b.text for b in plain[0][2])
            new_t = "".join(b.text for b in plain[1][2])
            kind, cat = whole_blocks_kind(old_t, new_t)
            if len(runs) == 2 and len(plain[0][2]) == len(plain[1][2]) == 1 and not cat and \
                    pairing.grown_clause(old_t, new_t):
                self._edited(plain[0][2][0], plain[1][2][0], old_t, new_t)
                return  # one block grown or cut past what alignment pairs: its words still redline
            if cat or pairing.related(old_t, new_t):
                replace_id = self.draft.new_id()
                self.draft.add(Change(replace_id, "replace", kind, plain[1][2][0].section, old_t, new_t,
                                      editorial=cat, old_context=old_t, new_context=new_t,
                                      old_section=plain[0][2][0].section,
                                      old_block_kind=plain[0][2][0].kind, new_block_kind=plain[1][2][0].kind))
        for op, link, blocks in _pairs_side_by_side(runs):
            if link is not None:
                if link.counterpart:
                    self._counterpart_end(link, op)
                else:
                    self._move_end(link, op)
                continue
            text = "".join(b.text for b in blocks)
            cid = replace_id
            if cid is None:
                cid = self.draft.new_id()
                kind, cat = whole_blocks_kind(text, "")
                old_t, new_t = (text, "") if op == "delete" else ("", text)
                block_kind = blocks[0].kind
                self.draft.add(Change(cid, op, kind, blocks[0].section, old_t, new_t,  # type: ignore[arg-type]
                                      editorial=cat, old_context=old_t, new_context=new_t,
                                      old_block_kind=block_kind if op == "delete" else "",
                                      new_block_kind=block_kind if op == "insert" else ""))
            self.draft.emit(op, text, cid)


Run = tuple[SegmentOp, "Pair | None", list[Block]]


def _pairs_side_by_side(runs: list[Run]) -> list[Run]:
    """Deleted runs in old order, inserted runs in new order, merged so that a
    counterpart's new text comes right after its old text (any merge of the two
    orders rebuilds both bodies); without counterparts: deletions, then insertions."""
    dels = [r for r in runs if r[0] == "delete"]
    ins = [r for r in runs if r[0] == "insert"]
    out: list[Run] = []
    k = 0
    for run in dels:
        link = run[1]
        at = next((x for x in range(k, len(ins)) if link is not None and link.counterpart
                   and ins[x][1] is link), None)
        if at is None:
            out.append(run)
        else:
            out += ins[k:at] + [run, ins[at]]
            k = at + 1
    return out + ins[k:]


def finish(draft: Draft, old_body: str, new_body: str) -> Comparison:
    """Number changes by first appearance, count words, freeze."""
    old_sha, new_sha, notes = _sha256(old_body), _sha256(new_body), draft.notes
    rename: dict[str, str] = {}
    for change in draft.change_ids():
        if change and change not in rename:
            rename[change] = f"c{len(rename) + 1}"
    segments = tuple(draft.renamed(rename))
    changes = tuple(Change(**{**draft.changes[old_id].__dict__, "id": new_id})
                    for old_id, new_id in rename.items())
    move_changes = {c.id for c in changes if c.type == "move"}

    words = {("delete", False): 0, ("delete", True): 0, ("insert", False): 0, ("insert", True): 0}
    for s in segments:
        if s.op != "equal":
            words[s.op, s.change in move_changes] += count_words(s.text)
    # Segments never cut a word, so the new body's words are the old body's minus the
    # deleted plus the inserted: the unchanged text is not counted again.
    old_words = _body_words(old_sha, old_body)
    new_words = old_words - words["delete", False] - words["delete", True] \
        + words["insert", False] + words["insert", True]
    _BODY_WORDS.put(new_sha, new_words)
    stats = Stats(
        old_words=old_words, new_words=new_words,
        inserted_words=words["insert", False], deleted_words=words["delete", False],
        moved_words=words["insert", True], changes=len(changes),
        material_changes=sum(1 for c in changes if c.material),
    )
    return Comparison(old_sha, new_sha, changes, segments, stats, notes=tuple(dict.fromkeys(notes)))


_BODY_WORDS: Table[str, int] = Table("compare: body words", 64)  # body sha256 → words


def _body_words(sha: str, body: str) -> int:
    """Words of a whole body, remembered by its hash: walking a history compares each
    version twice (as the new side, then as the old side), and counting a long body is
    the one step whose cost follows the document rather than the changes."""
    words = _BODY_WORDS.get(sha)
    if words is None:
        words = count_words(body)
        _BODY_WORDS.put(sha, words)
    return words


@memoised("compare: sha256", 4)
def _sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
