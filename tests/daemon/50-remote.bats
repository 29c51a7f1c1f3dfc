#!/usr/bin/env bats
# The CLI through the daemon: the remote backend over serve, on real containers (native backend, when the
# host can run them) and under many concurrent clients (mock).

load helpers

setup_file() { busybox_tar; }

@test "real containers through the daemon: up, service-name DNS, a published port, logs, exec, down" {
	[ -f "$BATS_FILE_TMPDIR/busybox.tar" ] || skip "needs root, runc and busybox-static"
	SERVE_BACKEND=native serve
	local R=(--remote "unix://$SOCK")
	load_busybox "${R[@]}"
	write_project <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo hello-through-the-daemon > /w/index.html && exec httpd -f -p 8080 -h /w'
    ports: ["127.0.0.1:18499:8080"]
  client:
    image: busybox
    command: sleep 1000
    healthcheck:
      test: ["CMD-SHELL", "echo probe-said-hi; yes | head -c 6000; exit 0"]
      interval: 1s
  trapper:
    image: busybox
    command: ["sh", "-c", "trap '' TERM; trap 'exit 0' INT; while :; do sleep 0.1; done"]
YAML
	cd "$BATS_TEST_TMPDIR/proj"
	run "$CC" "${R[@]}" up -d
	assert_success
	# a restart stops with the body's signal: SIGINT ends the trapper (exit 0), where its own SIGTERM
	# would leave it to the SIGKILL after the timeout (exit 137)
	local t0
	t0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	run api POST /containers/proj-trapper-1/restart -d '{"signal":"SIGINT","timeoutSeconds":5}'
	assert_equal "$(code)" 204
	run api GET "/events?since=$t0&until=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)&container=proj-trapper-1&type=died"
	assert_output --partial '"exitCode":0'
	refute_output --partial '"exitCode":137'
	run api GET /containers/proj-trapper-1
	assert_equal "$(jget 'd["state"]["status"]')" running
	# inspect's health log holds the probes' results and what they printed
	for i in $(seq 1 50); do
		run api GET /containers/proj-client-1
		[ "$(jget 'len(d["state"]["health"]["log"])')" -ge 1 ] && break
		sleep 0.2
	done
	assert_equal "$(jget 'd["state"]["health"]["log"][-1]["exitCode"]')" 0
	# what it printed, up to docker's 4 KiB
	assert_equal "$(jget 'd["state"]["health"]["log"][-1]["output"][:14]')" "probe-said-hi"
	assert_equal "$(jget 'len(d["state"]["health"]["log"][-1]["output"])')" 4096
	[ -n "$(jget 'd["state"]["health"]["log"][-1]["start"]')" ]
	local i ok=
	for i in $(seq 1 50); do
		if "$CC" "${R[@]}" exec -T client wget -qO- http://web:8080/ 2>/dev/null | grep -q hello-through; then
			ok=1
			break
		fi
		sleep 0.2
	done
	[ -n "$ok" ] || fail "client never reached web by its service name"
	run curl -s --max-time 5 http://127.0.0.1:18499/
	assert_output hello-through-the-daemon
	run "$CC" "${R[@]}" ps --format json
	assert_output --partial '"Service":"web"'
	assert_output --partial '"State":"running"'
	run "$CC" "${R[@]}" exec -T client sh -c 'exit 7'
	assert_failure 7
	# cp both ways through the daemon, with docker cp's rules
	mkdir -p "$BATS_TEST_TMPDIR/up/d" && echo via-daemon >"$BATS_TEST_TMPDIR/up/d/f.txt"
	run "$CC" "${R[@]}" cp "$BATS_TEST_TMPDIR/up" client:/etc
	assert_success
	run "$CC" "${R[@]}" exec -T client cat /etc/up/d/f.txt
	assert_output via-daemon
	"$CC" "${R[@]}" cp "$BATS_TEST_TMPDIR/up/." client:/flat
	run "$CC" "${R[@]}" exec -T client cat /flat/d/f.txt
	assert_output via-daemon
	run "$CC" "${R[@]}" cp client:/etc/up/d "$BATS_TEST_TMPDIR/back"
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/back/f.txt")" via-daemon
	run "$CC" "${R[@]}" cp client:/no/such "$BATS_TEST_TMPDIR/x"
	assert_failure
	assert_output --partial "/no/such"
	# a path that climbs names the container's root: its entries come under "root", and nothing of it
	# lands beside the daemon's scratch directory
	curl -s --unix-socket "$SOCK" -o "$BATS_TEST_TMPDIR/climb.tar" 'http://localhost/containers/proj-client-1/archive?path=..'
	run bash -c "tar tf '$BATS_TEST_TMPDIR/climb.tar' | cut -d/ -f1 | sort -u"
	assert_output root
	run ls -A "$ROOT/tmp"
	assert_output ""
	# the kernel's filesystems mounted in it come empty, as in docker cp: not the host's /proc
	run bash -c "tar tf '$BATS_TEST_TMPDIR/climb.tar' | grep -c '^root/proc/.' || true"
	assert_output 0
	run bash -c "tar tf '$BATS_TEST_TMPDIR/climb.tar' | grep -c '^root/etc/passwd$'"
	assert_output 1
	run "$CC" "${R[@]}" down -t 0
	assert_success
	run "$CC" "${R[@]}" ps -a -q
	assert_output ""
	# the daemon's engine holds what the project made: nothing is left of it
	run ip link show
	refute_output --partial "proj"
}

@test "a project build through the daemon streams the builder's real output, and up runs the image" {
	[ -f "$BATS_FILE_TMPDIR/busybox.tar" ] || skip "needs root, runc and busybox-static"
	SERVE_BACKEND=native serve
	local R=(--remote "unix://$SOCK")
	load_busybox "${R[@]}"
	local ctx="$BATS_TEST_TMPDIR/ctx"
	mkdir -p "$ctx"
	local marker="step-output-$RANDOM"
	printf 'FROM busybox\nRUN echo %s && echo built > /built\nCMD ["cat", "/built"]\n' "$marker" >"$ctx/Dockerfile"
	run api POST /projects/bld --data-binary "services:
  app:
    build: {context: $ctx}
    image: bld-app:latest
"
	assert_equal "$(code)" 201
	run api POST /projects/bld/build -D "$BATS_TEST_TMPDIR/h"
	assert_equal "$(code)" 200
	grep -qi '^content-type: application/x-ndjson' "$BATS_TEST_TMPDIR/h"
	assert_output --partial '"service":"app"'
	assert_output --partial "\"line\":\"Service app [stage 2/3] RUN echo $marker"
	assert_output --partial "\"line\":\"Service app $marker\""
	assert_output --partial '"type":"done"'
	refute_output --partial '"type":"error"'
	run api POST /projects/bld/up -d '{"detached": true}'
	assert_equal "$(code)" 200
	run api POST /containers/bld-app-1/wait
	assert_equal "$(code)" 200
	run api GET /containers/bld-app-1/logs
	assert_output --partial built
	run api POST /projects/bld/down -d '{}'
	assert_equal "$(code)" 200
}

@test "image build and a project's build: through the remote backend, the context travels as a tar" {
	[ -f "$BATS_FILE_TMPDIR/busybox.tar" ] || skip "needs root, runc and busybox-static"
	SERVE_BACKEND=native serve
	local R=(--remote "unix://$SOCK")
	load_busybox "${R[@]}"
	local ctx="$BATS_TEST_TMPDIR/proj/ctx"
	mkdir -p "$ctx/files"
	echo sent >"$ctx/files/kept.txt"
	echo never-sent >"$ctx/files/secret.key"
	printf '**/*.key\n' >"$ctx/.dockerignore"
	printf 'FROM busybox\nARG V=0\nCOPY files/ /files/\nRUN echo "v=$V" > /v && ls /files\nCMD ["sh", "-c", "cat /v; ls /files"]\n' >"$ctx/Dockerfile"
	run "$CC" "${R[@]}" image build --build-arg V=7 -t remote-built:1 "$ctx"
	assert_success
	assert_output --partial "kept.txt"
	refute_output --partial "secret.key"
	assert_output --partial "Successfully tagged remote-built:1"
	# a Dockerfile from outside the context travels with it
	printf 'FROM busybox\nCMD ["echo", "outside"]\n' >"$BATS_TEST_TMPDIR/Outside.Dockerfile"
	run "$CC" "${R[@]}" image build -q -f "$BATS_TEST_TMPDIR/Outside.Dockerfile" "$ctx"
	assert_success
	assert_output --regexp '^sha256:[0-9a-f]{64}$'
	# the compose build, and up of what it built
	write_project <<'YAML'
services:
  app:
    build:
      context: ./ctx
      args: {V: "9"}
YAML
	cd "$BATS_TEST_TMPDIR/proj"
	run "$CC" "${R[@]}" up -d
	assert_success
	"$CC" "${R[@]}" wait app >/dev/null || true
	run "$CC" "${R[@]}" logs --no-log-prefix app
	assert_output "v=9
kept.txt"
	"$CC" "${R[@]}" down -t 0 >/dev/null
	# an invalid body is a 400, and the daemon stays up
	run api POST /images/build --data-binary 'not a tar' -H 'Content-Type: application/x-tar'
	assert_envelope 400 bad_request
	run api POST '/images/build?buildargs=notjson' --data-binary 'x'
	assert_envelope 400 bad_request
	run api GET /_ping
	assert_equal "$(code)" 200
}

@test "50 concurrent CLI clients against one daemon: no errors, the store intact" {
	serve
	local i pids=()
	for i in $(seq 1 50); do
		mkdir -p "$BATS_TEST_TMPDIR/p$i"
		printf 'services:\n  app:\n    image: busybox\n    command: sh -c "echo hi; sleep 1000"\n  side:\n    image: busybox\n    command: sleep 1000\n' \
			>"$BATS_TEST_TMPDIR/p$i/compose.yaml"
		(cd "$BATS_TEST_TMPDIR/p$i" && "$CC" --remote "unix://$SOCK" --progress quiet up -d &&
			"$CC" --remote "unix://$SOCK" ps -q | wc -l | grep -qx 2 &&
			"$CC" --remote "unix://$SOCK" logs app | grep -q hi) >"$BATS_TEST_TMPDIR/c$i.log" 2>&1 &
		pids+=($!)
	done
	local failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { failed=$((failed + 1)); cat "$BATS_TEST_TMPDIR/c$((i + 1)).log" >&2; }
	done
	assert_equal "$failed" 0
	run api GET '/containers?all=true'
	assert_equal "$(jget 'len(d)')" 100
	run api GET /projects
	assert_equal "$(jget 'len(d)')" 50
	run "$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchone()[0])' "$ROOT/state.db"
	assert_output ok
	kill -0 "$DAEMON_PID"
}

# traps_set NAME: waits for NAME's /ready to say "set", as its shell writes once its traps are set; then
# clears it for the next start
traps_set() {
	local i
	for i in $(seq 1 100); do
		api POST "/containers/$1/exec" -d '{"command":["sh","-c","read x < /ready && [ \"$x\" = set ] && echo > /ready"]}' | grep -q '"exitCode":0' && return 0
		sleep 0.05
	done
	fail "$1 never set its traps"
}

@test "API stop without a signal sends the container's own stop signal, SIGTERM when it has none" {
	[ -f "$BATS_FILE_TMPDIR/busybox.tar" ] || skip "needs root, runc and busybox-static"
	SERVE_BACKEND=native serve
	load_busybox --remote "unix://$SOCK"
	# each says it is ready once its traps are set
	local trap='trap \"exit 3\" INT; trap \"exit 4\" TERM; echo set > /ready; while :; do sleep 0.1; done'
	run api POST /containers/create -d "{\"image\":\"busybox\",\"name\":\"plain\",\"cmd\":[\"sh\",\"-c\",\"$trap\"]}"
	assert_equal "$(code)" 201
	run api POST /containers/create -d "{\"image\":\"busybox\",\"name\":\"quits\",\"cmd\":[\"sh\",\"-c\",\"$trap\"],\"stopSignal\":\"SIGINT\"}"
	assert_equal "$(code)" 201
	local c
	for c in plain quits; do
		run api POST "/containers/$c/start"
		assert_equal "$(code)" 204
		traps_set "$c"
		run api POST "/containers/$c/stop"
		assert_equal "$(code)" 204
	done
	run api GET /containers/plain
	assert_equal "$(jget 'd["state"]["exitCode"]')" 4
	run api GET /containers/quits
	assert_equal "$(jget 'd["state"]["exitCode"]')" 3
	# the body's signal wins over the container's
	api POST /containers/quits/start >/dev/null
	traps_set quits
	run api POST /containers/quits/stop -d '{"signal":"SIGTERM"}'
	assert_equal "$(code)" 204
	run api GET /containers/quits
	assert_equal "$(jget 'd["state"]["exitCode"]')" 4
	api DELETE /containers/plain >/dev/null
	api DELETE /containers/quits >/dev/null
}
