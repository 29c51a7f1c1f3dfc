#!/usr/bin/env bats
# State lives in the backend (and the state root), not in a process: separate CLI processes see the same
# containers, states settle with time, and concurrent CLI processes share one store safely.

load helpers

@test "state persists across CLI processes" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run cc up -d
	assert_success
	local id
	id=$(cid proj-web-1)
	run --separate-stderr cc ps -q
	assert_success
	assert_output "$id"
	run cc stop
	assert_success
	assert_field proj-web-1 State exited
	assert_field proj-web-1 ID "$id"
	# ls needs no project: it works from anywhere
	cc_ok start
	cd /
	run --separate-stderr cc ls -q
	assert_success
	assert_output "proj"
}

@test "a project is managed by name without its compose file: -p NAME ps / down" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	cc_ok up -d
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere"
	cd "$BATS_TEST_TMPDIR/elsewhere"
	run cc -p proj ps --format json
	assert_success
	assert_output --partial '"Name":"proj-web-1"'
	run cc -p proj down
	assert_success
	cd "$P"
	assert_names
}

@test "a container's state settles with time: sleep 5 is running, then exited 0" {
	# 5 s: up -d and the two reads after it take more than 2 on podman's service under load
	write compose.yaml <<'EOF'
services:
  nap:
    image: busybox
    command: ["sleep", "5"]
EOF
	cc_ok up -d
	assert_field proj-nap-1 State running
	run names
	assert_output "proj-nap-1"
	sleep 5.5
	# no process of ours ran meanwhile: the next reader sees the exit
	assert_field proj-nap-1 State exited
	assert_field proj-nap-1 ExitCode 0
	run names
	assert_output ""
	run names -a
	assert_output "proj-nap-1"
}

@test "the output of a container that ran while nobody watched is in its logs" {
	write compose.yaml <<'EOF'
services:
  late:
    image: busybox
    command: ["sh", "-c", "echo first; sleep 1; echo second"]
EOF
	cc_ok up -d
	sleep 1.3
	run --separate-stderr cc logs --no-log-prefix
	assert_success
	assert_output "$(printf 'first\nsecond')"
	assert_field proj-late-1 State exited
}

@test "two up -d of different projects in parallel on one state root both succeed" {
	mkdir -p "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
	CLEANUP_DIRS+=("$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two")
	local d
	for d in one two; do
		write "$BATS_TEST_TMPDIR/$d/compose.yaml" <<'EOF'
services:
  a:
    image: nginx
  b:
    image: busybox
    command: ["sleep", "infinity"]
    scale: 2
  c:
    image: busybox
    command: ["sleep", "infinity"]
    depends_on: [a]
EOF
	done
	(cd "$BATS_TEST_TMPDIR/one" && cc up -d >"$BATS_TEST_TMPDIR/one.log" 2>&1) &
	local p1=$!
	(cd "$BATS_TEST_TMPDIR/two" && cc up -d >"$BATS_TEST_TMPDIR/two.log" 2>&1) &
	local p2=$!
	local s1=0 s2=0
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	[ "$s1" -eq 0 ] || fail "up -d of project one failed ($s1): $(cat "$BATS_TEST_TMPDIR/one.log")"
	[ "$s2" -eq 0 ] || fail "up -d of project two failed ($s2): $(cat "$BATS_TEST_TMPDIR/two.log")"
	run --separate-stderr cc ls
	assert_success
	assert_line --regexp "^one +running\\(4\\) +$BATS_TEST_TMPDIR/one/compose.yaml\$"
	assert_line --regexp "^two +running\\(4\\) +$BATS_TEST_TMPDIR/two/compose.yaml\$"
	cd "$BATS_TEST_TMPDIR/one"
	run names
	assert_output "$(printf '%s\n' one-a-1 one-b-1 one-b-2 one-c-1)"
	cd "$BATS_TEST_TMPDIR/two"
	run names
	assert_output "$(printf '%s\n' two-a-1 two-b-1 two-b-2 two-c-1)"
}

@test "parallel ps and up on one state root do not fail" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    scale: 3
EOF
	(cc up -d >"$BATS_TEST_TMPDIR/up.log" 2>&1) &
	local pid=$! i fails=0
	for i in 1 2 3 4 5; do
		cc ps -a --format json >/dev/null 2>>"$BATS_TEST_TMPDIR/ps.log" || fails=$((fails + 1))
	done
	local s=0
	wait "$pid" || s=$?
	[ "$s" -eq 0 ] || fail "up -d failed ($s): $(cat "$BATS_TEST_TMPDIR/up.log")"
	[ "$fails" -eq 0 ] || fail "$fails concurrent ps failed: $(cat "$BATS_TEST_TMPDIR/ps.log")"
	assert_names proj-web-1 proj-web-2 proj-web-3
}
