#!/usr/bin/env bash
# Set up everything on a fresh machine (only Python 3.11+ needed) and run every check CI runs:
# lint, format check, strict type check, the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8
if ! command -v uv >/dev/null 2>&1; then
  if [ ! -x .tools/bin/uv ]; then
    echo "==> installing uv ${UV_VERSION} into .tools/"
    python3 -m venv .tools
    .tools/bin/python -m pip install --quiet "uv==${UV_VERSION}"
  fi
  PATH="$PWD/.tools/bin:$PATH"
fi

echo "==> installing locked dependencies into .venv/"
uv sync --locked --quiet
echo "==> ruff check"
uv run --locked ruff check .
echo "==> ruff format --check"
uv run --locked ruff format --check .
echo "==> pyright (strict)"
uv run --locked pyright
echo "==> pytest"
uv run --locked pytest -q -n 2 "$@"
