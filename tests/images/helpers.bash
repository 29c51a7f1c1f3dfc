# A docker-registry on 127.0.0.1 (a free port, temporary storage) for the image tests, started once per file,
# with test images from mkimage.py pushed by skopeo, the reference tool. Stopped by its PID.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

CC="${CC_BIN:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build/container-compose}"
MKIMAGE="$BATS_TEST_DIRNAME/mkimage.py"

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_registry() {
	export REG_DIR="$BATS_FILE_TMPDIR/registry"
	mkdir -p "$REG_DIR/data"
	export REG_PORT=$(free_port)
	export REG="127.0.0.1:$REG_PORT"
	cat >"$REG_DIR/config.yml" <<EOC
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $REG_DIR/data }, delete: { enabled: true } }
http: { addr: $REG }
EOC
	docker-registry serve "$REG_DIR/config.yml" >"$REG_DIR/log" 2>&1 &
	echo $! >"$REG_DIR/pid"
	local i
	for ((i = 0; i < 100; i++)); do
		/usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://$REG/v2/')" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "registry did not start: $(cat "$REG_DIR/log")" >&2
	return 1
}

stop_registry() {
	[ -f "$REG_DIR/pid" ] && kill "$(cat "$REG_DIR/pid")" 2>/dev/null
	wait 2>/dev/null || true
}

# push_layout KIND REPO:TAG: build an OCI layout of KIND and push it with skopeo
push_layout() {
	local kind="$1" ref="$2"
	local dir="$BATS_FILE_TMPDIR/layout-$kind-${ref//[:\/]/_}"
	/usr/bin/python3 "$MKIMAGE" "$kind" "$dir" "${ref##*:}" >/dev/null
	skopeo copy --quiet --all --dest-tls-verify=false "oci:$dir:${ref##*:}" "docker://$REG/$ref"
}

# the manifest digest the registry serves for REPO:TAG, as skopeo computes it
remote_digest() {
	skopeo inspect --raw --tls-verify=false "docker://$REG/$1" | sha256sum | awk '{print "sha256:" $1}'
}

setup() {
	export ROOT="$BATS_TEST_TMPDIR/root"
	cd "$BATS_TEST_TMPDIR"
}

# A project a test brought up is taken down: its containers hold mounts (network namespaces) under the root.
teardown() {
	if [ -f "$BATS_TEST_TMPDIR/proj/compose.yaml" ]; then
		(cd "$BATS_TEST_TMPDIR/proj" && cc down -t 0 >/dev/null 2>&1) || true
	fi
}

cc() {
	"$CC" --root "$ROOT" --backend native --progress plain "$@"
}
