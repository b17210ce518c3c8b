#!/usr/bin/env bash
# Issue 16: the paper's shallow reward head against item-mean on MovieLens 100K. For each SFT parent of the
# comparison's workspace (the 3 seeds of bench/post_training_speed.sh, runs whose --init-from is 0 and scheme
# uniform), one `reward -m item-mean,sasrec-head` per ridge strength (--l2 50, 500, 5000); the head's strength is
# chosen on validation RMSE (never on test), and its test figures are compared with item-mean's, paired over the
# same 943 users. Body frozen (the head reads the parent's hidden states).
#
#   bash bench/reward_head.sh        # needs build/bench-data/rlhf/rlhf.sqlite (bench/rlhf_comparison.sh)
#
# Writes build/bench-data/rlhf/head-<parent>-l2-<l2>.json, one per fit, and prints the table. Environment:
# TILTBENCH_CLI (default build/release, else build/dev), L2S (default "50 500 5000").
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CLI="${TILTBENCH_CLI:-}"
for c in build/release/app/cli/tiltbench-cli build/dev/app/cli/tiltbench-cli; do
    [ -n "$CLI" ] || { [ -x "$c" ] && CLI="$c"; }
done
[ -x "$CLI" ] || { echo "reward_head: no built tiltbench-cli" >&2; exit 1; }
OUT="$REPO/build/bench-data/rlhf"
WS="$OUT/rlhf.sqlite"
if [ ! -f "$WS" ]; then
    echo "reward_head: skipped: $WS is missing (run bench/rlhf_comparison.sh first)" >&2
    exit 0
fi
PARENTS=$(sqlite3 "$WS" "select id from runs where model = 'sasrec' and status = 'done' and \
    coalesce(json_extract(config, '\$.init_from'), 0) = 0 order by id")
for p in $PARENTS; do
    for l2 in ${L2S:-50 500 5000}; do
        f="$OUT/head-$p-l2-$l2.json"
        [ -s "$f" ] || "$CLI" reward -w "$WS" -d ml100k -m item-mean,sasrec-head --state-run "$p" --l2 "$l2" \
            --bootstrap 1000 --json >"$f"
    done
done
python3 - "$OUT" $PARENTS <<'PY'
import glob, json, sys
out, parents = sys.argv[1], sys.argv[2:]
print("parent  l2(chosen on valid RMSE)  head test RMSE  item-mean test RMSE  head − item-mean RMSE [95 %]  AUC diff [95 %]")
for p in parents:
    fits = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/head-{p}-l2-*.json"))]
    best = min(fits, key=lambda j: j["runs"][1]["valid"]["rmse"]["value"])
    l2 = [f for f in sorted(glob.glob(f"{out}/head-{p}-l2-*.json")) if json.load(open(f)) == best][0].split("-l2-")[1][:-5]
    h, m = best["runs"][1]["test"], best["runs"][0]["test"]
    d = best["against_baseline"][0]["metrics"]
    fmt = lambda x: f"{x['diff']:+.4f} [{x['lo']:+.4f}, {x['hi']:+.4f}] {x['verdict']}"
    print(f"{p:>6}  {l2:>24}  {h['rmse']['value']:.4f}  {m['rmse']['value']:.4f}  {fmt(d['rmse'])}  {fmt(d['auc'])}")
PY
