# shellcheck shell=bash
# Shared by the docker backend's bats files: each test gets its own state root and project directory, and
# its project is taken down afterwards; the engine is DOCKER_HOST's (make conformance-docker starts it).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

CC="${CC_BIN:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build/container-compose}"

setup() { dk_setup; }

dk_setup() {
	[ -n "${DOCKER_HOST:-}" ] || skip "no engine: run through make conformance-docker"
	ROOT="$BATS_TEST_TMPDIR/root"
	P="$BATS_TEST_TMPDIR/dkproj"
	mkdir -p "$P"
	cd "$P" || return 1
}

teardown() {
	cd "$P" 2>/dev/null && "$CC" --root "$ROOT" --backend docker down -v -t 1 >/dev/null 2>&1 || true
	[ -z "${REG_PID:-}" ] || kill "$REG_PID" 2>/dev/null || true
}

cc() {
	timeout 120 "$CC" --root "$ROOT" --backend docker "$@"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# CMD... run under a pseudo-terminal fed with the text in $INPUT (its exit status is the command's), as a
# user's shell would run it
in_terminal() {
	printf '%b' "$INPUT" | timeout 120 script -qefc "$*" /dev/null
}
