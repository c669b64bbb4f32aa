"""Small hand-made stores for the site tests (the seed store may not be merged yet)."""

from __future__ import annotations

from pathlib import Path

REGISTRY = """\
policies:
  privacy-policy:
    title: Privacy Policy
    owner: OpenAI
    url: https://openai.com/api/policies/privacy/
  api-data-privacy:
    title: API data privacy
    owner: OpenAI
    supersedes: [privacy-policy]
  security:
    title: Security & privacy
    owner: OpenAI
"""

VERSIONS = {
    "privacy-policy/2021-02-11.md": """\
---
title: Privacy Policy
effective: 2021-02-11
date_basis: stated
source:
  url: https://openai.com/api/policies/privacy/
  file: 001_7701745fbed038bc.txt
  sha256: 7701745fbed038bc0000000000000000000000000000000000000000000000aa
---
# Privacy Policy

We collect the content you submit through the API.

## How we use data

We may use content submitted through the API to improve our models.

## Retention

We keep API data for as long as we need it.
""",
    "api-data-privacy/2023-07-21.md": """\
---
title: API data privacy
effective: 2023-07-21
date_basis: stated
material: true
material_reason: API data is no longer used to train models and is kept for 30 days.
summary: API data is no longer used for training; retention is 30 days.
---
# API data privacy

We collect the content you submit through the API.

## How we use data

We do not use content submitted through the API to train our models.

## Retention

We keep API data for 30 days to identify abuse, then delete it.
""",
    "security/2023.md": """\
---
title: Security & privacy
effective: 2023
date_basis: observed
source:
  url: https://openai.com/security
---
# Security & privacy

Our API has been evaluated by a third-party security auditor & is SOC 2 Type 2 compliant.
""",
}

HOSTILE_BODY = """\
# Terms <script>window.__pwned = 1</script>

A paragraph with <img src="x" onerror="window.__pwned = 2"> and <b>bold</b> raw HTML.

[Click me](javascript:window.__pwned=3) and [safe](https://example.org/).

<div onclick="window.__pwned = 4">raw div</div>
{: onclick="window.__pwned = 5" }

<iframe src="javascript:window.__pwned=6"></iframe>
"""


def write_store(root: Path, *, hostile: bool = False, extra: dict[str, str] | None = None) -> Path:
    """The three seed-like policies (and optionally one with hostile text) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    registry = REGISTRY
    files = dict(VERSIONS)
    if hostile:
        registry += "  terms:\n    title: Terms <em>of</em> use\n"
        files["terms/2023-01-01.md"] = (
            "---\ntitle: Terms of use\neffective: 2023-01-01\ndate_basis: stated\n---\n" + HOSTILE_BODY)
    files.update(extra or {})
    (root / "policies.yml").write_text(registry)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
