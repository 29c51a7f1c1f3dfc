#!/usr/bin/env bats
# The native backend runs containers for real: a busybox image (mkimage.py "multi") loaded into a fresh state
# root, then a compose project through the CLI with --backend native. Needs root, runc and busybox-static;
# skips otherwise. Services use network_mode: none (the native backend has no networks yet).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	native_setup_file
}

setup() {
	native_setup
	cat >compose.yaml <<'EOC'
services:
  web:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    command: ["sh", "-c", "echo hello; sleep 1000"]
  once:
    image: busybox:latest
    network_mode: none
    command: ["sh", "-c", "echo done; exit 3"]
EOC
}

teardown() {
	native_teardown
}

no_overlay_left() {
	! grep -q "$CONTAINER_COMPOSE_ROOT" /proc/mounts
}

@test "up -d runs a service: ps shows it running, logs show its output" {
	run "$CC" --backend native up -d web
	assert_success
	run states
	assert_success
	assert_output --partial "proj-web-1 running"
	sleep 0.3
	run "$CC" --backend native logs web
	assert_success
	assert_output --partial "hello"
}

@test "stop ends the process: exited with the real status (pid 1 ignores TERM: 137 after the grace period)" {
	"$CC" --backend native up -d web
	run "$CC" --backend native stop web
	assert_success
	run states
	assert_output --partial "proj-web-1 exited 137"
}

@test "a one-shot service's exit code: wait returns 3, ps says ExitCode 3" {
	"$CC" --backend native up -d once
	run "$CC" --backend native wait once
	assert_equal "$status" 3
	run states
	assert_output --partial "proj-once-1 exited 3"
	run "$CC" --backend native logs once
	assert_output --partial "done"
}

@test "down removes every container and leaves no mount behind" {
	"$CC" --backend native up -d
	run "$CC" --backend native down
	assert_success
	run "$CC" --backend native ps -a -q
	assert_output ""
	no_overlay_left
	[ -z "$(ls -A "$CONTAINER_COMPOSE_ROOT/containers")" ]
}

@test "run --rm prints the command's output and removes the container" {
	run "$CC" --backend native run --rm web echo hi
	assert_success
	assert_output --partial "hi"
	run "$CC" --backend native ps -a -q
	assert_output ""
	no_overlay_left
}

@test "a missing image is refused before anything runs" {
	cat >compose.yaml <<'EOC'
services:
  x:
    image: nosuch.invalid/none:1
    network_mode: none
    pull_policy: never
    command: ["true"]
EOC
	run "$CC" --backend native up -d
	assert_failure
	assert_output --partial "not found"
}

@test "exec runs in the container and returns the command's exit code; top lists its processes" {
	"$CC" --backend native up -d web
	run "$CC" --backend native exec web sh -c 'echo inside $(hostname); exit 7'
	[ "$status" -eq 7 ]
	assert_output --regexp '^inside [0-9a-f]{12}$'
	run "$CC" --backend native exec web cat /etc/passwd
	assert_success
	assert_output --partial "root:x:0:0"
	run "$CC" --backend native top web
	assert_success
	assert_output --partial "PID"
	assert_output --partial "sleep 1000"
	# --privileged: every capability for the exec'd process (CAP_NET_ADMIN, bit 12, is not a default one)
	plain=$("$CC" --backend native exec web sh -c "awk '/^CapEff/ {print \$2}' /proc/self/status")
	priv=$("$CC" --backend native exec --privileged web sh -c "awk '/^CapEff/ {print \$2}' /proc/self/status")
	[ $((0x$plain & 0x1000)) -eq 0 ]
	[ $((0x$priv & 0x1000)) -ne 0 ]
	[ $((0x$priv & 0x$plain)) -eq $((0x$plain)) ]
}

@test "ps shows the command that runs: the image's when the service gives none; an entrypoint clears its command" {
	cat >compose.yaml <<'YAML'
services:
  plain:
    image: busybox
  own:
    image: busybox
    entrypoint: ["echo", "hi"]
YAML
	"$CC" --backend native up -d
	run bash -c "'$CC' --backend native ps -a --format json | python3 -c 'import json,sys; [print(d[\"Service\"], d[\"Command\"]) for d in map(json.loads, sys.stdin)]'"
	assert_line 'own echo hi'
	assert_line 'plain /bin/sh'
	"$CC" --backend native down -t 0
}

@test "pause freezes the container and unpause thaws it" {
	"$CC" --backend native up -d web
	run "$CC" --backend native pause web
	assert_success
	run states
	assert_output --partial "proj-web-1 paused"
	run "$CC" --backend native exec web true
	assert_failure
	assert_output --partial "paused"
	run "$CC" --backend native unpause web
	assert_success
	run "$CC" --backend native exec web true
	assert_success
}

@test "down of a paused container kills it and leaves nothing behind" {
	"$CC" --backend native up -d web
	"$CC" --backend native pause web
	run "$CC" --backend native down
	assert_success
	run states
	assert_output ""
	! grep -q "$CONTAINER_COMPOSE_ROOT" /proc/mounts
	[ -z "$(ls "$CONTAINER_COMPOSE_ROOT/containers" 2>/dev/null)" ]
	# and runc has no container left, frozen or not
	[ -z "$(runc --root "$CONTAINER_COMPOSE_ROOT/runc" list -q 2>/dev/null)" ]
}

@test "restart runs the service again: a new process, the same container" {
	"$CC" --backend native up -d web
	local before
	before=$("$CC" --backend native ps -q)
	run "$CC" --backend native restart web
	assert_success
	run states
	assert_output "proj-web-1 running 0"
	[ "$("$CC" --backend native ps -q)" = "$before" ]
	run "$CC" --backend native logs web
	[ "$(grep -c hello <<<"$output")" -eq 2 ]
}

# One service `a` that sleeps, up.
up_sleeper_a() {
	cat >compose.yaml <<'YAML'
services:
  a:
    image: busybox
    command: sleep 300
YAML
	"$CC" --backend native up -d
}

@test "exec: a pseudo-TTY when standard input is a terminal, raw input and exit codes through it; -i passes stdin" {
	command -v script >/dev/null || skip "needs script(1) for a terminal"
	up_sleeper_a
	# script(1) gives the CLI a terminal: the command sees a pty and TERM, and its exit code comes back
	run script -qec "$CC --backend native exec a sh -c 'tty; echo TERM=\$TERM; exit 5'" /dev/null
	[ "$status" -eq 5 ]
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *"TERM=xterm"* ]]
	# keystrokes typed into the terminal reach an interactive shell
	run bash -c "printf 'echo typed-\$((6*7))\nexit 7\n' | script -qec '$CC --backend native exec a sh' /dev/null"
	[ "$status" -eq 7 ]
	[[ "$output" == *"typed-42"* ]]
	# without a terminal: no pty, standard input only with -i
	run bash -c "echo piped-in | '$CC' --backend native exec -i a cat"
	[ "$output" = piped-in ]
	run bash -c "echo piped-in | '$CC' --backend native exec a cat"
	[ -z "$output" ]
	run bash -c "'$CC' --backend native exec a sh -c tty </dev/null"
	[[ "$output" == *"not a tty"* ]]
	run bash -c "'$CC' --backend native exec -t a true </dev/null"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a TTY"* ]]
	"$CC" --backend native down -t 0
}

@test "exec -t: a runtime's error reads as lines; a killed CLI gives the terminal back and hangs the session up" {
	command -v script >/dev/null || skip "needs script(1) for a terminal"
	up_sleeper_a
	# the runtime's reason comes once the terminal is out of raw mode: its line ends in CR LF, the
	# terminal's own translation, not in a bare LF
	run script -qec "$CC --backend native exec a /no/such/command" /dev/null
	assert_failure
	line=$(grep -a "no/such/command" <<<"$output" | tail -1)
	[ -n "$line" ]
	[[ "$line" == *$'\r' ]]
	# a CLI killed in a session: its relay restores the terminal and the session's process gets the hang-up
	cat >session.sh <<EOF
stty -g >before
sh -c 'echo \$\$ >cli.pid; exec "$CC" --backend native exec a sleep 4242'
for i in \$(seq 100); do stty -g >after; cmp -s before after && break; sleep 0.1; done
cmp -s before after && echo TERMINAL-RESTORED
EOF
	script -qec "sh session.sh" /dev/null >session.out 2>&1 &
	local script_pid=$!
	for i in $(seq 100); do pgrep -f '^sleep 4242$' >/dev/null && break; sleep 0.1; done
	pgrep -f '^sleep 4242$'
	kill -TERM "$(cat cli.pid)"
	wait "$script_pid" || true
	run cat session.out
	assert_output --partial TERMINAL-RESTORED
	for i in $(seq 100); do pgrep -f '^sleep 4242$' >/dev/null || break; sleep 0.1; done
	run pgrep -f '^sleep 4242$'
	assert_failure
	"$CC" --backend native down -t 0
}

@test "seccomp: the default profile filters every container; privileged and seccomp=unconfined run without one" {
	[ -f /usr/share/containers/seccomp.json ] || skip "needs Debian's golang-github-containers-common profile"
	cat >compose.yaml <<'YAML'
services:
  filtered:
    image: busybox
    command: ["sh", "-c", "grep ^Seccomp: /proc/self/status; unshare -m true 2>&1 || echo refused"]
  unconfined:
    image: busybox
    command: ["sh", "-c", "grep ^Seccomp: /proc/self/status"]
    security_opt: ["seccomp=unconfined"]
  privileged:
    image: busybox
    command: ["sh", "-c", "grep ^Seccomp: /proc/self/status"]
    privileged: true
YAML
	run output_of filtered
	[[ "$output" == *"Seccomp:"*"2"* ]]
	[[ "$output" == *refused* ]]
	run output_of unconfined
	[[ "$output" == *"Seccomp:"*"0"* ]]
	run output_of privileged
	[[ "$output" == *"Seccomp:"*"0"* ]]
	"$CC" --backend native down -t 0
	cat >compose.yaml <<'YAML'
services:
  custom:
    image: busybox
    command: "true"
    security_opt: ["seccomp=/nonexistent/profile.json"]
YAML
	run "$CC" --backend native up -d
	[ "$status" -ne 0 ]
	[[ "$output" == *"seccomp profile /nonexistent/profile.json"* ]]
	"$CC" --backend native down -t 0
}

@test "logs: a chatty container's log is rotated at 10 MiB; logs reads across the rotation, -f follows it" {
	cat >compose.yaml <<'YAML'
services:
  chatty:
    image: busybox
    # about 14 MB of numbered 128-byte lines: the log rotates once, and its last lines are whole
    command: ["sh", "-c", "sleep 1; i=0; while [ $$i -lt 110000 ]; do printf '%08d %0119d\n' $$i 0; i=$$((i+1)); done; echo done"]
YAML
	"$CC" --backend native up -d
	# a follower attached before the output starts sees every line, across the rotation
	"$CC" --backend native logs -f --no-log-prefix chatty >"$BATS_TEST_TMPDIR/followed" &
	follower=$!
	"$CC" --backend native wait chatty
	wait "$follower"
	[ "$(grep -c '^[0-9]\{8\} ' "$BATS_TEST_TMPDIR/followed")" -eq 110000 ]
	[ "$(tail -1 "$BATS_TEST_TMPDIR/followed")" = done ]
	dir="$CONTAINER_COMPOSE_ROOT/containers/$("$CC" --backend native ps -a -q chatty)"
	[ -f "$dir/log.1" ]
	size=$(stat -c %s "$dir/log")
	[ "$size" -le $((10 * 1024 * 1024)) ]
	run bash -c "'$CC' --backend native logs --no-log-prefix --tail 2 chatty"
	[ "${lines[1]}" = done ]
	[[ "${lines[0]}" == 00109999* ]]
	# everything still on disk comes out in order, with no line lost at the seam between the files
	"$CC" --backend native logs --no-log-prefix chatty >"$BATS_TEST_TMPDIR/all"
	first=$(head -c 8 "$BATS_TEST_TMPDIR/all")
	count=$(grep -c '^[0-9]\{8\} ' "$BATS_TEST_TMPDIR/all")
	[ "$((10#$first + count))" -eq 110000 ]
	"$CC" --backend native down -t 0
}

@test "pid and ipc: host shares the host's namespaces, service:NAME another service's" {
	cat >compose.yaml <<'EOC'
services:
  a:
    image: busybox:latest
    network_mode: none
    command: ["sh", "-c", "while :; do sleep 1; done"]
  b:
    image: busybox:latest
    network_mode: none
    pid: "service:a"
    ipc: "service:a"
    command: ["sleep", "300"]
  h:
    image: busybox:latest
    network_mode: none
    pid: host
    ipc: host
    command: ["sleep", "300"]
EOC
	"$CC" --backend native up -d
	run "$CC" --backend native exec -T h busybox readlink /proc/self/ns/pid
	assert_output "$(readlink /proc/self/ns/pid)"
	run "$CC" --backend native exec -T h busybox readlink /proc/self/ns/ipc
	assert_output "$(readlink /proc/self/ns/ipc)"
	# b sees a's processes: its pid 1 is a's shell
	run "$CC" --backend native exec -T b cat /proc/1/comm
	assert_output "sh"
	local a_ipc
	a_ipc=$("$CC" --backend native exec -T a busybox readlink /proc/self/ns/ipc)
	run "$CC" --backend native exec -T b busybox readlink /proc/self/ns/ipc
	assert_output "$a_ipc"
	[ "$a_ipc" != "$(readlink /proc/self/ns/ipc)" ]
	"$CC" --backend native down -t 0
}

@test "uts: host, oom_score_adj, cpuset and cpu_quota reach the container" {
	cat >compose.yaml <<'EOC'
services:
  t:
    image: busybox:latest
    network_mode: none
    uts: host
    oom_score_adj: 432
    cpuset: "0"
    cpu_period: 100000
    cpu_quota: 50000
    command: ["sh", "-c", "cat /proc/sys/kernel/hostname; cat /proc/self/oom_score_adj; grep Cpus_allowed_list /proc/self/status"]
EOC
	run output_of t
	assert_success
	assert_line "$(cat /proc/sys/kernel/hostname)"
	assert_line "432"
	assert_line --regexp '^Cpus_allowed_list:[[:space:]]+0$'
	# the quota is the cgroup's: runc's record of the container says so
	run bash -c "cat '$CONTAINER_COMPOSE_ROOT'/containers/*/config.json 2>/dev/null || find '$CONTAINER_COMPOSE_ROOT' -name config.json -exec cat {} +"
	assert_output --partial '"quota": 50000'
	printf 'services:\n  t:\n    image: busybox:latest\n    network_mode: none\n    uts: host\n    hostname: mine\n' >compose.yaml
	run "$CC" --backend native up -d
	assert_failure
	assert_output --partial "uts: host shares the host's hostname"
}

@test "post_start and pre_stop hooks run in the container at start, stop, restart and down; a failing post_start fails up" {
	mkdir out
	cat >compose.yaml <<'EOC'
services:
  h:
    image: busybox:latest
    network_mode: none
    command: ["sleep", "300"]
    volumes: [./out:/out]
    post_start:
      - command: ["sh", "-c", "echo started-$$X >> /out/log"]
        environment: {X: one}
    pre_stop:
      - command: ["sh", "-c", "echo stopping >> /out/log"]
EOC
	"$CC" --backend native up -d
	run cat out/log
	assert_output "started-one"
	"$CC" --backend native stop -t 1
	"$CC" --backend native start
	"$CC" --backend native restart -t 1
	"$CC" --backend native down -t 1
	run cat out/log
	assert_output "$(printf 'started-one\nstopping\nstarted-one\nstopping\nstarted-one\nstopping')"

	cat >compose.yaml <<'EOC'
services:
  f:
    image: busybox:latest
    network_mode: none
    command: ["sleep", "300"]
    post_start:
      - command: ["sh", "-c", "echo no database; exit 3"]
EOC
	run "$CC" --backend native up -d
	assert_failure
	assert_output --partial "post_start hook in proj-f-1 exited with 3: no database"
}
