#!/usr/bin/env python3
"""Checks a Tiltbench TorchScript export from Python, with nothing but torch: torch.jit.load it, read its
metadata, and compare its top-k (1-D histories, a batch padded with -1, string ids through recommend) with
the expected lists the C++ test computed from Tiltbench's own model. Usage: check_export.py expected.json
Exit 0 and "OK" when everything matches; otherwise the differences and exit 1."""
import json
import math
import sys

import torch

TOL = 1e-4
problems = []


def same_topk(what, ids, scores, exp_ids, exp_scores):
    if len(ids) != len(exp_ids) or len(scores) != len(exp_scores):
        problems.append(f"{what}: {len(ids)} items, expected {len(exp_ids)}")
        return
    for r, (i, s, ei, es) in enumerate(zip(ids, scores, exp_ids, exp_scores)):
        if abs(s - es) > TOL:
            problems.append(f"{what}: rank {r + 1} score {s}, expected {es}")
        tie = (r > 0 and abs(exp_scores[r - 1] - es) < TOL) or (
            r + 1 < len(exp_scores) and abs(exp_scores[r + 1] - es) < TOL)
        if i != ei and not tie:
            problems.append(f"{what}: rank {r + 1} item {i}, expected {ei}")


def main():
    with open(sys.argv[1]) as f:
        exp = json.load(f)
    extra = {"tiltbench.json": ""}
    m = torch.jit.load(exp["model"], _extra_files=extra)
    meta = json.loads(extra["tiltbench.json"])
    if m.run_id != exp["run_id"] or meta["run_id"] != exp["run_id"]:
        problems.append(f"run_id {m.run_id} / {meta['run_id']}, expected {exp['run_id']}")
    if m.dataset != exp["dataset"]:
        problems.append(f"dataset {m.dataset}, expected {exp['dataset']}")
    if len(m.item_ids) != exp["num_items"] or len(m.item_titles) != exp["num_items"]:
        problems.append("item map has the wrong size")
    if not isinstance(m.metrics, dict) or not all(isinstance(v, float) for v in m.metrics.values()):
        problems.append(f"metrics is not a Dict[str, float]: {m.metrics!r}")
    if not math.isinf(m.weight_lambda):
        problems.append(f"weight_lambda {m.weight_lambda}, expected inf (uniform weighting)")
    json.loads(m.hyperparameters)
    json.loads(m.metadata_json)

    k = exp["k"]
    with torch.no_grad():
        for n, case in enumerate(exp["cases"]):
            scores, ids = m(torch.tensor(case["history"], dtype=torch.long), k)
            same_topk(f"case {n}", ids.tolist(), scores.tolist(), case["ids"], case["scores"])
        # The same histories as one batch, right-padded with -1.
        width = max(len(c["history"]) for c in exp["cases"])
        batch = torch.full((len(exp["cases"]), width), -1, dtype=torch.long)
        for n, case in enumerate(exp["cases"]):
            batch[n, :len(case["history"])] = torch.tensor(case["history"])
        scores, ids = m(batch, k)
        for n, case in enumerate(exp["cases"]):
            same_topk(f"batch row {n}", ids[n].tolist(), scores[n].tolist(), case["ids"], case["scores"])
        # recommend() takes string ids and agrees with forward().
        case = exp["cases"][0]
        rec_ids, rec_scores = m.recommend([str(i) for i in case["history"]], k)
        same_topk("recommend", [int(i) for i in rec_ids], rec_scores, case["ids"], case["scores"])
        try:
            m(torch.tensor([exp["cases"][0]["history"][0], exp["unknown_id"]]), k)
            problems.append("an unknown item id did not raise")
        except Exception as e:  # torch.jit.Error
            if f"unknown item id {exp['unknown_id']}" not in str(e):
                problems.append(f"unknown id raised without naming it: {e}")

        s = torch.jit.load(exp["string_model"])
        sc = exp["string_case"]
        rec_ids, rec_scores = s.recommend(sc["history"], sc["k"])
        same_topk("string ids", rec_ids, rec_scores, sc["ids"], sc["scores"])
        try:
            s(torch.tensor([1, 2]), 3)
            problems.append("forward of a string-id model did not raise")
        except Exception as e:
            if "recommend(" not in str(e):
                problems.append(f"forward of a string-id model raised without pointing to recommend: {e}")

    if problems:
        print("\n".join(problems))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
