# hoplab: the two set-up commands are `make demo` and `make test`.

CARGO ?= cargo
HOPLAB = $(CARGO) run --quiet --package hoplab-cli --

.PHONY: demo test lint fmt build clean test-long fuzz soak soak-short deny

## Run the bundled default: the same defective target certificates behind an NLB TLS
## listener (all pass) and behind a TCP listener (each fails with its own message).
demo:
	$(HOPLAB) run scenarios/tls-listener-ignores-target-certificates.toml
	$(HOPLAB) run scenarios/tcp-listener-validates-target.toml

## Run every test of the workspace (unit, bundled scenarios, CLI).
test:
	$(CARGO) test --workspace

## Formatting and lints, as CI checks them.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

build:
	$(CARGO) build --workspace

clean:
	$(CARGO) clean

## The long property run: 1,000 random topologies, the model's prediction against the live run.
test-long:
	HOPLAB_MODEL_CASES=1000 $(CARGO) test --package hoplab-tests --test workspace model_property

## Fuzz each cargo-fuzz target (scenario parser, chain checker, gateway HTTP front) for
## FUZZ_SECONDS seconds (default 60), from seed corpora; prints executions and crashes.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

## `hoplab up` under 100,000 requests at 200 connections, then SIGTERM under load.
SOAK_REQUESTS ?= 100000
SOAK_CONNECTIONS ?= 200
soak:
	$(CARGO) build --quiet --package hoplab-cli
	HOPLAB_BIN=$(CURDIR)/target/debug/hoplab HOPLAB_SOAK_REQUESTS=$(SOAK_REQUESTS) \
	HOPLAB_SOAK_CONNECTIONS=$(SOAK_CONNECTIONS) \
	$(CARGO) test --package hoplab-tests --test workspace soak -- --ignored --nocapture

## The bounded soak CI runs.
soak-short:
	$(MAKE) soak SOAK_REQUESTS=6000 SOAK_CONNECTIONS=50

## Licences, sources and banned crates; advisories too when the advisory database is reachable.
deny:
	cargo deny --version >/dev/null 2>&1 || $(CARGO) install --locked cargo-deny
	cargo deny check licenses bans sources
