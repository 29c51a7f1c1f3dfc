#!/usr/bin/env python3
"""Generate the loader benchmark project: N services with anchors, merge keys, interpolation, a depends_on chain
and healthchecks, in a form both container-compose and docker-compose 1.29 accept.

usage: gen.py N OUT_DIR
"""
import os
import sys

n = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
lines = [
    "x-defaults: &defaults",
    "  restart: unless-stopped",
    "  environment: &env",
    "    TZ: UTC",
    "    LOG_LEVEL: ${LOG_LEVEL:-info}",
    "  labels:",
    "    com.example.tier: bench",
    "  healthcheck: &hc",
    "    test: [\"CMD-SHELL\", \"wget -qO- http://localhost:8080/ || exit 1\"]",
    "    interval: 30s",
    "    timeout: 5s",
    "    retries: 3",
    "    start_period: 10s",
    "",
    "services:",
]
for i in range(n):
    lines += [
        f"  svc{i}:",
        "    <<: *defaults",
        f"    image: ${{REGISTRY:-registry.local}}/app{i % 10}:${{TAG:-1.0}}",
        f"    command: [\"server\", \"--port\", \"8080\", \"--id\", \"{i}\"]",
        "    environment:",
        "      <<: *env",
        f"      SERVICE_ID: \"{i}\"",
        f"      PEER: svc{(i + 1) % n}",
        "    ports:",
        f"      - \"127.0.0.1:{20000 + i}:8080\"",
        "    volumes:",
        f"      - ./data/svc{i}:/data",
        "      - shared:/shared:ro",
        "    networks: [front, back]",
        "    mem_limit: 64m",
    ]
    if i > 0:
        lines += [
            "    depends_on:",
            f"      svc{i - 1}:",
            "        condition: service_healthy",
        ]
lines += [
    "",
    "networks:",
    "  front: {}",
    "  back:",
    "    internal: true",
    "volumes:",
    "  shared: {}",
    "",
]
with open(os.path.join(out, "compose.yaml"), "w") as f:
    f.write("\n".join(lines))
with open(os.path.join(out, ".env"), "w") as f:
    f.write("TAG=2.1\nLOG_LEVEL=debug\n")
