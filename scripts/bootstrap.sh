# Sourced by scripts/run.sh and scripts/test.sh: make the virtualenv, Python and npm dependencies,
# and vendored front-end assets current. Each step is skipped when its inputs have not changed,
# so re-running is fast.
set -euo pipefail

PYTHON="${PYTHON:-python3}"
mkdir -p var
stamp_ok() { [ -f "var/.$1.stamp" ] && [ "$(cat "var/.$1.stamp")" = "$2" ]; }
stamp_set() { echo "$2" > "var/.$1.stamp"; }

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
req_hash=$(sha256sum requirements.txt | cut -c1-16)
if ! stamp_ok requirements "$req_hash"; then
  echo "== installing Python requirements (first run takes a few minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  stamp_set requirements "$req_hash"
fi

npm_hash=$(cat package.json package-lock.json | sha256sum | cut -c1-16)
if ! stamp_ok npm "$npm_hash" || [ ! -f static/vendor/htmx.min.js ]; then
  echo "== installing front-end assets from npm (pinned by package-lock.json)"
  npm ci --no-audit --no-fund --ignore-scripts --silent
  mkdir -p static/vendor
  cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
  cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/
  stamp_set npm "$npm_hash"
fi
