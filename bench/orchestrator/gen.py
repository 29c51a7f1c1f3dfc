#!/usr/bin/env python3
"""Write a Compose project of N services (each `image: IMAGE`, scaled by SCALE) to DIR/compose.yaml.
usage: gen.py N DIR [IMAGE] [SCALE]"""
import os
import sys

n = int(sys.argv[1])
out = sys.argv[2]
image = sys.argv[3] if len(sys.argv) > 3 else "busybox"
scale = int(sys.argv[4]) if len(sys.argv) > 4 else 1
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "compose.yaml"), "w") as f:
    f.write("services:\n")
    for i in range(n):
        f.write(f"  svc{i}:\n    image: {image}\n    command: [\"sleep\", \"infinity\"]\n")
        if scale > 1:
            f.write(f"    scale: {scale}\n")
