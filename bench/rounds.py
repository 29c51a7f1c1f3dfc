#!/usr/bin/env python3
"""Interleaved rounds of shell commands, the way every bench here compares tools side by side.

usage: rounds.py [--floor NAME] [--ref NAME] ROUNDS NAME CMD [NAME CMD]...
Each round runs every command once, in order (so a noisy moment hits all tools alike). Prints per tool the
median, min and max in ms, and the median's ratio to the floor tool's and to the reference tool's."""
import statistics
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    floor = ref = None
    while args and args[0] in ("--floor", "--ref"):
        if args[0] == "--floor":
            floor = args[1]
        else:
            ref = args[1]
        args = args[2:]
    rounds = int(args[0])
    tools = list(zip(args[1::2], args[2::2]))
    times = {n: [] for n, _ in tools}
    for _ in range(rounds):
        for name, cmd in tools:
            t = time.perf_counter()
            subprocess.run(cmd, shell=True, check=True)
            times[name].append((time.perf_counter() - t) * 1000)
    med = {n: statistics.median(v) for n, v in times.items()}
    for name, _ in tools:
        line = f"{name:38s} median {med[name]:7.1f} ms  (min {min(times[name]):.1f}, max {max(times[name]):.1f})"
        if floor:
            line += f"  {med[name] / med[floor]:.2f}x {floor}"
        if ref:
            line += f"  {med[name] / med[ref]:.2f}x {ref}"
        print(line)


main()
