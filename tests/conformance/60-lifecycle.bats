#!/usr/bin/env bats
# The per-service lifecycle commands (stop, start, restart, kill, pause, unpause, rm) and the ones that look at
# a project's containers (top, port, images, events, wait, stats), plus cp, build and pull.

load helpers

web_db() {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    ports:
      - "8080:80"
  db:
    image: busybox
    command: ["sleep", "infinity"]
EOF
	cc_ok up -d
}

@test "stop stops every container; start starts them again with the same IDs" {
	web_db
	local web
	web=$(cid proj-web-1)
	run cc --progress plain stop
	assert_success
	assert_progress Container proj-web-1 Stopped
	assert_field proj-web-1 State exited
	assert_field proj-db-1 State exited
	run cc start
	assert_success
	assert_field proj-web-1 State running
	assert_field proj-db-1 State running
	assert_field proj-web-1 ID "$web"
}

@test "stop SERVICE stops that service only" {
	web_db
	run cc stop db
	assert_success
	assert_field proj-db-1 State exited
	assert_field proj-web-1 State running
}

@test "restart keeps the containers and leaves them running" {
	web_db
	local web
	web=$(cid proj-web-1)
	run cc --progress plain restart web
	assert_success
	assert_progress Container proj-web-1 '(Restarted|Started)'
	assert_field proj-web-1 State running
	assert_field proj-web-1 ID "$web"
	cc_ok stop
	run cc restart
	assert_success
	assert_field proj-web-1 State running
	assert_field proj-db-1 State running
}

@test "restart SERVICE restarts the services that depend on it with restart: true, after it; --no-deps does not" {
	write compose.yaml <<'YAML'
services:
  db:
    image: busybox
    command: sleep 1000
  web:
    image: busybox
    command: sleep 1000
    depends_on:
      db: {condition: service_started, restart: true}
  worker:
    image: busybox
    command: sleep 1000
    depends_on: [web]
  cache:
    image: busybox
    command: sleep 1000
    depends_on:
      web: {condition: service_started, restart: true}
YAML
	cc_ok up -d
	run cc --progress plain restart db
	assert_success
	assert_progress Container proj-db-1 '(Restarted|Started)'
	assert_progress Container proj-web-1 '(Restarted|Started)'
	assert_progress Container proj-cache-1 '(Restarted|Started)'
	refute_output --partial proj-worker-1
	# the dependency first, then who depends on it
	[ "$(line_no 'proj-db-1 +(Restarted|Started)')" -lt "$(line_no 'proj-web-1 +Restarting')" ]
	[ "$(line_no 'proj-web-1 +(Restarted|Started)')" -lt "$(line_no 'proj-cache-1 +Restarting')" ]
	run cc --progress plain restart --no-deps db
	assert_success
	assert_progress Container proj-db-1 '(Restarted|Started)'
	refute_output --partial proj-web-1
	refute_output --partial proj-cache-1
}

@test "kill sends SIGKILL by default: exit code 137" {
	web_db
	run cc kill db
	assert_success
	assert_field proj-db-1 State exited
	assert_field proj-db-1 ExitCode 137
	assert_field proj-web-1 State running
}

# up -d the project, kill -s SIGTERM its db: it exits with 143 (128 + SIGTERM)
up_then_sigterm_exits_143() {
	cc_ok up -d
	run cc kill -s SIGTERM db
	assert_success
	wait_state proj-db-1 exited
	assert_field proj-db-1 ExitCode 143
}

@test "kill -s SIGTERM: exit code 143" {
	# a PID 1 without a handler ignores SIGTERM on a real engine, so the command handles it; its exit code
	# tells TERM from the KILL a stop falls back to (and needs no init, which podman has not here)
	write compose.yaml <<'EOF'
services:
  db:
    image: busybox
    command: ["sh", "-c", "trap 'exit 143' TERM; while :; do sleep 1; done"]
EOF
	up_then_sigterm_exits_143
}

@test "init: true passes SIGTERM on to a command that has no handler" {
	! engine_lacks init || skip "podman's service wants catatonit for an init, and this machine has none"
	# without the init, the command is PID 1 and ignores the signal until stop's SIGKILL: exit code 137
	write compose.yaml <<'EOF'
services:
  db:
    image: busybox
    init: true
    command: ["sh", "-c", "while :; do sleep 1; done"]
EOF
	up_then_sigterm_exits_143
}

@test "kill -s with an invalid signal is a usage error" {
	web_db
	run cc kill -s NOPE db
	assert_failure 2
	assert_field proj-db-1 State running
}

@test "pause and unpause" {
	web_db
	run cc pause web
	assert_success
	assert_field proj-web-1 State paused
	assert_field proj-db-1 State running
	run cfield proj-web-1 Status
	assert_output --partial "(Paused)"
	run cc unpause web
	assert_success
	assert_field proj-web-1 State running
}

@test "rm removes stopped containers only" {
	web_db
	run cc rm -f
	assert_success
	assert_names proj-db-1 proj-web-1
	cc_ok stop web
	run cc rm -f
	assert_success
	assert_names proj-db-1
	assert_field proj-db-1 State running
}

@test "rm -s stops, then removes" {
	web_db
	run cc rm -s -f web
	assert_success
	assert_names proj-db-1
	run cc rm -s -f
	assert_success
	assert_names
}

@test "top lists the processes of each running container under a PID column" {
	web_db
	run --separate-stderr cc top web
	assert_success
	assert_line --index 0 "proj-web-1"
	assert_line --index 1 --regexp '(^| )PID( |$)'
	[ "${#lines[@]}" -ge 3 ] || fail "no process listed: $output"
}

@test "port prints the published address of a container port" {
	web_db
	run --separate-stderr cc port web 80
	assert_success
	assert_output "0.0.0.0:8080"
	run cc port web 81
	assert_failure 1
}

@test "images lists the images of the project's containers" {
	web_db
	run --separate-stderr cc images
	assert_success
	assert_line --index 0 --regexp '^CONTAINER +REPOSITORY +TAG +IMAGE ID +SIZE$'
	assert_line --regexp '^proj-web-1 +nginx +latest +[0-9a-f]{12} '
	assert_line --regexp '^proj-db-1 +busybox +latest +[0-9a-f]{12} '
	run --separate-stderr cc images --format json
	assert_success
	run "$PY" -c '
import json, sys
print(sorted((i["ContainerName"], i["Repository"], i["Tag"]) for i in json.load(sys.stdin)))
' <<<"$output"
	assert_output "[('proj-db-1', 'busybox', 'latest'), ('proj-web-1', 'nginx', 'latest')]"
}

@test "events --since/--until replays the create and start events of the project" {
	# since this test began: an engine's event history also holds earlier tests' containers of the same name
	local since
	since=$(date +%s.%N)
	web_db
	# --until 1s means one second ago: let that second pass
	sleep 1.2
	run --separate-stderr cc_timeout 20 events --since "$since" --until 1s
	assert_success
	assert_line --regexp ' container create [0-9a-f]+ \(.*com\.docker\.compose\.project=proj.*name=proj-web-1'
	assert_line --regexp ' container start [0-9a-f]+ \(.*com\.docker\.compose\.project=proj.*name=proj-web-1'
	assert_line --regexp ' container start [0-9a-f]+ \(.*name=proj-db-1'
	run --separate-stderr cc_timeout 20 events --json --since "$since" --until 1s web
	assert_success
	run "$PY" -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin if l.strip()]
print(sorted({(e["action"], e["service"], e["attributes"]["com.docker.compose.project"]) for e in ev}))
' <<<"$output"
	assert_output "[('create', 'web', 'proj'), ('start', 'web', 'proj')]"
}

@test "wait returns the exit code of the service's container" {
	write compose.yaml <<'EOF'
services:
  ok:
    image: busybox
    command: ["sleep", "1"]
  bad:
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 2"]
EOF
	cc_ok up -d
	run cc_timeout 20 wait ok
	assert_success
	run cc_timeout 20 wait bad
	assert_failure 2
}

@test "stats --no-stream shows the running containers by name" {
	web_db
	run --separate-stderr cc_timeout 20 stats --no-stream
	assert_success
	assert_line --index 0 --regexp '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$'
	assert_line --regexp '^[0-9a-f]{12} +proj-web-1 '
	assert_line --regexp '^[0-9a-f]{12} +proj-db-1 '
}

@test "cp fails with a clear 'not supported' on the mock backend" {
	is_mock || skip "only the mock backend lacks cp"
	web_db
	echo data >file.txt
	run cc cp file.txt web:/tmp/file.txt
	assert_failure 1
	assert_output --partial "not supported"
	run cc cp web:/etc/hostname out.txt
	assert_failure 1
	assert_output --partial "not supported"
}

@test "build fails with a clear 'not supported' on the mock backend" {
	is_mock || skip "only the mock backend cannot build"
	write compose.yaml <<'EOF'
services:
  app:
    build: .
EOF
	echo 'FROM busybox' >Dockerfile
	run cc build
	assert_failure 1
	assert_output --partial "not supported"
}

@test "pull succeeds and images works afterwards" {
	web_db
	run cc --progress plain pull
	if [ "$status" -ne 0 ] && ! is_mock && [[ "$output" == *registry-1.docker.io* ]]; then
		skip "no registry reachable from the engine (offline); tests/docker pulls from a loopback one"
	fi
	assert_success
	assert_progress Image nginx Pulled
	assert_progress Image busybox Pulled
	run --separate-stderr cc images
	assert_success
	assert_line --regexp '^proj-web-1 +nginx +latest '
}
