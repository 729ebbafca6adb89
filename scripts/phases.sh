#!/usr/bin/env bash
# Runs make targets in order, each timed, and says where the time went (`make test`'s last line).
# Stops at the first that fails.
set -uo pipefail
cd "$(dirname "$0")/.."
took=()
for target in "$@"; do
  start=$(date +%s)
  if ! make --no-print-directory "$target"; then
    echo "make: $target failed"
    exit 1
  fi
  took+=("$target $(($(date +%s) - start)) s")
done
echo "time taken: $(printf '%s, ' "${took[@]}" | sed 's/, $//')"
