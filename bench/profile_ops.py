#!/usr/bin/python3
"""Self time per ATen op in a chrome trace from `sasrec_step_bench --profile FILE`.

usage: bench/profile_ops.py FILE [ROWS]
Self time = an event's duration minus the events nested inside it on the same thread.
"""
import json
import sys
from collections import defaultdict


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    with open(sys.argv[1]) as f:
        text = f.read().rstrip().rstrip(",")
    if not text.endswith("]"):
        text += "]"
    events = [e for e in json.loads(text) if e.get("ph") == "X"]
    by_thread = defaultdict(list)
    for e in events:
        by_thread[e.get("tid")].append(e)
    self_us = defaultdict(float)
    calls = defaultdict(int)
    total = 0.0
    for evs in by_thread.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [end, name, child time]
        def close(upto):
            while stack and stack[-1][0] <= upto:
                end, name, child, dur = stack.pop()
                self_us[name] += dur - child
                if stack:
                    stack[-1][2] += dur
        for e in evs:
            close(e["ts"])
            stack.append([e["ts"] + e["dur"], e["name"], 0.0, e["dur"]])
            calls[e["name"]] += 1
        close(float("inf"))
    total = sum(self_us.values())
    print(f"{'op':48s} {'self ms':>10s} {'share':>7s} {'calls':>6s}")
    for name, us in sorted(self_us.items(), key=lambda kv: -kv[1])[:rows]:
        print(f"{name[:48]:48s} {us / 1e3:10.1f} {100 * us / total:6.1f}% {calls[name]:6d}")
    print(f"{'total':48s} {total / 1e3:10.1f}")


if __name__ == "__main__":
    main()
