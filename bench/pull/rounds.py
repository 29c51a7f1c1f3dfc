#!/usr/bin/env python3
"""Time several shell commands in interleaved rounds (the order rotates each round, so a slow period of the
host hits all alike) and compare medians and minimums against the first. usage: rounds.py ROUNDS NAME CMD..."""
import statistics
import subprocess
import sys
import time

rounds = int(sys.argv[1])
pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
samples = {name: [] for name, _ in pairs}
for r in range(rounds + 1):
    order = pairs[r % len(pairs):] + pairs[:r % len(pairs)]
    for name, cmd in order:
        t0 = time.perf_counter()
        subprocess.run(["sh", "-c", cmd], check=True, stdout=subprocess.DEVNULL)
        if r > 0:  # round 0 warms caches
            samples[name].append(time.perf_counter() - t0)
first = pairs[0][0]
for name, _ in pairs:
    s = samples[name]
    print(f"{name:18s} median {statistics.median(s) * 1000:8.1f} ms  min {min(s) * 1000:8.1f} ms  "
          f"max {max(s) * 1000:8.1f} ms  ({len(s)} runs)")
for name, _ in pairs[1:]:
    print(f"{name} / {first}: medians {statistics.median(samples[name]) / statistics.median(samples[first]):.2f}x, "
          f"minimums {min(samples[name]) / min(samples[first]):.2f}x")
