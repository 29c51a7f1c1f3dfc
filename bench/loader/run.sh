#!/bin/bash
# bench/loader: `config --format json` of a generated 1000-service project, container-compose vs docker-compose
# 1.29 (Debian) in the same run: interleaved rounds and medians for time, GNU time for peak memory.
# usage: run.sh PATH/TO/container-compose [N_SERVICES]
set -euo pipefail
cc=${1:?path to container-compose}
n=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/gen.py" "$n" "$work/proj"
cd "$work/proj"
export COMPOSE_PROJECT_NAME=bench
unset COMPOSE_FILE DOCKER_HOST || true

# Both must accept the file and agree on its size before timing means anything.
"$cc" config --format json > "$work/cc.json"
docker-compose config > "$work/dc.yaml"
/usr/bin/python3 - "$work/cc.json" "$n" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["services"]) == int(sys.argv[2]), "container-compose lost services"
PY
grep -c '^  svc[0-9]*:$' "$work/dc.yaml" | grep -qx "$n" || { echo "docker-compose output has the wrong service count" >&2; exit 1; }

# Rounds alternate between the tools (bench/loader/compare.py), so the host's slow periods hit both alike.
/usr/bin/python3 "$here/compare.py" "${RUNS:-10}" container-compose "$cc config --format json" \
	docker-compose-1.29 "docker-compose config" | tee "$work/times.txt"

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
cc_kb=$(peak "$cc" config --format json)
dc_kb=$(peak docker-compose config)
echo "peak RSS: container-compose $((cc_kb / 1024)) MiB, docker-compose 1.29 $((dc_kb / 1024)) MiB" \
	"($(awk -v a="$dc_kb" -v b="$cc_kb" 'BEGIN { printf "%.1f", a / b }')x less memory)"
