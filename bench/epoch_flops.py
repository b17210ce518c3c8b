#!/usr/bin/python3
"""Issue 18: the matrix-product work of one training epoch's body, Tiltbench's SASRec against SASRec.pytorch's.

    /usr/bin/python3 bench/epoch_flops.py WORKSPACE DATASET [--dim 64] [--blocks 2] [--max-len 200]
                                          [--ref-dim 50] [--ref-max-len 200]

Reads the dataset's interactions from the workspace (read-only) and counts, for each user's training log (all
but the validation and test targets), Tiltbench's windows of at most max_len + 1 items from the newest
backwards (core/train/sasrec_sequences.cpp) and the reference's one window per user padded to its max length.
Per block and position: the q/k/v, output and two feed-forward products (6 d^2 multiply-adds) and the causal
attention's two T x T x d products (2 T d per position); backward = 2 x forward. A lower bound for Tiltbench
(its slices pad to their longest row; the output layer, norms and softmaxes are not counted); the reference's
figure counts its padding, which it computes.
"""
import argparse, sqlite3
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("workspace"); ap.add_argument("dataset")
ap.add_argument("--dim", type=int, default=64); ap.add_argument("--blocks", type=int, default=2)
ap.add_argument("--max-len", type=int, default=200)
ap.add_argument("--ref-dim", type=int, default=50); ap.add_argument("--ref-max-len", type=int, default=200)
a = ap.parse_args()
db = sqlite3.connect(f"file:{a.workspace}?mode=ro", uri=True)
row = db.execute("SELECT id FROM datasets WHERE name = ?", (a.dataset,)).fetchone()
if row is None:
    raise SystemExit(f"{a.workspace}: no dataset named '{a.dataset}'")
users = np.concatenate([np.frombuffer(u, dtype="<i4") for (u,) in db.execute(
    "SELECT user_idx FROM interaction_chunks WHERE dataset_id = ? ORDER BY chunk", (row[0],))])
counts = np.bincount(users)
counts = counts[counts > 0]


def block_macs(T, d):  # one window of T positions through one block, forward
    return 6 * d * d * T + 2 * T * T * d


tilt = windows = positions = 0
for c in counts:
    n = int(c) - 2  # leave-one-out: validation and test targets are not trained on
    while n >= 2:
        w = min(n, a.max_len + 1)  # items; w - 1 positions predict the next item
        tilt += a.blocks * block_macs(w - 1, a.dim)
        windows += 1
        positions += w - 1
        n -= w - 1  # the next (older) window ends at this one's first item
ref = len(counts) * a.blocks * block_macs(a.ref_max_len, a.ref_dim)
tf = lambda macs: 3 * 2 * macs / 1e12  # forward + backward, FLOP
print(f"{a.dataset}: {len(counts)} users, {int(counts.sum())} interactions")
print(f"Tiltbench: {windows} windows, {positions} positions, d={a.dim}, {a.blocks} blocks: "
      f"{tf(tilt):.3f} TFLOP per epoch (forward + backward)")
print(f"SASRec.pytorch: {len(counts)} windows x {a.ref_max_len} (padded), d={a.ref_dim}, {a.blocks} blocks: "
      f"{tf(ref):.3f} TFLOP per epoch")
