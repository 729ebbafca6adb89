#!/usr/bin/env bash
# Builds the widget: cargo (wasm32) → wasm-bindgen (web target) → wasm-opt -Oz, into www/widget/pkg.
set -euo pipefail
cd "$(dirname "$0")/.."
out=www/widget/pkg
cargo build --release --target wasm32-unknown-unknown -p callback-widget
wasm-bindgen --target web --no-typescript --out-dir "$out" target/wasm32-unknown-unknown/release/callback_widget.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue "$out/callback_widget_bg.wasm" -o "$out/callback_widget_bg.wasm"
