#!/usr/bin/env bats
# depends_on: start order, conditions (service_started, service_healthy, service_completed_successfully),
# required: false, --no-deps, and dependencies pulled in by naming a service.

load helpers

@test "up starts a dependency before its dependents" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      - db
  db:
    image: busybox
EOF
	run cc --progress plain up -d
	assert_success
	assert_progress Container proj-db-1 Started
	assert_progress Container proj-web-1 Started
	local db_started web_starting
	db_started=$(line_no 'Container proj-db-1[[:space:]]+Started$')
	web_starting=$(line_no 'Container proj-web-1[[:space:]]+Start(ing|ed)$')
	[ "$db_started" -gt 0 ] && [ "$db_started" -lt "$web_starting" ] ||
		fail "proj-db-1 Started (line $db_started) should come before proj-web-1 Starting (line $web_starting)"
	assert_field proj-db-1 State running
	assert_field proj-web-1 State running
}

@test "the events show the dependency started before the dependent was" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on: [db]
  db:
    image: busybox
EOF
	# since this test began: an engine's event history also holds earlier tests' containers of the same name
	local since
	since=$(date +%s.%N)
	cc_ok up -d
	run cc events --json --since "$since" --until 0s
	assert_success
	run "$PY" -c '
import json, sys
order = [(e["action"], e["attributes"].get("name")) for e in map(json.loads, filter(str.strip, sys.stdin))]
print(order.index(("start", "proj-db-1")) < order.index(("start", "proj-web-1")))
' <<<"$output"
	assert_success
	assert_output True
}

@test "service_healthy waits for the dependency to be healthy, then starts the dependent" {
	! engine_lacks healthchecks || skip "podman runs health checks from systemd timers, and this machine has no systemd"
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      db:
        condition: service_healthy
  db:
    image: busybox
    healthcheck:
      test: ["CMD", "true"]
      interval: 300ms
      retries: 3
EOF
	run cc --progress plain up -d
	assert_success
	assert_progress Container proj-db-1 Healthy
	local healthy web_starting
	healthy=$(line_no 'Container proj-db-1[[:space:]]+Healthy$')
	web_starting=$(line_no 'Container proj-web-1[[:space:]]+Start(ing|ed)$')
	[ "$healthy" -gt 0 ] && [ "$healthy" -lt "$web_starting" ] ||
		fail "proj-db-1 Healthy (line $healthy) should come before proj-web-1 Starting (line $web_starting)"
	assert_field proj-db-1 Health healthy
	assert_field proj-web-1 State running
}

@test "an unhealthy dependency makes up fail, naming the container, and the dependent is not started" {
	! engine_lacks healthchecks || skip "podman runs health checks from systemd timers, and this machine has no systemd"
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      db:
        condition: service_healthy
  db:
    image: busybox
    healthcheck:
      test: ["CMD", "false"]
      interval: 200ms
      retries: 2
EOF
	run cc up -d
	assert_failure 1
	assert_output --regexp 'proj-db-1.*unhealthy'
	assert_field proj-db-1 Health unhealthy
	assert_field proj-web-1 State created
}

@test "service_healthy on a dependency without a healthcheck fails" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      db:
        condition: service_healthy
  db:
    image: busybox
EOF
	run cc up -d
	assert_failure 1
	assert_output --partial "proj-db-1"
	assert_output --partial "no healthcheck"
	refute_line --regexp 'Container proj-web-1[[:space:]]+Started'
	run cfield proj-web-1 State
	refute_output running
}

@test "service_completed_successfully fails when the dependency exits non-zero" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      init:
        condition: service_completed_successfully
  init:
    image: busybox
    command: ["sh", "-c", "exit 3"]
EOF
	run cc up -d
	assert_failure 1
	assert_output --regexp 'init.*exited with code 3'
	assert_field proj-init-1 State exited
	assert_field proj-init-1 ExitCode 3
	run cfield proj-web-1 State
	refute_output running
}

@test "service_completed_successfully starts the dependent once the dependency exited 0" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      init:
        condition: service_completed_successfully
  init:
    image: busybox
    command: ["sh", "-c", "exit 0"]
EOF
	run cc up -d
	assert_success
	assert_field proj-init-1 State exited
	assert_field proj-init-1 ExitCode 0
	assert_field proj-web-1 State running
}

@test "a failing dependency with required: false only warns" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      init:
        condition: service_completed_successfully
        required: false
  init:
    image: busybox
    command: ["sh", "-c", "exit 3"]
EOF
	run cc up -d
	assert_success
	assert_line --regexp '([Ww]arning|WARN).*init'
	assert_field proj-init-1 ExitCode 3
	assert_field proj-web-1 State running
}

@test "up --no-deps SERVICE starts only that service" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on: [db]
  db:
    image: busybox
EOF
	run cc up -d --no-deps web
	assert_success
	assert_names proj-web-1
	assert_field proj-web-1 State running
}

@test "up SERVICE also starts what it depends on, and nothing else" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on: [api]
  api:
    image: busybox
    depends_on: [db]
  db:
    image: busybox
  other:
    image: busybox
EOF
	run cc up -d web
	assert_success
	assert_names proj-api-1 proj-db-1 proj-web-1
	assert_field proj-db-1 State running
	assert_field proj-api-1 State running
	assert_field proj-web-1 State running
}
