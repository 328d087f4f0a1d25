# hoplab: the two set-up commands are `make demo` and `make test`.

CARGO ?= cargo
HOPLAB = $(CARGO) run --quiet --package hoplab-cli --

.PHONY: demo test lint fmt build clean bench bench-quick bench-build bench-haproxy

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

## Benchmarks (release build, loopback only): scenario cost, NLB passthrough and TLS
## termination against HAProxy, idle connections, gateway. Prints every figure with its ratio.
## Installs HAProxy from the distribution's packages if it is missing.
BENCH_DIR = $(or $(CARGO_TARGET_DIR),target)/release
BENCH_ARGS = --hoplab $(BENCH_DIR)/hoplab --scenarios scenarios

bench: bench-build bench-haproxy
	$(BENCH_DIR)/hoplab-bench $(BENCH_ARGS)

## The same figures, smaller and shorter (about a minute): a smoke test of `make bench`.
bench-quick: bench-build bench-haproxy
	$(BENCH_DIR)/hoplab-bench --quick $(BENCH_ARGS)

bench-build:
	$(CARGO) build --release --package hoplab-bench --package hoplab-cli

bench-haproxy:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { \
	  echo "make bench: installing haproxy with apt-get"; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy || \
	  { $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy; }; }
