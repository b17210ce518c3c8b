#!/usr/bin/env bash
# Issue 15's post-training experiment on MovieLens 100K, on a lent GPU machine (one call of the device tool):
# builds core + CLI with bench/gpu/gpu_check.sh (CUDA LibTorch, no CPU comparison run), then
#   sweep --init-from sft --seeds 1,2,3: per seed one SFT parent (uniform weights, checkpoint on valid NDCG@10),
#   then every configuration post-trained from it — exp at lambda inf,4,2,1,0.5,0.25 and linear with epsilon
#   0.01 and 1 (w = r - 1 + 0.01 and w = r on ML-100K's 1..5 scale) — checkpoints on valid NDCG@10 over
#   high-reward targets (ratings >= 5), 1000 bootstrap resamples.
# Writes into $OUT: sweep.json (the sweep's --json: runs, parents, the per-configuration summary over seeds),
# sweep.log (its progress), check.txt (the build), and workspace.sqlite.gz (the workspace without model weights
# and train states: datasets, runs, metrics and per-user values, enough for `report` and the Compare page).
#
#   packaging/fetch-gpu-debs.sh                                   # here, once (carries ML-100K along)
#   run: bash bench/gpu/post_training_sweep.sh   carry: ["build/gpu-debs"]   timeout_s: 560
#
# Environment: SWEEP_BUDGET_S (default 400, the sweep's own limit), SWEEP_EPOCHS (post-training epochs at most,
# default 30), SWEEP_PATIENCE (default 10), SWEEP_SEEDS (default 1,2,3).
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
OUT="${OUT:-$REPO/build/gpu-check/sweep-out}"
mkdir -p "$OUT"
START=$(date +%s)
GPU_CHECK_SKIP_CPU=1 GPU_CHECK_EPOCHS=1 GPU_CHECK_BUDGET_S=200 OUT="$OUT/check" bash bench/gpu/gpu_check.sh \
    >"$OUT/check.txt" 2>&1
CLI="$REPO/build/gpu-check/tree/app/cli/tiltbench-cli"
WS="$REPO/build/gpu-check/check/ml100k.sqlite"
if [ ! -x "$CLI" ] || [ ! -f "$WS" ]; then
    tail -40 "$OUT/check.txt"
    echo "post_training_sweep: the build or the import failed (see check.txt)"
    exit 1
fi
rm -rf "$OUT/check"
echo "post_training_sweep: built in $(($(date +%s) - START)) s"
T0=$(date +%s)
timeout "${SWEEP_BUDGET_S:-400}" "$CLI" sweep -w "$WS" -d ml100k -m sasrec --device cuda --threads 16 \
    --init-from sft --seeds "${SWEEP_SEEDS:-1,2,3}" --lambdas inf,4,2,1,0.5,0.25 --schemes exp,linear \
    --linear-epsilons 0.01,1 --select ndcg_high@10 --epochs "${SWEEP_EPOCHS:-30}" \
    --patience "${SWEEP_PATIENCE:-10}" --bootstrap 1000 --json >"$OUT/sweep.json" 2>"$OUT/sweep.log"
RC=$?
echo "post_training_sweep: sweep exit $RC after $(($(date +%s) - T0)) s"
grep -E '^seed|^run ' "$OUT/sweep.log" | tail -40
python3 - "$WS" "$OUT/workspace.sqlite" <<'PY'
import shutil, sqlite3, sys
src, dst = sys.argv[1], sys.argv[2]
con = sqlite3.connect(src)
con.execute(f"VACUUM INTO '{dst}'")
con.close()
con = sqlite3.connect(dst)
con.execute("DELETE FROM run_train_states")
con.execute("DELETE FROM checkpoints")
con.commit()
con.execute("VACUUM")
con.close()
PY
gzip -f "$OUT/workspace.sqlite"
ls -la "$OUT"
python3 - "$OUT/sweep.json" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except Exception as e:
    print("no sweep.json:", e); sys.exit(0)
for p in j.get("parents", []):
    print("parent", p)
for row in j["summary"]["rows"]:
    w = row["weighting"]
    name = row["scheme"] + (" lambda=" + str(row["lambda"]) if row["lambda"] else "") + \
        (" eps=" + str(w.get("epsilon")) if row["scheme"] == "linear" else "")
    m = row["metrics"].get("ndcg_high@10", {})
    n = row["metrics"].get("ndcg@10", {})
    print(f"{name:28s} seeds {len(row['seeds'])} ndcg@10 {n.get('mean')} d {n.get('diff')} [{n.get('lo')}, {n.get('hi')}]"
          f" | high {m.get('mean')} d {m.get('diff')} [{m.get('lo')}, {m.get('hi')}] {m.get('verdict')}")
PY
exit $RC
