#!/usr/bin/env bash
# Runs the end-to-end tests with every clock shifted to another moment, to show that no test
# depends on the time of day, the weekday or the date: the tests' Node and Chromium run under
# libfaketime, and the Worker's clock is shifted by the same offset through its dev-only
# CLOCK_OFFSET_MS variable (wrangler itself cannot run under libfaketime). The clocks start at the
# given UTC moment and run on from there.
#   scripts/test-at.sh '2026-12-06 02:18:00'      (make test-at AT='…')
# Needs a built Worker and widget (make build).
set -euo pipefail
cd "$(dirname "$0")/.."
at=${1:?usage: scripts/test-at.sh 'YYYY-MM-DD hh:mm:ss' (a UTC moment) [test files]}
shift
if ! command -v faketime >/dev/null; then
  echo "test-at: installing Debian's faketime"
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q faketime; else sudo apt-get install -y -q faketime; fi
fi
export PATH="$PWD/node_modules/.bin:$PATH"
# One offset in whole seconds for every clock, so that they agree to the millisecond.
offset=$(( $(date -u -d "$at" +%s) - $(date -u +%s) ))
export CALLBACK_CLOCK_OFFSET_MS=$(( offset * 1000 ))
echo "test-at: the end-to-end tests with the clock at $at UTC (offset ${offset} s)"
# A moment in the past is a negative offset, which carries its own sign.
sign=""
if [ "$offset" -ge 0 ]; then sign=+; fi
TZ=UTC faketime -f "${sign}${offset}s" scripts/e2e.sh "$@"
