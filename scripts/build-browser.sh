#!/usr/bin/env bash
# Builds the browser modules: cargo (wasm32) → wasm-bindgen (web target) → wasm-opt.
#   www/widget/        what a site embedding the widget downloads: callback.js (the loader of
#                      widget/web/ with shadow.js and callback.css, minified) at once;
#                      dialog.js (bundled with its wasm-bindgen glue) and pkg/callback_widget_bg.wasm
#                      when the visitor shows intent
#   www/widget/manage.js and manage/  the manage page's module (the widget crate with feature `manage`)
#   www/console/pkg    the agent and supervisor console
# The widget that sites embed has a size budget (90 KB gzipped, `make size`): it is built with the
# nightly named in widget/toolchain, rebuilding the standard library for size (`optimize_for_size`)
# so that a panic aborts at once with no message formatting, and wasm-opt -Os (smaller than -Oz
# once gzipped, which is what browsers download). The others use stable Rust.
set -euo pipefail
cd "$(dirname "$0")/.."
FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
stage=target/web
rm -rf "$stage" www/widget
mkdir -p "$stage" www/widget/pkg www/widget/manage

# The embedded widget builds with its own toolchain and target directory (the rebuilt standard
# library and the flags differ), so it runs beside the stable builds: on two cores the release
# builds' single-threaded link-time optimisation overlaps.
took() { echo "built: $1 in $(($(date +%s) - $2)) s"; }
start=$(date +%s)
(
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  cargo "+$(cat widget/toolchain)" build --release --target wasm32-unknown-unknown -p callback-widget \
  -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size --target-dir target/widget-nightly
took "the widget (nightly, beside the others)" "$start"
) &
nightly=$!
# If a stable build fails, the nightly one stops too (`|| true`: under `set -e` a trap that finds
# nothing left to stop would otherwise turn a success into a failure).
trap 'pkill -P "$nightly" 2>/dev/null || true; kill "$nightly" 2>/dev/null || true' EXIT

# The manage page's module and the console (stable).
cargo build --release --target wasm32-unknown-unknown -p callback-widget --features manage
wasm-bindgen --target web --no-typescript --out-dir "$stage/manage" target/wasm32-unknown-unknown/release/callback_widget.wasm
wasm-opt -Oz $FEATURES "$stage/manage/callback_widget_bg.wasm" -o www/widget/manage/callback_widget_bg.wasm
took "the manage page's module" "$start"
start_console=$(date +%s)
cargo build --release --target wasm32-unknown-unknown -p callback-console
wasm-bindgen --target web --no-typescript --out-dir www/console/pkg target/wasm32-unknown-unknown/release/callback_console.wasm
wasm-opt -Oz $FEATURES www/console/pkg/callback_console_bg.wasm -o www/console/pkg/callback_console_bg.wasm
took "the console" "$start_console"

wait "$nightly"
trap - EXIT
wasm-bindgen --target web --no-typescript --omit-default-module-path --out-dir "$stage/pkg" target/widget-nightly/wasm32-unknown-unknown/release/callback_widget.wasm
# --low-memory-unused: Rust lays the stack out first (0 to 1 MiB, growing down, data above it), so
# the lowest 1024 bytes are touched only by a stack about to overflow; the optimizer may then fold
# constant addresses (−0.4 KB gzipped).
wasm-opt -Os --low-memory-unused --strip-debug --strip-producers --strip-target-features $FEATURES "$stage/pkg/callback_widget_bg.wasm" -o www/widget/pkg/callback_widget_bg.wasm

# The loaders next to their glue and the minified stylesheet (which shadow.js imports as text),
# then bundled and minified into www/widget/.
cp widget/web/*.js "$stage/"
esbuild widget/web/callback.css --minify --log-level=warning --outfile="$stage/callback.css"
# The loader imports dialog.js only when needed: it stays a file of its own.
esbuild "$stage/callback.js" "$stage/dialog.js" "$stage/manage.js" --bundle --minify --format=esm \
  --loader:.css=text --external:./dialog.js --log-level=warning --outdir=www/widget
