#!/bin/bash
# bench/network, part 2: `up -d` then `down` of an N-service project (SERVICES, default 10: one web service, N-1 clients that
# reach it by name and then wait), in interleaved rounds: container-compose (native) against docker-compose
# 1.29 on a private dockerd and podman-compose on podman, when those are installed (`make bench` installs
# them). Every process exits on SIGTERM, so `down` measures the engines, not a grace period.
# Where crun is installed, a second pass binds hugetlb to cgroup v1 (scripts/crun-cgroups.sh, undone on exit;
# crun 1.8 refuses this host's hybrid layout otherwise), where container-compose picks crun by itself, and
# podman is given crun too (its own default where crun works); docker keeps its runc.
# usage: updown.sh PATH/TO/container-compose [ROUNDS]
set -euo pipefail
cc=$(realpath "${1:?path to container-compose}")
rounds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"
work=$(mktemp -d)
export CONTAINER_COMPOSE_ROOT="$work/root"
dockerd_dir="$work/dockerd"
cleanup() {
	(cd "$work/proj" && "$cc" --backend native down -t 0 >/dev/null 2>&1) || true
	if [ -S "$dockerd_dir/docker.sock" ]; then
		(cd "$work/proj" && DOCKER_HOST="unix://$dockerd_dir/docker.sock" docker-compose -p benchdc down -t 0 \
			>/dev/null 2>&1) || true
		"$here/../../scripts/dockerd-test.sh" stop "$dockerd_dir" >/dev/null 2>&1 || true
	fi
	if [ -n "${CONTAINERS_CONF:-}" ]; then
		(cd "$work/proj" && podman-compose -p benchpc down -t 0 >/dev/null 2>&1) || true
		podman network rm -f benchpc_default >/dev/null 2>&1 || true
	fi
	"$here/../../scripts/crun-cgroups.sh" undo "$work" || true
	"$here/peer-rules.sh" restore "$work/chains.before" || true
	rm -rf "$work"
}
trap cleanup EXIT
"$here/peer-rules.sh" snapshot "$work/chains.before"
python3 "$here/../../tests/images/mkimage.py" multi "$work/layout" >/dev/null
tar -C "$work/layout" -cf "$work/busybox.tar" .
id=$("$cc" --backend native image load -i "$work/busybox.tar" | sed -n 's/^Loaded image ID: //p')
"$cc" --backend native image tag "$id" busybox:latest
"$cc" --backend native image save -o "$work/busybox-docker.tar" busybox:latest
mkdir -p "$work/proj"
web_clients_project "$work/proj/compose.yaml" "${SERVICES:-10}"

tools=(container-compose "$cc --backend native --progress quiet up -d" "$cc --backend native --progress quiet down -t 5")
if command -v docker-compose >/dev/null && command -v dockerd >/dev/null; then
	dockerd_with_image "$dockerd_dir" "$work/busybox-docker.tar"
	dc="env DOCKER_HOST=unix://$dockerd_dir/docker.sock docker-compose -p benchdc"
	tools+=(docker-compose-1.29 "$dc up -d >/dev/null 2>&1" "$dc down -t 5 >/dev/null 2>&1")
fi
if command -v podman-compose >/dev/null; then
	podman_conf "$work"
	podman load -q -i "$work/busybox-docker.tar" >/dev/null
	podman tag "$(podman images -q | head -1)" busybox:latest
	tools+=(podman-compose "podman-compose -p benchpc up -d >/dev/null 2>&1"
		"podman-compose -p benchpc down -t 5 >/dev/null 2>&1; podman network rm -f benchpc_default >/dev/null 2>&1 || true")
fi
cd "$work/proj"
measure() {
	python3 - "$rounds" "$@" <<'PY'
import statistics, subprocess, sys, time
rounds = int(sys.argv[1]); args = sys.argv[2:]
tools = list(zip(args[0::3], args[1::3], args[2::3]))
up = {n: [] for n, _, _ in tools}; down = {n: [] for n, _, _ in tools}
for _ in range(rounds):
    for name, u, d in tools:
        t = time.perf_counter(); subprocess.run(u, shell=True, check=True); up[name].append(time.perf_counter() - t)
        t = time.perf_counter(); subprocess.run(d, shell=True, check=True); down[name].append(time.perf_counter() - t)
tot = {n: statistics.median([a + b for a, b in zip(up[n], down[n])]) for n in up}
for name, _, _ in tools:
    print(f"{name:20s} up -d {statistics.median(up[name])*1000:7.0f} ms   down {statistics.median(down[name])*1000:7.0f} ms"
          f"   total {tot[name]*1000:7.0f} ms   ({tot[name]/tot['container-compose']:.1f}x container-compose)")
PY
}
echo "host cgroup layout as it is (container-compose and podman on runc):"
measure "${tools[@]}"
if command -v crun >/dev/null && "$here/../../scripts/crun-cgroups.sh" apply "$work"; then
	# the same tools; container-compose finds crun usable now and takes it
	[ -n "${CONTAINERS_CONF:-}" ] && sed -i 's/^runtime = "runc"/runtime = "crun"/' "$CONTAINERS_CONF"
	echo "hugetlb on v1 (container-compose and podman on crun, docker on runc):"
	measure "${tools[@]}"
fi
