"""The engine's memos (`policydocs.memo`): a history walk reuses what it learnt of each
body, and forgetting them changes no result."""

from __future__ import annotations

from policydocs import memo
from policydocs.compare import compare

VERSIONS = [
    "# Terms\n\nWe keep data for 30 days.\n\n## Sharing\n\nWe share data with partners.\n",
    "# Terms\n\nWe keep data for 60 days.\n\n## Sharing\n\nWe share data with partners.\n",
    "# Terms\n\nWe keep data for 60 days.\n\n## Sharing\n\nWe never share data.\n",
]


def test_history_walk_reuses_the_facts_of_each_body():
    memo.forget_all()
    compare(VERSIONS[0], VERSIONS[1])
    before = memo.statistics()
    compare(VERSIONS[1], VERSIONS[2])  # VERSIONS[1] was the new side, now the old side
    after = memo.statistics()
    for name in ("compare: sha256", "compare: body words"):
        assert after[name][0] > before[name][0], f"{name}: no hit on the body seen before"


def test_forgetting_the_memos_changes_no_result():
    first = [compare(a, b) for a, b in zip(VERSIONS, VERSIONS[1:])]
    memo.forget_all()
    assert [compare(a, b) for a, b in zip(VERSIONS, VERSIONS[1:])] == first
