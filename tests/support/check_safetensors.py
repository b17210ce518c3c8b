#!/usr/bin/env python3
"""An independent reader of Tiltbench's safetensors exports: parses the file with nothing but json and struct
(and, where installed, also with the safetensors package), checks the layout (8-byte little-endian header
length, header padded to a multiple of 8, tensors contiguous in header order and filling the file) and
compares the tensors with the values the C++ test expects (its "names" in file order, and the values of
every tensor in "tensors"). For a markov export it also rebuilds the dense
log pi(j | i) table from the CSR arrays and ranks items as config.json describes.
Usage: check_safetensors.py expected.json. Exit 0 and "OK" when everything matches."""
import json
import math
import struct
import sys

FORMATS = {"F32": ("f", 4), "F64": ("d", 8), "I64": ("q", 8)}
problems = []


def value(v):
    if isinstance(v, str):
        return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}[v]
    return v


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 != 0:
        problems.append(f"header length {n} is not a multiple of 8")
    raw = blob[8:8 + n]
    if raw.rstrip(b" ") != raw.rstrip():
        problems.append("header padding is not spaces")
    header = json.loads(raw.decode("utf-8"))
    data = blob[8 + n:]
    meta = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        problems.append("__metadata__ is not {str: str}")
    tensors = {}
    offset = 0
    for name, info in header.items():  # header order = data order
        begin, end = info["data_offsets"]
        code, size = FORMATS[info["dtype"]]
        count = math.prod(info["shape"])
        if begin != offset:
            problems.append(f"{name}: begins at {begin}, expected {offset} (not contiguous in header order)")
        if end - begin != count * size:
            problems.append(f"{name}: {end - begin} bytes for shape {info['shape']}")
        tensors[name] = (info["dtype"], info["shape"], list(struct.unpack(f"<{count}{code}", data[begin:end])))
        offset = end
    if offset != len(data):
        problems.append(f"tensors cover {offset} of {len(data)} data bytes")
    return tensors, meta


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def check_with_package(path, tensors):
    try:
        from safetensors.numpy import load_file
    except ImportError:
        return
    for name, array in load_file(path).items():
        if array.reshape(-1).tolist() != tensors[name][2] or list(array.shape) != tensors[name][1]:
            problems.append(f"{name}: the safetensors package reads other values")


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0] if math.isfinite(x) else x


def check_markov(tensors, exp):
    n = tensors["log_popularity"][1][0]
    pop, base = tensors["log_popularity"][2], tensors["row_base"][2]
    indptr, indices, values = tensors["indptr"][2], tensors["indices"][2], tensors["values"][2]

    def scores(last):
        if last < 0:
            return list(pop)
        s = [base[last] + p for p in pop]
        for p in range(indptr[last], indptr[last + 1]):
            s[indices[p]] = values[p]
        return s

    for i, row in enumerate(exp["dense"]):
        got = scores(i)
        for j, want in enumerate(row):
            want = value(want)
            if not (got[j] == want or abs(got[j] - want) <= 1e-12 * max(1.0, abs(want))):
                problems.append(f"markov: log pi({j} | {i}) = {got[j]}, expected {want}")
    for u in exp["users"]:
        h = u["history"]
        s = [f32(x) for x in scores(h[-1] if h else -1)]
        order = sorted((j for j in range(n) if j not in h), key=lambda j: (-s[j], j))
        if order[:len(u["top"])] != u["top"]:
            problems.append(f"markov: top-k after {h} is {order[:len(u['top'])]}, expected {u['top']}")


def main():
    with open(sys.argv[1]) as f:
        exp = json.load(f)
    tensors, meta = read(exp["file"])
    check_with_package(exp["file"], tensors)
    if list(tensors) != exp["names"]:
        problems.append(f"tensors {list(tensors)}, expected {exp['names']} in this order")
    for name, want in exp["tensors"].items():
        if name not in tensors:
            problems.append(f"{name}: missing")
            continue
        dtype, shape, data = tensors[name]
        if dtype != want["dtype"] or shape != want["shape"]:
            problems.append(f"{name}: {dtype} {shape}, expected {want['dtype']} {want['shape']}")
        wanted = [value(v) for v in want["data"]]
        if len(data) != len(wanted) or not all(same(a, b) for a, b in zip(data, wanted)):
            problems.append(f"{name}: values differ")
    for key, want in exp.get("metadata", {}).items():
        if meta.get(key) != want:
            problems.append(f"__metadata__[{key}] = {meta.get(key)!r}, expected {want!r}")
    if "markov" in exp:
        check_markov(tensors, exp["markov"])
    if problems:
        print("\n".join(problems[:50]))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
