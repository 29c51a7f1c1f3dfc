#!/bin/bash
# bench/network, part 1: attach plus detach of one container to a bridge network with one published port,
# repeated, in interleaved rounds:
#   container-compose  `create` then `rm -f` of a service on an existing network with one published port
#                      (namespace, veth, address, DNAT rule, DNS entry; and all of it undone)
#   container-compose  `network connect` then `network disconnect` of an existing container (one interface)
#   CNI                `ip netns add`, bridge+host-local ADD, portmap ADD, portmap DEL, bridge DEL,
#                      `ip netns del` (Debian's containernetworking-plugins, called in chain order)
#   podman             `run --rm` with the default network minus `run --rm --network none` (when installed)
# usage: run.sh PATH/TO/container-compose [ROUNDS]
set -euo pipefail
cc=$(realpath "${1:?path to container-compose}")
rounds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"
work=$(mktemp -d)
export CONTAINER_COMPOSE_ROOT="$work/root" CONTAINER_COMPOSE_BACKEND=native
cleanup() {
	(cd "$work/proj" && "$cc" down -t 0 >/dev/null 2>&1) || true
	"$cc" network rm benchnet >/dev/null 2>&1 || true
	ip netns del ccbench-cni 2>/dev/null || true
	ip link del ccbench-cni0 2>/dev/null || true
	"$here/peer-rules.sh" restore "$work/chains.before" || true
	rm -rf "$work"
}
trap cleanup EXIT
"$here/peer-rules.sh" snapshot "$work/chains.before"
python3 "$here/../../tests/images/mkimage.py" multi "$work/layout" >/dev/null
tar -C "$work/layout" -cf "$work/busybox.tar" .
id=$("$cc" image load -i "$work/busybox.tar" | sed -n 's/^Loaded image ID: //p')
"$cc" image tag "$id" busybox:latest
mkdir -p "$work/proj" && cat >"$work/proj/compose.yaml" <<'EOC'
services:
  anchor:
    image: busybox:latest
    command: sleep 1
  web:
    image: busybox:latest
    command: sleep 1
    ports: ["127.0.0.1:18790:80"]
    profiles: [cycle]
EOC
(cd "$work/proj" && "$cc" --progress quiet create anchor >/dev/null)
"$cc" network create benchnet >/dev/null

# CNI: the same cycle, plugin by plugin
mkdir -p "$work/cni"
cat >"$work/cni/bridge.json" <<EOC
{"cniVersion":"1.0.0","name":"ccbench","type":"bridge","bridge":"ccbench-cni0","isGateway":true,"ipMasq":true,
 "hairpinMode":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.204.9.0/24"}]],
 "routes":[{"dst":"0.0.0.0/0"}],"dataDir":"$work/cni/ipam"}}
EOC
cat >"$work/cni/cycle.sh" <<'EOC'
#!/bin/bash
set -e
d=$1
export CNI_PATH=/usr/lib/cni CNI_CONTAINERID=ccbench CNI_NETNS=/var/run/netns/ccbench-cni CNI_IFNAME=eth0
ip netns add ccbench-cni
CNI_COMMAND=ADD /usr/lib/cni/bridge <"$d/bridge.json" >"$d/result.json"
python3 - "$d" <<'PY'
import json, sys
d = sys.argv[1]
prev = json.load(open(d + "/result.json"))
json.dump({"cniVersion": "1.0.0", "name": "ccbench", "type": "portmap", "capabilities": {"portMappings": True},
           "snat": True, "runtimeConfig": {"portMappings": [{"hostPort": 18791, "containerPort": 80,
           "protocol": "tcp", "hostIP": "127.0.0.1"}]}, "prevResult": prev}, open(d + "/portmap.json", "w"))
PY
CNI_COMMAND=ADD /usr/lib/cni/portmap <"$d/portmap.json" >/dev/null
CNI_COMMAND=DEL /usr/lib/cni/portmap <"$d/portmap.json" >/dev/null
CNI_COMMAND=DEL /usr/lib/cni/bridge <"$d/bridge.json" >/dev/null
ip netns del ccbench-cni
EOC
chmod +x "$work/cni/cycle.sh"
tools=(container-compose-create-rm
	"cd $work/proj && $cc --progress quiet --profile cycle create web >/dev/null && $cc --progress quiet --profile cycle rm -f web >/dev/null"
	container-compose-connect-disconnect
	"$cc network connect benchnet proj-anchor-1 && $cc network disconnect benchnet proj-anchor-1")
if [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ]; then
	tools+=(cni-bridge-portmap "$work/cni/cycle.sh $work/cni")
fi
if command -v podman >/dev/null; then
	podman_conf "$work"
	pm="podman --root $work/pm --runroot $work/pmrun --storage-driver vfs"
	$pm load -q -i "$work/busybox.tar" >/dev/null
	pimg=$($pm images -q | head -1)
	tools+=(podman-run-bridge "$pm run --rm -p 127.0.0.1:18792:80 $pimg true >/dev/null"
		podman-run-none "$pm run --rm --network none $pimg true >/dev/null")
fi
python3 "$here/../rounds.py" --ref container-compose-create-rm "$rounds" "${tools[@]}" | tee "$work/out"
# podman's network cost: its run with a network minus its run without one
awk '/^podman-run-bridge/ {b = $3} /^podman-run-none/ {n = $3} /^container-compose-create-rm/ {c = $3}
	END { if (b && n) printf "podman network cost (bridge - none): %.1f ms, %.1fx container-compose-create-rm\n", b - n, (b - n) / c }' "$work/out"
