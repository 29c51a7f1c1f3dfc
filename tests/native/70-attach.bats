#!/usr/bin/env bats
# run -i and run -it on real containers: stdin piped through the monitor's attach socket, and a pseudo-TTY
# whose master the monitor receives from runc. `script` gives the CLI a terminal, as a user's shell would.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers

setup_file() { native_setup_file; }
setup() {
	native_setup
	printf 'services:\n  t:\n    image: busybox\n    command: ["sleep", "60"]\n' >compose.yaml
}
teardown() { native_teardown; }

# CMD... run under a pseudo-terminal fed with the text in $INPUT; its exit status is the command's
in_terminal() {
	printf '%b' "$INPUT" | script -qefc "$*" /dev/null
}

@test "run -i: standard input reaches the container, its end closes the container's stdin" {
	run bash -c "printf 'line one\nline two\n' | '$CC' --backend native --progress quiet run --rm -i t sh -c 'cat; echo after-eof'"
	assert_success
	assert_output "line one
line two
after-eof"
	# without -i the container's stdin is empty
	run bash -c "echo ignored | '$CC' --backend native --progress quiet run --rm t sh -c 'cat; echo nothing-read'"
	assert_output "nothing-read"
}

@test "run from a terminal: an interactive shell on a pseudo-TTY, its exit code, the terminal restored" {
	INPUT='[ -t 0 ] && echo stdin-is-a-tty\necho "cols=$(stty size)"\nexit 5\n'
	run in_terminal "stty cols 123 rows 45; '$CC' --backend native run --rm t sh; echo cc-exit=\$?; stty -a | grep -o -- '-icanon' || echo canonical-again"
	assert_output --partial "stdin-is-a-tty"
	assert_output --partial "cols=45 123"
	assert_output --partial "cc-exit=5"
	assert_output --partial "canonical-again"
	run "$CC" --backend native ps -a -q
	assert_output ""
	# the terminal's size changes while the shell runs: the container's follows
	local wait_size='i=0; while [ "$(stty size)" != "33 77" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; echo "size=$(stty size)"'
	run "$BATS_TEST_DIRNAME/../lib/pty-resize.py" 24 80 33 77 "$wait_size\nexit 2\n" "$CC" --backend native run --rm t sh
	assert_equal "$status" 2
	assert_output --partial "size=33 77"
}

@test "run -T from a terminal: no pseudo-TTY; -t without a terminal is refused" {
	INPUT='exit\n'
	run in_terminal "'$CC' --backend native run --rm -T t sh -c '[ -t 0 ] || echo no-tty'"
	assert_output --partial "no-tty"
	run "$CC" --backend native run --rm -t t true </dev/null
	assert_failure 2
	assert_output --partial "the input device is not a TTY"
}

@test "a service with tty: true runs on a pseudo-TTY; its output reaches logs" {
	printf 'services:\n  t:\n    image: busybox\n    tty: true\n    command: ["sh", "-c", "[ -t 1 ] && echo on-a-tty; sleep 60"]\n' >compose.yaml
	"$CC" --backend native up -d
	eventually '"$CC" --backend native logs --no-log-prefix t | grep -q on-a-tty'
	run "$CC" --backend native exec -T t sh -c 'ls -l /proc/1/fd/0'
	assert_output --partial "/dev/pts/"
}

@test "run --rm removes the one-off also when it could not start" {
	run "$CC" --backend native run --rm -T t no-such-program
	assert_failure
	assert_output --partial "no-such-program"
	run "$CC" --backend native ps -a -q
	assert_output ""
}

@test "attach: a terminal to a tty service's shell, its exit code; a service without one shows its output" {
	cat >compose.yaml <<'YAML'
services:
  s:
    image: busybox
    tty: true
    stdin_open: true
    command: ["sh"]
  o:
    image: busybox
    command: ["sh", "-c", "i=0; while [ $$i -lt 100 ]; do echo tick; sleep 0.1; i=$$((i+1)); done; exit 2"]
YAML
	"$CC" --backend native up -d
	INPUT='echo attached-$((6*7))\nexit 4\n'
	run in_terminal "'$CC' --backend native attach s; echo rc=\$?"
	assert_output --partial "attached-42"
	assert_output --partial "rc=4"
	run "$CC" --backend native attach --no-stdin o
	assert_failure 2
	assert_output --partial tick
}

@test "attach: ctrl-p,ctrl-q detaches and leaves the container running; --detach-keys changes them; a near miss is input" {
	# a read loop, not an interactive shell: its line editing would take ctrl-p for itself
	cat >compose.yaml <<'YAML'
services:
  s:
    image: busybox
    tty: true
    stdin_open: true
    command: ["sh", "-c", "while read l; do echo \"got-$$l\"; done; exit 3"]
YAML
	"$CC" --backend native up -d
	local type="$BATS_TEST_DIRNAME/../lib/pty-type.py"
	run "$type" 'one\n\x10x\ntwo\n\x10\x11' "$CC" --backend native attach s
	assert_success
	assert_output --partial "got-one"
	assert_output --partial $'got-\x10x'
	assert_output --partial "got-two"
	assert_output --partial "read escape sequence"
	run "$CC" --backend native ps --format '{{.Name}} {{.State}}'
	assert_output "proj-s-1 running"
	# other keys: the default ones are plain input then
	run "$type" '\x10\x11three\n\x01' "$CC" --backend native attach --detach-keys ctrl-a s
	assert_success
	assert_output --regexp 'got-.*three'
	assert_output --partial "read escape sequence"
	run "$CC" --backend native attach --detach-keys ctrl-ab s
	assert_failure 2
	assert_output --partial 'invalid detach key "ctrl-ab"'
	# the input's end (ctrl-d) ends the loop: attach returns the container's exit code
	run "$type" '\x04' "$CC" --backend native attach s
	assert_equal "$status" 3
}

@test "attach --sig-proxy (the default) sends the CLI's signals to the container; --sig-proxy=false does not" {
	cat >compose.yaml <<'YAML'
services:
  o:
    image: busybox
    command: ["sh", "-c", "trap 'echo got-term; exit 7' TERM; while :; do echo tick; sleep 0.1; done"]
  i:
    image: busybox
    stdin_open: true
    command: ["sh", "-c", "trap 'echo got-term; exit 8' TERM; while :; do echo tick; sleep 0.1; done"]
YAML
	"$CC" --backend native up -d
	"$CC" --backend native attach --no-stdin --sig-proxy=false o >plain.log 2>&1 &
	local pid=$!
	run eventually "grep -q tick plain.log" 20
	assert_success
	kill -TERM "$pid"
	wait "$pid" || true
	run "$CC" --backend native ps --format '{{.Name}} {{.State}}' o
	assert_output "proj-o-1 running"
	"$CC" --backend native attach --no-stdin o >proxied.log 2>&1 &
	pid=$!
	run eventually "grep -q tick proxied.log" 20
	assert_success
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 7
	run cat proxied.log
	assert_output --partial "got-term"
	run "$CC" --backend native ps -a --format '{{.Name}} {{.State}} {{.ExitCode}}' o
	assert_output "proj-o-1 exited 7"
	# with its input attached too (a relay thread then copies it): the signal still goes to the container
	"$CC" --backend native attach i >input.log 2>&1 < <(sleep 60) &
	pid=$!
	run eventually "grep -q tick input.log" 20
	assert_success
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 8
	run "$CC" --backend native ps -a --format '{{.Name}} {{.State}} {{.ExitCode}}' i
	assert_output "proj-i-1 exited 8"
}
