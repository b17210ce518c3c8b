#!/usr/bin/env bash
# Issue 16's comparison on MovieLens 100K: SFT, linear and exp (the 3-seed post-training sweep of issue 15, reused:
# same workspace, parents and seeds), then from the same parents with the same budget (--epochs 30 --patience 10,
# checkpoint on validation ndcg_high@10): exp with a learned reward (lambda 4,2,1,0.5), online DPO and PPO, all
# against the reward model with the best validation AUC among bias and mf; DPO and PPO also at a tenth of the
# learning rate (dpo_slow, ppo_slow: --lr 1e-4), since a baseline deserves its own learning rate. Each step is one
# command whose JSON is kept, so an interrupted run loses at most the step under way; the DPO and PPO commands'
# wall times are the speed figures (one run per seed each, from a finished SFT run, the methods' default options).
#
#   bash bench/rlhf_comparison.sh     # needs build/bench-data/post_training_speed.sqlite (bench/post_training_speed.sh)
#
# Writes build/bench-data/rlhf/{rlhf.sqlite,*.json,*.log,times.txt,report.html}. Environment (optional):
# TILTBENCH_CLI (default build/release, else build/dev), THREADS (default 2), SEEDS (default 1,2,3), STEPS (default
# "reward dpo ppo learned dpo_slow ppo_slow report").
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CLI="${TILTBENCH_CLI:-}"
for c in build/release/app/cli/tiltbench-cli build/dev/app/cli/tiltbench-cli; do
    [ -n "$CLI" ] || { [ -x "$c" ] && CLI="$c"; }
done
[ -x "$CLI" ] || { echo "rlhf_comparison: no built tiltbench-cli" >&2; exit 1; }
SRC="$REPO/build/bench-data/post_training_speed.sqlite"
if [ ! -f "$SRC" ]; then
    echo "rlhf_comparison: skipped: $SRC is missing (run bench/post_training_speed.sh first)" >&2
    exit 0
fi
OUT="$REPO/build/bench-data/rlhf"
mkdir -p "$OUT"
WS="$OUT/rlhf.sqlite"
[ -f "$WS" ] || cp "$SRC" "$WS"   # a copy: the speed benchmark's workspace stays as it was
COMMON=(-d ml100k -m sasrec --device cpu --threads "${THREADS:-2}" --init-from sft --seeds "${SEEDS:-1,2,3}"
        --select ndcg_high@10 --epochs 30 --patience 10 --bootstrap 1000 --json)
STEPS="${STEPS:-reward dpo ppo learned dpo_slow ppo_slow report}"
timed() {  # name, command…: runs it, appends "name seconds" to times.txt
    local name="$1"; shift
    local t0; t0=$(date +%s.%N)
    "$@" >"$OUT/$name.json" 2>"$OUT/$name.log"
    echo "$name $(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$t0" "$(date +%s.%N)")" \
        >>"$OUT/times.txt"
}
for step in $STEPS; do
    echo "rlhf_comparison: $step, started $(date -u +%H:%M:%S)" >&2
    case "$step" in
    reward)
        timed reward "$CLI" reward -w "$WS" -d ml100k -m bias,mf --bootstrap 1000 --json ;;
    learned|dpo|ppo|dpo_slow|ppo_slow)
        # The reward model with the best validation AUC (chosen on validation, never on test).
        R=$(python3 - "$OUT/reward.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
best = max(j["runs"], key=lambda m: m["valid"]["auc"]["value"])
print(best["run_id"])
PY
)
        case "$step" in
        learned) timed learned "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes exp --lambdas 4,2,1,0.5 \
                     --reward-source "model:$R" ;;
        dpo) timed dpo "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes uniform --objective dpo \
                 --reward-source "model:$R" ;;
        ppo) timed ppo "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes uniform --objective ppo \
                 --reward-source "model:$R" ;;
        dpo_slow) timed dpo_slow "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes uniform --objective dpo \
                      --reward-source "model:$R" --lr 1e-4 ;;
        ppo_slow) timed ppo_slow "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes uniform --objective ppo \
                      --reward-source "model:$R" --lr 1e-4 ;;
        esac ;;
    report)
        "$CLI" report -w "$WS" -d ml100k -o "$OUT/report.html" --bootstrap 1000 --seed 1 ;;
    esac
done
echo "rlhf_comparison: done $(date -u +%H:%M:%S); times in $OUT/times.txt" >&2
