#!/usr/bin/python3
"""SASRec.pytorch with a seed and per-user test NDCG@10, for bench/equal_time.sh's paired mode (SEEDS=...).

Imports model.py and utils.py of the public SASRec.pytorch from the folder given by --peer (a writable copy of
../shared/peers/sasrec-pytorch with the data in data/NAME.txt; never copied into the project) and trains exactly
as that folder's harness.py does: its defaults (hidden 50, 2 blocks, 1 head, dropout 0.2, max length 200, batch
128, Adam 1e-3 betas 0.9/0.98, BCE with one sampled negative per position, one window per user per epoch), the
same Xavier initialisation, the same full-catalogue leave-one-out evaluation (the user's other items masked).
What it adds: --seed seeds torch and numpy before the model and the sampler are built (the sampler's three worker
processes get their seeds from numpy, so a seed fixes the initial weights and the workers' streams; the order in
which the workers' batches arrive is still the operating system's), and every evaluation writes one JSON line to
--out: epoch, the summed training seconds so far (evaluation not counted), validation and test NDCG@10 means, and
the test NDCG@10 of every evaluated user (ids as in data/NAME.txt), so that the caller can pair users across tools.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--peer", required=True)
    p.add_argument("--dataset", required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--eval_every", type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.epochs < 1 or a.eval_every < 1:
        sys.exit("--epochs and --eval_every must be at least 1")
    a.out = os.path.abspath(a.out)
    os.chdir(a.peer)  # utils.data_partition reads data/NAME.txt relative to the working directory
    sys.path.insert(0, a.peer)
    import torch
    from model import SASRec
    from utils import WarpSampler, data_partition

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)

    class Args:
        pass

    args = Args()
    args.device = "cpu"
    args.hidden_units, args.maxlen, args.num_blocks, args.num_heads = 50, 200, 2, 1
    args.dropout_rate, args.norm_first, args.batch_size, args.lr, args.l2_emb = 0.2, False, 128, 1e-3, 0.0
    train, valid, test, un, inum = data_partition(a.dataset)
    nb = (len(train) - 1) // args.batch_size + 1
    sampler = WarpSampler(train, un, inum, batch_size=args.batch_size, maxlen=args.maxlen, n_workers=3)
    model = SASRec(un, inum, args)
    for _, prm in model.named_parameters():
        try:
            torch.nn.init.xavier_normal_(prm.data)
        except Exception:  # 1-d parameters (biases, norms) keep their defaults, as harness.py does
            pass
    model.pos_emb.weight.data[0, :] = 0
    model.item_emb.weight.data[0, :] = 0
    bce = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98))

    def evaluate(split):
        model.eval()
        target = valid if split == "valid" else test
        users = [u for u in range(1, un + 1) if len(train.get(u, [])) >= 1 and len(target.get(u, [])) == 1]
        ndcg = np.zeros(len(users))
        with torch.no_grad():
            for s in range(0, len(users), 256):
                bu = users[s:s + 256]
                seqs = np.zeros([len(bu), args.maxlen], dtype=np.int64)
                for r, u in enumerate(bu):
                    h = (train[u] + (valid[u] if split == "test" else []))[-args.maxlen:]
                    seqs[r, args.maxlen - len(h):] = h
                scores = model.log2feats(seqs)[:, -1, :] @ model.item_emb.weight.T
                scores[:, 0] = -1e9
                for r, u in enumerate(bu):
                    t = target[u][0]
                    seen = set(train[u]) | set(valid[u]) | set(test[u])
                    seen.discard(t)
                    row = scores[r]
                    row[list(seen)] = -1e9
                    rank = int((row > row[t]).sum())
                    if rank < 10:
                        ndcg[s + r] = 1 / np.log2(rank + 2)
        model.train()
        return users, ndcg

    seconds = 0.0
    with open(a.out, "w") as out:
        for epoch in range(1, a.epochs + 1):
            t0 = time.time()
            for _ in range(nb):
                u, seq, pos, neg = sampler.next_batch()
                seq, pos, neg = np.array(seq), np.array(pos), np.array(neg)
                pl, nl = model(u, seq, pos, neg)
                idx = np.where(pos != 0)
                loss = bce(pl[idx], torch.ones_like(pl[idx])) + bce(nl[idx], torch.zeros_like(nl[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
            seconds += time.time() - t0
            print(f"epoch {epoch} {seconds:.2f}s loss {loss.item():.4f}", flush=True)
            if epoch % a.eval_every == 0 or epoch == a.epochs:
                _, v = evaluate("valid")
                users, t = evaluate("test")
                out.write(json.dumps({"seed": a.seed, "epoch": epoch, "train_seconds": round(seconds, 3),
                                      "valid_ndcg10": float(v.mean()), "test_ndcg10": float(t.mean()),
                                      "users": users, "test_user_ndcg10": [round(x, 6) for x in t.tolist()]}) + "\n")
                out.flush()
                print(f"  valid {v.mean():.4f} test {t.mean():.4f}", flush=True)
    sampler.close()


if __name__ == "__main__":
    main()
