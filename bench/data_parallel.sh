#!/usr/bin/env bash
# Issue 18, item 3: data-parallel training on this machine — 2 ranks x 1 thread (torchrun --no_python, c10d
# ProcessGroupGloo over loopback) against 1 process x 2 threads, same run settings, one run each.
#
#   bench/data_parallel.sh WORKSPACE DATASET
#
# Each configuration trains a copy of WORKSPACE (so their records never meet): `train -m $MODEL --epochs
# $EPOCHS --patience 0 --bootstrap 0 --seed $SEED $EXTRA` (defaults: sasrec, 5 epochs, seed 1, EXTRA empty: further
# train options, e.g. "--precision bf16-all --loss sampled"). Reported per
# configuration: mean training seconds per epoch (the runs' own epoch timings, rank 0's, which wait for the
# slowest rank every step), whole-command wall seconds (rank 0 validates alone, with its one thread), the
# final test NDCG@10 (dropout draws differ between the two, so the figures are not expected to be equal).
# Results: $OUT/runs.jsonl (one line per finished configuration) and a table on stdout. Needs Debian's
# python3-torch for torchrun (launched as `python3 -m torch.distributed.run` with `--redirects 1 --tee 1
# --log_dir`, which Debian's torch 1.13 on Python 3.11 needs); without it the ranks are started directly with
# torchrun's variables.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WS="${1:?usage: bench/data_parallel.sh WORKSPACE DATASET}"
DATASET="${2:?dataset name}"
CLI="${CLI:-$REPO/build/release/app/cli/tiltbench-cli}"
[ -x "$CLI" ] || CLI="$REPO/build/dev/app/cli/tiltbench-cli"
MODEL="${MODEL:-sasrec}"
EPOCHS="${EPOCHS:-5}"
SEED="${SEED:-1}"
PORT="${PORT:-29517}"
OUT="${OUT:-$REPO/bench/results/issue18-data-parallel/$DATASET-$MODEL}"
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
: >"$OUT/runs.jsonl"
# shellcheck disable=SC2206  # EXTRA is a list of words
ARGS=(train -d "$DATASET" -m "$MODEL" --epochs "$EPOCHS" --patience 0 --bootstrap 0 --seed "$SEED" --device cpu
  --json ${EXTRA:-})

record() {  # name ranks threads wall json-file
  /usr/bin/python3 - "$@" >>"$OUT/runs.jsonl" <<'PY'
import json, sys
name, ranks, threads, wall, path = sys.argv[1:]
r = json.load(open(path))
ep = [e["train_seconds"] for e in r["epochs"]]
print(json.dumps({"config": name, "ranks": int(ranks), "threads_per_rank": int(threads), "epochs": len(ep),
                  "mean_train_seconds_per_epoch": sum(ep) / len(ep), "epoch_train_seconds": ep,
                  "wall_seconds": float(wall), "test_ndcg@10": r["metrics"]["test"]["ndcg@10"],
                  "final_train_loss": r["epochs"][-1]["train_loss"]}))
PY
}

echo "1 process x 2 threads" >&2
cp "$WS" "$TMP/one.sqlite"
t0=$(date +%s.%N)
"$CLI" "${ARGS[@]}" -w "$TMP/one.sqlite" --threads 2 >"$OUT/one.json" 2>"$OUT/one.err"
t1=$(date +%s.%N)
record "1x2" 1 2 "$(echo "$t1 - $t0" | bc)" "$OUT/one.json"

echo "2 ranks x 1 thread" >&2
cp "$WS" "$TMP/two.sqlite"
t0=$(date +%s.%N)
if /usr/bin/python3 -c 'import torch.distributed.run' 2>/dev/null; then
  # Rank 0's stdout is in the log folder: torchrun --tee copies it to its own stdout with a prefix.
  /usr/bin/python3 -m torch.distributed.run --nnodes 1 --nproc_per_node 2 --master_port "$PORT" \
    --redirects 1 --tee 1 --log_dir "$TMP/logs" --no_python \
    "$CLI" "${ARGS[@]}" -w "$TMP/two.sqlite" --threads 1 >"$OUT/two.torchrun.out" 2>"$OUT/two.err"
  cp "$(find "$TMP/logs" -path '*/0/stdout.log' | head -1)" "$OUT/two.json"
  launcher=torchrun
else
  export WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT="$PORT"
  RANK=1 LOCAL_RANK=1 "$CLI" "${ARGS[@]}" -w "$TMP/two.sqlite" --threads 1 >"$OUT/two.rank1.json" 2>>"$OUT/two.err" &
  RANK=0 LOCAL_RANK=0 "$CLI" "${ARGS[@]}" -w "$TMP/two.sqlite" --threads 1 >"$OUT/two.json" 2>>"$OUT/two.err"
  wait
  unset WORLD_SIZE MASTER_ADDR MASTER_PORT
  launcher=env
fi
t1=$(date +%s.%N)
record "2x1 ($launcher)" 2 1 "$(echo "$t1 - $t0" | bc)" "$OUT/two.json"

/usr/bin/python3 - "$OUT/runs.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'config':<18} {'train s/epoch':>14} {'wall s':>8} {'test NDCG@10':>13}")
for r in rows:
    print(f"{r['config']:<18} {r['mean_train_seconds_per_epoch']:>14.2f} {r['wall_seconds']:>8.1f} "
          f"{r['test_ndcg@10']:>13.4f}")
a, b = rows
print(f"2x1 / 1x2 training seconds per epoch: {b['mean_train_seconds_per_epoch'] / a['mean_train_seconds_per_epoch']:.2f}")
PY
