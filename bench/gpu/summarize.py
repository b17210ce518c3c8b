#!/usr/bin/env python3
"""Summary of bench/gpu/gpu_check.sh: reads its meta.tsv and the train JSON / progress files in OUT, writes
OUT/summary.json and OUT/summary.md, and prints the Markdown. Standard library only; tolerant of missing or
partial files (a run cut short by its time limit still shows the epochs it finished).

CUDA vs CPU "within noise": the two runs differ in their random numbers (CUDA dropout masks, kernel order), so
equal metrics are not expected. A metric counts as within noise when the two values differ by no more than the
larger half-width of their 95 % bootstrap intervals over users (train --json "intervals"); without intervals,
by no more than 0.005 + 10 % of the larger value.
"""
import argparse
import json
import os
import statistics
import sys


def read_meta(path):
    meta, steps = {}, []
    if not os.path.exists(path):
        return meta, steps
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "step" and len(parts) >= 4:
                steps.append({"step": parts[1], "status": parts[2], "seconds": _num(parts[3])})
            elif len(parts) >= 2:
                meta[parts[0]] = parts[1]
    return meta, steps


def _num(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        try:
            return float(v)
        except (TypeError, ValueError):
            return None


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # Anything printed before the object (there should be nothing on stdout but the object).
        start = text.find("{")
        try:
            return json.loads(text[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            return None


def read_progress(path):
    epochs, finished = [], None
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    e = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if e.get("event") == "epoch":
                    epochs.append(e)
                elif e.get("event") == "finished":
                    finished = e
    except OSError:
        pass
    return epochs, finished


def device_report(out, dev):
    """What one device's run shows: from its train JSON when complete, else from its progress file."""
    train = read_json(os.path.join(out, "train_%s.json" % dev))
    prog_epochs, finished = read_progress(os.path.join(out, "progress_%s.jsonl" % dev))
    if train is None and not prog_epochs and finished is None:
        return None
    r = {"complete": bool(train) and "metrics" in train}
    if train and train.get("error"):
        r["error"] = train["error"]
    epochs = (train or {}).get("epochs") or prog_epochs
    r["epochs"] = [
        {k: e.get(k) for k in ("epoch", "train_loss", "valid_ndcg@10", "train_seconds", "seconds")} for e in epochs
    ]
    r["epochs_done"] = len(epochs)
    train_s = [e.get("train_seconds") for e in epochs if isinstance(e.get("train_seconds"), (int, float))]
    total_s = [e.get("seconds") for e in epochs if isinstance(e.get("seconds"), (int, float))]
    # Epoch 1 carries the warm-up (CUDA context, cuBLAS handles, allocator); leave it out when there is more.
    steady = train_s[1:] if len(train_s) > 1 else train_s
    steady_total = total_s[1:] if len(total_s) > 1 else total_s
    r["epoch_train_seconds_median"] = statistics.median(steady) if steady else None
    r["epoch_seconds_median"] = statistics.median(steady_total) if steady_total else None
    r["first_epoch_train_seconds"] = train_s[0] if train_s else None
    if train and "metrics" in train:
        r["device"] = train.get("device")
        r["precision"] = train.get("precision") or (train.get("config") or {}).get("precision")
        r["run_seconds"] = train.get("seconds")
        r["best_epoch"] = train.get("best_epoch")
        r["training_positions"] = train.get("training_positions")
        metrics = train.get("metrics") or {}
        intervals = train.get("intervals") or {}
        for split in ("valid", "test"):
            for m in ("ndcg@10", "hr@10"):
                r["%s_%s" % (split, m)] = (metrics.get(split) or {}).get(m)
                iv = (intervals.get(split) or {}).get(m)
                r["%s_%s_ci" % (split, m)] = iv if isinstance(iv, list) and len(iv) == 2 else None
        cfg = train.get("config") or {}
        r["config"] = {k: cfg.get(k) for k in ("epochs", "batch_size", "dim", "blocks", "heads", "max_len",
                                               "dropout", "lr", "seed", "threads_requested", "device_requested",
                                               "precision")}
    if finished is not None:
        r["finished"] = finished.get("status")
        if finished.get("error") and not r.get("error"):
            r["error"] = finished.get("error")
    return r


def within_noise(a, b, ci_a, ci_b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return None, None
    halves = [(ci[1] - ci[0]) / 2 for ci in (ci_a, ci_b) if ci]
    tol = max(halves) if halves else 0.005 + 0.1 * max(abs(a), abs(b))
    return abs(a - b) <= tol, tol


def fmt(v, digits=4):
    if v is None:
        return "–"
    if isinstance(v, float):
        return "%.*f" % (digits, v)
    return str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meta", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    meta, steps = read_meta(args.meta)
    runtime = read_json(meta.get("runtime_json", "")) if meta.get("runtime_json") else None
    s = {
        "status": meta.get("status"),
        "failed_step": meta.get("failed_step") or None,
        "total_seconds": _num(meta.get("total_seconds")),
        "budget_seconds": _num(meta.get("budget_seconds")),
        "host": {k: meta.get(k) for k in ("host", "os", "cores", "memory", "gpu", "compiler", "cmake", "nvcc")},
        "torch": {
            "python": meta.get("python"),
            "torch_python_version": meta.get("torch_python"),
            "torch_cuda": meta.get("torch_cuda"),
            "torch_cuda_available": meta.get("torch_cuda_available"),
            "torch_device": meta.get("torch_device"),
            "cxx11_abi": meta.get("torch_cxx11_abi"),
            "cmake_torch_dir": meta.get("cmake_torch"),
        },
        "cli_runtime": runtime,
        "build_seconds": _num(meta.get("build_seconds")),
        "build_jobs": _num(meta.get("build_jobs")),
        "epochs": _num(meta.get("epochs")),
        "threads": _num(meta.get("threads")),
        "steps": steps,
        "runs": {},
    }
    for dev in ("cuda", "cpu", "cuda_sampled", "cuda_hstu", "cuda_bf16_all", "cuda_dp2"):
        r = device_report(args.out, dev)
        if r is not None:
            s["runs"][dev] = r
    cuda, cpu = s["runs"].get("cuda"), s["runs"].get("cpu")
    if cuda and cpu:
        cmp = {}
        for key in ("valid_ndcg@10", "test_ndcg@10", "valid_hr@10", "test_hr@10"):
            ok, tol = within_noise(cuda.get(key), cpu.get(key), cuda.get(key + "_ci"), cpu.get(key + "_ci"))
            cmp[key] = {"cuda": cuda.get(key), "cpu": cpu.get(key), "tolerance": tol, "within_noise": ok}
        a, b = cuda.get("epoch_train_seconds_median"), cpu.get("epoch_train_seconds_median")
        cmp["train_speedup_cpu_over_cuda"] = (b / a) if a and b else None
        s["comparison"] = cmp

    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(s, f, indent=2, sort_keys=True)

    md = ["# Tiltbench GPU check", ""]
    md.append("Status: **%s**%s; %s s of a %s s budget." % (
        s["status"], " (failed at %s)" % s["failed_step"] if s["failed_step"] else "",
        fmt(s["total_seconds"]), fmt(s["budget_seconds"])))
    md.append("")
    h, t = s["host"], s["torch"]
    md.append("- Host: %s; %s; %s cores; %s" % (h["host"], h["os"], h["cores"], h["memory"]))
    md.append("- GPU: %s" % (h["gpu"] or "–"))
    md.append("- Compiler: %s; %s; nvcc %s" % (h["compiler"], h["cmake"], h["nvcc"] or "–"))
    md.append("- PyTorch (python): %s, CUDA %s, cuda available %s, device %s, _GLIBCXX_USE_CXX11_ABI=%s" % (
        t["torch_python_version"] or "–", t["torch_cuda"] or "–", t["torch_cuda_available"] or "–",
        t["torch_device"] or "–", t["cxx11_abi"] or "–"))
    md.append("- LibTorch CMake config: %s" % (t["cmake_torch_dir"] or "–"))
    if runtime:
        md.append("- tiltbench-cli runtime: LibTorch %s, cuda_available %s, %s CUDA device(s), %s threads" % (
            runtime.get("torch_version"), runtime.get("cuda_available"), runtime.get("cuda_devices"),
            runtime.get("threads")))
    md.append("- Build of tiltbench-cli (core + CLI, Release): %s s with %s jobs" % (
        fmt(s["build_seconds"]), fmt(s["build_jobs"])))
    md.append("")
    md.append("## Steps")
    md.append("")
    md.append("| step | status | seconds |")
    md.append("|---|---|---|")
    for st in steps:
        md.append("| %s | %s | %s |" % (st["step"], st["status"], fmt(st["seconds"])))
    md.append("")
    md.append("## SASRec on MovieLens 100K (%s epochs, %s threads, seed 42, default architecture)" % (
        fmt(s["epochs"]), fmt(s["threads"])))
    md.append("")
    if s["runs"]:
        md.append("| | " + " | ".join(s["runs"].keys()) + " |")
        md.append("|---|" + "---|" * len(s["runs"]))
        rows = [
            ("device", "device", 0), ("precision (output layer)", "precision", 0), ("epochs done", "epochs_done", 0), ("complete", "complete", 0),
            ("epoch 1 train s", "first_epoch_train_seconds", 2),
            ("median epoch train s (2..)", "epoch_train_seconds_median", 2),
            ("median epoch s incl. validation (2..)", "epoch_seconds_median", 2),
            ("whole run s", "run_seconds", 1), ("best epoch", "best_epoch", 0),
            ("valid NDCG@10", "valid_ndcg@10", 4), ("valid NDCG@10 95% CI", "valid_ndcg@10_ci", 4),
            ("test NDCG@10", "test_ndcg@10", 4), ("test NDCG@10 95% CI", "test_ndcg@10_ci", 4),
            ("valid HR@10", "valid_hr@10", 4), ("test HR@10", "test_hr@10", 4),
            ("error", "error", 0),
        ]
        for label, key, digits in rows:
            vals = []
            for r in s["runs"].values():
                v = r.get(key)
                if isinstance(v, list):
                    v = "[" + ", ".join(fmt(x, digits) for x in v) + "]"
                vals.append(fmt(v, digits))
            md.append("| %s | %s |" % (label, " | ".join(vals)))
        md.append("")
        md.append("Per epoch (train loss / valid NDCG@10 / train s):")
        md.append("")
        for dev, r in s["runs"].items():
            md.append("- %s: %s" % (dev, "; ".join(
                "%s: %s / %s / %s" % (e.get("epoch"), fmt(e.get("train_loss")), fmt(e.get("valid_ndcg@10")),
                                      fmt(e.get("train_seconds"), 2)) for e in r["epochs"]) or "–"))
    else:
        md.append("No training run produced output.")
    if "comparison" in s:
        c = s["comparison"]
        md.append("")
        md.append("## CUDA vs CPU")
        md.append("")
        for key in ("valid_ndcg@10", "test_ndcg@10", "valid_hr@10", "test_hr@10"):
            e = c[key]
            md.append("- %s: cuda %s, cpu %s, |diff| tolerance %s: %s" % (
                key, fmt(e["cuda"]), fmt(e["cpu"]), fmt(e["tolerance"]),
                {True: "within noise", False: "NOT within noise", None: "–"}[e["within_noise"]]))
        md.append("- training-pass speed-up (CPU median epoch / CUDA median epoch): %s" % fmt(
            c["train_speedup_cpu_over_cuda"], 1))
    text = "\n".join(md) + "\n"
    with open(os.path.join(args.out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
