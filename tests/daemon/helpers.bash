# Shared setup for the daemon's tests (serve, the REST API, auth, TLS, the remote backend). Each test gets a
# fresh state root and starts the daemons it needs; teardown stops them by PID.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

CC="${CC_BIN:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build/container-compose}"
PY=/usr/bin/python3

setup() {
	ROOT="$BATS_TEST_TMPDIR/root"
	SOCK="$ROOT/api.sock"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME" "$ROOT"
	unset CONTAINER_COMPOSE_HOST CONTAINER_COMPOSE_TOKEN CONTAINER_COMPOSE_ROOT CONTAINER_COMPOSE_BACKEND
	DAEMONS=()
	NATIVE_DAEMON=
}

teardown() {
	local pid log
	# a failed test shows what its daemons said: a crash's last words are in their logs
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		for log in "$BATS_TEST_TMPDIR"/daemon-*.log; do
			[ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 30 "$log"; } >&2
		done
	fi
	# a native daemon that died left its project's containers to their monitors: the CLI removes them from
	# the same root
	if [ -n "${NATIVE_DAEMON:-}" ] && ! kill -0 "$DAEMON_PID" 2>/dev/null && [ -f "$BATS_TEST_TMPDIR/proj/compose.yaml" ]; then
		(cd "$BATS_TEST_TMPDIR/proj" && "$CC" --root "$ROOT" --backend native down -t 0 --remove-orphans >/dev/null 2>&1) || true
	fi
	# a native daemon's containers outlive it (their monitors own them): whatever a failed test left running
	# is removed through the API first, with its networks
	if [ -n "${NATIVE_DAEMON:-}" ] && [ -S "$SOCK" ]; then
		local name
		for name in $(api GET '/containers?all=true' | sed '$d' | "$PY" -c 'import json,sys; [print(c["id"]) for c in json.load(sys.stdin)]' 2>/dev/null); do
			api DELETE "/containers/$name?force=true" >/dev/null
		done
		for name in $(api GET /networks | sed '$d' | "$PY" -c 'import json,sys; [print(n["name"]) for n in json.load(sys.stdin)]' 2>/dev/null); do
			api DELETE "/networks/$name" >/dev/null
		done
	fi
	for pid in "${DAEMONS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# what is still there (a failed test's, through a daemon on tcp:// or tls://) goes through the CLI on the
	# same root: a container left running keeps its mounts, and the test directory could not be removed
	if [ -n "${NATIVE_DAEMON:-}" ] && [ -f "$ROOT/state.db" ]; then
		local project
		for project in $("$CC" --root "$ROOT" --backend native ls -a -q 2>/dev/null); do
			# away from any compose file: the project by name, without a model that would make orphans
			(cd / && "$CC" --root "$ROOT" --backend native -p "$project" down -t 0 --remove-orphans) \
				>/dev/null 2>&1 || true
		done
	fi
}

# serve [ARGS...]: start a daemon over the mock backend in the background, wait until it says it listens;
# DAEMON_PID, DAEMON_LOG and ADDRESS (what it printed) describe it.
serve() {
	DAEMON_LOG="$BATS_TEST_TMPDIR/daemon-${#DAEMONS[@]}.log"
	[ "${SERVE_BACKEND:-mock}" = native ] && NATIVE_DAEMON=1
	"$CC" --root "$ROOT" --backend "${SERVE_BACKEND:-mock}" serve "$@" >"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	DAEMONS+=("$DAEMON_PID")
	local i
	for i in $(seq 1 250); do
		if grep -q "listening at" "$DAEMON_LOG"; then
			ADDRESS=$(sed -n 's/^container-compose daemon listening at //p' "$DAEMON_LOG")
			return 0
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.02
	done
	cat "$DAEMON_LOG" >&2
	return 1
}

# api METHOD PATH [CURL ARGS...]: a request on the unix socket; prints the body, then a last line with the
# status code.
api() {
	local method="$1" path="$2"
	shift 2
	curl -s --unix-socket "$SOCK" -X "$method" -w '\n%{http_code}' "$@" "http://localhost$path"
}

# body and code of the last `run api ...`
code() { printf '%s\n' "$output" | tail -n 1; }
body() { printf '%s\n' "$output" | sed '$d'; }

# jq-like field access with python: jget EXPR reads the body of the last `run api` (EXPR over `d`).
jget() {
	body | "$PY" -c 'import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print(v if isinstance(v,str) else json.dumps(v))' "$1"
}

# The envelope of an error answer: checks status, key and request id against the header.
assert_envelope() {
	local status="$1" key="$2"
	assert_equal "$(code)" "$status"
	assert_equal "$(jget 'd["error"]')" "$key"
	assert_equal "$(jget 'd["code"]')" "E_$status"
	[ -n "$(jget 'd["requestId"]')" ]
	[ -n "$(jget 'd["message"]')" ]
}

# compose project in $BATS_TEST_TMPDIR/proj
write_project() {
	mkdir -p "$BATS_TEST_TMPDIR/proj"
	cat >"$BATS_TEST_TMPDIR/proj/compose.yaml"
}

# The daemon's thread count, and a wait (5 s at most) until it is back to N or fewer.
daemon_threads() { ls /proc/"$DAEMON_PID"/task | wc -l; }
assert_threads_back_to() {
	local i
	for i in $(seq 1 100); do
		[ "$(daemon_threads)" -le "$1" ] && return 0
		sleep 0.05
	done
	fail "the daemon still has $(daemon_threads) threads, expected $1 or fewer"
}

# A busybox image as a tarball in $BATS_FILE_TMPDIR/busybox.tar, for the tests on real containers (root, runc
# and busybox-static; nothing made without them, and those tests skip).
busybox_tar() {
	if [ "$(id -u)" = 0 ] && command -v runc >/dev/null && [ -x /bin/busybox ]; then
		local layout="$BATS_FILE_TMPDIR/layout"
		python3 "$BATS_TEST_DIRNAME/../images/mkimage.py" multi "$layout" >/dev/null
		tar -C "$layout" -cf "$BATS_FILE_TMPDIR/busybox.tar" .
	fi
}

# busybox:latest into the daemon's store, through the CLI options given
load_busybox() {
	local id
	id=$("$CC" "$@" image load -i "$BATS_FILE_TMPDIR/busybox.tar" | sed -n 's/^Loaded image ID: //p')
	"$CC" "$@" image tag "$id" busybox:latest
}
