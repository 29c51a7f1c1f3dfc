#!/bin/bash
# bench/orchestrator: orchestration overhead on the mock backend (no engine work at all), as issue 3 asks:
#   - `up -d`, `ps`, `down` of a 300-service project; per-service overhead = (up of 300 - up of 1) / 299
#   - `ps` of 500 containers (250 services x 2), table and --format json
# and, side by side in the same run, `ps` of 500 containers by docker-compose 1.29 against a private dockerd
# (containers created, not started: ps is metadata work on both sides).
# usage: run.sh PATH/TO/container-compose
set -euo pipefail
cc=${1:?path to container-compose}
here=$(cd "$(dirname "$0")" && pwd)
cmp="$here/../loader/compare.py"
work=$(mktemp -d)
dockerd_pid=""
cleanup() {
	if [ -n "$dockerd_pid" ]; then
		DOCKER_HOST="unix://$work/docker/docker.sock" docker-compose -p benchps -f "$work/p500d/compose.yaml" \
			down -t 0 >/dev/null 2>&1 || true
		kill "$dockerd_pid" 2>/dev/null || true
		wait "$dockerd_pid" 2>/dev/null || true
		umount "$work/docker/data/overlay2" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
unset CONTAINER_COMPOSE_BACKEND COMPOSE_FILE DOCKER_HOST || true

ms() { /usr/bin/python3 -c 'import sys,time,subprocess; t=time.perf_counter(); subprocess.run(sys.argv[1:],check=True,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL); print(f"{(time.perf_counter()-t)*1000:.1f}")' "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

/usr/bin/python3 "$here/gen.py" 300 "$work/p300"
/usr/bin/python3 "$here/gen.py" 1 "$work/p1"
/usr/bin/python3 "$here/gen.py" 250 "$work/p500" busybox 2
runs=${RUNS:-7}
up300=() up1=() ps300=() down300=()
for r in $(seq "$runs"); do
	root="$work/root$r"
	up1+=("$(ms "$cc" --root "$root-1" --backend mock --progress quiet -f "$work/p1/compose.yaml" up -d)")
	up300+=("$(ms "$cc" --root "$root" --backend mock --progress quiet -f "$work/p300/compose.yaml" up -d)")
	n=$("$cc" --root "$root" --backend mock -f "$work/p300/compose.yaml" ps -q | wc -l)
	[ "$n" = 300 ] || { echo "up left $n containers running, not 300" >&2; exit 1; }
	ps300+=("$(ms "$cc" --root "$root" --backend mock -f "$work/p300/compose.yaml" ps)")
	down300+=("$(ms "$cc" --root "$root" --backend mock --progress quiet -f "$work/p300/compose.yaml" down)")
	rm -rf "$root" "$root-1"
done
m_up300=$(printf '%s\n' "${up300[@]}" | median)
m_up1=$(printf '%s\n' "${up1[@]}" | median)
m_ps300=$(printf '%s\n' "${ps300[@]}" | median)
m_down=$(printf '%s\n' "${down300[@]}" | median)
per=$(awk -v a="$m_up300" -v b="$m_up1" 'BEGIN { printf "%.2f", (a - b) / 299 }')
echo "mock, 300 services ($runs runs, medians): up -d $m_up300 ms (1 service: $m_up1 ms) -> $per ms per service;" \
	"ps $m_ps300 ms; down $m_down ms"

root="$work/root500"
"$cc" --root "$root" --backend mock --progress quiet -f "$work/p500/compose.yaml" up -d
n=$("$cc" --root "$root" --backend mock -f "$work/p500/compose.yaml" ps -q | wc -l)
[ "$n" = 500 ] || { echo "expected 500 containers, got $n" >&2; exit 1; }
ps500=() ps500j=()
for r in $(seq "$runs"); do
	ps500+=("$(ms "$cc" --root "$root" --backend mock -f "$work/p500/compose.yaml" ps)")
	ps500j+=("$(ms "$cc" --root "$root" --backend mock -f "$work/p500/compose.yaml" ps -a --format json)")
done
echo "mock, 500 containers: ps $(printf '%s\n' "${ps500[@]}" | median) ms, ps -a --format json" \
	"$(printf '%s\n' "${ps500j[@]}" | median) ms (medians of $runs)"

# The peer: docker-compose 1.29 over a private dockerd (machine-notes: dockerd with its own roots works here).
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null; then
	echo "peer skipped: dockerd or docker-compose missing"
	exit 0
fi
mkdir -p "$work/docker"
dockerd --data-root "$work/docker/data" --exec-root "$work/docker/exec" --pidfile "$work/docker/dockerd.pid" \
	-H "unix://$work/docker/docker.sock" --bridge none --iptables=false >"$work/docker/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_HOST="unix://$work/docker/docker.sock"
for _ in $(seq 100); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p "$work/img" && echo bench >"$work/img/file" && tar -C "$work/img" -cf "$work/img.tar" .
docker import -c 'CMD ["/bench"]' "$work/img.tar" benchimg:latest >/dev/null
# 500 containers as docker-compose 1.29 would label them (its own `up --no-start` of 250 scaled services hangs
# here with hundreds of threads in its connection pool, so they are created directly; ps only reads labels).
/usr/bin/python3 "$here/gen.py" 250 "$work/p500d" benchimg:latest 2
for i in $(seq 0 249); do
	for n in 1 2; do
		echo "--label com.docker.compose.project=benchps --label com.docker.compose.service=svc$i" \
			"--label com.docker.compose.oneoff=False --label com.docker.compose.container-number=$n" \
			"--label com.docker.compose.config-hash=0 --label com.docker.compose.version=1.29.2" \
			"--network none --name benchps_svc${i}_$n benchimg:latest"
	done
done | xargs -P 4 -L 1 docker create >/dev/null
n=$(cd "$work/p500d" && docker-compose -p benchps ps -q | wc -l)
[ "$n" = 500 ] || { echo "docker-compose sees $n containers, not 500" >&2; exit 1; }
cd "$work/p500d"
/usr/bin/python3 "$cmp" "$runs" container-compose \
	"$cc --root $root --backend mock -f $work/p500/compose.yaml ps -a" \
	docker-compose-1.29 "docker-compose -p benchps ps"
