#!/usr/bin/env python3
"""Issue 16's over-optimisation curves from a workspace: for every finished SASRec post-training run, its method
(objective, learning rate, reward source, weighting), seed, and per epoch on validation the proxy reward of the
top-10 (proxy_reward@10), the KL to its SFT parent (kl_ref), the true reward of the top-10 (true_reward@10, on the
simulator) and ndcg_high@10; then the best epoch's figures on test. Prints JSON on stdout and a per-method table
of the means over seeds on stderr.

    python3 bench/rlhf_curves.py WORKSPACE.sqlite > curves.json
"""
import json
import sqlite3
import sys
from collections import defaultdict


def method_of(cfg):
    obj = cfg.get("objective", "weighted")
    src = cfg.get("reward_source", "logged")
    w = cfg.get("weighting", {})
    if obj == "weighted":
        kind = w.get("scheme", "?")
        name = f"exp λ={w.get('lambda')}" if kind == "exp" else kind
        if kind == "linear":
            name += f" ε={w.get('epsilon')}"
    else:
        name = f"{obj} lr={cfg.get('lr')}"
    return name + ("" if src == "logged" else f" r̂ {src}")


def main(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    runs = []
    for rid, cfg_text in db.execute(
            "SELECT id, config FROM runs WHERE model = 'sasrec' AND status = 'done' ORDER BY id"):
        cfg = json.loads(cfg_text)
        if not cfg.get("init_from"):
            continue  # the SFT parents
        curves = defaultdict(dict)
        final = {}
        for epoch, split, name, value in db.execute(
                "SELECT epoch, split, name, value FROM run_metrics WHERE run_id = ?", (rid,)):
            if epoch >= 1 and split == "valid" and name in (
                    "proxy_reward@10", "kl_ref", "true_reward@10", "ndcg_high@10", "ndcg@10"):
                curves[name][epoch] = value
            if epoch == -1 and split == "test":
                final[name] = value
        runs.append({"run_id": rid, "method": method_of(cfg), "seed": cfg.get("seed"),
                     "curves": {k: [v[e] for e in sorted(v)] for k, v in curves.items()},
                     "test": {k: final.get(k) for k in (
                         "ndcg@10", "ndcg_high@10", "true_reward@10", "item_mean_reward@10",
                         "proxy_reward@10", "kl_ref", "arp@10", "coverage@10")}})
    json.dump(runs, sys.stdout, indent=1)
    by = defaultdict(list)
    for r in runs:
        by[r["method"]].append(r)
    cols = ["ndcg@10", "ndcg_high@10", "true_reward@10", "item_mean_reward@10", "proxy_reward@10", "kl_ref",
            "arp@10", "coverage@10"]
    print(f"{'method':34} {'n':>2} " + " ".join(f"{c[:14]:>14}" for c in cols), file=sys.stderr)
    for m, rs in by.items():
        cells = []
        for c in cols:
            vs = [r["test"][c] for r in rs if r["test"][c] is not None]
            cells.append(f"{sum(vs) / len(vs):14.4f}" if vs else f"{'-':>14}")
        print(f"{m[:34]:34} {len(rs):>2} " + " ".join(cells), file=sys.stderr)
    # Per-epoch means over seeds of the validation curves (first 15 epochs).
    print("\nper epoch (validation, mean over seeds): proxy / kl / true / ndcg_high", file=sys.stderr)
    for m, rs in by.items():
        line = []
        for e in range(15):
            def mean(k):
                vs = [r["curves"].get(k, [])[e] for r in rs if len(r["curves"].get(k, [])) > e]
                return sum(vs) / len(vs) if vs else float("nan")
            line.append(f"{e + 1}:{mean('proxy_reward@10'):.3f}/{mean('kl_ref'):.3f}/"
                        f"{mean('true_reward@10'):.3f}/{mean('ndcg_high@10'):.4f}")
        print(f"{m[:34]:34} " + " ".join(line), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
