# The two commands of the README: `make dev` and `make test`. Both install what is missing first.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export WASM_BINDGEN_BIN := $(HOME)/.cargo/bin/wasm-bindgen
export WASM_OPT_BIN := $(CURDIR)/node_modules/.bin/wasm-opt
export ESBUILD_BIN := $(CURDIR)/node_modules/.bin/esbuild
export CHROMEDRIVER := /usr/bin/chromedriver

.PHONY: dev test bootstrap build edge browser lint format clippy unit e2e test-at size deploy-check deploy configure widget-timing bench bench-load bench-reports bench-chat profile-create
.DEFAULT_GOAL := dev

## Run the service with its demo on http://127.0.0.1:8787 (state kept in .wrangler/state).
dev: bootstrap build
	node scripts/dev.mjs

# On a fresh clone, incremental compilation has nothing to reuse and only costs.
ifeq ($(wildcard target/debug),)
test: export CARGO_INCREMENTAL := 0
endif

## Run every test: formatting and lints, domain unit and property tests, the wasm builds, the size
## budgets, a deploy that stops before uploading, end to end. On two cores, work that leaves CPU
## idle runs beside other work at low priority (scripts/phases.sh): clippy fills the builds'
## single-threaded link-time optimisation, the unit tests the end-to-end tests' waits.
test:
	@scripts/phases.sh bootstrap format 'build|clippy' size deploy-check 'e2e|unit'

bootstrap:
	@scripts/bootstrap.sh

# The Worker and the browser modules build side by side (see scripts/build-browser.sh). Their
# recipes run cargo without make's jobserver: make hands its descriptors only to recipes it counts
# as recursive, so cargo would find them closed and warn; each build keeps its own jobs.
build:
	@$(MAKE) --no-print-directory -j2 edge browser
NO_JOBSERVER := env -u MAKEFLAGS -u MFLAGS

# Builds run only when their sources changed since (make compares times): with nothing changed,
# `make dev` starts serving at once.
RUST_COMMON := Cargo.toml Cargo.lock $(shell find shared/src -name '*.rs') shared/Cargo.toml
EDGE_SOURCES := $(RUST_COMMON) $(shell find edge/src -name '*.rs') edge/Cargo.toml
BROWSER_SOURCES := $(RUST_COMMON) $(shell find widget/src widget/web console/src -type f) \
	widget/Cargo.toml widget/toolchain console/Cargo.toml scripts/build-browser.sh

edge: edge/build/index.js

edge/build/index.js: $(EDGE_SOURCES)
	@start=$$(date +%s); cd edge && $(NO_JOBSERVER) worker-build --profile worker && \
		echo "built: the Worker in $$(( $$(date +%s) - start )) s"
	@touch $@

## The widget, the manage page's module and the console.
browser: www/widget/callback.js

www/widget/callback.js: $(BROWSER_SOURCES)
	$(NO_JOBSERVER) scripts/build-browser.sh
	@touch $@

## rustfmt, and clippy with warnings as errors (shared and edge also deny code that could panic on
## input: see their lib.rs).
lint: format clippy

format:
	cargo fmt --all --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

# One cargo invocation for the native tests: the crates they share are built once. The widget's
# browser tests follow rather than build beside them: in a second target directory the proc-macro
# crates would compile twice.
unit:
	cargo test -p callback-shared -p callback-edge -p callback-widget -p callback-console --lib
	cd widget && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test web
	cargo check -p callback-shared --no-default-features --target wasm32-unknown-unknown

size:
	scripts/size-report.sh

## Bundles the Worker as `wrangler deploy` would, without uploading: a change that would not deploy fails.
deploy-check: build
	wrangler deploy --dry-run --outdir target/deploy

## Plans (or applies, or exports) a configuration file against a deployment, with the admin
## credentials in CALLBACK_ADMIN_USER / CALLBACK_ADMIN_PASSWORD:
## make configure URL=https://callback.example.com [FILE=callback.config.toml] [ARGS=--apply|--export]
configure: bootstrap
	node scripts/configure.mjs --file "$(or $(FILE),callback.config.toml)" $(ARGS) "$(URL)"

## Builds, then deploys to the Cloudflare account of `wrangler login` (see docs/operations.md).
deploy: bootstrap build
	wrangler deploy

e2e:
	@scripts/e2e.sh

## The end-to-end tests with every clock at another moment: make test-at AT='2026-12-06 02:18:00' (UTC).
test-at:
	scripts/test-at.sh "$(AT)"

## When the widget's button shows and what a visitor downloads (figures, headless Chromium).
widget-timing: bootstrap build
	node scripts/bench/widget-timing.mjs

## Benchmarks (figures, not pass/fail).
bench:
	cargo bench -p callback-shared

## Reports' read path: a year by day for 100 services, each with a year of facts (prints the time).
bench-reports: bootstrap build
	node scripts/bench/reports.mjs

## 200 concurrent chats against the local runtime (prints delivery latencies and memory per chat).
bench-chat: bootstrap build
	node scripts/bench/chat.mjs

## Load benchmark against the local runtime (prints creates/s and latencies).
bench-load: bootstrap build
	node scripts/bench/bench-load.mjs

## Where a create's CPU time goes: a profile of workerd under load (figures).
profile-create: bootstrap build
	node scripts/bench/profile-create.mjs

## Where a report's CPU time goes: a profile of workerd answering a year of 100 services (figures).
profile-reports: bootstrap build
	node scripts/bench/profile-reports.mjs
