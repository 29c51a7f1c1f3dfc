#!/bin/bash
# bench/build: one Dockerfile (FROM, COPY of a 20 MB context, two RUNs, CMD) built cold and warm by
# container-compose (native), `buildah bud` and `docker build` on a private dockerd, in interleaved rounds.
#   cold: nothing reused: container-compose --no-cache with its file-digest memory dropped, buildah without
#         --layers, docker build --no-cache;
#   warm: an unchanged rebuild with each tool's cache (buildah --layers).
# Every tool builds FROM the same busybox image, loaded into its own store. Peers are added when installed
# (`make bench` installs them). Prints the median per tool and the ratio to container-compose.
# usage: run.sh PATH/TO/container-compose [ROUNDS]
set -euo pipefail
cc=$(realpath "${1:?path to container-compose}")
rounds=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"
work=$(mktemp -d)
cleanup() {
	if [ -S "$work/dockerd/docker.sock" ]; then
		"$here/../../scripts/dockerd-test.sh" stop "$work/dockerd" >/dev/null 2>&1 || true
	fi
	if [ -d "$work/bh" ]; then
		buildah --root "$work/bh" --runroot "$work/bhrun" rm --all >/dev/null 2>&1 || true
		# buildah leaves its overlay storage mounted
		grep -o " $work/bh[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	fi
	"$here/../network/peer-rules.sh" restore "$work/chains.before" || true
	rm -rf "$work"
}
trap cleanup EXIT
"$here/../network/peer-rules.sh" snapshot "$work/chains.before"
export CONTAINER_COMPOSE_ROOT="$work/root"
cc_load_busybox "$cc" "$work" localhost/mk:latest
# the base through the builder once: its history then accounts for its layers, which buildah insists on
mkdir -p "$work/basectx" && printf 'FROM localhost/mk:latest\nLABEL bench=base\n' >"$work/basectx/Dockerfile"
"$cc" --backend native image build -q -t localhost/bench-base:latest "$work/basectx" >/dev/null
"$cc" --backend native image save -o "$work/busybox-docker.tar" localhost/bench-base:latest

# the context: 20 files of 1 MiB of incompressible data, and the Dockerfile
mkdir -p "$work/ctx/data"
for i in $(seq 1 20); do head -c 1048576 /dev/urandom >"$work/ctx/data/f$i.bin"; done
cat >"$work/ctx/Dockerfile" <<'EOF'
FROM localhost/bench-base:latest
COPY data /data
RUN cat /data/f1.bin /data/f2.bin > /joined.bin
RUN echo built > /built.txt
CMD ["cat", "/built.txt"]
EOF

q=">/dev/null 2>&1"
tools=(cc-cold "rm -f $work/root/build/hashes.json && $cc --backend native image build -q --no-cache -t bench:cold $work/ctx $q")
warm=(cc-warm "$cc --backend native image build -q -t bench:warm $work/ctx $q")
eval "${warm[1]}"
if command -v buildah >/dev/null; then
	podman_conf "$work"
	bh="buildah --root $work/bh --runroot $work/bhrun --storage-driver overlay"
	$bh pull -q "docker-archive:$work/busybox-docker.tar" >/dev/null
	$bh tag "$($bh images -q | head -1)" localhost/bench-base:latest
	tools+=(buildah-cold "$bh bud -q --layers=false -t bench:cold $work/ctx $q")
	warm+=(buildah-warm "$bh bud -q --layers -t bench:warm $work/ctx $q")
	eval "${warm[3]}"
fi
if command -v dockerd >/dev/null && command -v docker >/dev/null; then
	dockerd_with_image "$work/dockerd" "$work/busybox-docker.tar"
	dk="env DOCKER_HOST=unix://$work/dockerd/docker.sock DOCKER_BUILDKIT=0 docker"
	tools+=(docker-cold "$dk build -q --no-cache -t bench:cold $work/ctx $q")
	warm+=(docker-warm "$dk build -q -t bench:warm $work/ctx $q")
	eval "${warm[${#warm[@]} - 1]}"
fi
echo "== cold builds"
python3 "$here/../rounds.py" --ref cc-cold "$rounds" "${tools[@]}"
echo "== warm (no change) rebuilds"
python3 "$here/../rounds.py" --ref cc-warm "$rounds" "${warm[@]}"
