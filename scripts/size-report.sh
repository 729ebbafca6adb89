#!/usr/bin/env bash
# Prints what the browser downloads for the widget (gzip -9) against the 90 KB budget — the loader
# bundled with its glue, the wasm, the stylesheet — and the
# Worker's size. Run after a build (`make build`). Over the budget it fails, so that CI guards it.
set -euo pipefail
cd "$(dirname "$0")/.."
gz() { gzip -9 -c "$1" | wc -c; }
total=0
printf '%-42s %10s %10s\n' file bytes gzip
for f in www/widget/callback.js www/widget/pkg/callback_widget_bg.wasm www/widget/callback.css; do
  [ -f "$f" ] || continue
  g=$(gz "$f"); total=$((total + g))
  printf '%-42s %10d %10d\n' "$f" "$(wc -c < "$f")" "$g"
done
printf '%-42s %10s %10d  (%d KB of the 90 KB budget)\n' "widget total" "" "$total" "$(( (total + 1023) / 1024 ))"
for f in edge/build/index_bg.wasm edge/build/index.js; do
  [ -f "$f" ] && printf '%-42s %10d %10d\n' "$f" "$(wc -c < "$f")" "$(gz "$f")"
done
if [ "$total" -gt $((90 * 1024)) ]; then
  echo "size-report: OVER the 90 KB budget by $(( (total - 90 * 1024 + 1023) / 1024 )) KB"
  exit 1
fi
echo "size-report: within the 90 KB budget ($(( 90 * 1024 - total )) bytes to spare)"
