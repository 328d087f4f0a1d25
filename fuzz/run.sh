#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (FUZZ_SECONDS each, default 60) from seed
# corpora: the bundled scenarios, the certificates those scenarios generate, a few HTTP
# requests, and the bundled import examples (OpenAPI, CloudFormation, Terraform). Prints executions and crashes per target; exits non-zero if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi
# cargo-fuzz needs nightly's sanitizer flags: the machine's nightly if installed, else the
# stable toolchain with RUSTC_BOOTSTRAP=1.
if rustup toolchain list | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi

mkdir -p fuzz/corpus/scenario fuzz/corpus/chain fuzz/corpus/http_front \
    fuzz/corpus/import_openapi fuzz/corpus/import_cloudformation fuzz/corpus/import_terraform
find scenarios -name "*.toml" -exec cp {} fuzz/corpus/scenario/ \;
cp fuzz/seeds/http/* fuzz/corpus/http_front/
cp examples/import/openapi-*/*.oas30.json examples/import/openapi-*/*.yaml fuzz/corpus/import_openapi/
cp examples/import/cloudformation-*/*.yaml examples/import/cloudformation-*/*.template.json \
    fuzz/corpus/import_cloudformation/
cp examples/import/terraform-*/plan-*.json fuzz/corpus/import_terraform/
for scenario in $(find scenarios -name "*.toml" | sort); do
    out="fuzz/corpus/.certs/$(basename "$scenario" .toml)"
    cargo run --quiet --package hoplab-cli -- certs "$scenario" --out "$out" >/dev/null
    for pem in "$out"/*.pem; do
        case "$pem" in *key*) continue ;; esac
        cp "$pem" "fuzz/corpus/chain/$(basename "$scenario" .toml)-$(basename "$pem")"
    done
done
rm -rf fuzz/corpus/.certs

status=0
for target in scenario chain http_front import_openapi import_cloudformation import_terraform; do
    log="fuzz/artifacts/$target.log"
    mkdir -p fuzz/artifacts
    if (cd fuzz && "${fuzz[@]}" run "$target" "corpus/$target" -- \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048) >"$log" 2>&1; then
        result="no crash"
    else
        result="CRASH (see $log and fuzz/artifacts/$target/)"
        status=1
    fi
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    echo "$target: ${runs} executions in ${seconds}s, $result"
done
exit "$status"
