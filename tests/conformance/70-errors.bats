#!/usr/bin/env bats
# Usage errors (exit 2), failures (exit 1), file errors that create nothing, and the global options
# --parallel, --debug, --ansi and NO_COLOR.

load helpers

simple() {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: ["echo", "hello"]
EOF
}

# in_tty COMMAND...: run COMMAND with a pseudo-terminal as stdout (script(1)), printing what it wrote.
in_tty() {
	command -v script >/dev/null || skip "script(1) is not installed"
	local cmd
	cmd=$(printf '%q ' "$@")
	script -qec "$cmd" /dev/null
}

@test "an unknown command is a usage error (exit 2)" {
	simple
	run cc frobnicate
	assert_failure 2
	assert_output --partial "frobnicate"
}

@test "an unknown flag of up is a usage error naming the flag" {
	simple
	run cc up --bogus-flag
	assert_failure 2
	assert_output --partial "--bogus-flag"
	assert_names
}

@test "an unknown global option is a usage error" {
	simple
	run cc --bogus-global ps
	assert_failure 2
	assert_output --partial "--bogus-global"
}

@test "--progress with an invalid value is a usage error" {
	simple
	run cc --progress bogus up -d
	assert_failure 2
	assert_output --partial "bogus"
	assert_names
}

@test "--ansi with an invalid value is a usage error" {
	simple
	run cc --ansi sometimes ps
	assert_failure 2
	assert_output --partial "sometimes"
}

@test "an unknown backend fails (exit 1) and lists the available ones" {
	simple
	run "$CC" --root "$ROOT" --backend nope up -d
	assert_failure 1
	assert_output --partial "nope"
	assert_output --partial "available"
	assert_output --partial "mock"
	run cc ps -a -q
	assert_success
	assert_output ""
}

@test "CONTAINER_COMPOSE_BACKEND and CONTAINER_COMPOSE_ROOT select the backend and the state root" {
	simple
	local host=""
	[ "$BACKEND" = remote ] && host="unix://$ROOT/api.sock"
	CONTAINER_COMPOSE_HOST="$host" CONTAINER_COMPOSE_BACKEND="$BACKEND" CONTAINER_COMPOSE_ROOT="$ROOT" run "$CC" up -d
	assert_success
	assert_field proj-web-1 Service web
	CONTAINER_COMPOSE_BACKEND=nope CONTAINER_COMPOSE_ROOT="$ROOT" run "$CC" ps
	assert_failure 1
	assert_output --partial "nope"
}

@test "up with an unknown service fails with 'no such service' and creates nothing" {
	simple
	run cc up -d nosuchservice
	assert_failure 1
	assert_output --partial "no such service: nosuchservice"
	assert_names
}

@test "a YAML error makes up fail with file:line, and nothing is created" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
   bad: [
EOF
	run cc --progress plain up -d
	assert_failure
	assert_output --regexp "compose\.yaml:4"
	refute_output --partial "Created"
	# fix the file: there is no container, and the network has to be created now
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	assert_names
	run cc --progress plain up -d
	assert_success
	assert_progress Network proj_default Created
}

@test "a missing compose file is an error" {
	run cc up -d
	assert_failure
	assert_output --partial "compose"
}

@test "--parallel 1 still brings up the whole project" {
	write compose.yaml <<'EOF'
services:
  a:
    image: busybox
    command: ["sleep", "infinity"]
  b:
    image: busybox
    command: ["sleep", "infinity"]
  c:
    image: nginx
    depends_on: [a, b]
EOF
	run cc --parallel 1 up -d
	assert_success
	assert_field proj-a-1 State running
	assert_field proj-b-1 State running
	assert_field proj-c-1 State running
	run cc --parallel 1 down
	assert_success
	assert_names
}

@test "--parallel with a non-number is a usage error" {
	simple
	run cc --parallel lots up -d
	assert_failure 2
	assert_names
}

@test "--debug traces the runtime calls on stderr" {
	simple
	run --separate-stderr cc --debug up -d
	assert_success
	assert_output ""
	run grep -cE "^runtime\\[$BACKEND\\]: container\\.create " <<<"$stderr"
	assert_output 1
	run grep -cE "^runtime\\[$BACKEND\\]: container\\.start " <<<"$stderr"
	assert_output 1
	# without --debug, no trace
	run --separate-stderr cc up -d
	assert_success
	run grep -c "^runtime\\[" <<<"$stderr"
	assert_output 0
}

@test "--ansi never, NO_COLOR and a pipe give logs without escape codes" {
	simple
	cc_ok up -d
	wait_state proj-web-1 exited
	run --separate-stderr cc --ansi never logs
	assert_success
	assert_output "web-1  | hello"
	NO_COLOR=1 run --separate-stderr cc logs
	assert_success
	assert_output "web-1  | hello"
	run --separate-stderr cc logs
	assert_success
	assert_output "web-1  | hello"
	run --separate-stderr cc logs --no-color
	assert_success
	assert_output "web-1  | hello"
}

@test "NO_COLOR and --ansi never win over a terminal" {
	simple
	cc_ok up -d
	wait_state proj-web-1 exited
	run in_tty "$CC" --root "$ROOT" "${BACKEND_ARGS[@]}" logs
	assert_success
	assert_output --partial $'\033['
	NO_COLOR=1 run in_tty "$CC" --root "$ROOT" "${BACKEND_ARGS[@]}" logs
	assert_success
	refute_output --partial $'\033'
	assert_output --partial "web-1  | hello"
	run in_tty "$CC" --root "$ROOT" "${BACKEND_ARGS[@]}" --ansi never logs
	assert_success
	refute_output --partial $'\033'
}

@test "--ansi always gives escape codes even through a pipe" {
	simple
	cc_ok up -d
	wait_state proj-web-1 exited
	run --separate-stderr cc --ansi always logs
	assert_success
	assert_output --partial $'\033['
	assert_output --partial "hello"
	assert_output --partial "web-1"
}

@test "service keys no engine applies are named at up, not dropped in silence" {
	write compose.yaml <<'EOF2'
services:
  web:
    image: nginx
    cgroup_parent: custom
    mem_swappiness: 10
    logging:
      driver: syslog
      options: {max-size: 1m}
EOF2
	run --separate-stderr cc up -d
	assert_success
	[[ "$stderr" == *"service web: cgroup_parent is not supported and has no effect"* ]]
	[[ "$stderr" == *"service web: mem_swappiness is not supported and has no effect"* ]]
	[[ "$stderr" == *"service web: logging driver syslog is not supported"* ]]
	[[ "$stderr" == *"service web: logging options are not supported"* ]]
}
