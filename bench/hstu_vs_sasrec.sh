#!/usr/bin/env bash
# Issue 18, item 2: HSTU against SASRec on the same data, 3 seeds, paired.
#
#   bench/hstu_vs_sasrec.sh WORKSPACE DATASET
#
# Trains `sweep -m sasrec` and `sweep -m hstu` (--schemes uniform --seeds $SEEDS, patience 0, checkpoint chosen on
# validation NDCG@10 after every epoch) for SASREC_EPOCHS and HSTU_EPOCHS epochs (default EPOCHS for both), then
# pairs the runs of each seed user by user on their stored per-user test NDCG@10 and bootstraps
# R = mean(hstu) / mean(sasrec) - 1 over seeds and users (two levels, 2000 resamples). It reports each backbone's
# mean training seconds per epoch and in total, so that an equal-wall-time comparison is read off by choosing
# the epochs: HSTU_EPOCHS = SASREC_EPOCHS x (SASRec s/epoch) / (HSTU s/epoch). Verdict on the interval: "hstu
# better", "sasrec better" or "not established". Results: $OUT/runs.jsonl (one line per finished run),
# $OUT/verdict.json.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WS="${1:?usage: bench/hstu_vs_sasrec.sh WORKSPACE DATASET}"
DATASET="${2:?dataset name}"
CLI="${CLI:-$REPO/build/release/app/cli/tiltbench-cli}"
[ -x "$CLI" ] || CLI="$REPO/build/dev/app/cli/tiltbench-cli"
SEEDS="${SEEDS:-1,2,3}"
EPOCHS="${EPOCHS:-20}"
SASREC_EPOCHS="${SASREC_EPOCHS:-$EPOCHS}"
HSTU_EPOCHS="${HSTU_EPOCHS:-$EPOCHS}"
THREADS="${THREADS:-$(nproc)}"
OUT="${OUT:-$REPO/bench/results/issue18-hstu-vs-sasrec/$DATASET}"
mkdir -p "$OUT"
for model in sasrec hstu; do
  epochs=$SASREC_EPOCHS; [ "$model" = hstu ] && epochs=$HSTU_EPOCHS
  echo "$model: seeds $SEEDS, $epochs epochs" >&2
  "$CLI" sweep -w "$WS" -d "$DATASET" -m "$model" --schemes uniform --seeds "$SEEDS" --epochs "$epochs" \
    --patience 0 --bootstrap 0 --threads "$THREADS" --device cpu --json >"$OUT/$model.json" 2>"$OUT/$model.err"
done
SASREC_EPOCHS=$SASREC_EPOCHS HSTU_EPOCHS=$HSTU_EPOCHS /usr/bin/python3 - "$WS" "$OUT" <<'EOF'
import json, sqlite3, sys
import numpy as np
ws, out = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
def per_user(run):
    users, values = db.execute("SELECT users, \"values\" FROM run_user_metrics WHERE run_id = ? AND split = 'test' "
                               "AND name = 'ndcg@10'", (run,)).fetchone()
    return dict(zip(np.frombuffer(users, dtype="<i4").tolist(), np.frombuffer(values, dtype="<f8").tolist()))
runs, seconds = {}, {"sasrec": [], "hstu": []}
with open(f"{out}/runs.jsonl", "w") as lines:
    for model in ("sasrec", "hstu"):
        for r in json.load(open(f"{out}/{model}.json"))["runs"]:
            runs[(model, r["seed"])] = r["run_id"]
            s = r.get("mean_epoch_seconds")  # the training pass per epoch (validation not counted)
            if s is not None:
                seconds[model].append(s)
            lines.write(json.dumps({"model": model, "seed": r["seed"], "run_id": r["run_id"],
                                    "best_epoch": r.get("best_epoch"), "mean_epoch_seconds": s,
                                    "test_ndcg10": r["metrics"]["test"]["ndcg@10"]}) + "\n")
seeds = sorted({s for _, s in runs})
users, pairs = None, []
for s in seeds:
    a, b = per_user(runs[("hstu", s)]), per_user(runs[("sasrec", s)])
    common = sorted(set(a) & set(b))
    users = common if users is None else sorted(set(users) & set(common))
    pairs.append((a, b))
A = np.array([[a[u] for u in users] for a, _ in pairs])
B = np.array([[b[u] for u in users] for _, b in pairs])
R = A.mean() / B.mean() - 1
rng = np.random.default_rng(1)
boot = []
for _ in range(2000):
    si = rng.integers(0, len(seeds), len(seeds)); ui = rng.integers(0, len(users), len(users))
    boot.append(A[np.ix_(si, ui)].mean() / B[np.ix_(si, ui)].mean() - 1)
lo, hi = np.percentile(boot, [2.5, 97.5])
verdict = "hstu better" if lo > 0 else "sasrec better" if hi < 0 else "not established"
spe = {m: (float(np.mean(v)) if v else None) for m, v in seconds.items()}
import os
ep = {"sasrec": int(os.environ["SASREC_EPOCHS"]), "hstu": int(os.environ["HSTU_EPOCHS"])}
tot = {m: (spe[m] or 0.0) * ep[m] for m in spe}
per_seed = [f"seed {s}: sasrec {B[k].mean():.4f}, hstu {A[k].mean():.4f}" for k, s in enumerate(seeds)]
json.dump({"seeds": seeds, "users": len(users), "sasrec_mean": B.mean(), "hstu_mean": A.mean(), "relative": R,
           "relative_ci95": [lo, hi], "verdict": verdict, "train_seconds_per_epoch": spe,
           "train_seconds_per_run": tot, "per_seed": per_seed}, open(f"{out}/verdict.json", "w"), indent=1)
fmt = lambda x: "?" if x is None else f"{x:.2f}"
print(f"| {len(seeds)} seeds, {len(users)} users | sasrec {B.mean():.4f} ({fmt(spe['sasrec'])} s/epoch, "
      f"{tot['sasrec']:.0f} s/run) | hstu {A.mean():.4f} ({fmt(spe['hstu'])} s/epoch, {tot['hstu']:.0f} s/run) | "
      f"{100 * R:+.1f} % [{100 * lo:+.1f}, {100 * hi:+.1f}] | {verdict} |")
for line in per_seed:
    print("  " + line)
EOF
