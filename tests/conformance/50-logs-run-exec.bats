#!/usr/bin/env bats
# logs (prefixes, --tail, -t, -f), up attached (--abort-on-container-exit, --exit-code-from), run and exec.

load helpers

# one service "web" running CMD (a JSON array), started detached; waits for it to exit.
one_shot() {
	write compose.yaml <<EOF
services:
  web:
    image: busybox
    command: $1
EOF
	cc_ok up -d
	wait_state proj-web-1 exited
}

@test "logs prefixes each line with the service and replica" {
	one_shot '["echo", "hello"]'
	run --separate-stderr cc logs
	assert_success
	assert_output "web-1  | hello"
}

@test "logs --no-log-prefix prints the bare lines" {
	one_shot '["echo", "hello"]'
	run --separate-stderr cc logs --no-log-prefix
	assert_success
	assert_output "hello"
}

@test "logs aligns the prefixes of several services" {
	write compose.yaml <<'EOF'
services:
  a:
    image: busybox
    command: ["echo", "from-a"]
  longer:
    image: busybox
    command: ["echo", "from-longer"]
EOF
	cc_ok up -d
	wait_state proj-a-1 exited
	wait_state proj-longer-1 exited
	run --separate-stderr cc logs
	assert_success
	assert_line "a-1       | from-a"
	assert_line "longer-1  | from-longer"
	[ "${#lines[@]}" -eq 2 ] || fail "expected 2 lines: $output"
	run --separate-stderr cc logs longer
	assert_success
	assert_output "longer-1  | from-longer"
}

@test "logs --tail 1 prints the last line only" {
	one_shot '["sh", "-c", "echo one; echo two; echo three"]'
	run --separate-stderr cc logs --tail 1
	assert_success
	assert_output "web-1  | three"
	run --separate-stderr cc logs --tail 0
	assert_success
	assert_output ""
}

@test "logs -t adds an RFC 3339 timestamp after the prefix" {
	one_shot '["echo", "hello"]'
	run --separate-stderr cc logs -t
	assert_success
	assert_output --regexp '^web-1  \| [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z hello$'
}

@test "logs -f follows until the container exits and shows all of its output" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo a; sleep 1; echo b"]
EOF
	cc_ok up -d
	run --separate-stderr cc_timeout 20 logs -f
	assert_success
	assert_output "$(printf 'web-1  | a\nweb-1  | b')"
	assert_field proj-web-1 State exited
}

@test "up attached prints the prefixed output of one-shot services and exits 0 once they exited" {
	write compose.yaml <<'EOF'
services:
  a:
    image: busybox
    command: ["echo", "hello-a"]
  b:
    image: busybox
    command: ["echo", "hello-b"]
EOF
	run --separate-stderr cc_timeout 30 up
	assert_success
	assert_line "a-1  | hello-a"
	assert_line "b-1  | hello-b"
	assert_line --regexp '^a-1 exited with code 0$'
	assert_line --regexp '^b-1 exited with code 0$'
	assert_field proj-a-1 State exited
	assert_field proj-b-1 State exited
}

@test "up attached prints a container's output before its exit notice" {
	write compose.yaml <<'EOF'
services:
  a:
    image: busybox
    command: ["echo", "hello-a"]
EOF
	run --separate-stderr cc_timeout 30 up
	assert_success
	local out exited
	out=$(line_no '^a-1 +\| hello-a$')
	exited=$(line_no '^a-1 exited with code 0$')
	[ "$out" -gt 0 ] && [ "$out" -lt "$exited" ] ||
		fail "the output (line $out) should come before the exit notice (line $exited): $output"
}

@test "up --abort-on-container-exit exits with the code of the exited container and stops the others" {
	write compose.yaml <<'EOF'
services:
  fail:
    image: busybox
    command: ["sh", "-c", "exit 4"]
  long:
    image: nginx
EOF
	run cc_timeout 30 up --abort-on-container-exit
	assert_failure 4
	assert_field proj-fail-1 ExitCode 4
	assert_field proj-long-1 State exited
}

@test "up --abort-on-container-exit ignores orphan containers that exited long ago" {
	write compose.yaml <<'EOF'
services:
  gone:
    image: busybox
    command: ["echo", "bye"]
EOF
	cc_ok up -d
	wait_state proj-gone-1 exited
	write compose.yaml <<'EOF'
services:
  fail:
    image: busybox
    command: ["sh", "-c", "sleep 0.5; exit 4"]
  long:
    image: nginx
EOF
	run cc_timeout 30 up --abort-on-container-exit
	assert_failure 4
	refute_output --regexp 'Attaching to.*proj-gone-1'
	assert_field proj-fail-1 ExitCode 4
	assert_field proj-long-1 State exited
}

@test "up --abort-on-container-failure goes on past a success, stops all at the first failure, exits with its code" {
	write compose.yaml <<'EOF'
services:
  ok:
    image: busybox
    command: ["sh", "-c", "exit 0"]
  fail:
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 6"]
  long:
    image: nginx
EOF
	run cc_timeout 30 up --abort-on-container-failure
	assert_failure 6
	assert_field proj-ok-1 ExitCode 0
	assert_field proj-fail-1 ExitCode 6
	assert_field proj-long-1 State exited
	run cc up -d --abort-on-container-failure
	assert_failure 2
	run cc up --abort-on-container-failure --abort-on-container-exit
	assert_failure 2
	# with --exit-code-from, only a failure stops all; the code is that service's
	run cc_timeout 30 up --abort-on-container-failure --exit-code-from ok
	assert_success
	assert_field proj-long-1 State exited
	run cc up --watch --abort-on-container-exit
	assert_failure 2
	assert_output --partial "replaced container"
}

@test "up --attach-dependencies shows the dependencies' output too; --menu=false is accepted, --menu refused" {
	write compose.yaml <<'EOF'
services:
  db:
    image: busybox
    command: ["sh", "-c", "echo db-says-hi; sleep 2"]
  app:
    image: busybox
    command: ["sh", "-c", "echo app-says-hi; sleep 2"]
    depends_on: [db]
EOF
	run cc_timeout 30 up --menu=false app
	assert_success
	assert_output --partial "app-says-hi"
	refute_output --partial "db-says-hi"
	run cc_timeout 30 up --attach-dependencies app
	assert_success
	assert_output --partial "app-says-hi"
	assert_output --partial "db-says-hi"
	run cc up --menu app
	assert_failure 2
	assert_output --partial "menu"
}

@test "up --exit-code-from SERVICE returns that service's exit code" {
	write compose.yaml <<'EOF'
services:
  check:
    image: busybox
    command: ["sh", "-c", "exit 5"]
  long:
    image: nginx
EOF
	run cc_timeout 30 up --exit-code-from check
	assert_failure 5
	assert_field proj-check-1 ExitCode 5
	assert_field proj-long-1 State exited
}

@test "up --exit-code-from a service that succeeded exits 0" {
	write compose.yaml <<'EOF'
services:
  check:
    image: busybox
    command: ["sh", "-c", "exit 0"]
  long:
    image: nginx
EOF
	run cc_timeout 30 up --exit-code-from check
	assert_success
	assert_field proj-long-1 State exited
}

@test "up --exit-code-from an unknown service fails" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run cc_timeout 30 up --exit-code-from nope
	assert_failure 1
	assert_output --partial "no such service: nope"
}

@test "up --abort-on-container-exit with -d is a usage error" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run cc up -d --abort-on-container-exit
	assert_failure 2
	assert_names
}

@test "run --rm SERVICE echo hi prints hi, exits 0 and leaves no container" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
EOF
	run --separate-stderr cc_timeout 20 run --rm web echo hi
	assert_success
	assert_output "hi"
	assert_names
}

@test "run exits with the command's exit code" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
EOF
	run cc_timeout 20 run web sh -c 'exit 5'
	assert_failure 5
}

@test "run creates a one-off container labelled oneoff=True, hidden from ps unless -a, removed by down" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
EOF
	run --separate-stderr cc_timeout 20 run web echo once
	assert_success
	assert_output "once"
	run names -a
	assert_success
	assert_output --regexp '^proj-web-run-[0-9a-f]{12}$'
	local name="$output"
	assert_label "$name" com.docker.compose.oneoff True
	assert_label "$name" com.docker.compose.service web
	assert_label "$name" com.docker.compose.project proj
	assert_field "$name" State exited
	run names
	assert_output ""
	run cc down
	assert_success
	assert_names
}

@test "run -d prints the one-off container's name and leaves it running" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run --separate-stderr cc run -d web
	assert_success
	assert_output --regexp '^proj-web-run-[0-9a-f]{12}$'
	local name="$output"
	assert_field "$name" State running
	assert_label "$name" com.docker.compose.oneoff True
	# running, but still not listed by plain ps, as in docker compose
	run names
	assert_output ""
}

@test "run -d --rm: the engine removes the one-off once it exits" {
	write compose.yaml <<'EOF'
services:
  job:
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 3"]
    volumes: [/scratch]
  web:
    image: busybox
    command: ["sleep", "1000"]
EOF
	local volumes_before
	volumes_before=$(cc volume ls -q | sort)
	run --separate-stderr cc run -d --rm job
	assert_success
	local name="$output"
	assert_output --regexp '^proj-job-run-[0-9a-f]{12}$'
	# gone by itself once it exited: not even ps -a shows it; its anonymous volume went with it
	gone() { ! names -a | grep -qx "$name"; }
	wait_for 30 gone
	volumes_gone() { [ "$(cc volume ls -q | sort)" = "$volumes_before" ]; }
	wait_for 30 volumes_gone
	# one that runs on stays, as any
	run --separate-stderr cc run -d --rm web
	assert_success
	name="$output"
	assert_field "$name" State running
	cc_ok down
	assert_names
}

@test "run -p, -P and -v give the one-off ports and mounts in the Compose file's short syntax" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    ports: ["127.0.0.1:18601:80"]
    volumes: [data:/data]
volumes:
  data: {}
EOF
	run --separate-stderr cc run -d --name plain web
	assert_success
	assert_field plain Publishers "[]"
	run --separate-stderr cc run -d --name published -p 127.0.0.1:18602:8080/udp -v ./src:/src:ro -v data:/other web
	assert_success
	assert_field published Publishers '[{"Protocol":"udp","PublishedPort":18602,"TargetPort":8080,"URL":"127.0.0.1"}]'
	run cfield published Mounts
	assert_output --partial "proj_data"
	assert_output --partial "$PWD/src"
	run --separate-stderr cc run -d --name servicePorts -P web
	assert_success
	assert_field servicePorts Publishers '[{"Protocol":"tcp","PublishedPort":18601,"TargetPort":80,"URL":"127.0.0.1"}]'
	run --separate-stderr cc run -d -P -p 18603:80 web
	assert_failure
	[[ "$stderr" == *"--service-ports and --publish are incompatible"* ]]
}

@test "run -p and -v with a bad value fail naming the flag, and create nothing" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run --separate-stderr cc run -d -p 99999:80 web
	assert_failure
	[[ "$stderr" == *"--publish 99999:80"* ]]
	run --separate-stderr cc run -d -v "" web
	assert_failure
	[[ "$stderr" == *"--volume"* ]]
	run names -a
	assert_output ""
}

@test "up --attach and --no-attach choose whose output an attached up shows" {
	write compose.yaml <<'EOF'
services:
  a:
    image: busybox
    command: ["echo", "from-a"]
  b:
    image: busybox
    command: ["echo", "from-b"]
EOF
	run --separate-stderr cc_timeout 30 up --no-attach b
	assert_success
	assert_output --partial "from-a"
	refute_output --partial "from-b"
	run --separate-stderr cc_timeout 30 up --attach b --force-recreate
	assert_success
	assert_output --partial "from-b"
	refute_output --partial "from-a"
	run --separate-stderr cc up --attach nope
	assert_failure
	[[ "$stderr" == *"--attach: no such service: nope"* ]]
	# a service's own attach: false, unless --attach names it
	write compose.yaml <<'EOF'
services:
  a:
    image: busybox
    command: ["echo", "from-a"]
  b:
    image: busybox
    attach: false
    command: ["echo", "from-b"]
EOF
	run --separate-stderr cc_timeout 30 up --force-recreate
	assert_success
	assert_output --partial "from-a"
	refute_output --partial "from-b"
}

@test "run starts the service's dependencies" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    depends_on: [db]
  db:
    image: nginx
EOF
	run --separate-stderr cc_timeout 20 run --rm web echo hi
	assert_success
	assert_output "hi"
	assert_field proj-db-1 State running
}

@test "exec exits with the command's exit code" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	cc_ok up -d
	run cc_timeout 20 exec web sh -c 'exit 6'
	assert_failure 6
}

@test "exec prints the command's output" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	cc_ok up -d
	run --separate-stderr cc_timeout 20 exec web echo hello there
	assert_success
	assert_output "hello there"
}

@test "exec on a service that is not running fails" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
  db:
    image: busybox
EOF
	cc_ok up -d db
	run cc_timeout 20 exec web echo hi
	assert_failure 1
	assert_output --partial 'service "web" is not running'
	cc_ok up -d
	cc_ok stop web
	run cc_timeout 20 exec web echo hi
	assert_failure 1
	assert_output --partial 'service "web" is not running'
}

@test "exec on an unknown service fails" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	cc_ok up -d
	run cc_timeout 20 exec nope echo hi
	assert_failure 1
	assert_output --partial "no such service: nope"
}

@test "Ctrl+C on attached up stops the project gracefully and exits 130" {
	write compose.yaml <<'EOF2'
services:
  a:
    image: busybox
    command: ["sh", "-c", "echo started; trap 'exit 0' TERM; while :; do sleep 1; done"]
EOF2
	# exec: the signal must reach container-compose itself, not a subshell around it
	(exec "$CC" --root "$ROOT" "${BACKEND_ARGS[@]}" up >"$BATS_TEST_TMPDIR/up.out" 2>"$BATS_TEST_TMPDIR/up.err") &
	local pid=$!
	wait_for 20 grep -q "a-1  | started" "$BATS_TEST_TMPDIR/up.out"
	kill -INT "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	run cat "$BATS_TEST_TMPDIR/up.err"
	assert_line "Gracefully stopping... (press Ctrl+C again to force)"
	assert_field proj-a-1 State exited
	run cat "$BATS_TEST_TMPDIR/up.out"
	assert_line "a-1 exited with code 0"
}
