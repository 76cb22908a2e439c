#!/usr/bin/env bash
# Simulate every stack file a change edits against its version at BASE (default origin/main) with
# offline.diff, and fail when any edit opens a delivery gap, deletes data or is blocked by
# `protect`. Pull requests run it (.github/workflows/pulumi.yml); run it locally the same way:
#   bash scripts/change-safety.sh origin/main
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-origin/main}
python=${PYTHON:-.venv/bin/python}
before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT

status=0
for file in $(git diff --name-only "$base" -- 'Pulumi.*.yaml'); do
  stack=${file#Pulumi.}
  stack=${stack%.yaml}
  if [ ! -f "$file" ]; then
    echo "==> $stack: stack file removed; destroy the stack deliberately (pulumi destroy), not by a merge"
    status=1
    continue
  fi
  if ! git cat-file -e "$base:$file" 2>/dev/null; then
    echo "==> $stack: new stack, nothing deployed to compare with"
    continue
  fi
  git show "$base:$file" > "$before/$file"
  echo "==> $stack"
  "$python" -m offline.diff "$stack" --before "$before/$file" --after "$file" || status=1
done
exit "$status"
