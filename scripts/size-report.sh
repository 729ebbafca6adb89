#!/usr/bin/env bash
# Prints what the browser downloads for the widget (gzip -9), and the Worker's size. Run after a
# build (`make build`). Two budgets, checked so that CI guards them:
#   before any interaction  the loader (which draws the button, its stylesheet inside): 6 KB
#   once the dialog opens   and the dialog's module with its glue, and the wasm: 90 KB
#                           (the goal is 75 KB: the figure says how far it is)
#   once a chat opens       the loader and the chat's module (media="chat"): 16 KB
set -euo pipefail
cd "$(dirname "$0")/.."
gz() { gzip -9 -c "$1" | wc -c; }
BEFORE_BUDGET=$((6 * 1024))
OPENED_BUDGET=$((90 * 1024))
OPENED_GOAL=$((75 * 1024))
CHAT_BUDGET=$((16 * 1024))
before=0
opened=0
printf '%-42s %10s %10s\n' file bytes gzip
for f in www/widget/callback.js www/widget/dialog.js www/widget/pkg/callback_widget_bg.wasm; do
  [ -f "$f" ] || { echo "size-report: $f is missing: build first (make build)"; exit 1; }
  g=$(gz "$f")
  case "$f" in *callback.js) before=$((before + g)) ;; esac
  opened=$((opened + g))
  printf '%-42s %10d %10d\n' "$f" "$(wc -c < "$f")" "$g"
done
[ -f www/widget/chat.js ] || { echo "size-report: www/widget/chat.js is missing: build first (make build)"; exit 1; }
chat=$((before + $(gz www/widget/chat.js)))
printf '%-42s %10d %10d\n' www/widget/chat.js "$(wc -c < www/widget/chat.js)" "$(gz www/widget/chat.js)"
printf '%-42s %10s %10d  (budget %d)\n' "widget before any interaction" "" "$before" "$BEFORE_BUDGET"
printf '%-42s %10s %10d  (budget %d)\n' "widget once a chat opens" "" "$chat" "$CHAT_BUDGET"
printf '%-42s %10s %10d  (budget %d; goal %d: %+d)\n' "widget once the dialog opens" "" "$opened" "$OPENED_BUDGET" "$OPENED_GOAL" "$((opened - OPENED_GOAL))"
for f in edge/build/index_bg.wasm edge/build/index.js; do
  [ -f "$f" ] && printf '%-42s %10d %10d\n' "$f" "$(wc -c < "$f")" "$(gz "$f")"
done
# What the widget's wasm is made of (the staged file still has its function names).
[ -f target/web/pkg/callback_widget_bg.wasm ] && node scripts/wasm-breakdown.mjs target/web/pkg/callback_widget_bg.wasm
status=0
if [ "$before" -gt "$BEFORE_BUDGET" ]; then
  echo "size-report: the loader is OVER its budget by $((before - BEFORE_BUDGET)) bytes"
  status=1
fi
if [ "$opened" -gt "$OPENED_BUDGET" ]; then
  echo "size-report: the opened widget is OVER its budget by $((opened - OPENED_BUDGET)) bytes"
  status=1
fi
if [ "$chat" -gt "$CHAT_BUDGET" ]; then
  echo "size-report: the chat is OVER its budget by $((chat - CHAT_BUDGET)) bytes"
  status=1
fi
[ "$status" = 0 ] && echo "size-report: within budgets ($((BEFORE_BUDGET - before)) and $((OPENED_BUDGET - opened)) bytes to spare)"
exit "$status"
