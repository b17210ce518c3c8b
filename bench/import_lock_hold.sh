#!/usr/bin/env bash
# Longest write-lock hold of an import (issue 13, goal <= 2 s at 20 M rows): imports a generated log into a
# workspace while a probe (bench/lock_probe.py, Python's sqlite3 — no Tiltbench code) tries `BEGIN IMMEDIATE;
# COMMIT` on the same workspace every 5 ms with no busy timeout and records the longest stretch during which
# the lock was taken by someone else. Prints one markdown line per run on stdout; progress on stderr.
#
# Environment (all optional):
#   TILTBENCH_CLI  default build/release/app/cli/tiltbench-cli, else build/dev/...
#   MAKE_LOG       default <the CLI's build folder>/bench/make_log
#   ROWS           default 20000000      USERS / ITEMS  make_log's --users / --items (its defaults if unset)
#   RUNS           default 1             BENCH_DATA     default build/bench-data (the log is kept there)
set -euo pipefail
die() {
    echo "import_lock_hold: $*" >&2
    exit 1
}
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
ROWS="${ROWS:-20000000}"
RUNS="${RUNS:-1}"
BENCH_DATA="${BENCH_DATA:-build/bench-data}"
CLI="${TILTBENCH_CLI:-}"
if [ -z "$CLI" ]; then
    for c in build/release/app/cli/tiltbench-cli build/dev/app/cli/tiltbench-cli; do
        [ -x "$c" ] && CLI="$c" && break
    done
fi
[ -n "$CLI" ] && [ -x "$CLI" ] || die "no tiltbench-cli (set TILTBENCH_CLI)"
MAKE_LOG="${MAKE_LOG:-$(dirname "$(dirname "$(dirname "$CLI")")")/bench/make_log}"
[ -x "$MAKE_LOG" ] || die "no make_log at '$MAKE_LOG' (set MAKE_LOG)"
mkdir -p "$BENCH_DATA"
extra=()
[ -n "${USERS:-}" ] && extra+=(--users "$USERS")
[ -n "${ITEMS:-}" ] && extra+=(--items "$ITEMS")
LOG="$BENCH_DATA/log-$ROWS-u${USERS:-d}-i${ITEMS:-d}.tsv"
if [ ! -s "$LOG" ]; then
    echo "import_lock_hold: writing $LOG" >&2
    "$MAKE_LOG" --rows "$ROWS" "${extra[@]}" --out "$LOG.tmp"
    mv "$LOG.tmp" "$LOG"
fi
cat "$LOG" >/dev/null # warm the page cache
for run in $(seq 1 "$RUNS"); do
    WS="$BENCH_DATA/lockhold.sqlite"
    rm -f "$WS" "$WS-wal" "$WS-shm"
    printf '1\t1\t5\t1\n2\t1\t3\t2\n' >"$BENCH_DATA/tiny.tsv"
    "$CLI" import -w "$WS" -n tiny "$BENCH_DATA/tiny.tsv" >/dev/null
    python3 bench/lock_probe.py "$WS" >"$BENCH_DATA/probe.out" &
    probe=$!
    sleep 0.5
    t0=$(date +%s.%N)
    "$CLI" import -w "$WS" -n big "$LOG" >/dev/null
    t1=$(date +%s.%N)
    sleep 0.5
    kill -TERM "$probe"
    wait "$probe" || true
    hold=$(cat "$BENCH_DATA/probe.out")
    echo "| $ROWS rows | import $(echo "$t1 - $t0" | bc) s | longest write-lock hold $hold s | $(basename "$CLI") |"
done
