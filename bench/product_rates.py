#!/usr/bin/python3
"""GFLOP/s of the SASRec body's matrix products at ML-1M shapes, float32 against bfloat16, in one process.

usage: /usr/bin/python3 bench/product_rates.py [THREADS]
Debian's python3-torch is the same ATen (1.13.1) that Tiltbench links. Shapes: a batch of B = 128 windows of
T = 200 positions, d = 64, one head: the attention's two B x T x T products (q kT, att v), and a projection to
3d ([B*T, d] x [d, 3d]) and its weight gradient. Every output buffer is preallocated and reused (out=), as
Tiltbench's tensor cache does: fresh multi-megabyte buffers fault in new pages on every call on this VM, which
costs more than the product itself.
"""
import sys
import time

import torch


def rate(f, flops, n=20):
    f()
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    return flops / ((time.perf_counter() - t0) / n) / 1e9


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    B, T, D = 128, 200, 64
    print(f"threads {torch.get_num_threads()}, B {B}, T {T}, d {D}")
    print(f"{'product':34s} {'float32':>10s} {'bfloat16':>10s}  GFLOP/s")
    rows = {}
    for dt in (torch.float32, torch.bfloat16):
        q, k, a = torch.randn(B, T, D).to(dt), torch.randn(B, T, D).to(dt), torch.randn(B, T, T).to(dt)
        x, w, g = torch.randn(B * T, D).to(dt), torch.randn(3 * D, D).to(dt), torch.randn(B * T, 3 * D).to(dt)
        o_tt, o_td = torch.empty(B, T, T, dtype=dt), torch.empty(B, T, D, dtype=dt)
        o_x3, o_w = torch.empty(B * T, 3 * D, dtype=dt), torch.empty(3 * D, D, dtype=dt)
        att = B * T * T * D * 2
        lin = B * T * D * 3 * D * 2
        rows.setdefault("attention q kT  [B,T,d]x[B,d,T]", []).append(
            rate(lambda: torch.bmm(q, k.transpose(1, 2), out=o_tt), att))
        rows.setdefault("attention att v [B,T,T]x[B,T,d]", []).append(rate(lambda: torch.bmm(a, q, out=o_td), att))
        rows.setdefault("projection x WT [B*T,d]x[d,3d]", []).append(rate(lambda: torch.mm(x, w.t(), out=o_x3), lin))
        rows.setdefault("weight grad gT x [3d,B*T]x[B*T,d]", []).append(rate(lambda: torch.mm(g.t(), x, out=o_w), lin))
    for name, (f32, b16) in rows.items():
        print(f"{name:34s} {f32:10.0f} {b16:10.0f}  ({b16 / f32:.1f}x)")


if __name__ == "__main__":
    main()
