#!/usr/bin/env bash
# The end-to-end tests, two files at a time (a file mostly waits: for its runtime, its browser, its
# timers), each file's output printed whole when it ends, then where the time went; fails at the
# end if any file failed. E2E_JOBS=1 runs them one after another. Files that took longest in the
# last run (target/e2e-times) start first, so that no long file starts last.
set -uo pipefail
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/*.test.mjs)
history=target/e2e-times
if [ -f "$history" ]; then
  mapfile -t files < <(for f in "${files[@]}"; do echo "$(awk -v f="$f" '$2 == f { print $1 }' "$history") $f"; done | sort -rn | awk '{ print $NF }')
fi
out=$(mktemp -d)
export out
# One process loads wrangler once and starts every file's runtime (tests/support/runtime-host.mjs);
# never under scripts/test-at.sh's libfaketime, which wrangler's bundler cannot run under.
PATH="$PWD/node_modules/.bin:$PATH" env -u LD_PRELOAD -u FAKETIME CI=true WRANGLER_SEND_METRICS=false \
  NODE_COMPILE_CACHE="$PWD/target/node-compile-cache" node tests/support/runtime-host.mjs > "$out/host.log" 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; wait $host 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 300); do
  CALLBACK_RUNTIME_HOST=$(head -n 1 "$out/host.log")
  [[ $CALLBACK_RUNTIME_HOST == http* ]] && break
  kill -0 $host 2>/dev/null || { cat "$out/host.log"; exit 1; }
  sleep 0.1
done
export CALLBACK_RUNTIME_HOST
run() {
  local file=$1 name start status=ok
  name=$(basename "$file")
  start=$(date +%s%N)
  node --test --test-reporter=tap "$file" > "$out/$name.log" 2>&1 || status=failed
  echo "$((($(date +%s%N) - start) / 1000000)) $file $status" > "$out/$name.time"
  cat "$out/$name.log"
}
export -f run
start=$(date +%s)
printf '%s\n' "${files[@]}" | xargs -P "${E2E_JOBS:-2}" -I{} bash -c 'run "$1"' _ {}
echo "end-to-end time by file (${E2E_JOBS:-2} at a time, $(($(date +%s) - start)) s in all):"
cat "$out"/*.time | sort -rn | awk '{ printf "  %6.1f s  %s%s\n", $1 / 1000, $2, ($3 == "failed" ? "  FAILED" : "") }'
mkdir -p target
{ [ -f "$history" ] && cat "$history"; cat "$out"/*.time; } | awk '{ t[$2] = $1 } END { for (f in t) print t[f], f }' > "$history.tmp" && mv "$history.tmp" "$history"
failed=$(awk '$3 == "failed" { printf "%s ", $2 }' "$out"/*.time)
if [ -n "$failed" ]; then
  echo "failed: $failed"
  echo "the runtimes' host said:"
  cat "$out/host.log"
  exit 1
fi
