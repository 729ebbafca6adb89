#!/usr/bin/env bash
# Runs make targets in order, each timed, and says where the time went (`make test`'s last line).
# Stops at the first that fails. An argument `a|b,c` runs target a beside b then c: b and c at low
# priority (`nice`), so that they take only the CPU a leaves (a mostly waits: the end-to-end tests
# wait for their runtimes, browsers and timers); each target's output is printed whole as it ends.
set -uo pipefail
cd "$(dirname "$0")/.."
took=()
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Runs targets one after another (under `nice` if the first argument is "low"), output kept until
# each ends; their times go to $out/times.
run() {
  local priority=$1 target start status
  shift
  for target in "$@"; do
    start=$(date +%s)
    if [ "$priority" = low ]; then nice -n 19 make --no-print-directory "$target"; else make --no-print-directory "$target"; fi > "$out/$target.log" 2>&1
    status=$?
    cat "$out/$target.log"
    if [ "$status" != 0 ]; then
      echo "make: $target failed"
      return 1
    fi
    echo "$target $(($(date +%s) - start)) s" >> "$out/times"
  done
}

for phase in "$@"; do
  start=$(date +%s)
  if [[ $phase != *"|"* ]]; then
    if ! make --no-print-directory "$phase"; then
      echo "make: $phase failed"
      exit 1
    fi
    took+=("$phase $(($(date +%s) - start)) s")
    continue
  fi
  IFS=, read -ra beside <<< "${phase#*|}"
  : > "$out/times"
  run normal "${phase%%|*}" &
  first=$!
  run low "${beside[@]}" &
  second=$!
  failed=0
  wait "$first" || failed=1
  wait "$second" || failed=1
  took+=("[$(paste -sd, "$out/times" | sed 's/,/, /g'): $(($(date +%s) - start)) s side by side]")
  [ "$failed" = 0 ] || exit 1
done
echo "time taken: $(printf '%s, ' "${took[@]}" | sed 's/, $//')"
