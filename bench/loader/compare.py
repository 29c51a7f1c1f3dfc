#!/usr/bin/env python3
"""Time two commands side by side on a noisy machine: rounds alternate between them, so a slow period of the
host hits both alike, and the ratio is taken between medians. usage: compare.py ROUNDS NAME_A CMD_A NAME_B CMD_B
(each CMD is one shell-quoted string). Prints a table and the ratio B/A."""
import shlex
import statistics
import subprocess
import sys
import time

rounds = int(sys.argv[1])
name_a, cmd_a, name_b, cmd_b = sys.argv[2:6]
samples = {name_a: [], name_b: []}


def run(cmd):
    t0 = time.perf_counter()
    subprocess.run(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


run(cmd_a)  # warm-up: page cache, dynamic linker
run(cmd_b)
for r in range(rounds):
    # the fast command runs three times per round for a steadier median; the order alternates
    pair = [(name_a, cmd_a, 3), (name_b, cmd_b, 1)]
    if r % 2:
        pair.reverse()
    for name, cmd, times in pair:
        for _ in range(times):
            samples[name].append(run(cmd))

for name in (name_a, name_b):
    s = samples[name]
    print(f"{name:22s} median {statistics.median(s) * 1000:9.1f} ms  mean {statistics.mean(s) * 1000:9.1f} ms"
          f"  min {min(s) * 1000:9.1f} ms  max {max(s) * 1000:9.1f} ms  ({len(s)} runs)")
ratio = statistics.median(samples[name_b]) / statistics.median(samples[name_a])
print(f"ratio of medians ({name_b} / {name_a}): {ratio:.1f}x")
# noise on a shared host only ever adds time, so the minimum is the steadiest estimate of each tool's cost
print(f"ratio of minimums ({name_b} / {name_a}): {min(samples[name_b]) / min(samples[name_a]):.1f}x")
