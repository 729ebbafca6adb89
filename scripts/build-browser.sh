#!/usr/bin/env bash
# Builds the browser modules: cargo (wasm32) → wasm-bindgen (web target) → wasm-opt -Oz.
#   www/widget/pkg     the widget (what a site embedding it downloads)
#   www/widget/manage  the manage page's module (the widget crate with feature `manage`)
#   www/console/pkg    the agent and supervisor console
# The widget that sites embed has a size budget (90 KB gzipped, `make size`): it is built with the
# nightly named in widget/toolchain, rebuilding the standard library so that a panic aborts at
# once with no message formatting, and its JS glue is minified. The others use stable Rust.
set -euo pipefail
cd "$(dirname "$0")/.."
opt() {
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue "$1" -o "$1"
}
build() {
  local out=$1 crate=$2; shift 2
  cargo build --release --target wasm32-unknown-unknown -p "$crate" "$@"
  local wasm=${crate//-/_}
  wasm-bindgen --target web --no-typescript --out-dir "$out" "target/wasm32-unknown-unknown/release/$wasm.wasm"
  opt "$out/${wasm}_bg.wasm"
}
build www/widget/manage callback-widget --features manage
build www/console/pkg callback-console

# Its own target directory: the rebuilt standard library and the flags differ from stable's.
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  cargo "+$(cat widget/toolchain)" build --release --target wasm32-unknown-unknown -p callback-widget \
  -Zbuild-std=std,panic_abort --target-dir target/widget-nightly
wasm-bindgen --target web --no-typescript --out-dir www/widget/pkg target/widget-nightly/wasm32-unknown-unknown/release/callback_widget.wasm
opt www/widget/pkg/callback_widget_bg.wasm
esbuild www/widget/pkg/callback_widget.js --minify --format=esm --log-level=warning --allow-overwrite --outfile=www/widget/pkg/callback_widget.js
