#!/usr/bin/env python3
"""Plain-PyTorch SASRec peer for the issue-4 speed comparison (bench/sasrec_speed.sh).

Trains the same model and loss as `tiltbench-cli train --model sasrec --scheme uniform` on the same training
sequences, written the way a PyTorch user would write it: every sequence left-padded to a fixed length
(as SASRec.pytorch does), nn.MultiheadAttention with a boolean attention mask, logits for every position of
the padded batch and F.cross_entropy with ignore_index for the padding. Nothing here is tuned for speed.

Data (ML-100K u.data: user, item, rating, timestamp, tab-separated), as Tiltbench builds it:
  * per user, interactions sorted by timestamp, ties kept in file order (stable sort);
  * leave-one-out: last = test, second last = validation, the rest is training (a user with fewer than 3
    interactions trains on all of them);
  * training sequences = windows of at most max_len + 1 training items cut from the newest backwards, each
    older window ending on the next one's first item (every training item but a user's first is a target once);
  * inputs = items[:-1], targets = items[1:]; "training_positions" = sum of len(targets).
Items are renumbered 1..n_items in order of first appearance in the file (0 = padding).

Model (Tiltbench's core/torch/model/sasrec.cpp): item embedding (n_items + 1, padding_idx 0) scaled by sqrt(d) plus
a learned position embedding, dropout; `blocks` pre-LayerNorm blocks
  x = x + Drop(MHA(LN(x)));  x = x + Drop(W2 Drop(ReLU(W1 LN(x))))
(attention-weight dropout inside MHA); final LayerNorm; tied output: logits = h @ item_emb[1:].T over the
full catalogue (n_items classes); mean cross-entropy over the real positions; Adam(lr 1e-3).
Position embedding: with left padding the newest item sits in column max_len - 1, so the column index is the
distance from the newest item, the same quantity Tiltbench embeds.
Mask: causal, plus padding keys hidden from every query (Tiltbench's right padding gives that for free).
A padding query keeps its own (padding) key, so no softmax row is empty (an all -inf row gives NaN);
padding outputs are never scored.
Embedding init as Tiltbench (N(0, 1/d)), so the losses of the two tools start at the same scale.

Timing: "epoch_seconds" covers the training pass only (batching, forward, backward, optimizer step), like
Tiltbench's epochs[].train_seconds; there is no validation pass here.
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def load_sequences(path, max_len):
    """Per-user training sequences (lists of dense item ids, 1-based), oldest first."""
    rows = {}
    item_ids = {}
    with open(path, "r", encoding="latin-1") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 4:
                continue
            user, item, ts = parts[0], parts[1], int(parts[3])
            if item not in item_ids:
                item_ids[item] = len(item_ids) + 1
            rows.setdefault(user, []).append((ts, item_ids[item]))
    seqs = []
    for user in rows:  # first-appearance order; the order does not matter, batches are shuffled
        events = sorted(rows[user], key=lambda e: e[0])  # stable: ties keep file order
        items = [i for _, i in events]
        train = items[:-2] if len(items) >= 3 else items
        # Windows of at most max_len + 1 items from the newest backwards; each older window ends on the next
        # one's first item, so every training item but the first is a target exactly once (as Tiltbench).
        end = len(train)
        while end >= 2:
            begin = max(0, end - max_len - 1)
            seqs.append(train[begin:end])
            if begin == 0:
                break
            end = begin + 1
    return seqs, len(item_ids)


def pad_left(seqs, max_len):
    """[U, max_len + 1] int64, left-padded with 0."""
    out = torch.zeros(len(seqs), max_len + 1, dtype=torch.long)
    for r, s in enumerate(seqs):
        out[r, max_len + 1 - len(s):] = torch.tensor(s, dtype=torch.long)
    return out


def useful_flops(seqs, n_items, dim, blocks):
    """FLOPs of one training epoch counted over real positions only, as bench/sasrec_step_bench.cpp counts
    them: per sequence with L inputs, forward = blocks * (12 L d^2 + 2 d L (L + 1)) + 2 L d C; training =
    3 x forward. Padding, embedding lookups, norms and softmax count as free."""
    d, total = float(dim), 0.0
    for s in seqs:
        L = len(s) - 1
        total += blocks * (12.0 * L * d * d + 2.0 * d * L * (L + 1)) + 2.0 * L * d * n_items
    return 3.0 * total


class Block(nn.Module):
    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.ln2 = nn.LayerNorm(dim)
        self.ff1 = nn.Linear(dim, dim)
        self.ff2 = nn.Linear(dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        h = self.ln1(x)
        a, _ = self.attn(h, h, h, attn_mask=mask, need_weights=False)
        x = x + self.drop(a)
        f = self.ff2(self.drop(F.relu(self.ff1(self.ln2(x)))))
        return x + self.drop(f)


class SASRec(nn.Module):
    def __init__(self, n_items, dim, blocks, heads, max_len, dropout):
        super().__init__()
        self.dim, self.heads = dim, heads
        self.item_emb = nn.Embedding(n_items + 1, dim, padding_idx=0)
        self.pos_emb = nn.Embedding(max_len, dim)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([Block(dim, heads, dropout) for _ in range(blocks)])
        self.ln = nn.LayerNorm(dim)
        with torch.no_grad():
            nn.init.normal_(self.item_emb.weight, 0.0, 1.0 / math.sqrt(dim))
            self.item_emb.weight[0].zero_()
            nn.init.normal_(self.pos_emb.weight, 0.0, 1.0 / math.sqrt(dim))
        self.register_buffer("causal", torch.ones(max_len, max_len, dtype=torch.bool).triu(1), persistent=False)
        self.register_buffer("eye", torch.eye(max_len, dtype=torch.bool), persistent=False)

    def forward(self, seq):  # seq: [B, T], left-padded
        b, t = seq.shape
        pos = torch.arange(t, device=seq.device).unsqueeze(0).expand(b, t)
        x = self.drop(self.item_emb(seq) * math.sqrt(self.dim) + self.pos_emb(pos))
        pad = seq == 0
        mask = (self.causal[:t, :t].unsqueeze(0) | pad.unsqueeze(1)) & ~self.eye[:t, :t]  # True = hidden
        mask = mask.repeat_interleave(self.heads, dim=0)  # [B * heads, T, T]
        for blk in self.blocks:
            x = blk(x, mask)
        h = self.ln(x)
        return h @ self.item_emb.weight[1:].t()  # [B, T, n_items]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="ML-100K u.data")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dim", type=int, default=50)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--heads", type=int, default=1)
    ap.add_argument("--max-len", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout; progress on stderr")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    log = sys.stderr if args.json else sys.stdout

    seqs, n_items = load_sequences(args.data, args.max_len)
    positions = sum(len(s) - 1 for s in seqs)
    useful = useful_flops(seqs, n_items, args.dim, args.blocks)
    data = pad_left(seqs, args.max_len)
    inputs, targets = data[:, :-1], data[:, 1:] - 1  # target -1 = padding (ignored)
    print(f"users {len(seqs)}  items {n_items}  training_positions {positions}  "
          f"padded cells {inputs.numel()}  threads {torch.get_num_threads()}  torch {torch.__version__}", file=log)

    model = SASRec(n_items, args.dim, args.blocks, args.heads, args.max_len, args.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    epoch_seconds, losses = [], []
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(seqs))
        loss_sum, n_sum = 0.0, 0
        for start in range(0, len(seqs), args.batch_size):
            idx = perm[start:start + args.batch_size]
            x, y = inputs[idx], targets[idx]
            logits = model(x)
            loss = F.cross_entropy(logits.reshape(-1, n_items), y.reshape(-1), ignore_index=-1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            n = int((y >= 0).sum())
            loss_sum += loss.item() * n
            n_sum += n
        seconds = time.perf_counter() - t0
        epoch_seconds.append(seconds)
        losses.append(loss_sum / n_sum)
        print(f"epoch {epoch}  train {seconds:.3f} s  loss {losses[-1]:.4f}", file=log, flush=True)

    if args.json:
        print(json.dumps({"epoch_seconds": epoch_seconds, "loss": losses, "threads": torch.get_num_threads(),
                          "torch_version": torch.__version__, "training_positions": positions,
                          "useful_flops_per_epoch": useful,
                          "users": len(seqs), "num_items": n_items, "max_len": args.max_len,
                          "batch_size": args.batch_size}))


if __name__ == "__main__":
    main()
