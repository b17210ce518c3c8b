#!/usr/bin/python3
"""bench/equal_time.sh's paired mode (SEEDS=...): Tiltbench against SASRec.pytorch at equal wall time, user by user.

  equal_time_paired.py WORKSPACE DATASET REF_USERS OUT

For every Tiltbench configuration (a line of OUT/tilt-runs.jsonl: label, epochs, seed, the train --json file)
and every seed run by both tools: T = the Tiltbench run's summed training-pass seconds; the reference's
checkpoint is its evaluation with the best validation NDCG@10 among those made within T training seconds of
the same seed's run (OUT/ref-seed<S>.jsonl, written by bench/ref_seeded.py). Users are matched by their id in
the input log (REF_USERS: one "reference-id external-id" line per user; Tiltbench's from the workspace), test
NDCG@10 paired user by user and seed by seed: R = mean(Tiltbench) / mean(reference) - 1 with a 95 % bootstrap
interval over seeds and users (bench/paired_ndcg.py's). Verdicts: "Tiltbench ahead" (lower end > 0), "at least
the reference's within BOUND" (lower end >= BOUND, default -2 %), "reference ahead" (upper end < 0), otherwise
"not established". One JSON line per configuration in OUT/paired.jsonl; a markdown table on stdout.
"""
import json
import os
import sqlite3
import sys

import numpy as np

from paired_ndcg import paired_relative


def main():
    ws, dataset, ref_users, out = sys.argv[1:5]
    bound = float(os.environ.get("BOUND", "-0.02"))
    db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
    (dataset_id,) = db.execute("SELECT id FROM datasets WHERE name = ?", (dataset,)).fetchone()
    tilt_external = dict(db.execute("SELECT idx, external_id FROM users WHERE dataset_id = ?", (dataset_id,)))
    ref_external = {}
    with open(ref_users) as f:
        for line in f:
            ref_id, external = line.rstrip("\n").split(" ", 1)
            ref_external[int(ref_id)] = external

    def tilt_per_user(run_id):
        row = db.execute("SELECT users, \"values\" FROM run_user_metrics WHERE run_id = ? AND split = 'test' AND "
                         "name = 'ndcg@10'", (run_id,)).fetchone()
        if row is None:
            sys.exit(f"run {run_id}: no per-user test ndcg@10 in {ws}")
        users = np.frombuffer(row[0], dtype="<i4").tolist()
        return {tilt_external[u]: v for u, v in zip(users, np.frombuffer(row[1], dtype="<f8").tolist())}

    ref_evals = {}
    for name in os.listdir(out):
        if name.startswith("ref-seed") and name.endswith(".jsonl"):
            for line in open(os.path.join(out, name)):
                e = json.loads(line)
                ref_evals.setdefault(e["seed"], []).append(e)

    configs = {}
    for line in open(os.path.join(out, "tilt-runs.jsonl")):
        r = json.loads(line)
        configs.setdefault((r["label"], r["epochs"]), []).append(r)

    print("| Tiltbench configuration | seeds | training s (Tiltbench; reference's checkpoint within it) | "
          "Tiltbench test NDCG@10 | reference (epoch chosen on validation) | Tiltbench / reference − 1 [95 %] | "
          "verdict |")
    print("|---|---:|---|---:|---:|---:|---|")
    with open(os.path.join(out, "paired.jsonl"), "w") as lines:
        for (label, epochs), runs in configs.items():
            tilt, ref, seeds, seconds, ref_epochs, skipped, short = [], [], [], [], [], [], []
            for r in sorted(runs, key=lambda r: r["seed"]):
                result = json.load(open(r["json"]))
                t = sum(e["train_seconds"] for e in result["epochs"])
                within = [e for e in ref_evals.get(r["seed"], []) if e["train_seconds"] <= t]
                if not within:
                    skipped.append(r["seed"])
                    continue
                best = max(within, key=lambda e: (e["valid_ndcg10"], -e["epoch"]))
                if len(within) == len(ref_evals[r["seed"]]):  # its run ended within T: it had less time
                    short.append(r["seed"])
                seeds.append(r["seed"])
                seconds.append((t, best["train_seconds"]))
                ref_epochs.append(best["epoch"])
                tilt.append(tilt_per_user(result["run_id"]))
                ref.append({ref_external[u]: v for u, v in zip(best["users"], best["test_user_ndcg10"])})
            if not seeds:
                print(f"| {label}, {epochs} epochs | 0 | the reference has no evaluation within these seconds | "
                      f"| | | |")
                continue
            users = sorted(set.intersection(*(set(d) for d in tilt + ref)))
            A = np.array([[d[u] for u in users] for d in ref])
            B = np.array([[d[u] for u in users] for d in tilt])
            R, lo, hi = paired_relative(A, B)
            verdict = ("Tiltbench ahead" if lo > 0 else
                       f"at least the reference's within {100 * -bound:.0f} %" if lo >= bound else
                       "reference ahead" if hi < 0 else "not established")
            if short:  # not an equal-time comparison: give the reference more epochs (REF_EPOCHS)
                verdict += (f" (NOT at equal time: the reference's run of seed(s) {', '.join(map(str, short))} "
                            f"ended before Tiltbench's seconds)")
            result = {"dataset": dataset, "label": label, "epochs": epochs, "seeds": seeds, "users": len(users),
                      "skipped_seeds": skipped, "reference_ended_early": short, "train_seconds": [round(a, 1) for a, _ in seconds],
                      "reference_train_seconds": [round(b, 1) for _, b in seconds], "reference_epochs": ref_epochs,
                      "tiltbench_ndcg10": B.mean(), "reference_ndcg10": A.mean(),
                      "per_seed": [[float(B[k].mean()), float(A[k].mean())] for k in range(len(seeds))],
                      "relative": R, "relative_ci95": [lo, hi], "bound": bound, "verdict": verdict}
            lines.write(json.dumps(result) + "\n")
            secs = ", ".join(f"{a:.0f} ({b:.0f})" for a, b in seconds)
            print(f"| {label}, {epochs} epochs | {len(seeds)} | {secs} | {B.mean():.4f} | {A.mean():.4f} "
                  f"(epochs {', '.join(map(str, ref_epochs))}) | {100 * R:+.1f} % [{100 * lo:+.1f}, {100 * hi:+.1f}] "
                  f"| {verdict} |")


if __name__ == "__main__":
    main()
