#!/usr/bin/env python3
"""The per-configuration summary of `tiltbench-cli sweep --seeds … --json` as a Markdown table: mean over seeds
and the paired difference against the SFT baseline of the same seed (uniform / λ = ∞ post-training run) with its
95 % two-level bootstrap interval; `*` marks a difference whose interval excludes 0 and whose seeds agree in sign.

    python3 bench/sweep_summary_table.py sweep.json [--metrics ndcg@10,ndcg_high@10,...]
"""
import argparse
import json


def name(row):
    if row["scheme"] == "exp":
        return "exp λ = " + ("∞" if row["lambda"] == "inf" else row["lambda"])
    if row["scheme"] == "linear":
        return f"linear ε = {row['weighting'].get('epsilon'):g}"
    return row["scheme"]


def cell(c, digits):
    if c is None or c.get("mean") is None:
        return "–"
    text = f"{c['mean']:.{digits}f}"
    if c.get("diff") is not None:
        mark = "*" if c.get("verdict") in ("higher", "lower") else ""
        text += f" ({c['diff']:+.{digits}f} [{c['lo']:+.{digits}f}, {c['hi']:+.{digits}f}]{mark})"
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sweep")
    ap.add_argument("--metrics", default="ndcg@10,ndcg_high@10,item_mean_reward@10,true_reward@10,arp@10")
    args = ap.parse_args()
    j = json.load(open(args.sweep))
    metrics = [m for m in args.metrics.split(",")
               if any(m in r["metrics"] for r in j["summary"]["rows"])]
    print(f"Dataset `{j['dataset']}`, {len(j['runs'])} of {j['planned']} runs"
          + (" (stopped early)" if j["stopped"] else "") + "; " + j["summary"]["interval"] + ".")
    print()
    print("| configuration | seeds | " + " | ".join(metrics) + " |")
    print("|---|---:|" + "---|" * len(metrics))
    for row in j["summary"]["rows"]:
        cells = [cell(row["metrics"].get(m), 1 if m.startswith("arp") else 4) for m in metrics]
        print(f"| {name(row)} | {len(row['seeds'])} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
