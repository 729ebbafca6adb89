#!/usr/bin/env bash
# Builds the browser modules: cargo (wasm32) → wasm-bindgen (web target) → wasm-opt -Oz.
#   www/widget/pkg     the widget (what a site embedding it downloads)
#   www/widget/manage  the manage page's module (the widget crate with feature `manage`)
#   www/console/pkg    the agent and supervisor console
set -euo pipefail
cd "$(dirname "$0")/.."
build() {
  local out=$1 crate=$2; shift 2
  cargo build --release --target wasm32-unknown-unknown -p "$crate" "$@"
  local wasm=${crate//-/_}
  wasm-bindgen --target web --no-typescript --out-dir "$out" "target/wasm32-unknown-unknown/release/$wasm.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue "$out/${wasm}_bg.wasm" -o "$out/${wasm}_bg.wasm"
}
build www/widget/manage callback-widget --features manage
build www/widget/pkg callback-widget
build www/console/pkg callback-console
