# hoplab: the two set-up commands are `make demo` and `make test`.

CARGO ?= cargo
HOPLAB = $(CARGO) run --quiet --package hoplab-cli --

.PHONY: demo test lint fmt build clean test-long

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
