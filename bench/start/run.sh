#!/bin/bash
# bench/start: `run --rm IMAGE true`, repeated, container-compose (native backend) against two floors, in
# interleaved rounds: bare `runc run` of `runc spec`'s bundle over the same busybox rootfs (no seccomp filter),
# and `runc run` of the very bundle the engine generates (same seccomp filter, mounts, capabilities), both
# without monitor or store.
# podman (with the machine notes' containers.conf: runc, clamped ulimits) and docker (a private dockerd from
# scripts/dockerd-test.sh) are added when installed (`make bench` installs both). All run without a network
# (--network none), like the container-compose service. Prints the median per tool and the ratio to the floor.
# usage: run.sh PATH/TO/container-compose [ROUNDS]
set -euo pipefail
cc=$(realpath "${1:?path to container-compose}")
rounds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"
work=$(mktemp -d)
cleanup() {
	"$here/../../scripts/crun-cgroups.sh" undo "$work" || true
	[ -S "$work/dockerd/docker.sock" ] && "$here/../../scripts/dockerd-test.sh" stop "$work/dockerd" >/dev/null 2>&1
	"$here/../network/peer-rules.sh" restore "$work/chains.before" || true
	rm -rf "$work"
}
trap cleanup EXIT
"$here/../network/peer-rules.sh" snapshot "$work/chains.before"
export CONTAINER_COMPOSE_ROOT="$work/root"
cc_load_busybox "$cc" "$work" busybox:latest
mkdir -p "$work/proj" && cat >"$work/proj/compose.yaml" <<'EOC'
services:
  t:
    image: busybox:latest
    network_mode: none
EOC
# the floor: runc's own spec over a plain copy of the same rootfs
mkdir -p "$work/bundle/rootfs"
for l in "$work"/layout/blobs/sha256/*; do tar -xzf "$l" -C "$work/bundle/rootfs" 2>/dev/null || true; done
(cd "$work/bundle" && runc spec && python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open("config.json", "w"))
PY
)
# the second floor: runc over the very bundle the engine writes for this service (its seccomp filter, mounts,
# capabilities and limits), with a plain copy of the rootfs and a network namespace of runc's own; what
# container-compose adds over it is the engine's own cost
"$cc" --backend native --progress quiet -f "$work/proj/compose.yaml" run -d t sleep 60 >/dev/null
cfg=$(ls "$CONTAINER_COMPOSE_ROOT"/containers/*/config.json)
mkdir -p "$work/same"
cp -a "$work/bundle/rootfs" "$work/same/rootfs"
cp "$(dirname "$cfg")"/{hosts,hostname,resolv.conf} "$work/same/"
python3 - "$cfg" "$work/same" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
c = json.load(open(src))
old = os.path.dirname(src)
c["root"]["path"] = dst + "/rootfs"
c["process"]["args"] = ["/bin/true"]
c["linux"].pop("cgroupsPath", None)
c["linux"]["namespaces"] = [{"type": n["type"]} for n in c["linux"]["namespaces"]]
for m in c["mounts"]:
    m["source"] = m["source"].replace(old, dst)
json.dump(c, open(dst + "/config.json", "w"))
PY
"$cc" --backend native --progress quiet -f "$work/proj/compose.yaml" down -t 0 >/dev/null 2>&1
tools=(runc "runc --root $work/runc run --bundle $work/bundle bench-\$RANDOM >/dev/null"
	"runc, same bundle" "runc --root $work/runc run --bundle $work/same bench-\$RANDOM >/dev/null"
	container-compose "cd $work/proj && $cc --backend native --oci-runtime runc --progress quiet run --rm t true >/dev/null")
if command -v podman >/dev/null; then
	podman_conf "$work"
	pm="podman --root $work/pm --runroot $work/pmrun --storage-driver overlay"
	$pm load -q -i "$work/busybox.tar" >/dev/null
	pimg=$($pm images -q | head -1)
	tools+=(podman "$pm run --rm --network none $pimg true >/dev/null")
fi
if command -v dockerd >/dev/null && command -v docker >/dev/null; then
	"$cc" --backend native image save -o "$work/busybox-docker.tar" busybox:latest
	dockerd_with_image "$work/dockerd" "$work/busybox-docker.tar"
	dimg=$(DOCKER_HOST="unix://$work/dockerd/docker.sock" docker images -q busybox:latest | head -1)
	tools+=(docker "DOCKER_HOST=unix://$work/dockerd/docker.sock docker run --rm --network none $dimg true >/dev/null")
fi
echo "host cgroup layout as it is; runc:"
python3 "$here/../rounds.py" --floor runc --ref container-compose "$rounds" "${tools[@]}"
# crun, where it is installed, in a second pass: with hugetlb bound to v1 where the hybrid layout stops crun
# (scripts/crun-cgroups.sh, undone on exit), which would otherwise also change what runc does in the first
# pass. Its two floors and container-compose under it, against the same peers.
if command -v crun >/dev/null && "$here/../../scripts/crun-cgroups.sh" apply "$work"; then
	crun_tools=(crun "crun --root $work/crun run --bundle $work/bundle bench-\$RANDOM >/dev/null"
		"crun, same bundle" "crun --root $work/crun run --bundle $work/same bench-\$RANDOM >/dev/null"
		"container-compose (crun)" "cd $work/proj && $cc --backend native --oci-runtime crun --progress quiet run --rm t true >/dev/null")
	for ((i = 6; i < ${#tools[@]}; i++)); do crun_tools+=("${tools[i]}"); done
	echo "crun (hugetlb on v1):"
	python3 "$here/../rounds.py" --floor "crun, same bundle" --ref "container-compose (crun)" "$rounds" "${crun_tools[@]}"
fi
