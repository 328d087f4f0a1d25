# hoplab: the two set-up commands are `make demo` and `make test`.

CARGO ?= cargo
# Runs the binary the `hoplab-bin` target has built, so --quiet hides only cargo's "Finished"
# and "Running" lines, never a long compile.
HOPLAB = $(CARGO) run --quiet --package hoplab-cli --

.PHONY: hoplab-bin demo test ui-test lint fmt build clean diagrams schema html-check bench bench-quick bench-build bench-haproxy test-long fuzz soak soak-short deny

## The point on one screen: one expired target certificate behind an NLB TLS listener (200:
## the listener's certificate is validated) and behind a TCP listener (500: the target's is),
## then every target certificate behind each listener kind, side by side, in one table.
DEMO = scenarios/nlb/same-certificates-tls-and-tcp-listener.toml
demo: hoplab-bin
	$(HOPLAB) run $(DEMO)
	$(HOPLAB) compare $(DEMO)

## Build the hoplab binary with cargo's progress in view: the first build compiles every
## dependency and takes minutes (README), and a silent wait looks like a hang.
hoplab-bin:
	$(CARGO) build --package hoplab-cli

## Run every test of the workspace (unit, doctests, examples, bundled scenarios, CLI, and
## examples/downstream, a crate outside the workspace that depends on `hoplab` alone).
test:
	$(CARGO) test --workspace

## Formatting, lints and documentation, as CI checks them. The `hoplab` binary's docs are
## checked first: the `hoplab` library's pages, written next, share its folder.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt --manifest-path examples/downstream/Cargo.toml -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) rustdoc --package hoplab-cli --bin hoplab
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps

fmt:
	$(CARGO) fmt --all

build:
	$(CARGO) build --workspace

clean:
	$(CARGO) clean

## Regenerate the README's diagrams (docs/img/) with `hoplab diagram`: the same expired target
## certificate behind a TLS listener (not validated) and behind a TCP listener (validated), and
## behind an ALB HTTPS listener (the listener's certificate validated, the rule that matched).
diagrams: hoplab-bin
	mkdir -p docs/img
	$(HOPLAB) diagram scenarios/nlb/tls-listener-ignores-target-certificates.toml \
		--request "expired target behind a TLS listener" --output docs/img/tls-listener.svg
	$(HOPLAB) diagram scenarios/nlb/tcp-listener-validates-target.toml \
		--request "expired target behind a TCP listener" --output docs/img/tcp-listener.svg
	$(HOPLAB) diagram scenarios/alb/alb-https-listener-ignores-target-certificates.toml \
		--request "expired target behind an ALB HTTPS listener" --output docs/img/alb-listener.svg

## Regenerate scenario.schema.json (the JSON Schema of scenario files) from the parser's types.
schema:
	HOPLAB_UPDATE_SCHEMA=1 $(CARGO) test -p hoplab-scenario --test schema

HTML_CHECK = target/html-check
CHROMIUM = chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars

## Render the HTML report of every bundled scenario, the report of one ALB scenario (its rules,
## a fixed response), and an NLB and an ALB diagram in headless Chromium (installs Debian's
## chromium if missing) and write screenshots to target/html-check/ to look at.
## Not part of `make test`.
HTML_CHECK_SHOTS = report alb-report diagram alb-diagram
html-check: hoplab-bin
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)
	mkdir -p $(HTML_CHECK)
	$(HOPLAB) test scenarios/ --html $(HTML_CHECK)/report.html --junit $(HTML_CHECK)/report.xml
	$(HOPLAB) test scenarios/alb/alb-host-and-path-rules.toml --html $(HTML_CHECK)/alb-report.html
	$(HOPLAB) diagram scenarios/nlb/tcp-listener-validates-target.toml \
		--request "expired target behind a TCP listener" --output $(HTML_CHECK)/diagram.svg
	$(HOPLAB) diagram scenarios/alb/alb-https-listener-ignores-target-certificates.toml \
		--request "expired target behind an ALB HTTPS listener" --output $(HTML_CHECK)/alb-diagram.svg
	rm -f $(HTML_CHECK_SHOTS:%=$(HTML_CHECK)/%.png)
	$(CHROMIUM) --user-data-dir=$$(mktemp -d) --window-size=1400,3000 \
		--screenshot=$(CURDIR)/$(HTML_CHECK)/report.png file://$(CURDIR)/$(HTML_CHECK)/report.html
	$(CHROMIUM) --user-data-dir=$$(mktemp -d) --window-size=1400,3000 \
		--screenshot=$(CURDIR)/$(HTML_CHECK)/alb-report.png file://$(CURDIR)/$(HTML_CHECK)/alb-report.html
	$(CHROMIUM) --user-data-dir=$$(mktemp -d) --window-size=1260,480 \
		--screenshot=$(CURDIR)/$(HTML_CHECK)/diagram.png file://$(CURDIR)/$(HTML_CHECK)/diagram.svg
	$(CHROMIUM) --user-data-dir=$$(mktemp -d) --window-size=1400,560 \
		--screenshot=$(CURDIR)/$(HTML_CHECK)/alb-diagram.png file://$(CURDIR)/$(HTML_CHECK)/alb-diagram.svg
	for shot in $(HTML_CHECK_SHOTS); do test -s $(HTML_CHECK)/$$shot.png || exit 1; done
	@echo "screenshots: $(HTML_CHECK_SHOTS:%=$(HTML_CHECK)/%.png)"

## Benchmarks (release build, loopback only): the whole bundled library (`hoplab test
## scenarios/` against its 1 s target, with the load average), scenario cost, NLB passthrough
## and TLS termination against HAProxy, idle connections, gateway, ALB, and the gateway with
## ten dashboard event-stream subscribers against none. Prints every figure with its ratio.
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

## The long runs: 1,000 random topologies, the model's prediction against the live run, and
## 100,000 random certificate chains, hoplab's verdict against the real JDK's (docs/fidelity.md).
test-long:
	HOPLAB_MODEL_CASES=1000 $(CARGO) test --package hoplab-tests --test workspace model_property
	HOPLAB_RANDOM_CHAINS=100000 $(CARGO) test --package hoplab-tests --test workspace random_chains -- --nocapture

## Fuzz each cargo-fuzz target (scenario parser, chain checker, gateway HTTP front) for
## FUZZ_SECONDS seconds (default 60), from seed corpora; prints executions and crashes.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

## `hoplab up` under 100,000 requests at 200 connections, then SIGTERM under load.
SOAK_REQUESTS ?= 100000
SOAK_CONNECTIONS ?= 200
soak: hoplab-bin
	HOPLAB_BIN=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug/hoplab HOPLAB_SOAK_REQUESTS=$(SOAK_REQUESTS) \
	HOPLAB_SOAK_CONNECTIONS=$(SOAK_CONNECTIONS) \
	$(CARGO) test --package hoplab-tests --test workspace soak -- --ignored --nocapture

## The bounded soak CI runs.
soak-short:
	$(MAKE) soak SOAK_REQUESTS=6000 SOAK_CONNECTIONS=50

## Licences, sources and banned crates; advisories too when the advisory database is reachable.
deny:
	cargo deny --version >/dev/null 2>&1 || $(CARGO) install --locked cargo-deny
	cargo deny check licenses bans sources

## The dashboard of `hoplab up` in a real browser: Debian's Chromium driven through WebDriver
## (installs chromium and chromium-driver with apt-get when missing). Writes screenshots to
## target/ui/. Under CI=true a missing browser fails the test instead of skipping it.
ui-test:
	@command -v chromedriver >/dev/null 2>&1 || { \
	  echo "make ui-test: installing chromium-driver with apt-get"; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver || \
	  { $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }; }
	$(CARGO) build --quiet --package hoplab-cli
	HOPLAB_BIN=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug/hoplab \
	$(CARGO) test --package hoplab-ui-test -- --nocapture
