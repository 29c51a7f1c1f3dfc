#!/usr/bin/env bats
# The native backend under crun (--oci-runtime, and the automatic pick): refused with the reason where this
# host's hybrid cgroup layout stops crun, then, with hugetlb bound to a v1 hierarchy for this file only
# (scripts/crun-cgroups.sh, undone in teardown_file), real containers under crun. Needs root, crun and
# busybox-static; skips otherwise.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

load helpers

CRUN_CGROUPS="$BATS_TEST_DIRNAME/../../scripts/crun-cgroups.sh"

setup_file() {
	native_setup_file
}

teardown_file() {
	"$CRUN_CGROUPS" undo "$BATS_FILE_TMPDIR"
}

setup() {
	command -v crun >/dev/null || skip "needs crun"
	native_setup
	cat >compose.yaml <<'EOC'
services:
  svc:
    image: busybox:latest
    network_mode: none
    pids_limit: 40
    environment: {SECRET_TOKEN: s3cr3t-in-env}
    command: ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo up; while :; do sleep 0.1; done"]
  once:
    image: busybox:latest
    network_mode: none
    command: ["sh", "-c", "echo done; exit 3"]
EOC
}

teardown() {
	native_teardown
}

# Let crun run here: bind hugetlb to v1 while this file runs (a no-op where crun runs as it is).
crun_ready() {
	"$CRUN_CGROUPS" apply "$BATS_FILE_TMPDIR"
}

@test "crun where the cgroup layout stops it: refused with the reason, before anything is made" {
	[ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] || skip "the layout lets crun run"
	[ ! -f "$BATS_FILE_TMPDIR/crun-cgroups.applied" ] || skip "hugetlb already moved by this file"
	run "$CC" --oci-runtime crun up -d svc
	assert_failure
	assert_output --partial "OCI runtime crun: crun 1.8 refuses this host's hybrid cgroup layout"
	assert_output --partial "use runc"
	run "$CC" ps -a -q
	assert_output ""
	# the automatic pick falls back to runc
	"$CC" up -d svc
	grep -qx "$(command -v runc)" "$CONTAINER_COMPOSE_ROOT"/containers/*/runtime
}

@test "a runtime that is not there is refused by name, before anything is made" {
	run "$CC" --oci-runtime /nonexistent/crun up -d svc
	assert_failure
	assert_output --partial "OCI runtime /nonexistent/crun: not found or not executable"
	run env CONTAINER_COMPOSE_OCI_RUNTIME=no-such-runtime "$CC" up -d svc
	assert_failure
	assert_output --partial "OCI runtime no-such-runtime"
	run "$CC" ps -a -q
	assert_output ""
}

@test "crun runs a one-off: its output and exit code; its state under <root>/crun" {
	crun_ready
	run "$CC" --oci-runtime crun run once
	assert_equal "$status" 3
	assert_output --partial "done"
	grep -qx "$(command -v crun)" "$CONTAINER_COMPOSE_ROOT"/containers/*/runtime
	[ -d "$CONTAINER_COMPOSE_ROOT/crun" ]
	run "$CC" --oci-runtime crun run --rm once
	assert_equal "$status" 3
}

@test "a service under crun: exec, top, limits, pause; stopped by a CLI asking for runc, through crun" {
	crun_ready
	"$CC" --oci-runtime crun up -d svc
	run "$CC" exec svc sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
	assert_success
	assert_output "40"
	# crun's exec --env replaces the container's environment: -e and a terminal's TERM add to it here
	run "$CC" exec -e FOO=bar svc sh -c 'echo "$FOO $PATH $HOSTNAME"'
	assert_success
	assert_output "bar /bin $(cut -c1-12 <<<"$("$CC" ps -q svc)")"
	if command -v script >/dev/null; then
		run script -qec "$CC exec svc sh -c 'echo \$TERM \$PATH; exit 4'" /dev/null
		assert_equal "$status" 4
		assert_output --partial "xterm /bin"
	fi
	# the process goes to crun in a file of the container's, not on its command line, where the
	# container's environment would be anyone's to read on the host; the file is gone after
	"$CC" exec svc sleep 2 &
	local exec_pid=$! seen="" i
	for i in $(seq 1 15); do
		seen+=$(ps -eo args | grep -c "[s]3cr3t-in-env" || true)
		sleep 0.1
	done
	wait "$exec_pid"
	[[ "$seen" =~ ^0+$ ]] || fail "the container's environment showed in a process's arguments ($seen)"
	run "$CC" exec svc sh -c 'echo "$SECRET_TOKEN"'
	assert_output "s3cr3t-in-env"
	run find "$CONTAINER_COMPOSE_ROOT/containers" -name 'exec-*'
	assert_output ""
	# a resize after the start reaches the process: the session's relay passes the terminal's new size on
	local wait_size='i=0; while [ "$(stty size)" != "33 77" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; echo "size=$(stty size)"'
	run "$BATS_TEST_DIRNAME/../lib/pty-resize.py" 24 80 33 77 "$wait_size\nexit 3\n" "$CC" exec svc sh
	assert_equal "$status" 3
	assert_output --partial "size=33 77"
	run "$CC" top svc
	assert_success
	assert_line --partial "PID"
	assert_output --partial "echo got TERM"
	"$CC" pause svc
	run "$CC" ps --format json
	assert_output --partial '"State":"paused"'
	"$CC" unpause svc
	# the container records its runtime: a CLI asking for runc still stops it through crun, gracefully
	"$CC" --oci-runtime runc stop svc
	run "$CC" logs --no-log-prefix svc
	assert_output --partial "got TERM"
	run states
	assert_output --partial " exited 0"
}

@test "a container without a runtime record (started before there were records) is reached through runc" {
	crun_ready
	"$CC" --oci-runtime runc up -d svc
	rm "$CONTAINER_COMPOSE_ROOT"/containers/*/runtime
	# the automatic pick is crun now; the container's state is runc's
	run "$CC" exec svc echo reached
	assert_success
	assert_output "reached"
	"$CC" stop svc
	run states
	assert_output --partial " exited 0"
}

@test "down after crun leaves no runtime state, cgroup or mount" {
	crun_ready
	"$CC" --oci-runtime crun up -d svc
	id=$("$CC" ps -q svc)
	"$CC" down -t 1
	[ -z "$(ls -A "$CONTAINER_COMPOSE_ROOT/crun" 2>/dev/null)" ]
	run find /sys/fs/cgroup -maxdepth 3 -path "*container-compose/$id*"
	assert_output ""
	! grep -q "$CONTAINER_COMPOSE_ROOT" /proc/mounts
}

@test "crun: the first start's compiled seccomp filter is passed on to later starts, and still filters" {
	[ -f /usr/share/containers/seccomp.json ] || skip "needs Debian's golang-github-containers-common profile"
	crun_ready
	probe='grep ^Seccomp: /proc/self/status; unshare -m true 2>&1 || echo refused'
	rm -rf "$CONTAINER_COMPOSE_ROOT/seccomp"
	run "$CC" --oci-runtime crun run --rm once
	run find "$CONTAINER_COMPOSE_ROOT/seccomp" -name '*.bpf' -size +0
	assert_line --regexp '/[0-9a-f]{64}\.bpf$'
	# later starts carry the compiled filter in their bundle, and the kernel enforces it
	"$CC" --oci-runtime crun run -d svc sleep 30
	grep -q seccomp_bpf_data "$CONTAINER_COMPOSE_ROOT"/containers/*/config.json
	"$CC" down -t 0
	run "$CC" --oci-runtime crun run --rm svc sh -c "$probe"
	assert_output --regexp 'Seccomp:[[:space:]]+2'
	assert_output --partial "refused"
	# a damaged entry is not used: crun compiles afresh, and the container is filtered all the same
	for f in "$CONTAINER_COMPOSE_ROOT"/seccomp/*.bpf; do printf 'xx' >"$f"; done
	"$CC" --oci-runtime crun run -d svc sleep 30
	run grep -l seccomp_bpf_data "$CONTAINER_COMPOSE_ROOT"/containers/*/config.json
	assert_failure
	"$CC" down -t 0
	run "$CC" --oci-runtime crun run --rm svc sh -c "$probe"
	assert_output --regexp 'Seccomp:[[:space:]]+2'
	assert_output --partial "refused"
}
