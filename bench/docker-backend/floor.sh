#!/bin/bash
# The engine's floor for bench/docker-backend, in the same run: what `up -d` and `down` of the web-and-clients
# project ask of dockerd, driven by docker's own CLI with nothing around it: a network, the web container, the
# clients all at once (they depend on web), then every container stopped at once (-t 5; each exits on
# SIGTERM), removed, and the network removed. No orchestrator can take less than the engine does here.
# usage: floor.sh SERVICES  (DOCKER_HOST set; busybox:latest loaded)
set -euo pipefail
n=${1:?number of services}
net=benchfloor_default
web_cmd="trap 'exit 0' TERM; mkdir -p /w; echo ok > /w/index.html; httpd -p 8080 -h /w; while :; do sleep 0.1; done"
client_cmd="trap 'exit 0' TERM; until wget -q -O /dev/null http://web:8080/; do sleep 0.1; done; while :; do sleep 0.1; done"
docker network create "$net" >/dev/null
docker run -d --name benchfloor-web-1 --network "$net" --network-alias web busybox:latest sh -c "$web_cmd" >/dev/null
pids=()
for i in $(seq 1 $((n - 1))); do
	docker run -d --name "benchfloor-client$i-1" --network "$net" --network-alias "client$i" busybox:latest \
		sh -c "$client_cmd" >/dev/null &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
names=(benchfloor-web-1)
for i in $(seq 1 $((n - 1))); do names+=("benchfloor-client$i-1"); done
pids=()
for c in "${names[@]}"; do
	(docker stop -t 5 "$c" >/dev/null && docker rm "$c" >/dev/null) &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
docker network rm "$net" >/dev/null
