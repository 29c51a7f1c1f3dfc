# Shared setup for the black-box conformance tests of container-compose's orchestration commands (up, down,
# ps, logs, run, exec, ...), checked against what docker compose users expect.
#
# The suite runs against any backend by name: CC_CONFORMANCE_BACKEND (default mock) is passed as --backend.
# Every test gets a fresh state root ($BATS_TEST_TMPDIR/root) and its own project directory
# ($BATS_TEST_TMPDIR/proj, so the project name is "proj"), with an environment stripped of anything the host
# could leak (COMPOSE_*, CONTAINER_COMPOSE_*, DOCKER_*, NO_COLOR, ...). Nothing is written outside
# $BATS_TEST_TMPDIR, and ~/.container-compose is never touched (HOME points into the test directory too).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

CC="${CC_BIN:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build/container-compose}"
CC_CONFORMANCE_BACKEND_SAVED="${CC_CONFORMANCE_BACKEND:-mock}"
# the engine under the docker backend (podman or dockerd), kept before clean_env drops it
CC_CONFORMANCE_ENGINE_SAVED="${CC_CONFORMANCE_ENGINE:-}"
PY=/usr/bin/python3

# Keep only what a shell needs; drop everything else the host exported.
clean_env() {
	local v
	for v in $(compgen -e); do
		case "$v" in
		PATH | LANG | LANGUAGE | LC_* | TERM | TMPDIR | USER | LOGNAME | SHELL | PWD | OLDPWD | SHLVL | TZ | DOCKER_HOST | BATS_* | _) ;; # DOCKER_HOST: the docker backend's engine
		*) unset "$v" 2>/dev/null || true ;;
		esac
	done
}

common_setup() {
	clean_env
	# the binary may be briefly missing while someone rebuilds the tree: wait a little
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -x "$CC" ] && break
		sleep 1
	done
	[ -x "$CC" ] || fail "container-compose binary not found at $CC"
	BACKEND="$CC_CONFORMANCE_BACKEND_SAVED"
	ROOT="$BATS_TEST_TMPDIR/root"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME" "$BATS_TEST_TMPDIR/proj"
	cd "$BATS_TEST_TMPDIR/proj" || fail "cannot cd into the test dir"
	P="$BATS_TEST_TMPDIR/proj"
	CLEANUP_DIRS=("$P")
	BACKEND_ARGS=(--backend "$BACKEND")
	if [ "$BACKEND" = remote ]; then
		start_daemon
		BACKEND_ARGS=(--remote "unix://$ROOT/api.sock")
	fi
}

# With CC_CONFORMANCE_BACKEND=remote, every command goes through a daemon (serve) on the test's root, over the
# backend CC_REMOTE_INNER (default mock); teardown stops it.
start_daemon() {
	local i
	mkdir -p "$ROOT"
	"$CC" --root "$ROOT" --backend "${CC_REMOTE_INNER:-mock}" serve >"$BATS_TEST_TMPDIR/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for i in $(seq 1 200); do
		[ -S "$ROOT/api.sock" ] && return 0
		sleep 0.02
	done
	fail "the daemon did not start: $(cat "$BATS_TEST_TMPDIR/daemon.log")"
}

stop_daemon() {
	[ -n "${DAEMON_PID:-}" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

setup() {
	common_setup
}

# On a real backend, leave nothing running behind (the mock's state dies with $BATS_TEST_TMPDIR).
teardown() {
	if [ "${BACKEND:-mock}" = remote ]; then
		is_mock || (cd "$P" && cc down -v --remove-orphans -t 0 >/dev/null 2>&1) || true
		stop_daemon
		return 0
	fi
	[ "${BACKEND:-mock}" = mock ] && return 0
	local d
	for d in "${CLEANUP_DIRS[@]}"; do
		[ -f "$d/compose.yaml" ] || continue
		(cd "$d" && cc down -v --remove-orphans -t 0 >/dev/null 2>&1) || true
	done
}

# is_mock: whether the backend under test is the mock (for the assertions only it can make).
is_mock() {
	[ "$BACKEND" = mock ] || { [ "$BACKEND" = remote ] && [ "${CC_REMOTE_INNER:-mock}" = mock ]; }
}

# engine_lacks WHAT: whether the engine under the docker backend lacks WHAT, so that a test of it is skipped
# by name (the runtime suite's engine_lacks): podman's service runs health checks from systemd timers, and
# this machine has no systemd; its compat API takes no init_path, only catatonit, which this machine lacks.
engine_lacks() {
	[ "$CC_CONFORMANCE_ENGINE_SAVED" = podman ] || return 1
	case "$1" in
	healthchecks | init) return 0 ;;
	esac
	return 1
}

# write FILE: write standard input (usually a heredoc) to FILE, creating its directory.
write() {
	mkdir -p "$(dirname "$1")"
	cat >"$1"
}

# cc ARGS...: the binary under test with this test's state root and backend (for use with `run`).
cc() {
	"$CC" --root "$ROOT" "${BACKEND_ARGS[@]}" "$@"
}

# cc_timeout SECONDS ARGS...: cc under timeout(1), for commands that block (logs -f, up attached, wait).
# A hang then fails the test with status 124 instead of hanging the suite.
cc_timeout() {
	local secs="$1"
	shift
	timeout "$secs" "$CC" --root "$ROOT" "${BACKEND_ARGS[@]}" "$@"
}

# cc_ok ARGS...: run cc, require success, keep nothing (setup steps of a test).
cc_ok() {
	run cc "$@"
	if [ "$status" -ne 0 ]; then
		echo "setup step failed: container-compose $* -> $status" >&2
		echo "$output" >&2
		return 1
	fi
}

# ps_json [PS ARGS...]: the NDJSON of `ps -a --format json` (or of `ps --format json ARGS` when given).
ps_json() {
	if [ $# -eq 0 ]; then
		cc ps -a --format json 2>/dev/null
	else
		cc ps --format json "$@" 2>/dev/null
	fi
}

# cfield NAME FIELD: a field of container NAME in `ps -a --format json`: strings raw, other values as compact
# JSON; <absent> when there is no such container (or field).
cfield() {
	ps_json | "$PY" -c '
import json, sys
name, field = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    o = json.loads(line)
    if o.get("Name") == name:
        if field not in o:
            break
        v = o[field]
        print(v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":")))
        sys.exit(0)
print("<absent>")
' "$1" "$2"
}

# cid NAME: the ID of container NAME.
cid() {
	cfield "$1" ID
}

# clabel NAME KEY: the value of label KEY of container NAME (<absent> when missing). ps --format json gives the
# labels as one "k=v,k=v" string; a piece without "=" belongs to the previous value (a comma inside it).
clabel() {
	cfield "$1" Labels | "$PY" -c '
import sys
text, key = sys.stdin.read().rstrip("\n"), sys.argv[1]
labels, last = {}, None
for piece in text.split(","):
    if "=" in piece:
        k, v = piece.split("=", 1)
        labels[k] = v
        last = k
    elif last is not None:
        labels[last] += "," + piece
print(labels.get(key, "<absent>"))
' "$2"
}

# names [PS ARGS...]: the sorted container names `ps --format json ARGS` lists (no ARGS: what plain ps shows).
names() {
	cc ps --format json "$@" 2>/dev/null | "$PY" -c '
import json, sys
print("\n".join(sorted(json.loads(l)["Name"] for l in sys.stdin if l.strip())))
'
}

# assert_names EXPECTED... : the containers of the project (ps -a) are exactly these, sorted.
assert_names() {
	run names -a
	assert_success
	if [ $# -eq 0 ]; then
		assert_output ""
	else
		assert_output "$(printf '%s\n' "$@" | sort)"
	fi
}

# assert_field NAME FIELD EXPECTED
assert_field() {
	run cfield "$1" "$2"
	assert_success
	assert_output "$3"
}

# assert_label NAME KEY EXPECTED
assert_label() {
	run clabel "$1" "$2"
	assert_success
	assert_output "$3"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fail after SECONDS. Only a bound against
# hangs: tests never assert how long anything took.
wait_for() {
	local secs="$1"
	shift
	local tries=$((secs * 10)) i
	for ((i = 0; i < tries; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "timed out after ${secs}s waiting for: $*" >&2
	return 1
}

# field_is NAME FIELD VALUE: whether container NAME's FIELD currently is VALUE (for wait_for).
field_is() {
	[ "$(cfield "$1" "$2")" = "$3" ]
}

# wait_state NAME STATE [SECONDS]: wait until container NAME is in STATE (running, exited, ...).
wait_state() {
	wait_for "${3:-10}" field_is "$1" State "$2"
}

# assert_progress KIND NAME STATUS: $output has docker compose's plain progress line "KIND NAME  STATUS"
# (leading blanks and a tty check mark tolerated).
assert_progress() {
	assert_line --regexp "^[[:space:]]*(✔[[:space:]]*)?$1 $2[[:space:]]+$3\$"
}

refute_progress() {
	refute_line --regexp "^[[:space:]]*(✔[[:space:]]*)?$1 $2[[:space:]]+$3\$"
}

# line_no REGEX: the 1-based number of the first line of $output matching REGEX (0 when none).
line_no() {
	local i=0 l
	while IFS= read -r l; do
		i=$((i + 1))
		if [[ "$l" =~ $1 ]]; then
			echo "$i"
			return 0
		fi
	done <<<"$output"
	echo 0
}
