#!/usr/bin/env bash
# Builds the browser modules: cargo (wasm32) → wasm-bindgen (web target) → wasm-opt.
#   www/widget/        what a site embedding the widget downloads: callback.js (the loader of
#                      widget/web/ with shadow.js and callback.css, minified) at once;
#                      dialog.js (bundled with its wasm-bindgen glue) and pkg/callback_widget_bg.wasm
#                      when the visitor shows intent
#   www/widget/manage.js and manage/  the manage page's module (the widget crate with feature `manage`)
#   www/console/pkg    the agent and supervisor console
# The widget that sites embed has a size budget (90 KB gzipped, `make size`): the modules are built
# with the nightly named in widget/toolchain, rebuilding the standard library for size
# (`optimize_for_size`) so that a panic aborts at once with no message formatting (on wasm32 a
# panic's message goes nowhere anyway), and the widget goes through wasm-opt -Os (smaller than -Oz
# once gzipped, which is what browsers download). The three share one toolchain, one set of flags
# and one target directory, and the widget and the console are one cargo invocation (one set of
# features): Leptos and the standard library compile once for all three, not once per module.
set -euo pipefail
cd "$(dirname "$0")/.."
FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
# Leptos always enables server_fn's "browser" feature, which brings wasm-streams: its stream
# classes are exports, and exports are roots, so their code would stay although these client-side
# modules never use them (no import ever hands such an object to JavaScript, the only way to call
# them). Removed before optimising, their code goes with them (−1.7 KB gzipped for the widget).
UNUSED="--remove-exports --pass-arg=remove-exports@*intounderlying*"
stage=target/web
out=target/browser/wasm32-unknown-unknown/release
rm -rf "$stage" www/widget
mkdir -p "$stage" www/widget/pkg www/widget/manage

took() { echo "built: $1 in $(($(date +%s) - $2)) s"; }
build() {
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
    cargo "+$(cat widget/toolchain)" build --release --target wasm32-unknown-unknown \
    -p callback-widget -p callback-console "$@" \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size --target-dir target/browser
}

start=$(date +%s)
build
took "the widget and the console" "$start"

# Their glue and optimisation run beside the manage page's build (the widget's wasm is copied
# first: that build writes the same file).
cp "$out/callback_widget.wasm" "$stage/callback_widget.wasm"
(
wasm-bindgen --target web --no-typescript --omit-default-module-path --out-dir "$stage/pkg" "$stage/callback_widget.wasm"
# --low-memory-unused: Rust lays the stack out first (0 to 1 MiB, growing down, data above it), so
# the lowest 1024 bytes are touched only by a stack about to overflow; the optimizer may then fold
# constant addresses (−0.4 KB gzipped).
wasm-opt $UNUSED -Os --low-memory-unused --strip-debug --strip-producers --strip-target-features $FEATURES "$stage/pkg/callback_widget_bg.wasm" -o www/widget/pkg/callback_widget_bg.wasm
wasm-bindgen --target web --no-typescript --out-dir www/console/pkg "$out/callback_console.wasm"
wasm-opt $UNUSED -Oz $FEATURES www/console/pkg/callback_console_bg.wasm -o www/console/pkg/callback_console_bg.wasm
) &
finishing=$!
trap 'kill "$finishing" 2>/dev/null || true' EXIT

start=$(date +%s)
build --features callback-widget/manage
wasm-bindgen --target web --no-typescript --out-dir "$stage/manage" "$out/callback_widget.wasm"
wasm-opt $UNUSED -Oz $FEATURES "$stage/manage/callback_widget_bg.wasm" -o www/widget/manage/callback_widget_bg.wasm
took "the manage page's module" "$start"
wait "$finishing"
trap - EXIT

# The loaders next to their glue and the minified stylesheet (which shadow.js imports as text),
# then bundled and minified into www/widget/.
cp widget/web/*.js "$stage/"
esbuild widget/web/callback.css --minify --log-level=warning --outfile="$stage/callback.css"
# The loader imports dialog.js (or chat.js) only when needed: each stays a file of its own.
esbuild "$stage/callback.js" "$stage/dialog.js" "$stage/chat.js" "$stage/manage.js" --bundle --minify --format=esm \
  --loader:.css=text --external:./dialog.js --external:./chat.js --log-level=warning --outdir=www/widget
