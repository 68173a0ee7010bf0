#!/usr/bin/env bash
# The README's first command: set everything up on the embedded defaults (SQLite, a filesystem
# Celery broker, a real worker process) and start the web app, a worker and beat.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

export DEBUG="${DEBUG:-true}" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
PORT="${PORT:-8000}"
PY=.venv/bin/python

echo "== database"
$PY manage.py migrate --no-input -v0
if $PY manage.py help build_models >/dev/null 2>&1; then
  echo "== models"
  $PY manage.py build_models
fi
echo "== demo data"
$PY manage.py seed_demo

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

mkdir -p var/log
.venv/bin/celery -A config worker -l info --concurrency "${WORKER_CONCURRENCY:-1}" >var/log/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat -l info -s var/celerybeat-schedule >var/log/beat.log 2>&1 &
pids+=($!)
$PY manage.py runserver "127.0.0.1:$PORT" >var/log/web.log 2>&1 &
pids+=($!)

sleep 2
cat <<TXT

CDI Assist is running at http://127.0.0.1:$PORT/
  logs: var/log/web.log, var/log/worker.log, var/log/beat.log
  sign in with any demo account above (password demo-password-2026)
  Ctrl-C stops the web app, the worker and beat.
TXT
wait -n "${pids[@]}"
