# Sourced by the scripts: make sure .venv exists and holds this project as it is now.
# Only Python (>=3.11) and git are needed on a fresh machine; pip reinstalls when
# pyproject.toml changes (a stamp of its hash sits in the venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${POLICYDOCS_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "setting up $VENV ..." >&2
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
fi
stamp="$VENV/.policydocs-stamp"
want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)-${POLICYDOCS_EXTRAS:-test}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing policydocs and its dependencies into $VENV ..." >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT[${POLICYDOCS_EXTRAS:-test}]" >&2
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
export NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true
