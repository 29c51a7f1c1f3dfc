#!/usr/bin/env bats
# Container listings of a native daemon, which keeps each unchanged container's summary text between
# listings: every change, wherever it was made (through the daemon or by the CLI on the same root, by a
# container's own exit), shows in the next listing, and so does the passing of time in the status.

load helpers

setup_file() { busybox_tar; }

# the summary of container NAME in the last `run api GET /containers...`, as EXPR over `c`
field() {
	body | "$PY" -c 'import json,sys
c = [c for c in json.load(sys.stdin) if c["id"] == sys.argv[1]][0]
v = eval(sys.argv[2]); print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# waits (10 s at most) until NAME's state in the listing is STATE
wait_state() {
	local i
	for i in $(seq 1 100); do
		run api GET /containers
		[ "$(field "$1" 'c["state"]')" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 is $(field "$1" 'c["state"]'), not $2"
}

@test "native listings follow every change: the daemon's, the CLI's on the same root, an exit, the clock" {
	[ -f "$BATS_FILE_TMPDIR/busybox.tar" ] || skip "needs root, runc and busybox-static"
	SERVE_BACKEND=native serve
	load_busybox --root "$ROOT"
	write_project <<'YAML'
services:
  t:
    image: busybox
    command: ["sleep", "1000"]
  u:
    image: busybox
    network_mode: none
    command: ["sh", "-c", "sleep 1; exit 3"]
YAML
	cd "$BATS_TEST_TMPDIR/proj"
	"$CC" --root "$ROOT" -p l create
	run api GET /containers
	assert_equal "$(field l-t-1 'c["state"]')" created
	assert_equal "$(field l-t-1 'c["status"]')" Created
	# a change that leaves the status as it was: connected by the CLI to another network
	"$CC" --root "$ROOT" network create l-extra
	run api GET '/containers?full=true'
	assert_equal "$(field l-t-1 '[e["name"] for e in c["endpoints"]]')" '["l_default"]'
	"$CC" --root "$ROOT" network connect l-extra l-t-1
	run api GET '/containers?full=true'
	assert_equal "$(field l-t-1 'c["status"]')" Created
	assert_equal "$(field l-t-1 '[e["name"] for e in c["endpoints"]]')" '["l_default", "l-extra"]'
	# started by the CLI beside the daemon
	"$CC" --root "$ROOT" -p l start
	run api GET /containers
	assert_equal "$(field l-t-1 'c["state"]')" running
	local first
	first=$(field l-t-1 'c["status"]')
	assert_equal "${first:0:3}" "Up "
	# u exits on its own: its monitor records it, the listing shows it
	wait_state l-u-1 exited
	assert_equal "$(field l-u-1 'c["status"][:10]')" "Exited (3)"
	# nothing changed but the time: t's status moves on
	sleep 2.2
	run api GET /containers
	assert_equal "$(field l-t-1 'c["state"]')" running
	[ "$(field l-t-1 'c["status"]')" != "$first" ] || fail "the status stayed \"$first\""
	# a full listing carries the creation spec, a brief one does not, alternately
	run api GET '/containers?full=true'
	assert_equal "$(field l-t-1 '"spec" in c or "config" in c')" true
	run api GET /containers
	assert_equal "$(field l-t-1 '"spec" in c or "config" in c')" false
	# stopped through the daemon, then started again by it
	run api POST '/containers/l-t-1/stop?t=0'
	assert_equal "$(code)" 204
	run api GET /containers
	assert_equal "$(field l-t-1 'c["state"]')" exited
	run api POST /containers/l-t-1/start
	assert_equal "$(code)" 204
	run api GET /containers
	assert_equal "$(field l-t-1 'c["state"]')" running
	# removed by the CLI: gone from the next listing
	"$CC" --root "$ROOT" -p l down -t 0
	run api GET /containers
	assert_equal "$(jget 'len(d)')" 0
	"$CC" --root "$ROOT" network rm l-extra
}
