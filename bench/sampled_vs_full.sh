#!/usr/bin/env bash
# Issue 18, item 1's quality goal: the sampled softmax's test NDCG@10 (mean over seeds) at most 2 % below
# Tiltbench's own full softmax at equal epochs, with a paired 95 % interval.
#
#   bench/sampled_vs_full.sh WORKSPACE DATASET [NEGATIVES[:K]]
#
# bench/paired_sweeps.sh with A = full (`sweep -m sasrec --loss full`) and B = sampled (`--loss sampled
# --negatives NEGATIVES`, default in-batch; K = --num-negatives) and BOUND=-0.02: --schemes uniform --seeds
# $SEEDS, EPOCHS epochs each with patience 0 (checkpoint chosen on validation NDCG@10), the runs of each seed paired
# user by user on their stored per-user test NDCG@10, R = mean(sampled) / mean(full) - 1 bootstrapped over seeds
# and users (two levels, 2000 resamples). The goal's verdict is paired_sweeps' bound verdict: "established"
# (within 2 %: the interval's lower end >= -2 %), "refuted" (more than 2 % below: its upper end < -2 %) or "not
# established". EXTRA adds sweep options to both arms (e.g. EXTRA="--precision bf16-all"). Results in $OUT
# (default bench/results/issue18-sampled-vs-full/DATASET-NEGATIVES): A.json and B.json (the sweeps), runs.jsonl,
# verdict.json. (Results recorded before this script used paired_sweeps.sh were written as full.json,
# sampled.json and a verdict.json with full_mean / sampled_mean and the words "within 2 %", "more than 2 %
# below"; the figures mean the same.)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WS="${1:?usage: bench/sampled_vs_full.sh WORKSPACE DATASET [NEGATIVES[:K]]}"
DATASET="${2:?dataset name}"
IFS=: read -r NEGATIVES K <<<"${3:-in-batch}"
EXTRA="${EXTRA:-}"
export ARM_A="full:-m sasrec --loss full $EXTRA"
export ARM_B="sampled:-m sasrec --loss sampled --negatives $NEGATIVES${K:+ --num-negatives $K} $EXTRA"
export BOUND=-0.02
export OUT="${OUT:-$REPO/bench/results/issue18-sampled-vs-full/$DATASET-$NEGATIVES}"
exec "$REPO/bench/paired_sweeps.sh" "$WS" "$DATASET"
