#!/usr/bin/env bash
# The end-to-end tests, one file after another (they measure timings: no two share the cores),
# each timed, then where the time went; fails at the end if any file failed.
set -uo pipefail
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/*.test.mjs)
failed=()
took=()
for file in "${files[@]}"; do
  start=$(date +%s%N)
  node --test --test-reporter=tap "$file" || failed+=("$file")
  took+=("$((($(date +%s%N) - start) / 1000000)) $file")
done
echo "end-to-end time by file:"
printf '%s\n' "${took[@]}" | sort -rn | awk '{ total += $1; printf "  %6.1f s  %s\n", $1 / 1000, $2 } END { printf "  %6.1f s  in all\n", total / 1000 }'
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
