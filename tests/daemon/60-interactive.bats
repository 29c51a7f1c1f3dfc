#!/usr/bin/env bats
# Interactive sessions through the daemon on real containers: exec -i, exec from a terminal, attach and run
# -it over the remote backend (an upgraded connection carrying frames both ways), the terminal's size and
# its changes, and the errors and departures around them. `script` and tests/lib/pty-resize.py give the CLI
# a terminal, as a user's shell would.

load helpers

setup_file() { busybox_tar; }

RESIZE="$BATS_TEST_DIRNAME/../lib/pty-resize.py"
# Inside the container: wait (5 s at most) until the terminal has the size the driver set, then print it.
WAIT_SIZE='i=0; while [ "$(stty size)" != "33 77" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; echo "size=$(stty size)"'

# A native daemon with busybox and a project of a long-running service t and a shell s with a terminal.
up_project() {
	[ -f "$BATS_FILE_TMPDIR/busybox.tar" ] || skip "needs root, runc and busybox-static"
	SERVE_BACKEND=native serve
	R=(--remote "unix://$SOCK")
	up_through
}

# busybox and the project up -d through the daemon the options in R name
up_through() {
	load_busybox "${R[@]}"
	write_project <<'YAML'
services:
  t:
    image: busybox
    network_mode: none
    command: ["sleep", "1000"]
  s:
    image: busybox
    network_mode: none
    tty: true
    stdin_open: true
    command: ["sh"]
YAML
	cd "$BATS_TEST_TMPDIR/proj"
	"$CC" "${R[@]}" up -d
}

# CMD... under a pseudo-terminal fed with the text in $INPUT; its exit status is the command's
in_terminal() {
	printf '%b' "$INPUT" | script -qefc "$*" /dev/null
}

@test "exec -i through the daemon: input reaches the process, its end closes it; stdout, stderr, exit code" {
	up_project
	run --separate-stderr bash -c "printf 'one\ntwo\n' | '$CC' ${R[*]} exec -T -i t sh -c 'cat; echo after-eof; echo to-stderr >&2; exit 3'"
	assert_equal "$status" 3
	assert_output "one
two
after-eof"
	assert_equal "$stderr" "to-stderr"
	# a detached exec answers while its command still runs
	run "$CC" "${R[@]}" exec -d t sleep 30
	assert_success
	run "$CC" "${R[@]}" exec -T t busybox ps
	assert_output --partial "sleep 30"
	run "$CC" "${R[@]}" exec -d t no-such-command
	assert_failure
	assert_output --partial "no-such-command"
	# without -i the process has no input
	run bash -c "echo ignored | '$CC' ${R[*]} exec -T t sh -c 'cat; echo nothing-read'"
	assert_success
	assert_output "nothing-read"
}

@test "exec from a terminal through the daemon: a pseudo-TTY of the terminal's size, resized, the exit code" {
	up_project
	INPUT='[ -t 0 ] && echo stdin-is-a-tty\necho "size=$(stty size)"\nexit 5\n'
	run in_terminal "stty cols 123 rows 45; '$CC' ${R[*]} exec t sh; echo cc-exit=\$?; stty -a | grep -o -- '-icanon' || echo canonical-again"
	assert_output --partial "stdin-is-a-tty"
	assert_output --partial "size=45 123"
	assert_output --partial "cc-exit=5"
	assert_output --partial "canonical-again"
	# the terminal's size changes while the session runs: the process sees the new one
	run "$RESIZE" 24 80 33 77 "$WAIT_SIZE\nexit 3\n" "$CC" "${R[@]}" exec t sh
	assert_equal "$status" 3
	assert_output --partial "size=33 77"
}

@test "attach and run -it through the daemon: a shell's terminal, its size and exit code; run -i's input" {
	up_project
	INPUT='echo attached-$((6*7))\nexit 4\n'
	run in_terminal "'$CC' ${R[*]} attach s; echo rc=\$?"
	assert_output --partial "attached-42"
	assert_output --partial "rc=4"
	# a one-off on a terminal, resized while it runs
	run "$RESIZE" 24 80 33 77 "$WAIT_SIZE\nexit 2\n" "$CC" "${R[@]}" run --rm t sh
	assert_equal "$status" 2
	assert_output --partial "size=33 77"
	# run -i without a terminal: piped input, its end closes the container's
	run bash -c "printf 'line one\nline two\n' | '$CC' ${R[*]} --progress quiet run --rm -i t sh -c 'cat; echo after-eof'"
	assert_success
	assert_output "line one
line two
after-eof"
	run "$CC" "${R[@]}" ps -a --format '{{.Name}}'
	refute_output --partial "run"
}

@test "sessions: errors come before the upgrade; a client that goes away ends its session, the daemon stays" {
	up_project
	local up=(-H 'Connection: Upgrade' -H 'Upgrade: tcp')
	run api POST /containers/proj-t-1/attach -d '{}'
	assert_envelope 400 bad_request
	assert_output --partial "upgraded connection"
	run api POST /containers/proj-t-1/exec -d '{"command":["cat"],"stdin":true}'
	assert_envelope 400 bad_request
	assert_output --partial "stdin"
	run api POST /containers/proj-t-1/attach "${up[@]}" -d '{}'
	assert_envelope 409 conflict
	assert_output --partial "stdin_open"
	run api POST /containers/no-such/exec "${up[@]}" -d '{"command":["true"]}'
	assert_envelope 404 not_found
	run api POST /containers/proj-t-1/exec "${up[@]}" -d '{"command":["true"],"terminalSize":{"rows":0}}'
	assert_envelope 400 bad_request
	assert_output --partial "terminalSize"
	"$CC" "${R[@]}" stop -t 0 t
	run api POST /containers/proj-t-1/exec "${up[@]}" -d '{"command":["true"]}'
	assert_envelope 409 conflict
	"$CC" "${R[@]}" start t
	local threads
	threads=$(daemon_threads)
	# an exec whose client is killed: its input closes, so `cat` ends and the session with it (the fifo,
	# held open here, is an input that never ends by itself)
	mkfifo "$BATS_TEST_TMPDIR/in"
	local hold
	exec {hold}<>"$BATS_TEST_TMPDIR/in"
	"$CC" "${R[@]}" exec -T -i t sh -c 'cat; echo done' <"$BATS_TEST_TMPDIR/in" >/dev/null &
	local client=$! i
	for i in $(seq 1 100); do
		"$CC" "${R[@]}" exec -T t busybox ps | grep -q '[c]at$' && break
		sleep 0.05
	done
	run bash -c "'$CC' ${R[*]} exec -T t busybox ps | grep -c ' cat\$'"
	assert_output 1
	kill "$client"
	wait "$client" || true
	for i in $(seq 1 100); do
		"$CC" "${R[@]}" exec -T t busybox ps | grep -q '[c]at$' || break
		sleep 0.05
	done
	run bash -c "'$CC' ${R[*]} exec -T t busybox ps | grep -c ' cat\$'"
	assert_output 0
	# an attach whose client is killed lets go of the container
	"$CC" "${R[@]}" attach s <"$BATS_TEST_TMPDIR/in" >/dev/null &
	client=$!
	for i in $(seq 1 100); do
		[ "$(daemon_threads)" -gt "$threads" ] && break
		sleep 0.05
	done
	kill "$client"
	wait "$client" || true
	exec {hold}>&-
	assert_threads_back_to "$threads"
	run api GET /_ping
	assert_equal "$(code)" 200
	run "$CC" "${R[@]}" exec -T t echo still-here
	assert_output still-here
}

@test "sessions over TLS with a token: exec -i and a terminal through tls://, refused without the token" {
	[ -f "$BATS_FILE_TMPDIR/busybox.tar" ] || skip "needs root, runc and busybox-static"
	"$CC" --root "$ROOT" system generate-cert --san-dns localhost >/dev/null
	local token
	token=$("$CC" --root "$ROOT" system generate-key s 2>/dev/null)
	SERVE_BACKEND=native serve --listen "tls://127.0.0.1:0"
	local port="${ADDRESS##*:}"
	R=(--remote "tls://localhost:$port" --cacert "$ROOT/cert.pem" --token "$token")
	up_through
	run bash -c "printf 'over tls\n' | '$CC' ${R[*]} exec -T -i t sh -c 'cat; exit 6'"
	assert_equal "$status" 6
	assert_output "over tls"
	run "$RESIZE" 24 80 33 77 "$WAIT_SIZE\nexit 3\n" "$CC" "${R[@]}" exec t sh
	assert_equal "$status" 3
	assert_output --partial "size=33 77"
	run bash -c "echo x | '$CC' --remote tls://localhost:$port --cacert '$ROOT/cert.pem' exec -T -i t cat"
	assert_failure
	assert_output --partial "credentials"
	"$CC" "${R[@]}" down -t 0
}
