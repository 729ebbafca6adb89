#!/usr/bin/env bash
# Installs what this machine lacks for building, running and testing Callback.
# Idempotent: on a machine that has everything it only checks versions (a few seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "bootstrap: $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# `make lint` (part of `make test`) checks formatting and lints.
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding $component"
    rustup component add "$component"
  fi
done

# The browser modules are built with a pinned nightly (the standard library rebuilt to abort on
# panic without formatting: −15 KB gzipped, what the widget's size budget needs); see
# scripts/build-browser.sh.
WIDGET_TOOLCHAIN=$(cat widget/toolchain)
if ! rustup run "$WIDGET_TOOLCHAIN" rustc --version >/dev/null 2>&1 || ! rustup component list --toolchain "$WIDGET_TOOLCHAIN" --installed | grep -q '^rust-src'; then
  say "installing Rust $WIDGET_TOOLCHAIN for the browser modules (once)"
  rustup toolchain install "$WIDGET_TOOLCHAIN" --profile minimal --component rust-src --target wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the workspace's wasm-bindgen exactly (Cargo.toml pins =0.2.130).
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen 0.2.130" ]; then
  say "installing wasm-bindgen-cli 0.2.130 (a few minutes, once)"
  cargo install wasm-bindgen-cli --version 0.2.130 --force
fi
if [ "$(worker-build --version 2>/dev/null)" != "0.8.7" ]; then
  say "installing worker-build 0.8.7 (a few minutes, once)"
  cargo install worker-build --version 0.8.7 --force
fi

# npm packages exactly as package-lock.json says: wrangler, binaryen (wasm-opt), esbuild,
# playwright-core, and Node 22 (wrangler 4 needs it; the machine's Node may be older).
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm packages from package-lock.json"
  # Not `npm ci`: npm 11 leaves other platforms' optional workerd packages out of the lock and then
  # refuses it. `npm install` installs exactly the locked versions and leaves the lock unchanged.
  npm install --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.lock-hash
fi

# The end-to-end tests drive the headless shell (tests/support/browser.mjs); the widget's wasm
# tests and its timing, the full browser.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v chromium-headless-shell >/dev/null; then
  say "installing Debian's chromium, chromium-driver and chromium-headless-shell"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver chromium-headless-shell
fi

# Local development credentials (git-ignored): admin/admin and a server API key. Deployments set
# their own with `wrangler secret put`; without them admin paths answer 503.
if [ ! -f .dev.vars ]; then
  say "writing .dev.vars with local development credentials"
  printf 'ADMIN_USER=admin\nADMIN_PASSWORD=admin\nSERVER_API_KEY=dev-server-key\nWEBHOOK_SECRET=dev-webhook-secret\n' > .dev.vars
fi
