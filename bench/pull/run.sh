#!/bin/bash
# bench/pull: pull a 5-layer, ~50 MB image from a docker-registry on loopback into an empty store:
# container-compose (native backend) vs `skopeo copy` to an OCI directory vs `podman pull`, same run,
# interleaved rounds (bench/pull/rounds.py), each round starting from an empty store.
# usage: run.sh PATH/TO/container-compose
set -euo pipefail
cc=${1:?path to container-compose}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
reg_pid=""
cleanup() {
	[ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
reg="127.0.0.1:$port"
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<EOC
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $work/registry/data } }
http: { addr: $reg }
EOC
docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
	/usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://$reg/v2/')" 2>/dev/null && break
	sleep 0.1
done
/usr/bin/python3 "$here/../../tests/images/mkimage.py" big "$work/layout" 5 v1
skopeo copy --quiet --dest-tls-verify=false "oci:$work/layout:v1" "docker://$reg/bench/big:v1"
size=$(du -sb "$work/layout/blobs" | awk '{print $1}')
echo "image: 5 layers, $((size / 1000000)) MB compressed, on $reg"

tools=(container-compose "rm -rf $work/cc && $cc --root $work/cc --backend native --progress quiet image pull $reg/bench/big:v1"
	skopeo "rm -rf $work/sk && skopeo copy --quiet --src-tls-verify=false docker://$reg/bench/big:v1 oci:$work/sk:v1")
if command -v podman >/dev/null; then
	tools+=(podman "rm -rf $work/pm $work/pmrun && podman --root $work/pm --runroot $work/pmrun --storage-driver vfs pull --quiet --tls-verify=false $reg/bench/big:v1")
fi
/usr/bin/python3 "$here/rounds.py" "${RUNS:-5}" "${tools[@]}"
# the unpack is real: the store holds the files. The disk-speed reference: GNU tar unpacking the same five
# gzip layers from the page cache, one after the other.
n=$(find "$work/cc/images/layers" -type f | wc -l)
echo "container-compose unpacked $n files, $(du -sm "$work/cc/images/layers" | awk '{print $1}') MB"
layers=$(find "$work/cc/images/blobs/sha256" -size +10k -type f | tr '\n' ' ')
/usr/bin/python3 "$here/rounds.py" "${RUNS:-5}" "tar -xzf (5 layers)" \
	"rm -rf $work/tar && mkdir $work/tar && for l in $layers; do tar -C $work/tar -xzf \$l 2>/dev/null || tar -C $work/tar -xf \$l; done"
