#!/usr/bin/env bats
# What a native container's monitor does on its own, after the CLI has gone: healthchecks exec'd in the
# container, restart policies with their count, OOM kills. Needs root, runc and busybox-static.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	native_setup_file
}

setup() {
	native_setup
}

teardown() {
	native_teardown
}

# "state health" of one service's container
health_of() {
	"$CC" --backend native ps -a --format json "$1" |
		python3 -c 'import json,sys
c = json.loads(sys.stdin.readline()); print(c["State"], c["Health"] or "-")'
}

runs_logged() {
	"$CC" --backend native logs --no-log-prefix "$1" | grep -c "^$2\$" || true
}

@test "a healthcheck turns healthy, and up --wait waits for it through depends_on service_healthy" {
	cat >compose.yaml <<'EOC'
services:
  db:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    command: ["sh", "-c", "sleep 1; echo >/ready; exec sleep 1000"]
    healthcheck:
      test: ["CMD-SHELL", "test -f /ready"]
      interval: 200ms
      retries: 50
  app:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    command: ["sleep", "1000"]
    depends_on:
      db:
        condition: service_healthy
EOC
	run "$CC" --backend native up -d --wait
	assert_success
	run health_of db
	assert_output "running healthy"
	run health_of app
	assert_output "running -"
	run events_so_far
	assert_output --partial '"health_status":"healthy"'
}

@test "start --wait returns once the started services are healthy; --wait-timeout ends the wait with an error" {
	cat >compose.yaml <<'EOC'
services:
  db:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    command: ["sh", "-c", "busybox rm -f /ready; sleep 1; echo >/ready; exec sleep 1000"]
    healthcheck:
      test: ["CMD-SHELL", "test -f /ready"]
      interval: 200ms
      retries: 50
  never:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    command: ["sleep", "1000"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 10s
      start_period: 60s
EOC
	"$CC" --backend native up -d --wait db
	"$CC" --backend native stop db
	run "$CC" --backend native start --wait db
	assert_success
	run health_of db
	assert_output "running healthy"
	"$CC" --backend native create never
	run "$CC" --backend native start --wait --wait-timeout 1 never
	assert_failure
	assert_output --partial "timeout waiting for proj-never-1"
}

@test "a failing healthcheck turns unhealthy after its retries; the container keeps running" {
	cat >compose.yaml <<'EOC'
services:
  sick:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    command: ["sleep", "1000"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 100ms
      retries: 2
EOC
	"$CC" --backend native up -d
	run health_of sick
	assert_output "running starting"
	eventually '[ "$(health_of sick)" = "running unhealthy" ]'
	run "$CC" --backend native up -d --wait
	assert_failure
	assert_output --partial "unhealthy"
}

@test "a healthcheck that outlives its timeout counts as a failure" {
	cat >compose.yaml <<'EOC'
services:
  slow:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    command: ["sleep", "1000"]
    healthcheck:
      test: ["CMD", "sleep", "30"]
      interval: 100ms
      timeout: 300ms
      retries: 1
EOC
	"$CC" --backend native up -d
	eventually '[ "$(health_of slow)" = "running unhealthy" ]' 10
	# each timed-out check is killed, not left running: at most the one in flight is there
	run "$CC" --backend native top slow
	[ "$(grep -c "sleep 30" <<<"$output")" -le 1 ]
}

@test "restart: on-failure:2 runs a failing service three times in all, then it stays exited" {
	cat >compose.yaml <<'EOC'
services:
  flaky:
    image: busybox:latest
    network_mode: none
    restart: on-failure:2
    command: ["sh", "-c", "echo run; exit 4"]
EOC
	"$CC" --backend native up -d
	eventually '[ "$(states)" = "proj-flaky-1 exited 4" ]' 15
	run runs_logged flaky run
	assert_output 3
	sleep 1
	run runs_logged flaky run
	assert_output 3
	# every test's project is "proj": count this service's events only
	run events_so_far flaky
	[ "$(grep -c '"action":"start"' <<<"$output")" -eq 3 ]
	[ "$(grep -c '"action":"die"' <<<"$output")" -eq 3 ]
	# a start by hand begins the count again, as docker's does: three more runs
	"$CC" --backend native start flaky
	eventually '[ "$(runs_logged flaky run)" = 6 ] && [ "$(states)" = "proj-flaky-1 exited 4" ]' 15
	sleep 1
	run runs_logged flaky run
	assert_output 6
}

@test "restart: always brings a service back; stop ends it for good" {
	cat >compose.yaml <<'EOC'
services:
  bouncy:
    image: busybox:latest
    network_mode: none
    restart: always
    stop_grace_period: 1s
    command: ["sh", "-c", "echo up; sleep 0.3"]
EOC
	"$CC" --backend native up -d
	eventually '[ "$(runs_logged bouncy up)" -ge 3 ]' 15
	run "$CC" --backend native stop bouncy
	assert_success
	run states
	assert_output --regexp "^proj-bouncy-1 exited "
	local n
	n=$(runs_logged bouncy up)
	sleep 1
	[ "$(runs_logged bouncy up)" -eq "$n" ]
	run states
	assert_output --regexp "^proj-bouncy-1 exited "
}

@test "restart: no (the default) leaves an exited service exited" {
	cat >compose.yaml <<'EOC'
services:
  once:
    image: busybox:latest
    network_mode: none
    command: ["sh", "-c", "echo run; exit 1"]
EOC
	"$CC" --backend native up -d
	eventually '[ "$(states)" = "proj-once-1 exited 1" ]'
	sleep 0.5
	run runs_logged once run
	assert_output 1
}

@test "an OOM kill is reported: exit 137 and an oom event; the limit is visible inside" {
	cat >compose.yaml <<'EOC'
services:
  hog:
    image: busybox:latest
    network_mode: none
    mem_limit: 32m
    command: ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null; x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"]
EOC
	"$CC" --backend native up -d
	eventually '[ "$(states)" = "proj-hog-1 exited 137" ]' 20
	run "$CC" --backend native logs --no-log-prefix hog
	assert_output --partial "33554432"
	refute_output --partial "survived"
	run events_so_far
	assert_output --partial '"action":"oom"'
}

@test "stats reads the container's cgroup: CPU of a busy loop, the memory limit, pids" {
	cat >compose.yaml <<'EOC'
services:
  busy:
    image: busybox:latest
    network_mode: none
    mem_limit: 64m
    stop_grace_period: 1s
    command: ["sh", "-c", "sleep 1000 & while :; do :; done"]
EOC
	"$CC" --backend native up -d
	run "$CC" --backend native stats --no-stream --format json busy
	assert_success
	python3 - "$output" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
assert s["memoryLimitBytes"] == 64 * 1024 * 1024, s
assert 0 < s["memoryUsageBytes"] < s["memoryLimitBytes"], s
assert s["pids"] == 2, s
assert s["cpuUsageMicroseconds"] > 0, s
PY
	run "$CC" --backend native stats --no-stream busy
	assert_success
	assert_output --partial "/ 64.00MiB"
	# a spinning shell takes a visible share of a CPU (the figure is a rate over two samples)
	local pct
	pct=$(awk 'NR == 2 { sub("%", "", $3); print int($3) }' <<<"$output")
	[ "$pct" -gt 0 ]
}

@test "the image's HEALTHCHECK applies unless the service sets or disables one" {
	python3 "$MKIMAGE" health "$BATS_TEST_TMPDIR/health" >/dev/null
	tar -C "$BATS_TEST_TMPDIR/health" -cf "$BATS_TEST_TMPDIR/health.tar" .
	id=$("$CC" --backend native image load -i "$BATS_TEST_TMPDIR/health.tar" | sed -n 's/^Loaded image ID: //p')
	"$CC" --backend native image tag "$id" withhealth:latest
	cat >compose.yaml <<'YAML'
services:
  ready:
    image: withhealth
    command: sh -c 'mkdir -p /tmp && touch /tmp/ready; sleep 300'
  never:
    image: withhealth
    command: sleep 300
  disabled:
    image: withhealth
    command: sleep 300
    healthcheck:
      disable: true
YAML
	"$CC" --backend native up -d
	health_of() {
		"$CC" --backend native ps --format json | python3 -c 'import json,sys
for l in sys.stdin:
    c = json.loads(l)
    if c["Service"] == sys.argv[1]: print(c["Health"] or "none")' "$1"
	}
	run eventually '[ "$(health_of ready)" = healthy ] && [ "$(health_of never)" = unhealthy ]' 15
	[ "$status" -eq 0 ]
	[ "$(health_of disabled)" = none ]
	"$CC" --backend native down -t 0
}

# The pids holding a file of the project's containers whose path (below containers/) matches $1; with no
# $1, any file: the monitors, one per container.
holders() {
	local p
	for p in /proc/[0-9]*; do
		ls -l "$p/fd" 2>/dev/null | grep -q "$CONTAINER_COMPOSE_ROOT/containers/${1:-}" && echo "${p#/proc/}"
	done
	return 0
}
monitors() { holders | wc -l; }

@test "restart of a crash-looping service ends its loop: one monitor, and the new run stays up" {
	mkdir -p state
	cat >compose.yaml <<'EOC'
services:
  loop:
    image: busybox:latest
    network_mode: none
    restart: always
    volumes: [./state:/state]
    command: ["sh", "-c", "[ -e /state/ok ] && exec sleep 300; exit 1"]
EOC
	"$CC" --backend native up -d
	eventually '[[ "$(states)" == "proj-loop-1 restarting"* ]]' 20
	touch state/ok
	run "$CC" --backend native restart loop
	assert_success
	eventually '[ "$(states)" = "proj-loop-1 running 0" ]' 10
	# the old monitor's next run would have begun within its backoff (a few seconds by now)
	sleep 4
	run states
	assert_output "proj-loop-1 running 0"
	run monitors
	assert_output 1
}

@test "stop and kill of a paused container thaw it, so the signal ends it" {
	cat >compose.yaml <<'EOC'
services:
  p1:
    image: busybox:latest
    network_mode: none
    command: ["sh", "-c", "trap 'exit 3' TERM; while :; do sleep 0.1; done"]
  p2:
    image: busybox:latest
    network_mode: none
    command: ["sleep", "300"]
EOC
	"$CC" --backend native up -d
	"$CC" --backend native pause p1 p2
	run "$CC" --backend native stop -t 10 p1
	assert_success
	run "$CC" --backend native kill p2
	assert_success
	eventually '[ "$(states | sort | tr "\n" " ")" = "proj-p1-1 exited 3 proj-p2-1 exited 137 " ]' 10
}

@test "a container whose monitor was killed is recorded as exited (255), its process ended; up starts it again" {
	cat >compose.yaml <<'EOC'
services:
  orphan:
    image: busybox:latest
    network_mode: none
    restart: always
    command: ["sleep", "4343"]
EOC
	"$CC" --backend native up -d
	eventually '[ "$(states)" = "proj-orphan-1 running 0" ]' 10
	local mon
	mon=$(holders '.*/monitor.lock')
	[ -n "$mon" ]
	kill -KILL "$mon"
	# nothing would record its end: the next look finds the monitor gone and ends the container
	eventually '[ "$(states)" = "proj-orphan-1 exited 255" ]' 10
	eventually '! pgrep -f "^sleep 4343$" >/dev/null' 10
	run events_so_far orphan
	assert_output --partial '"exitCode":"255"'
	"$CC" --backend native up -d
	eventually '[ "$(states)" = "proj-orphan-1 running 0" ]' 10
	run monitors
	assert_output 1
	run "$CC" --backend native stop -t 1 orphan
	assert_success
	run states
	assert_output "proj-orphan-1 exited 137"
}


@test "logs -f and an attached up follow a container through its restarts, as docker compose does" {
	cat >compose.yaml <<'EOC'
services:
  r:
    image: busybox:latest
    network_mode: none
    restart: always
    command: ["sh", "-c", "echo run; sleep 0.3; exit 1"]
EOC
	"$CC" --backend native up -d
	"$CC" --backend native logs -f --no-log-prefix >follow.log 2>&1 &
	local follower=$!
	run eventually '[ "$(grep -c "^run$" follow.log)" -ge 3 ]' 30
	[ "$status" -eq 0 ] || { kill "$follower"; cat follow.log; return 1; }
	# the container removed under it ends the follow quietly
	"$CC" --backend native down -t 0
	local rc=0
	wait "$follower" || rc=$?
	assert_equal "$rc" 0

	"$CC" --backend native up >attached.log 2>&1 &
	local up=$!
	run eventually '[ "$(grep -c "exited with code 1 (restarting)" attached.log)" -ge 2 ]' 30
	[ "$status" -eq 0 ] || { kill "$up"; cat attached.log; return 1; }
	# the attached up is still there: it ends when the container stops for good
	kill -0 "$up"
	"$CC" --backend native stop -t 1
	rc=0
	wait "$up" || rc=$?
	assert_equal "$rc" 0
	# the end for good is printed at most once (a stop in the backoff adds nothing to the last run's)
	run bash -c "grep -c 'exited with code [0-9]*\$' attached.log"
	[ "$output" -le 1 ]
}
