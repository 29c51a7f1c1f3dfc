#!/bin/bash
# bench/docker-backend: `up -d` then `down` of the 10-service project of bench/network (one web service, nine
# clients that reach it by name and then wait) on one private dockerd, in interleaved rounds:
# container-compose --backend docker against docker-compose 1.29. The engine's own work is the floor both
# share; what differs is the orchestration around it. Every process exits on SIGTERM, so `down` measures
# the engine, not a grace period.
# usage: run.sh PATH/TO/container-compose [ROUNDS]
set -euo pipefail
cc=$(realpath "${1:?path to container-compose}")
rounds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"
command -v dockerd >/dev/null && command -v docker-compose >/dev/null ||
	{ echo "skipped: bench/docker-backend needs dockerd and docker-compose (make bench installs them)"; exit 0; }
work=$(mktemp -d)
export CONTAINER_COMPOSE_ROOT="$work/root"
dockerd_dir="$work/dockerd"
export DOCKER_HOST="unix://$dockerd_dir/docker.sock"
cleanup() {
	(cd "$work/proj" && "$cc" --backend docker down -t 0 >/dev/null 2>&1) || true
	(cd "$work/proj" && docker-compose -p benchdc down -t 0 >/dev/null 2>&1) || true
	docker rm -f $(docker ps -aq --filter name=benchfloor) >/dev/null 2>&1 || true
	docker network rm benchfloor_default >/dev/null 2>&1 || true
	"$here/../../scripts/dockerd-test.sh" stop "$dockerd_dir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
cc_load_busybox "$cc" "$work" busybox:latest
"$cc" --backend native image save -o "$work/busybox-docker.tar" busybox:latest
dockerd_with_image "$dockerd_dir" "$work/busybox-docker.tar"
mkdir -p "$work/proj"
web_clients_project "$work/proj/compose.yaml" "${SERVICES:-10}"
cd "$work/proj"
python3 "$here/../rounds.py" --ref cc-docker "$rounds" \
	cc-docker "$cc --backend docker --progress quiet up -d && $cc --backend docker --progress quiet down -t 5" \
	docker-compose-1.29 "docker-compose -p benchdc up -d >/dev/null 2>&1 && docker-compose -p benchdc down -t 5 >/dev/null 2>&1" \
	engine-floor "$here/floor.sh ${SERVICES:-10}"
