#!/usr/bin/env bats
# Input and terminals on the docker backend, over the engine's hijacked connections: run -i and run -it,
# exec -i and exec from a terminal, attach. The same cases as the native backend's tests/native/70-attach.bats.

load helpers

setup() {
	dk_setup
	printf 'services:\n  t:\n    image: busybox\n    command: ["sleep", "600"]\n' >compose.yaml
	DK=("$CC" --root "$ROOT" --backend docker)
}

@test "run -i: standard input reaches the container, its end closes the container's stdin" {
	run bash -c "printf 'line one\nline two\n' | timeout 120 ${DK[*]} --progress quiet run --rm -i t sh -c 'cat; echo after-eof; exit 3'"
	assert_failure 3
	assert_output "line one
line two
after-eof"
	run cc ps -a -q
	assert_output ""
}

@test "run from a terminal: an interactive shell on a pseudo-TTY, its size, its exit code, the terminal restored" {
	INPUT='[ -t 0 ] && echo stdin-is-a-tty\necho "cols=$(stty size)"\nexit 5\n'
	run in_terminal "stty cols 123 rows 45; ${DK[*]} run --rm t sh; echo cc-exit=\$?; stty -a | grep -o -- '-icanon' || echo canonical-again"
	assert_output --partial "stdin-is-a-tty"
	assert_output --partial "cols=45 123"
	assert_output --partial "cc-exit=5"
	assert_output --partial "canonical-again"
	run cc ps -a -q
	assert_output ""
}

@test "exec -i -T: input piped to the process, stdout and stderr apart, its exit code" {
	cc up -d
	run bash -c "printf 'to-exec\n' | timeout 120 ${DK[*]} exec -i -T t sh -c 'cat; echo on-stderr >&2; exit 4' 2>/dev/null"
	assert_failure 4
	assert_output "to-exec"
	run bash -c "printf 'x\n' | timeout 120 ${DK[*]} exec -i -T t sh -c 'cat >/dev/null; echo on-stderr >&2' 2>&1 >/dev/null"
	assert_success
	assert_output "on-stderr"
}

@test "exec from a terminal: a shell on a pseudo-TTY of the terminal's size, its exit code" {
	cc up -d
	INPUT='tty\necho "size=$(stty size)"\nexit 7\n'
	run in_terminal "stty cols 77 rows 22; ${DK[*]} exec t sh; echo cc-exit=\$?"
	assert_output --partial "/dev/pts/"
	assert_output --partial "size=22 77"
	assert_output --partial "cc-exit=7"
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
	cc up -d
	INPUT='echo attached-$((6*7))\nexit 4\n'
	run in_terminal "${DK[*]} attach s; echo rc=\$?"
	assert_output --partial "attached-42"
	assert_output --partial "rc=4"
	run cc attach --no-stdin o
	assert_failure 2
	assert_output --partial tick
}
