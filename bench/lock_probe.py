#!/usr/bin/env python3
"""Longest write-lock hold on an SQLite file, seen from outside: tries `BEGIN IMMEDIATE; COMMIT` every 5 ms
with no busy timeout until SIGTERM, then prints the longest time (seconds) between two successful attempts
that had a failed (busy) attempt between them. Used by bench/import_lock_hold.sh."""
import signal
import sqlite3
import sys
import time

db = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
last_ok = time.monotonic()
busy_since_ok = False
longest = 0.0
while not stop:
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("COMMIT")
        now = time.monotonic()
        if busy_since_ok:
            longest = max(longest, now - last_ok)
        last_ok = now
        busy_since_ok = False
    except sqlite3.OperationalError:
        busy_since_ok = True
    time.sleep(0.005)
if busy_since_ok:  # still held at the end
    longest = max(longest, time.monotonic() - last_ok)
print(f"{longest:.3f}")
