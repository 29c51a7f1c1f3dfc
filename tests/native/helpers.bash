# Shared by the native backend's bats files: a busybox image (mkimage.py "multi") loaded into a fresh
# state root per file, skips where the host can't run containers, and the readers the tests use.

CC="${CC_BIN:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build/container-compose}"
MKIMAGE="$BATS_TEST_DIRNAME/../images/mkimage.py"

native_can_run() {
	[ "$(id -u)" = 0 ] && { [ -x /usr/sbin/runc ] || command -v runc >/dev/null; } && [ -x /bin/busybox ]
}

native_setup_file() {
	native_can_run || return 0
	export CONTAINER_COMPOSE_ROOT="$BATS_FILE_TMPDIR/root"
	python3 "$MKIMAGE" multi "$BATS_FILE_TMPDIR/layout" >/dev/null
	tar -C "$BATS_FILE_TMPDIR/layout" -cf "$BATS_FILE_TMPDIR/busybox.tar" .
	local id
	id=$("$CC" --backend native image load -i "$BATS_FILE_TMPDIR/busybox.tar" | sed -n 's/^Loaded image ID: //p')
	"$CC" --backend native image tag "$id" busybox:latest
}

# Skip with the reason, else a fresh project directory under the test's temporary directory.
native_setup() {
	if [ "$(id -u)" != 0 ]; then skip "needs root"; fi
	if [ ! -x /usr/sbin/runc ] && ! command -v runc >/dev/null; then skip "needs runc"; fi
	if [ ! -x /bin/busybox ]; then skip "needs busybox-static"; fi
	export CONTAINER_COMPOSE_ROOT="$BATS_FILE_TMPDIR/root"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p proj && cd proj
}

native_teardown() {
	[ -n "${CONTAINER_COMPOSE_ROOT:-}" ] && [ -f compose.yaml ] && "$CC" --backend native down -t 0 --remove-orphans >/dev/null 2>&1 || true
}

# "name state exitcode" of every container of the project
states() {
	"$CC" --backend native ps -a --format json |
		python3 -c 'import json,sys
for l in sys.stdin:
    if l.strip():
        c = json.loads(l); print(c["Name"], c["State"], c["ExitCode"])'
}

# Poll (up to $2 seconds) until the command in $1 succeeds.
eventually() {
	local deadline=$((SECONDS + ${2:-10}))
	until eval "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# Every event of the project so far (the stream ends a second from now, past the last one recorded).
events_so_far() {
	"$CC" --backend native events --json --since 0 --until "$(($(date +%s) + 1))" "$@"
}

# Bring the project up, wait for SERVICE's container to exit, and print its output.
output_of() {
	"$CC" --backend native up -d >/dev/null 2>&1 || return 1
	"$CC" --backend native wait "$1" >/dev/null || true
	"$CC" --backend native logs --no-log-prefix "$1"
}

# Like output_of, for a service behind a profile: up of that service alone, then its output.
output_of_profile() {
	"$CC" --backend native --profile "$1" up -d "$2" >/dev/null 2>&1 || return 1
	"$CC" --backend native wait "$2" >/dev/null || true
	"$CC" --backend native --profile "$1" logs --no-log-prefix "$2"
}
