#!/usr/bin/env bash
# Issue 18, item 1's quality goal: the sampled softmax's test NDCG@10 (mean over seeds) at most 2 % below
# Tiltbench's own full softmax at equal epochs, with a paired 95 % interval.
#
#   bench/sampled_vs_full.sh WORKSPACE DATASET [NEGATIVES[:K]]
#
# Trains `sweep -m sasrec --schemes uniform --seeds $SEEDS` once with --loss full and once with --loss sampled
# (--negatives NEGATIVES, default in-batch; K = --num-negatives), EPOCHS epochs each with patience 0 (checkpoint
# chosen on validation NDCG@10), then pairs the two runs of each seed user by user on their stored per-user test
# NDCG@10 and bootstraps R = mean(sampled) / mean(full) - 1 over seeds and users (two levels, 2000 resamples).
# Verdict: "within 2 %" when the interval's lower end is >= -2 %, "more than 2 % below" when its upper end is
# below -2 %, else "not established". Results: $OUT/runs.jsonl (one line per finished run) and the verdict.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WS="${1:?usage: bench/sampled_vs_full.sh WORKSPACE DATASET [NEGATIVES[:K]]}"
DATASET="${2:?dataset name}"
IFS=: read -r NEGATIVES K <<<"${3:-in-batch}"
CLI="${CLI:-$REPO/build/release/app/cli/tiltbench-cli}"
[ -x "$CLI" ] || CLI="$REPO/build/dev/app/cli/tiltbench-cli"
SEEDS="${SEEDS:-1,2,3}"
EPOCHS="${EPOCHS:-20}"
THREADS="${THREADS:-$(nproc)}"
OUT="${OUT:-$REPO/bench/results/issue18-sampled-vs-full/$DATASET-$NEGATIVES}"
mkdir -p "$OUT"
common=(sweep -w "$WS" -d "$DATASET" -m sasrec --schemes uniform --seeds "$SEEDS" --epochs "$EPOCHS" --patience 0
        --bootstrap 0 --threads "$THREADS" --device cpu --json)
sampled=(--loss sampled --negatives "$NEGATIVES")
[ -n "${K:-}" ] && sampled+=(--num-negatives "$K")
echo "full softmax: seeds $SEEDS, $EPOCHS epochs" >&2
"$CLI" "${common[@]}" --loss full >"$OUT/full.json" 2>"$OUT/full.err"
echo "sampled softmax (${NEGATIVES}${K:+ $K}): seeds $SEEDS, $EPOCHS epochs" >&2
"$CLI" "${common[@]}" "${sampled[@]}" >"$OUT/sampled.json" 2>"$OUT/sampled.err"
/usr/bin/python3 - "$WS" "$OUT" <<'EOF'
import json, sqlite3, struct, sys
import numpy as np
ws, out = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
def per_user(run):
    users, values = db.execute("SELECT users, \"values\" FROM run_user_metrics WHERE run_id = ? AND split = 'test' "
                               "AND name = 'ndcg@10'", (run,)).fetchone()
    u = np.frombuffer(users, dtype="<i4"); v = np.frombuffer(values, dtype="<f8")
    return dict(zip(u.tolist(), v.tolist()))
runs = {}
with open(f"{out}/runs.jsonl", "w") as lines:
    for loss in ("full", "sampled"):
        for r in json.load(open(f"{out}/{loss}.json"))["runs"]:
            runs[(loss, r["seed"])] = r["run_id"]
            lines.write(json.dumps({"loss": loss, "seed": r["seed"], "run_id": r["run_id"],
                                    "best_epoch": r.get("best_epoch"),
                                    "mean_epoch_seconds": r.get("mean_epoch_seconds"),
                                    "test_ndcg10": r["metrics"]["test"]["ndcg@10"]}) + "\n")
seeds = sorted({s for _, s in runs})
users = None
pairs = []
for s in seeds:
    a, b = per_user(runs[("sampled", s)]), per_user(runs[("full", s)])
    common = sorted(set(a) & set(b))
    users = common if users is None else sorted(set(users) & set(common))
    pairs.append((a, b))
A = np.array([[a[u] for u in users] for a, _ in pairs])  # seeds x users
B = np.array([[b[u] for u in users] for _, b in pairs])
R = A.mean() / B.mean() - 1
rng = np.random.default_rng(1)
boot = []
for _ in range(2000):
    si = rng.integers(0, len(seeds), len(seeds)); ui = rng.integers(0, len(users), len(users))
    a, b = A[np.ix_(si, ui)].mean(), B[np.ix_(si, ui)].mean()
    boot.append(a / b - 1)
lo, hi = np.percentile(boot, [2.5, 97.5])
verdict = ("within 2 %" if lo >= -0.02 else "more than 2 % below" if hi < -0.02 else "not established")
per_seed = [f"seed {s}: full {B[k].mean():.4f}, sampled {A[k].mean():.4f}" for k, s in enumerate(seeds)]
result = {"seeds": seeds, "users": len(users), "full_mean": B.mean(), "sampled_mean": A.mean(), "relative": R,
          "relative_ci95": [lo, hi], "verdict": verdict, "per_seed": per_seed}
json.dump(result, open(f"{out}/verdict.json", "w"), indent=1)
print(f"| {len(seeds)} seeds, {len(users)} users | full {B.mean():.4f} | sampled {A.mean():.4f} | "
      f"{100 * R:+.1f} % [{100 * lo:+.1f}, {100 * hi:+.1f}] | {verdict} |")
for line in per_seed:
    print("  " + line)
EOF
