#!/bin/bash
# bench/loader: `config --format json` of a generated 1000-service project, container-compose vs docker-compose
# 1.29 (Debian) in the same run, with hyperfine for time and GNU time for peak memory.
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

hyperfine --warmup 1 --runs "${RUNS:-10}" --export-json "$work/h.json" \
	-n container-compose "$cc config --format json" \
	-n docker-compose-1.29 "docker-compose config"

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
cc_kb=$(peak "$cc" config --format json)
dc_kb=$(peak docker-compose config)
/usr/bin/python3 - "$work/h.json" "$cc_kb" "$dc_kb" "$n" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
c, d = r["container-compose"], r["docker-compose-1.29"]
print(f"services: {sys.argv[4]}")
print(f"container-compose   mean {c['mean']*1000:8.1f} ms  (sd {c['stddev']*1000:.1f})  peak RSS {int(sys.argv[2])/1024:.1f} MiB")
print(f"docker-compose 1.29 mean {d['mean']*1000:8.1f} ms  (sd {d['stddev']*1000:.1f})  peak RSS {int(sys.argv[3])/1024:.1f} MiB")
print(f"ratio (docker-compose / container-compose): {d['mean']/c['mean']:.1f}x faster, {int(sys.argv[3])/int(sys.argv[2]):.1f}x less memory")
PY
