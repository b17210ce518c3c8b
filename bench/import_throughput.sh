#!/usr/bin/env bash
# Import throughput: `tiltbench-cli import` against the sqlite3 shell's `.import` of the same file, measured in
# the same run, alternating the two tools, each run into a fresh database. Prints a markdown report on stdout
# (machine, commands, table, verdict) to paste into bench/RESULTS.md; progress goes to stderr.
#
# Cases: (1) MovieLens 100K u.data, skipped with a message when absent; (2) a generated ROWS-row tab-separated
# log (bench/make_log: 200k users, 50k Zipf items, ratings 1-5, increasing timestamps), written to BENCH_DATA.
# Goal (issue 2): Tiltbench >= 2x sqlite3's rows/s on both; Tiltbench peak RSS <= 1.5 GB at 20 M rows.
#
# Builds nothing. Environment (all optional):
#   TILTBENCH_CLI  tiltbench-cli       default build/release/app/cli/tiltbench-cli, else build/dev/...
#   MAKE_LOG       make_log binary     default <the CLI's build folder>/bench/make_log, else build/{release,dev}
#   SQLITE3        sqlite3 shell       default: sqlite3 on PATH
#   ROWS           generated rows      default 20000000 (e.g. ROWS=2000000 for a quick variant)
#   RUNS           runs per tool/case  default 3 (the table shows the median)
#   BENCH_DATA     scratch folder      default build/bench-data (generated log + databases; never in git)
#   ML100K         u.data path         default ../shared/data/ml-100k/u.data beside the checkout
#   SEED           make_log seed       default 42
#   USERS, ITEMS   make_log --users/--items for the generated log (its defaults, 200k and 50k, when unset);
#                  e.g. ROWS=200000 USERS=86000 ITEMS=56000 is the many-distinct-ids shape of issue 13
#   CASES          which cases         default "ml100k generated"
#   KEEP_LOG       1 (default) keeps the generated log for the next run; 0 deletes it afterwards
set -euo pipefail

die() {
    echo "import_throughput: $*" >&2
    exit 1
}
say() { echo "import_throughput: $*" >&2; }

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

ROWS="${ROWS:-20000000}"
RUNS="${RUNS:-3}"
SEED="${SEED:-42}"
CASES="${CASES:-ml100k generated}"
KEEP_LOG="${KEEP_LOG:-1}"
BENCH_DATA="${BENCH_DATA:-build/bench-data}"
ML100K="${ML100K:-$(cd "$REPO/.." && pwd)/shared/data/ml-100k/u.data}"
[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer (got '$ROWS')"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"

# ---- tools ------------------------------------------------------------------------------------------------
if [ -n "${TILTBENCH_CLI:-}" ]; then
    CLI="$TILTBENCH_CLI"
    [ -x "$CLI" ] || die "TILTBENCH_CLI='$CLI' is not an executable file"
else
    CLI=""
    for c in build/release/app/cli/tiltbench-cli build/dev/app/cli/tiltbench-cli; do
        if [ -x "$c" ]; then
            CLI="$c"
            break
        fi
    done
    [ -n "$CLI" ] || die "no tiltbench-cli found in build/release or build/dev; build it first, e.g.
    cmake --preset release && cmake --build --preset release --target tiltbench-cli make_log
or point TILTBENCH_CLI at one."
fi
CLI="$(cd "$(dirname "$CLI")" && pwd)/$(basename "$CLI")"

if [ -n "${MAKE_LOG:-}" ]; then
    [ -x "$MAKE_LOG" ] || die "MAKE_LOG='$MAKE_LOG' is not an executable file"
else
    MAKE_LOG=""
    cli_build="$(dirname "$(dirname "$(dirname "$CLI")")")"  # <build>/app/cli/tiltbench-cli -> <build>
    for c in "$cli_build/bench/make_log" build/release/bench/make_log build/dev/bench/make_log; do
        if [ -x "$c" ]; then
            MAKE_LOG="$c"
            break
        fi
    done
fi

SQLITE3="${SQLITE3:-$(command -v sqlite3 || true)}"
[ -n "$SQLITE3" ] && [ -x "$SQLITE3" ] ||
    die "the sqlite3 command-line shell is missing: apt-get install sqlite3 (or set SQLITE3=/path/to/sqlite3)"
TIME=/usr/bin/time
[ -x "$TIME" ] && "$TIME" -v true >/dev/null 2>&1 ||
    die "GNU time (/usr/bin/time -v) is missing: apt-get install time"

mkdir -p "$BENCH_DATA"
BENCH_DATA="$(cd "$BENCH_DATA" && pwd)"
case "$BENCH_DATA/" in
"$REPO"/build/*) ;;
"$REPO"/*) die "BENCH_DATA='$BENCH_DATA' is inside the repository but not under build/; use a scratch folder" ;;
esac
WORK="$BENCH_DATA/run.$$"
mkdir -p "$WORK"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# ---- helpers ----------------------------------------------------------------------------------------------
# Top-level integer field of a JSON object printed by tiltbench-cli --json.
json_int() {  # json_int FILE KEY
    if command -v jq >/dev/null 2>&1; then
        jq -r --arg k "$2" '.[$k] // empty' "$1"
    else
        grep -E -o "\"$2\": *-?[0-9.]+" "$1" | head -1 | sed -E 's/.*: *//'
    fi
}

median() {  # median of the numbers given as arguments
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

now_ns() { date +%s%N; }

# run_timed OUT_PREFIX CMD...: runs CMD under /usr/bin/time -v; sets ELAPSED (wall s), CPU (user+sys s) and
# RSS_KB. Fails loudly.
run_timed() {
    local out="$1"
    shift
    local t0 t1 rc=0
    t0=$(now_ns)
    "$TIME" -v -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr" || rc=$?
    t1=$(now_ns)
    if [ "$rc" -ne 0 ]; then
        echo "---- command failed (exit $rc): $*" >&2
        sed -n '1,40p' "$out.stderr" >&2
        grep -v '^\s*$' "$out.stdout" | sed -n '1,20p' >&2 || true
        die "import failed; no figures reported"
    fi
    ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    RSS_KB=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$out.time")
    [ -n "$RSS_KB" ] || die "could not read the peak RSS from $out.time"
    CPU=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$out.time")
}

fresh_db() {  # fresh_db PATH: removes a database and its WAL/SHM/journal files
    rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
}

# The baseline: the sqlite3 shell's .import into a comparable plain table, in WAL mode with the same
# synchronous level as a Tiltbench workspace (NORMAL), inside one explicit transaction; default page and
# cache sizes on both sides. .import binds each field as text and the column affinity stores INTEGER/REAL.
sqlite_script() {  # sqlite_script FILE
    local f="${1//\'/\'\'}"
    cat <<EOF
.bail on
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE interactions(user INTEGER, item INTEGER, rating REAL, ts INTEGER);
.mode tabs
BEGIN;
.import '$f' interactions
COMMIT;
EOF
}

# ---- the measurement --------------------------------------------------------------------------------------
ROWS_OUT=()  # markdown rows of the results table
VERDICT=()
RAW="$WORK/raw.tsv"
: >"$RAW"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

bench_case() {  # bench_case NAME FILE TILTBENCH_FORMAT_ARGS...
    local name="$1" file="$2"
    shift 2
    local fmt_args=("$@")
    local expected
    expected=$(wc -l <"$file" | tr -d ' ')
    [ "$expected" -gt 0 ] || die "$file has no lines"
    say "case $name: $file ($expected rows, $(du -h "$file" | cut -f1)); warming the page cache"
    cat "$file" >/dev/null

    # The baseline script, stored once so the exact text can be shown.
    sqlite_script "$file" >"$WORK/$name.sqlite.sql"
    local db="$WORK/$name.db"
    local t_secs=() s_secs=() t_rss=0 s_rss=0 t_inproc=() t_cpu=() s_cpu=()
    for ((i = 1; i <= RUNS; i++)); do
        # Alternate which tool goes first so drift in background load hits both alike.
        local order=(tiltbench sqlite3)
        if ((i % 2 == 0)); then order=(sqlite3 tiltbench); fi
        for tool in "${order[@]}"; do
            fresh_db "$db"
            if [ "$tool" = tiltbench ]; then
                run_timed "$WORK/$name.t$i" "$CLI" import --workspace "$db" --name bench "${fmt_args[@]}" \
                    --json "$file"
                local got got_info
                got=$(json_int "$WORK/$name.t$i.stdout" rows)
                "$CLI" info --workspace "$db" --dataset bench --json >"$WORK/$name.info.json" ||
                    die "tiltbench-cli info failed after the import of $file"
                got_info=$(json_int "$WORK/$name.info.json" rows)
                [ "$got" = "$expected" ] && [ "$got_info" = "$expected" ] ||
                    die "tiltbench imported ${got:-?} rows (info says ${got_info:-?}) of $file, expected $expected"
                t_secs+=("$ELAPSED")
                t_cpu+=("$CPU")
                t_inproc+=("$(json_int "$WORK/$name.t$i.stdout" seconds)")
                if ((RSS_KB > t_rss)); then t_rss=$RSS_KB; fi
            else
                run_timed "$WORK/$name.s$i" "$SQLITE3" "$db" -init /dev/null \
                    <"$WORK/$name.sqlite.sql"
                local got
                got=$("$SQLITE3" "$db" 'SELECT count(*) FROM interactions')
                [ "$got" = "$expected" ] || die "sqlite3 imported $got rows of $file, expected $expected"
                if ((i == 1)); then
                    local types
                    types=$("$SQLITE3" "$db" \
                        'SELECT typeof(user)||","||typeof(item)||","||typeof(rating)||","||typeof(ts) FROM interactions LIMIT 1')
                    [ "$types" = "integer,integer,real,integer" ] ||
                        die "sqlite3 stored the columns as $types, expected integer,integer,real,integer"
                fi
                s_secs+=("$ELAPSED")
                s_cpu+=("$CPU")
                if ((RSS_KB > s_rss)); then s_rss=$RSS_KB; fi
            fi
            printf '%s\t%s\t%d\t%s\t%s\t%s\n' "$name" "$tool" "$i" "$ELAPSED" "$CPU" "$RSS_KB" >>"$RAW"
            say "  run $i $tool: ${ELAPSED} s wall, ${CPU} s CPU, peak RSS $((RSS_KB / 1024)) MiB (load $(cut -d' ' -f1 /proc/loadavg))"
        done
    done
    fresh_db "$db"

    local tm sm
    tm=$(median "${t_secs[@]}")
    sm=$(median "${s_secs[@]}")
    local tr sr ratio
    tr=$(awk -v n="$expected" -v s="$tm" 'BEGIN { printf "%.0f", n / s }')
    sr=$(awk -v n="$expected" -v s="$sm" 'BEGIN { printf "%.0f", n / s }')
    ratio=$(awk -v a="$tr" -v b="$sr" 'BEGIN { printf "%.2f", a / b }')
    local tmb smb
    tmb=$(awk -v k="$t_rss" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }')
    smb=$(awk -v k="$s_rss" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }')
    local inproc tc sc
    inproc=$(median "${t_inproc[@]}")
    tc=$(median "${t_cpu[@]}")
    sc=$(median "${s_cpu[@]}")
    ROWS_OUT+=("| $name | $expected | tiltbench-cli | $tm | $tr | **${ratio}×** | $tc | $tmb | ${t_secs[*]} (import itself: $inproc) |")
    ROWS_OUT+=("| $name | $expected | sqlite3 .import | $sm | $sr | 1.00× | $sc | $smb | ${s_secs[*]} |")
    local met
    met=$(awk -v r="$ratio" 'BEGIN { print (r >= 2.0) ? "met" : "NOT met" }')
    VERDICT+=("- $name: Tiltbench ${ratio}× sqlite3's rows/s — goal ≥ 2×: **$met**.")
    if [ "$name" = generated ]; then
        local mem_met
        mem_met=$(awk -v m="$tmb" 'BEGIN { print (m <= 1500) ? "met" : "NOT met" }')
        VERDICT+=("- $name: Tiltbench peak RSS $tmb MB at $expected rows — goal ≤ 1500 MB (1.5 GB): **$mem_met**.")
    fi
}

for c in $CASES; do
    case "$c" in
    ml100k)
        if [ -f "$ML100K" ]; then
            bench_case ml100k "$ML100K" --format movielens-100k
        else
            say "SKIPPED ml100k: $ML100K not found (MovieLens 100K is not redistributable; set ML100K=/path/to/u.data)"
            VERDICT+=("- ml100k: SKIPPED — $ML100K not found.")
        fi
        ;;
    generated)
        [ -n "$MAKE_LOG" ] || die "make_log not found next to the CLI or in build/{release,dev}/bench; build it
    (cmake --build <build> --target make_log; needs TILTBENCH_BENCH=ON and libbenchmark-dev) or set MAKE_LOG."
        shape=()
        [ -n "${USERS:-}" ] && shape+=(--users "$USERS")
        [ -n "${ITEMS:-}" ] && shape+=(--items "$ITEMS")
        LOG="$BENCH_DATA/log-$ROWS-s$SEED${USERS:+-u$USERS}${ITEMS:+-i$ITEMS}.tsv"
        if [ ! -f "$LOG" ] || [ "$(wc -l <"$LOG" | tr -d ' ')" != "$ROWS" ]; then
            say "generating $ROWS rows into $LOG"
            t0=$(now_ns)
            "$MAKE_LOG" --rows "$ROWS" --seed "$SEED" "${shape[@]}" --out "$LOG.tmp"
            mv "$LOG.tmp" "$LOG"
            say "  generated in $(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
        fi
        bench_case generated "$LOG" --format csv --no-header --delimiter tab \
            --user-col 0 --item-col 1 --reward-col 2 --time-col 3
        [ "$KEEP_LOG" = 1 ] || rm -f "$LOG"
        ;;
    *) die "unknown case '$c' in CASES (known: ml100k generated)" ;;
    esac
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report -----------------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
debian=$(cat /etc/debian_version 2>/dev/null || echo "?")
cat <<EOF
### Import throughput — $(date -u '+%Y-%m-%d %H:%M UTC')

Machine: $(nproc) cores ($cpu), $mem RAM, Debian $debian, kernel $(uname -r);
SQLite shell $("$SQLITE3" --version | cut -d' ' -f1); Tiltbench $("$CLI" --version 2>/dev/null | head -1 || echo "?").
Load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER.
$RUNS runs per tool and case, alternating tools, each into a fresh database under $BENCH_DATA; input file warm in the
page cache; wall-clock time of the whole command (process start to exit, WAL checkpoint on close included);
CPU s = median user+sys time (Tiltbench parses and writes on two threads); peak RSS = the largest
\`/usr/bin/time -v\` "Maximum resident set size" over the runs (MB = 10^6 bytes). "import itself" = the seconds
tiltbench-cli reports for importDataset (no process start-up, no final close). Row counts checked after every run
(Tiltbench: import --json and info --json; sqlite3: count(*)).

| case | rows | tool | median s | rows/s | vs sqlite3 | CPU s | peak RSS MB | runs, wall s |
|---|---:|---|---:|---:|---:|---:|---:|---|
EOF
printf '%s\n' "${ROWS_OUT[@]}"
echo
printf '%s\n' "${VERDICT[@]}"
cat <<EOF

Tiltbench: \`tiltbench-cli import --workspace DB --name bench --json --format movielens-100k u.data\` (ml100k);
\`... --format csv --no-header --delimiter tab --user-col 0 --item-col 1 --reward-col 2 --time-col 3 FILE\` (generated).
Baseline: \`sqlite3 DB -init /dev/null < script\` with the script
\`\`\`
$(sqlite_script FILE)
\`\`\`
EOF
