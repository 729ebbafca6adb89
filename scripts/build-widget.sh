#!/usr/bin/env bash
# Builds the widget's two modules: cargo (wasm32) → wasm-bindgen (web target) → wasm-opt -Oz.
#   www/widget/pkg     the widget (what a site embedding it downloads)
#   www/widget/manage  the manage page's module (feature `manage`)
set -euo pipefail
cd "$(dirname "$0")/.."
build() {
  local out=$1; shift
  cargo build --release --target wasm32-unknown-unknown -p callback-widget "$@"
  wasm-bindgen --target web --no-typescript --out-dir "$out" target/wasm32-unknown-unknown/release/callback_widget.wasm
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue "$out/callback_widget_bg.wasm" -o "$out/callback_widget_bg.wasm"
}
build www/widget/manage --features manage
build www/widget/pkg
