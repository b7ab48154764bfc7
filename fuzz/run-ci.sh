#!/usr/bin/env bash
# Runs every fuzz target for a short, bounded time, starting from the corpus kept in
# fuzz/corpus/TARGET, and fails on the first crash, panic, timeout or out-of-memory.
#
#   fuzz/run-ci.sh                     # all targets, FUZZ_SECONDS (20) each
#   FUZZ_SECONDS=60 fuzz/run-ci.sh dns_name tftp_packet
#
# FUZZ_JOBS (default 2) targets run at the same time. The kept corpus is copied to a
# scratch directory first, so new inputs libFuzzer finds never land in the repository.
# Installs what it needs when missing: a nightly toolchain (rustup), cargo-fuzz (the
# version pinned below) and a C++ compiler for libFuzzer itself.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.1
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_JOBS=${FUZZ_JOBS:-2}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi
if ! command -v c++ >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends g++
fi

started=$(date +%s)
cargo +nightly fuzz build
built=$(date +%s)
echo "fuzz: built all targets in $((built - started)) s"

host=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin_dir=target/$host/release
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# One target: a scratch copy of its corpus, a bounded run, a one-line result.
run_target() {
    local target=$1 work=$scratch/$1
    mkdir -p "$work/corpus" "$work/artifacts"
    if [ -d "corpus/$target" ]; then
        cp -R "corpus/$target/." "$work/corpus/"
    fi
    if "$bin_dir/$target" "$work/corpus" \
        -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        >"$work/log" 2>&1; then
        local runs
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
        echo "fuzz: $target: ok, ${runs:-?} runs in ${FUZZ_SECONDS} s"
    else
        echo "fuzz: $target: FAILED"
        # The panic message (or libFuzzer's reason), not the whole stack trace.
        grep -A 2 -E "panicked at|^==[0-9]+== ?ERROR|^SUMMARY" "$work/log" || tail -n 20 "$work/log"
        local input
        for input in "$work"/artifacts/*; do
            [ -f "$input" ] || continue
            echo "fuzz: $target: input $(basename "$input") ($(wc -c <"$input") bytes), in hex:"
            od -An -v -tx1 "$input"
        done
        touch "$scratch/failed"
    fi
}

running=0
for target in "${targets[@]}"; do
    if [ ! -x "$bin_dir/$target" ]; then
        echo "fuzz: no target named $target" >&2
        exit 2
    fi
    run_target "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$FUZZ_JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait

echo "fuzz: ${#targets[@]} targets in $(($(date +%s) - started)) s"
if [ -e "$scratch/failed" ]; then
    echo "fuzz: a target failed: reproduce with" \
        "\`cargo +nightly fuzz run TARGET INPUT\` (see fuzz/README.md)" >&2
    exit 1
fi
