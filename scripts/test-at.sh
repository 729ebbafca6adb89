#!/usr/bin/env bash
# Runs the end-to-end tests with every clock shifted to another moment — Node, workerd and
# Chromium alike (libfaketime) — to show that no test depends on the time of day, the weekday or
# the date. The clock starts at the given UTC moment and runs on from there.
#   scripts/test-at.sh '2026-12-06 02:18:00'      (make test-at AT='…')
# Needs a built Worker and widget (make build).
set -euo pipefail
cd "$(dirname "$0")/.."
at=${1:?usage: scripts/test-at.sh 'YYYY-MM-DD hh:mm:ss' (a UTC moment)}
if ! command -v faketime >/dev/null; then
  echo "test-at: installing Debian's faketime"
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q faketime; else sudo apt-get install -y -q faketime; fi
fi
export PATH="$PWD/node_modules/.bin:$PATH"
echo "test-at: the end-to-end tests with the clock at $at UTC"
TZ=UTC faketime -f "@$at" node --test --test-concurrency=1 'tests/*.test.mjs'
