#!/usr/bin/python3
"""Pairs the two arms of bench/paired_sweeps.sh (OUT/A.json, OUT/B.json) user by user; see that script."""
import json
import os
import sqlite3
import sys

import numpy as np


def paired_relative(A, B, draws=2000):
    """mean(B) / mean(A) - 1 of two [seeds x users] arrays paired cell by cell, with a 95 % percentile interval
    from a bootstrap that resamples seeds and users (the same rows and columns for both arms)."""
    rng = np.random.default_rng(1)
    boot = []
    for _ in range(draws):
        si = rng.integers(0, A.shape[0], A.shape[0])
        ui = rng.integers(0, A.shape[1], A.shape[1])
        boot.append(B[np.ix_(si, ui)].mean() / A[np.ix_(si, ui)].mean() - 1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return B.mean() / A.mean() - 1, lo, hi


def main():
    ws, out = sys.argv[1], sys.argv[2]
    names = {"A": os.environ["A_NAME"], "B": os.environ["B_NAME"]}
    epochs = {"A": int(os.environ["A_EPOCHS"]), "B": int(os.environ["B_EPOCHS"])}
    bound = float(os.environ["BOUND"]) if os.environ.get("BOUND") else None
    db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)

    def per_user(run):
        users, values = db.execute("SELECT users, \"values\" FROM run_user_metrics WHERE run_id = ? AND "
                                   "split = 'test' AND name = 'ndcg@10'", (run,)).fetchone()
        return dict(zip(np.frombuffer(users, dtype="<i4").tolist(), np.frombuffer(values, dtype="<f8").tolist()))

    runs, seconds = {}, {"A": [], "B": []}
    with open(f"{out}/runs.jsonl", "w") as lines:
        for arm in ("A", "B"):
            for r in json.load(open(f"{out}/{arm}.json"))["runs"]:
                runs[(arm, r["seed"])] = r["run_id"]
                s = r.get("mean_epoch_seconds")  # the training pass per epoch (validation not counted)
                if s is not None:
                    seconds[arm].append(s)
                lines.write(json.dumps({"arm": names[arm], "seed": r["seed"], "run_id": r["run_id"],
                                        "best_epoch": r.get("best_epoch"), "mean_epoch_seconds": s,
                                        "test_ndcg10": r["metrics"]["test"]["ndcg@10"]}) + "\n")
    seeds = sorted({s for _, s in runs})
    users, pairs = None, []
    for s in seeds:
        b, a = per_user(runs[("B", s)]), per_user(runs[("A", s)])
        common = sorted(set(a) & set(b))
        users = common if users is None else sorted(set(users) & set(common))
        pairs.append((b, a))
    B = np.array([[b[u] for u in users] for b, _ in pairs])
    A = np.array([[a[u] for u in users] for _, a in pairs])
    R, lo, hi = paired_relative(A, B)
    verdict = f"{names['B']} better" if lo > 0 else f"{names['A']} better" if hi < 0 else "not established"
    spe = {arm: (float(np.mean(v)) if v else None) for arm, v in seconds.items()}
    tot = {arm: (spe[arm] or 0.0) * epochs[arm] for arm in spe}
    per_seed = [f"seed {s}: {names['A']} {A[k].mean():.4f}, {names['B']} {B[k].mean():.4f}"
                for k, s in enumerate(seeds)]
    result = {"seeds": seeds, "users": len(users), "arms": names, "epochs": epochs,
              "mean": {names["A"]: A.mean(), names["B"]: B.mean()}, "relative_b_over_a": R,
              "relative_ci95": [lo, hi], "verdict": verdict,
              "train_seconds_per_epoch": {names[k]: v for k, v in spe.items()},
              "train_seconds_per_run": {names[k]: v for k, v in tot.items()}, "per_seed": per_seed}
    bound_text = ""
    if bound is not None:
        result["bound"] = bound
        result["bound_verdict"] = ("established" if lo >= bound else "refuted" if hi < bound else "not established")
        bound_text = f" | R >= {100 * bound:+.1f} %: {result['bound_verdict']}"
    json.dump(result, open(f"{out}/verdict.json", "w"), indent=1)
    fmt = lambda x: "?" if x is None else f"{x:.2f}"
    print(f"| {len(seeds)} seeds, {len(users)} users | {names['A']} {A.mean():.4f} ({fmt(spe['A'])} s/epoch, "
          f"{tot['A']:.0f} s/run) | {names['B']} {B.mean():.4f} ({fmt(spe['B'])} s/epoch, {tot['B']:.0f} s/run) | "
          f"{100 * R:+.1f} % [{100 * lo:+.1f}, {100 * hi:+.1f}] | {verdict}{bound_text} |")
    for line in per_seed:
        print("  " + line)


if __name__ == "__main__":
    main()
