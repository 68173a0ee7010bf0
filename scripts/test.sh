#!/usr/bin/env bash
# The README's test command: set up what the suite needs, then ruff and the whole pytest suite
# against PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cdi}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== pytest (DATABASE_URL=${DATABASE_URL%%@*}@…, REDIS_URL=$REDIS_URL)"
exec .venv/bin/python -m pytest "$@"
