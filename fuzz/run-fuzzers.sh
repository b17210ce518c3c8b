#!/usr/bin/env bash
# Runs every libFuzzer target built in build/fuzz for FUZZ_SECONDS each, one after another (one process, so it
# can run beside other builds). `make fuzz` calls it after building; see docs/RELIABILITY.md.
#
#   fuzz/run-fuzzers.sh [target ...]     (default: all targets)
#   FUZZ_SECONDS=60  FUZZ_BUILD=build/fuzz  FUZZ_ARGS="extra libFuzzer flags"
#
# Each target fuzzes a work corpus in $FUZZ_BUILD/corpus/<target>, which starts from (and only reads) the
# checked-in seeds fuzz/corpus/<target>/ and the stored crash inputs tests/data/fuzz_regressions/<target>/.
# Crash, leak, timeout and out-of-memory inputs land in $FUZZ_BUILD/artifacts/<target>/, libFuzzer's output in
# $FUZZ_BUILD/logs/<target>.log. Exits non-zero when any target found something.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build/fuzz}
all="delimited_parser import_auto import_movielens_100k import_movielens_dat import_movielens_csv import_csv import_matrix"
targets=${*:-$all}

failed=""
for t in $targets; do
    exe="$build/fuzz/fuzz_$t"
    if [ ! -x "$exe" ]; then
        echo "fuzz: $exe is not built (make fuzz builds it)" >&2
        exit 2
    fi
    work="$build/corpus/$t"
    artifacts="$build/artifacts/$t"
    log="$build/logs/$t.log"
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"
    corpora=("$work" "fuzz/corpus/$t")
    if [ -d "tests/data/fuzz_regressions/$t" ]; then
        corpora+=("tests/data/fuzz_regressions/$t")
    fi
    dict=()
    if [ -f "fuzz/$t.dict" ]; then
        dict=("-dict=fuzz/$t.dict")
    fi
    echo "fuzz: $t for ${seconds}s (log: $log)"
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
    "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dict[@]}" ${FUZZ_ARGS:-} "${corpora[@]}" >"$log" 2>&1
    rc=$?
    # The last status line: executions, coverage, features, corpus size.
    grep -E '^#[0-9]+' "$log" | tail -n 1
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" | tr '\n' ' '
    echo
    if [ $rc -ne 0 ]; then
        echo "fuzz: $t FOUND A PROBLEM (exit $rc); input(s) in $artifacts/:" >&2
        grep -E 'ERROR|==tiltbench-fuzz==|SUMMARY|Test unit written' "$log" | head -n 8 >&2
        failed="$failed $t"
    fi
done

if [ -n "$failed" ]; then
    echo "fuzz: findings in:$failed" >&2
    exit 1
fi
echo "fuzz: no findings (${seconds}s per target)"
