#!/usr/bin/env bash
# Issue 15's speed goal: a 3-seed post-training sweep on MovieLens 100K — per seed one SFT parent, then 8
# configurations post-trained from it (exp at lambda inf,4,2,1,0.5,0.25; linear with epsilon 0.01 and 1) — must
# fit in 30 minutes on the 2-core development machine, the parents timed separately. One `sweep --init-from sft`
# run; the parents' seconds come from its JSON, the post-training time is the rest of its wall time.
#
#   bash bench/post_training_speed.sh        # writes build/bench-data/post_training_speed.{json,log}, prints times
#
# Environment (optional): TILTBENCH_CLI (default build/release, else build/dev), ML100K (u.data; default
# ../shared/data/ml-100k/u.data beside the checkout), THREADS (default 2), SEEDS (default 1,2,3).
# Skips (exit 0, message on stderr) when ML-100K is absent.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CLI="${TILTBENCH_CLI:-}"
for c in build/release/app/cli/tiltbench-cli build/dev/app/cli/tiltbench-cli; do
    [ -n "$CLI" ] || { [ -x "$c" ] && CLI="$c"; }
done
[ -x "$CLI" ] || { echo "post_training_speed: no built tiltbench-cli (build the release or dev preset)" >&2; exit 1; }
ML100K="${ML100K:-$REPO/../shared/data/ml-100k/u.data}"
if [ ! -f "$ML100K" ]; then
    echo "post_training_speed: skipped: MovieLens 100K not found at $ML100K" >&2
    exit 0
fi
OUTDIR="$REPO/build/bench-data"
mkdir -p "$OUTDIR"
WS="$OUTDIR/post_training_speed.sqlite"
rm -f "$WS" "$WS-wal" "$WS-shm"
"$CLI" import -w "$WS" -n ml100k -f movielens-100k "$ML100K" >/dev/null
echo "post_training_speed: $CLI ($(nproc) cores, THREADS=${THREADS:-2}), started $(date -u +%H:%M:%S)" >&2
START=$(date +%s.%N)
"$CLI" sweep -w "$WS" -d ml100k -m sasrec --device cpu --threads "${THREADS:-2}" --init-from sft \
    --seeds "${SEEDS:-1,2,3}" --lambdas inf,4,2,1,0.5,0.25 --schemes exp,linear --linear-epsilons 0.01,1 \
    --select ndcg_high@10 --epochs 30 --patience 10 --bootstrap 1000 --json \
    >"$OUTDIR/post_training_speed.json" 2>"$OUTDIR/post_training_speed.log"
END=$(date +%s.%N)
python3 - "$OUTDIR/post_training_speed.json" "$START" "$END" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
parents = sum(p["seconds"] for p in j["parents"])
runs = sum(r["seconds"] for r in j["runs"])
print(f"whole sweep: {wall:.0f} s ({wall/60:.1f} min) for {len(j['parents'])} parents and {len(j['runs'])} runs")
for p in j["parents"]:
    print(f"  SFT parent seed {p['seed']}: run {p['run_id']}, best epoch {p['best_epoch']}, {p['seconds']:.0f} s"
          + (" (reused)" if p["reused"] else ""))
print(f"parents: {parents:.0f} s ({parents/60:.1f} min)")
seeds = len(j["parents"]) or 1
post = wall - parents
verdict = ("met" if post <= 1800 else "NOT met") if seeds == 3 else \
    f"{seeds} seed(s) run; x{3 / seeds:g} = {post * 3 / seeds / 60:.1f} min for 3 seeds (extrapolated)"
print(f"post-training: {post:.0f} s ({post/60:.1f} min; the runs' own seconds: {runs:.0f} s)"
      f" -> goal (3 seeds) <= 30 min: {verdict}")
PY
