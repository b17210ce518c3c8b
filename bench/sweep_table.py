#!/usr/bin/env python3
"""Markdown table of a `tiltbench-cli sweep --json` result: per run λ, scheme, best epoch, mean epoch seconds
and the test metrics that show the method (NDCG@10 overall and on high-reward targets, item-mean reward, true
reward where the dataset has ground truth, ARP, coverage), each with its 95 % bootstrap interval.

    python3 bench/sweep_table.py sweep.json
"""
import json
import sys

COLUMNS = [("ndcg@10", "NDCG@10", 4), ("ndcg_high@10", "NDCG@10 high", 4), ("item_mean_reward@10", "item-mean reward", 3),
           ("true_reward@10", "true reward", 3), ("arp@10", "ARP", 0), ("coverage@10", "coverage", 3)]


def cell(metrics, intervals, key, digits):
    if key not in metrics or metrics[key] is None:
        return "–"
    v = metrics[key]
    ci = intervals.get(key)
    if ci and ci[0] is not None:
        return f"{v:.{digits}f} [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"
    return f"{v:.{digits}f}"


def main(path):
    d = json.load(open(path))
    cols = [c for c in COLUMNS if any(c[0] in r["metrics"]["test"] for r in d["runs"])]
    print(f"Dataset `{d['dataset']}`, model `{d['model']}`, {len(d['runs'])} of {d['planned']} runs"
          f"{' (stopped early)' if d.get('stopped') else ''}; test targets, 95 % bootstrap intervals.\n")
    print("| run | scheme | λ | best epoch | s/epoch | " + " | ".join(c[1] for c in cols) + " |")
    print("|---:|---|---:|---:|---:|" + "---:|" * len(cols))
    for r in d["runs"]:
        lam = r.get("lambda")
        lam = "–" if r["scheme"] != "exp" else ("∞" if lam in (None, "inf") else f"{float(lam):g}")
        m, iv = r["metrics"]["test"], r.get("intervals", {}).get("test", {})
        eps = r.get("mean_epoch_seconds")
        eps = f"{eps:.2f}" if isinstance(eps, (int, float)) else "–"
        print(f"| {r['run_id']} | {r['scheme']} | {lam} | {r.get('best_epoch', '–')} | {eps} | "
              + " | ".join(cell(m, iv, c[0], c[2]) for c in cols) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
