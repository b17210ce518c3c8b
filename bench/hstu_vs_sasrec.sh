#!/usr/bin/env bash
# Issue 18, item 2: HSTU against SASRec on the same data, 3 seeds, paired.
#
#   bench/hstu_vs_sasrec.sh WORKSPACE DATASET
#
# bench/paired_sweeps.sh with A = sasrec (`sweep -m sasrec`) and B = hstu (`sweep -m hstu`): --schemes uniform
# --seeds $SEEDS, patience 0, checkpoint chosen on validation NDCG@10 after every epoch, SASREC_EPOCHS and
# HSTU_EPOCHS epochs (default EPOCHS, 20, for both); the runs of each seed paired user by user on their stored
# per-user test NDCG@10, R = mean(hstu) / mean(sasrec) - 1 bootstrapped over seeds and users (two levels, 2000
# resamples). It reports each backbone's mean training seconds per epoch and per run, so an equal-wall-time
# comparison is read off by choosing the epochs: HSTU_EPOCHS = SASREC_EPOCHS x (SASRec s/epoch) / (HSTU s/epoch).
# Verdict on the interval: "hstu better", "sasrec better" or "not established". Results in $OUT (default
# bench/results/issue18-hstu-vs-sasrec/DATASET): A.json and B.json (the sweeps), runs.jsonl, verdict.json. (The
# results recorded before this script used paired_sweeps.sh were written as sasrec.json, hstu.json and a
# verdict.json with sasrec_mean / hstu_mean keys; the figures mean the same.)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WS="${1:?usage: bench/hstu_vs_sasrec.sh WORKSPACE DATASET}"
DATASET="${2:?dataset name}"
EPOCHS="${EPOCHS:-20}"
export ARM_A="sasrec:-m sasrec" ARM_B="hstu:-m hstu"
export A_EPOCHS="${SASREC_EPOCHS:-$EPOCHS}" B_EPOCHS="${HSTU_EPOCHS:-$EPOCHS}"
export OUT="${OUT:-$REPO/bench/results/issue18-hstu-vs-sasrec/$DATASET}"
exec "$REPO/bench/paired_sweeps.sh" "$WS" "$DATASET"
