#!/usr/bin/env bash
# Issue 16 on the simulator, where the true reward of every recommendation is known: does DPO or PPO drive the
# reward model's score of its top-10 (the proxy) up while the true reward falls, and how does exp weighting
# compare? REDUCED budget, said in bench/RESULTS.md: per seed an SFT parent of at most --sft-epochs 60 (patience
# 10), then from it, each for a fixed 15 epochs (--patience 0, so the whole curve is recorded; the checkpoint is
# still chosen on validation ndcg_high@10): SFT (lambda inf), exp at lambda 1 and 0.5 on logged rewards, exp at
# lambda 1 on the learned reward, DPO and PPO (default options, lr 1e-3 and 1e-4). The reward model is mf
# (matrix factorisation), fitted on the training split. Per-epoch proxy_reward@10, kl_ref and true_reward@10 are
# in the workspace (run_metrics, split valid); `summary` prints them.
#
#   bash bench/rlhf_simulator.sh      # writes build/bench-data/rlhf-sim/{sim.sqlite,*.json,*.log,times.txt,curves.json}
#
# Environment (optional): TILTBENCH_CLI, THREADS (default 2), SEEDS (default 1,2,3), STEPS (default
# "data reward sweep dpo ppo dpo_slow ppo_slow summary").
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CLI="${TILTBENCH_CLI:-}"
for c in build/release/app/cli/tiltbench-cli build/dev/app/cli/tiltbench-cli; do
    [ -n "$CLI" ] || { [ -x "$c" ] && CLI="$c"; }
done
[ -x "$CLI" ] || { echo "rlhf_simulator: no built tiltbench-cli" >&2; exit 1; }
OUT="$REPO/build/bench-data/rlhf-sim"
mkdir -p "$OUT"
WS="$OUT/sim.sqlite"
COMMON=(-d sim -m sasrec --device cpu --threads "${THREADS:-2}" --init-from sft --seeds "${SEEDS:-1,2,3}"
        --sft-epochs 60 --sft-patience 10 --select ndcg_high@10 --epochs 15 --patience 0 --bootstrap 1000 --json)
STEPS="${STEPS:-data reward sweep dpo ppo dpo_slow ppo_slow summary}"
timed() {  # name, command…: runs it, appends "name seconds" to times.txt
    local name="$1"; shift
    local t0; t0=$(date +%s.%N)
    "$@" >"$OUT/$name.json" 2>"$OUT/$name.log"
    echo "$name $(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$t0" "$(date +%s.%N)")" \
        >>"$OUT/times.txt"
}
reward_run() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["run_id"])' "$OUT/reward.json"; }
for step in $STEPS; do
    echo "rlhf_simulator: $step, started $(date -u +%H:%M:%S)" >&2
    case "$step" in
    data)
        rm -f "$WS" "$WS-wal" "$WS-shm"
        "$CLI" generate -w "$WS" -n sim --seed 42 >/dev/null ;;  # ML-100K size: 943 users, 1682 items, 100k rows
    reward)
        timed reward "$CLI" reward -w "$WS" -d sim -m mf --bootstrap 1000 --json ;;
    sweep)
        timed sweep "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes exp --lambdas inf,1,0.5
        timed learned "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes exp --lambdas 1 \
            --reward-source "model:$(reward_run)" ;;
    dpo|ppo)
        timed "$step" "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes uniform --objective "$step" \
            --reward-source "model:$(reward_run)" ;;
    dpo_slow|ppo_slow)
        timed "$step" "$CLI" sweep -w "$WS" "${COMMON[@]}" --schemes uniform --objective "${step%_slow}" \
            --reward-source "model:$(reward_run)" --lr 1e-4 ;;
    summary)
        "$CLI" report -w "$WS" -d sim -o "$OUT/report.html" --bootstrap 1000 --seed 1
        python3 "$REPO/bench/rlhf_curves.py" "$WS" >"$OUT/curves.json" ;;
    esac
done
echo "rlhf_simulator: done $(date -u +%H:%M:%S)" >&2
