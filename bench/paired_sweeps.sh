#!/usr/bin/env bash
# Two training set-ups ("arms") on the same data over the same seeds, paired user by user.
#
#   ARM_A="name:sweep options" ARM_B="name:sweep options" bench/paired_sweeps.sh WORKSPACE DATASET
#
# e.g. ARM_A="bf16:-m sasrec --precision bf16" ARM_B="bf16-all:-m sasrec --precision bf16-all".
# Each arm is one `sweep --schemes uniform --seeds $SEEDS --epochs $EPOCHS --patience 0 --bootstrap 0` (checkpoint
# chosen on validation NDCG@10 after every epoch; A_EPOCHS / B_EPOCHS override EPOCHS per arm). The runs of each
# seed are paired user by user on their stored per-user test NDCG@10, and R = mean(B) / mean(A) - 1 is
# bootstrapped over seeds and users (two levels, 2000 resamples). Reports each arm's mean training seconds per
# epoch and per run, so an equal-wall-time comparison is read off by choosing the epochs. Verdict on the interval:
# "B better", "A better" or "not established" (with the arms' names). With BOUND=x (e.g. -0.02) it also says
# whether R >= x is established, not established, or refuted. Results: $OUT/A.json, $OUT/B.json (the sweeps),
# $OUT/runs.jsonl (one line per run), $OUT/verdict.json.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WS="${1:?usage: ARM_A=name:options ARM_B=name:options bench/paired_sweeps.sh WORKSPACE DATASET}"
DATASET="${2:?dataset name}"
: "${ARM_A:?ARM_A=name:sweep options}" "${ARM_B:?ARM_B=name:sweep options}"
CLI="${CLI:-$REPO/build/release/app/cli/tiltbench-cli}"
[ -x "$CLI" ] || CLI="$REPO/build/dev/app/cli/tiltbench-cli"
SEEDS="${SEEDS:-1,2,3}"
EPOCHS="${EPOCHS:-20}"
A_EPOCHS="${A_EPOCHS:-$EPOCHS}"
B_EPOCHS="${B_EPOCHS:-$EPOCHS}"
THREADS="${THREADS:-$(nproc)}"
OUT="${OUT:?OUT=folder for the results}"
mkdir -p "$OUT"
for arm in A B; do
  spec=ARM_$arm; spec=${!spec}; epochs=${arm}_EPOCHS; epochs=${!epochs}
  name=${spec%%:*}; opts=${spec#*:}
  echo "$arm ($name: $opts): seeds $SEEDS, $epochs epochs" >&2
  # shellcheck disable=SC2086  # the arm's options are words
  "$CLI" sweep -w "$WS" -d "$DATASET" $opts --schemes uniform --seeds "$SEEDS" --epochs "$epochs" \
    --patience 0 --bootstrap 0 --threads "$THREADS" --device cpu --json >"$OUT/$arm.json" 2>"$OUT/$arm.err"
done
A_NAME=${ARM_A%%:*} B_NAME=${ARM_B%%:*} A_EPOCHS=$A_EPOCHS B_EPOCHS=$B_EPOCHS BOUND="${BOUND:-}" \
  /usr/bin/python3 "$REPO/bench/paired_ndcg.py" "$WS" "$OUT"
