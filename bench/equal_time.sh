#!/usr/bin/env bash
# Issue 18: Tiltbench's SASRec against the public SASRec.pytorch at equal wall time, on the same data and the
# same leave-one-out split: test NDCG@10 (full ranking, the user's other items masked) against training seconds.
#
#   bench/equal_time.sh ml100k|mlsmall|sim1m
#
# sim1m is Tiltbench's simulator at ML-1M size (`generate --users 6040 --items 3706 --interactions 1000209 --seed
# 42`, the log the issue timed the reference on); the reference reads it from the workspace's interaction chunks.
# - SASRec.pytorch: ../shared/peers/sasrec-pytorch (its harness.py, never copied into the project) is copied to
#   a temporary folder (removed at exit) with the data as data/NAME.txt; it trains REF_EPOCHS epochs and evaluates valid and test every
#   REF_EVAL epochs. A point at time T is the test NDCG@10 of the evaluation with the best validation NDCG@10
#   among those made within T training seconds (its evaluations are not counted as training time).
# - Tiltbench: one run per budget in TILT_EPOCHS and per loss in LOSSES (full, sampled:NEGATIVES[:K]), uniform
#   weights, patience 0 (the whole budget), checkpoint chosen on validation NDCG@10 after every epoch; a point is
#   (the run's summed training-pass seconds, its test NDCG@10). Validation passes are not counted either.
#   TILT_PRECISION=fp32|bf16|bf16-all passes --precision (default: the CLI's auto) and names it in the label.
# - Both on this machine's cores (THREADS, default all), one at a time. Results: $OUT/points.jsonl (one JSON
#   line per point, written as each run finishes), $OUT/equal_time.svg and a markdown table on stdout.
#   REF_POINTS=FILE reuses the reference's points of an earlier points.jsonl instead of running it again.
# - SEEDS="1 2 3" (paired mode): both tools run once per seed (the reference through bench/ref_seeded.py, which
#   imports its model and sampler and trains as its harness.py does, seeded, writing every evaluated user's test
#   NDCG@10; Tiltbench with --seed), and bench/equal_time_paired.py pairs them user by user at equal time: for
#   each Tiltbench run, the reference's checkpoint is the best on validation within that run's training seconds,
#   same seed. Writes $OUT/paired.jsonl and $OUT/paired.md (R = Tiltbench / reference - 1 with a 95 % bootstrap
#   interval over seeds and users; BOUND, default -0.02, is the "at least the reference's" margin).
# Skips with a message when ../shared/data or the reference is absent.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
DATASET="${1:?usage: bench/equal_time.sh ml100k|mlsmall|sim1m}"
SHARED="${TILTBENCH_SHARED_DATA:-$REPO/../shared/data}"
PEER="${SASREC_PYTORCH:-$REPO/../shared/peers/sasrec-pytorch}"
CLI="${CLI:-$REPO/build/release/app/cli/tiltbench-cli}"
[ -x "$CLI" ] || CLI="$REPO/build/dev/app/cli/tiltbench-cli"
OUT="${OUT:-$REPO/bench/results/issue18-equal-time/$DATASET}"
THREADS="${THREADS:-$(nproc)}"
PY=/usr/bin/python3
case "$DATASET" in
  ml100k) SRC="$SHARED/ml-100k/u.data"; FORMAT=movielens-100k
          TILT_EPOCHS="${TILT_EPOCHS:-4 8 16 32 48}"; REF_EPOCHS="${REF_EPOCHS:-60}"; REF_EVAL="${REF_EVAL:-5}" ;;
  mlsmall) SRC="$SHARED/ml-latest-small/ratings.csv"; FORMAT=movielens-csv
          TILT_EPOCHS="${TILT_EPOCHS:-4 8 16 24}"; REF_EPOCHS="${REF_EPOCHS:-80}"; REF_EVAL="${REF_EVAL:-5}" ;;
  sim1m) SRC=""; FORMAT=""
          TILT_EPOCHS="${TILT_EPOCHS:-3 6 12}"; REF_EPOCHS="${REF_EPOCHS:-40}"; REF_EVAL="${REF_EVAL:-5}" ;;
  *) echo "unknown dataset '$DATASET' (ml100k, mlsmall or sim1m)" >&2; exit 2 ;;
esac
LOSSES="${LOSSES:-full sampled:in-batch sampled:popularity:256}"
[ -z "$SRC" ] || [ -f "$SRC" ] || { echo "skipped: $SRC is absent (set TILTBENCH_SHARED_DATA)"; exit 0; }
[ -n "${REF_POINTS:-}" ] || [ -f "$PEER/harness.py" ] || { echo "skipped: SASRec.pytorch is absent ($PEER)"; exit 0; }
SEEDS="${SEEDS:-}"
if [ -n "$SEEDS" ] && [ -n "${REF_POINTS:-}" ]; then
  echo "SEEDS pairs the two tools user by user and needs the reference's per-user results: unset REF_POINTS" >&2
  exit 2
fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
# The reference's copy, the data in its format and the workspace live outside the project (their licences
# forbid copying them into it); only logs and figures are kept in $OUT.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
POINTS="$OUT/points.jsonl"
: >"$POINTS"
REF_USERS="$WORK/ref-users.txt"

WS="$WORK/ws.sqlite"
rm -f "$WS" "$WS-wal" "$WS-shm"
if [ "$DATASET" = sim1m ]; then
  "$CLI" generate -w "$WS" -n "$DATASET" --users 6040 --items 3706 --interactions 1000209 --seed 42 >/dev/null
elif [ "$DATASET" = mlsmall ]; then
  "$CLI" import -w "$WS" -n "$DATASET" -f "$FORMAT" --titles "$SHARED/ml-latest-small/movies.csv" "$SRC" >/dev/null
else
  "$CLI" import -w "$WS" -n "$DATASET" -f "$FORMAT" "$SRC" >/dev/null
fi

if [ -n "${REF_POINTS:-}" ]; then
  # The reference's points of an earlier run of this script (same data, same machine), kept as they were.
  grep '"tool": "SASRec.pytorch' "$REF_POINTS" >"$POINTS" || { echo "no SASRec.pytorch points in $REF_POINTS" >&2; exit 2; }
  echo "SASRec.pytorch: $(wc -l <"$POINTS") points reused from $REF_POINTS" >&2
else
  # The reference's data: per user, interactions by time (ties in file order, as Tiltbench orders them), ids
  # 1-based in order of first appearance.
  cp -r "$PEER" "$WORK/ref" && mkdir -p "$WORK/ref/data"
  if [ "$DATASET" = sim1m ]; then
    # The generated log as Tiltbench stores it (little-endian chunks: int32 user and item indices, int64 times),
    # per user by time with ties in stored order, ids = index + 1.
    "$PY" - "$WS" "$DATASET" "$WORK/ref/data/$DATASET.txt" "$REF_USERS" <<'EOF'
import sqlite3, sys
import numpy as np
ws, name, dst, user_map = sys.argv[1:5]
db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
(dataset_id,) = db.execute("SELECT id FROM datasets WHERE name = ?", (name,)).fetchone()
with open(user_map, "w") as f:
    for idx, external in db.execute("SELECT idx, external_id FROM users WHERE dataset_id = ?", (dataset_id,)):
        f.write(f"{idx + 1} {external}\n")
users, items, times = [], [], []
for u, i, t in db.execute("SELECT user_idx, item_idx, ts FROM interaction_chunks WHERE dataset_id = ? ORDER BY chunk",
                          (dataset_id,)):
    users.append(np.frombuffer(u, dtype="<i4")); items.append(np.frombuffer(i, dtype="<i4"))
    times.append(np.frombuffer(t, dtype="<i8"))
users, items, times = np.concatenate(users), np.concatenate(items), np.concatenate(times)
order = np.lexsort((np.arange(len(users)), times, users))
np.savetxt(dst, np.stack([users[order] + 1, items[order] + 1], axis=1), fmt="%d")
EOF
  else
  "$PY" - "$SRC" "$WORK/ref/data/$DATASET.txt" "$REF_USERS" <<'EOF'
import csv, sys
src, dst, user_map = sys.argv[1:4]
rows = []
with open(src, encoding="latin-1") as f:
    if src.endswith(".csv"):
        r = csv.reader(f); next(r)
        rows = [(u, i, int(t)) for u, i, _, t in r]
    else:
        rows = [(p[0], p[1], int(p[3])) for p in (l.split() for l in f) if len(p) >= 4]
users, items, seqs = {}, {}, {}
for u, i, t in rows:
    users.setdefault(u, len(users) + 1); items.setdefault(i, len(items) + 1)
    seqs.setdefault(users[u], []).append((t, items[i]))
with open(dst, "w") as out:
    for u in sorted(seqs):
        for _, i in sorted(seqs[u], key=lambda e: e[0]):
            out.write(f"{u} {i}\n")
with open(user_map, "w") as f:
    for external, u in users.items():
        f.write(f"{u} {external}\n")
EOF
  fi

  if [ -n "$SEEDS" ]; then
    for seed in $SEEDS; do
      echo "SASRec.pytorch, seed $seed: $REF_EPOCHS epochs, evaluated every $REF_EVAL ($THREADS threads)" >&2
      OMP_NUM_THREADS="$THREADS" "$PY" "$REPO/bench/ref_seeded.py" --peer "$WORK/ref" --dataset "$DATASET" \
        --epochs "$REF_EPOCHS" --eval_every "$REF_EVAL" --threads "$THREADS" --seed "$seed" \
        --out "$OUT/ref-seed$seed.jsonl" >"$OUT/ref-seed$seed.log" 2>"$OUT/ref-seed$seed.err"
      # Its curve: at each evaluation, the test NDCG@10 of the best on validation so far.
      "$PY" - "$OUT/ref-seed$seed.jsonl" "$POINTS" "$seed" <<'EOF'
import json, sys
best = None
with open(sys.argv[2], "a") as out:
    for line in open(sys.argv[1]):
        e = json.loads(line)
        if best is None or e["valid_ndcg10"] > best["valid_ndcg10"]:
            best = e
        out.write(json.dumps({"tool": f"SASRec.pytorch (BCE, 1 negative), seed {sys.argv[3]}",
                              "train_seconds": e["train_seconds"], "epochs": e["epoch"], "best_epoch": best["epoch"],
                              "valid_ndcg10": best["valid_ndcg10"], "test_ndcg10": best["test_ndcg10"]}) + "\n")
EOF
    done
  else
  echo "SASRec.pytorch: $REF_EPOCHS epochs, evaluated every $REF_EVAL ($THREADS threads)" >&2
  (cd "$WORK/ref" && OMP_NUM_THREADS="$THREADS" "$PY" harness.py --dataset "$DATASET" --epochs "$REF_EPOCHS" \
     --eval_every "$REF_EVAL" --threads "$THREADS" >"$OUT/ref.log" 2>"$OUT/ref.err")
  "$PY" - "$OUT/ref.log" "$POINTS" <<'EOF'
import json, re, sys
log, points = sys.argv[1], sys.argv[2]
seconds, best = 0.0, None
with open(log) as f, open(points, "a") as out:
    for line in f:
        m = re.match(r"epoch (\d+) ([\d.]+)s", line)
        if m:
            epoch, seconds = int(m.group(1)), seconds + float(m.group(2))
            continue
        m = re.match(r"\s+valid \(([\d.e-]+), ([\d.e-]+)\) test \(([\d.e-]+), ([\d.e-]+)\)", line)
        if m:
            valid, test = float(m.group(1)), float(m.group(3))
            if best is None or valid > best[0]:
                best = (valid, test, epoch)
            out.write(json.dumps({"tool": "SASRec.pytorch (BCE, 1 negative)", "train_seconds": round(seconds, 2),
                                  "epochs": epoch, "best_epoch": best[2], "valid_ndcg10": best[0],
                                  "test_ndcg10": best[1]}) + "\n")
EOF
  fi
fi

[ -z "$SEEDS" ] || : >"$OUT/tilt-runs.jsonl"
for loss in $LOSSES; do
  IFS=: read -r kind negatives k <<<"$loss"
  args=(--loss "$kind")
  label="Tiltbench full softmax"
  if [ -n "${TILT_PRECISION:-}" ]; then args+=(--precision "$TILT_PRECISION"); fi
  if [ "$kind" = sampled ]; then
    args+=(--negatives "$negatives")
    label="Tiltbench sampled softmax, $negatives"
    if [ -n "${k:-}" ]; then args+=(--num-negatives "$k"); label="$label $k"; fi
  fi
  if [ -n "${TILT_PRECISION:-}" ]; then label="$label, $TILT_PRECISION"; fi
  for epochs in $TILT_EPOCHS; do
    for seed in ${SEEDS:-default}; do
      tag="$loss${TILT_PRECISION:+-$TILT_PRECISION}-$epochs"
      seed_args=()
      run_label="$label"
      if [ "$seed" != default ]; then
        tag="$tag-seed$seed"; seed_args=(--seed "$seed"); run_label="$label, seed $seed"
      fi
      echo "Tiltbench $loss: $epochs epochs${seed_args[*]:+, seed $seed}" >&2
      "$CLI" train -w "$WS" -d "$DATASET" -m sasrec --scheme uniform --epochs "$epochs" --patience 0 \
        --bootstrap 0 --threads "$THREADS" --device cpu "${args[@]}" "${seed_args[@]}" --json \
        >"$OUT/tilt-$tag.json" 2>"$OUT/tilt-$tag.err"
      "$PY" - "$OUT/tilt-$tag.json" "$POINTS" "$run_label" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
seconds = sum(e["train_seconds"] for e in r["epochs"])
with open(sys.argv[2], "a") as out:
    out.write(json.dumps({"tool": sys.argv[3], "train_seconds": round(seconds, 2), "epochs": len(r["epochs"]),
                          "best_epoch": r["best_epoch"], "valid_ndcg10": r["metrics"]["valid"]["ndcg@10"],
                          "test_ndcg10": r["metrics"]["test"]["ndcg@10"]}) + "\n")
EOF
      if [ "$seed" != default ]; then
        "$PY" -c 'import json, sys; print(json.dumps({"label": sys.argv[1], "epochs": int(sys.argv[2]),
              "seed": int(sys.argv[3]), "json": sys.argv[4]}))' "$label" "$epochs" "$seed" "$OUT/tilt-$tag.json" \
          >>"$OUT/tilt-runs.jsonl"
      fi
    done
  done
done

# The plot (SVG, no plotting library needed) and the table.
"$PY" - "$POINTS" "$OUT/equal_time.svg" "$DATASET" <<'EOF'
import json, sys
points = [json.loads(l) for l in open(sys.argv[1])]
tools = []
for p in points:
    if p["tool"] not in tools:
        tools.append(p["tool"])
W, H, L, R, T, B = 760, 420, 70, 250, 40, 50
xmax = max(p["train_seconds"] for p in points) * 1.05
ymax = max(p["test_ndcg10"] for p in points) * 1.15
sx = lambda x: L + (W - L - R) * x / xmax
sy = lambda y: H - B - (H - T - B) * y / ymax
colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf"]
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{L}" y="22" font-size="14">{sys.argv[3]}: test NDCG@10 against training seconds (checkpoint chosen on validation)</text>',
       f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="black"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>',
       f'<text x="{(L+W-R)/2}" y="{H-12}" text-anchor="middle">training seconds</text>',
       f'<text x="16" y="{(T+H-B)/2}" transform="rotate(-90 16 {(T+H-B)/2})" text-anchor="middle">test NDCG@10</text>']
for k in range(6):
    x, y = xmax * k / 5 / 1.05, ymax * k / 5 / 1.15
    svg.append(f'<text x="{sx(x):.1f}" y="{H-B+16}" text-anchor="middle">{x:.0f}</text>')
    svg.append(f'<text x="{L-6}" y="{sy(y)+4:.1f}" text-anchor="end">{y:.3f}</text>')
for n, tool in enumerate(tools):
    c = colours[n % len(colours)]
    pts = sorted((p["train_seconds"], p["test_ndcg10"]) for p in points if p["tool"] == tool)
    svg.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' %
               (c, " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)))
    svg += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{c}"/>' for x, y in pts]
    svg.append(f'<line x1="{W-R+15}" y1="{T+20*n}" x2="{W-R+35}" y2="{T+20*n}" stroke="{c}" stroke-width="2"/>')
    svg.append(f'<text x="{W-R+40}" y="{T+20*n+4}">{tool}</text>')
svg.append("</svg>")
open(sys.argv[2], "w").write("\n".join(svg) + "\n")
print(f"| tool | epochs | training s | best epoch (valid) | test NDCG@10 |")
print("|---|---|---|---|---|")
for p in points:
    print(f'| {p["tool"]} | {p["epochs"]} | {p["train_seconds"]:.1f} | {p["best_epoch"]} | {p["test_ndcg10"]:.4f} |')
EOF
echo "points: $POINTS; plot: $OUT/equal_time.svg" >&2
if [ -n "$SEEDS" ]; then
  "$PY" "$REPO/bench/equal_time_paired.py" "$WS" "$DATASET" "$REF_USERS" "$OUT" | tee "$OUT/paired.md"
  echo "paired: $OUT/paired.jsonl, $OUT/paired.md" >&2
fi
