#!/usr/bin/env bats
# The daemon's lifecycle: addresses, the already-running probe, stale sockets, permissions, signals and
# draining, and streams that end when their client goes away.

load helpers

@test "a second serve on the same address says so and exits 0; the first keeps serving" {
	serve
	run "$CC" --root "$ROOT" --backend mock serve
	assert_success
	assert_output "daemon already listening at unix://$SOCK"
	run api GET /_ping
	assert_equal "$(code)" 200
}

@test "serve prints its address and nothing else, with one HTTP thread or a pool" {
	local n
	for n in 1 2; do
		serve --threads "$n" --listen "unix://$BATS_TEST_TMPDIR/t$n.sock"
		curl -sf --unix-socket "$BATS_TEST_TMPDIR/t$n.sock" http://localhost/_ping
		kill -TERM "$DAEMON_PID"
		wait "$DAEMON_PID"
		run cat "$DAEMON_LOG"
		assert_output "container-compose daemon listening at unix://$BATS_TEST_TMPDIR/t$n.sock"
	done
}

@test "a stale socket is removed; the directory is made 0700 and the socket 0600" {
	local dir="$BATS_TEST_TMPDIR/sub/dir"
	mkdir -p "$(dirname "$dir")"
	"$PY" -c 'import socket,sys,os; os.makedirs(sys.argv[1]); s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]+"/api.sock"); s.close()' "$dir"
	[ -S "$dir/api.sock" ]
	rmdir "$dir" 2>/dev/null || true
	serve --listen "unix://$dir/api.sock"
	curl -sf --unix-socket "$dir/api.sock" http://localhost/_ping
	assert_equal "$(stat -c %a "$dir/api.sock")" 600
	local fresh="$BATS_TEST_TMPDIR/fresh/deeper"
	serve --listen "unix://$fresh/api.sock"
	assert_equal "$(stat -c %a "$fresh")" 700
	# a file that is not a socket is never removed
	touch "$BATS_TEST_TMPDIR/plain"
	run "$CC" --root "$ROOT" --backend mock serve --listen "unix://$BATS_TEST_TMPDIR/plain"
	assert_failure
	[ -f "$BATS_TEST_TMPDIR/plain" ]
}

@test "malformed addresses and option clashes are refused with the reason" {
	run "$CC" --root "$ROOT" serve --listen http://localhost:80
	assert_failure
	assert_output --partial 'unsupported scheme "http"'
	run "$CC" --root "$ROOT" serve --listen tcp://127.0.0.1
	assert_failure
	assert_output --partial "missing port"
	run "$CC" --root "$ROOT" serve --listen tcp://:8080
	assert_failure
	assert_output --partial "missing host"
	run "$CC" --root "$ROOT" serve --listen tcp://127.0.0.1:99999
	assert_failure
	assert_output --partial "port"
	run "$CC" --root "$ROOT" serve --listen unix://relative/path
	assert_failure
	assert_output --partial "absolute"
	run "$CC" --root "$ROOT" serve --listen "unix://$SOCK" --socket "$SOCK"
	assert_failure 2
	run "$CC" --root "$ROOT" serve --listen tls://127.0.0.1:0
	assert_failure
	assert_output --partial "system generate-cert"
	run "$CC" --root "$ROOT" serve --listen tcp://0.0.0.0:0
	assert_failure
	assert_output --partial "--insecure"
	run "$CC" --root "$ROOT" serve --listen "unix://$SOCK" --client-ca /dev/null
	assert_failure
	assert_output --partial "tls://"
	[ ! -e "$SOCK" ]
}

@test "--socket still works, with a deprecation warning" {
	serve --socket "$BATS_TEST_TMPDIR/old.sock"
	grep -q deprecated "$DAEMON_LOG"
	curl -sf --unix-socket "$BATS_TEST_TMPDIR/old.sock" http://localhost/_ping
}

@test "SIGHUP is ignored; SIGTERM drains an in-flight request, ends streams, unlinks the socket, exits 0" {
	serve
	kill -HUP "$DAEMON_PID"
	sleep 0.2
	run api GET /_ping
	assert_equal "$(code)" 200
	api POST /containers/create -d '{"image":"busybox","name":"w","cmd":["sleep","1000"]}' >/dev/null
	api POST /containers/w/start >/dev/null
	# a wait that times out in 1.5 s is in flight, and a follower is attached, when SIGTERM arrives
	curl -s --unix-socket "$SOCK" -X POST -w '\n%{http_code}' 'http://localhost/containers/w/wait?timeout=1.5' \
		>"$BATS_TEST_TMPDIR/wait.out" &
	local waiter=$!
	timeout 20 curl -s -N --unix-socket "$SOCK" 'http://localhost/containers/w/logs?follow=true' \
		>"$BATS_TEST_TMPDIR/follow.out" &
	local follower=$!
	sleep 0.3
	kill -TERM "$DAEMON_PID"
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	assert_equal "$rc" 0
	DAEMONS=()
	wait "$waiter"
	assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/wait.out")" 408
	run wait "$follower"
	assert_success # the stream ended (curl did not run into its timeout)
	[ ! -e "$SOCK" ]
}

@test "SIGINT stops the daemon too" {
	serve
	kill -INT "$DAEMON_PID"
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	assert_equal "$rc" 0
	DAEMONS=()
	[ ! -e "$SOCK" ]
}

@test "event followers share one thread; followers that go away are cleaned up" {
	serve
	api POST /containers/create -d '{"image":"busybox","name":"f","cmd":["sleep","1000"]}' >/dev/null
	api POST /containers/f/start >/dev/null
	local before
	before=$(daemon_threads)
	local i pids=()
	for i in 1 2 3 4 5; do
		curl -s -N --unix-socket "$SOCK" 'http://localhost/events' >/dev/null &
		pids+=($!)
	done
	sleep 0.5
	# five followers, one hub thread between them
	assert_equal "$(daemon_threads)" $((before + 1))
	kill "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
	# each stream's producer finds its client gone at its next idle poll, with no event to send
	assert_threads_back_to "$before"
	run api GET /_ping
	assert_equal "$(code)" 200
}

@test "log followers of one container share one thread, which ends when they go away" {
	serve
	api POST /containers/create -d '{"image":"busybox","name":"g","cmd":["sleep","1000"]}' >/dev/null
	api POST /containers/g/start >/dev/null
	local before i pids=()
	before=$(daemon_threads)
	for i in 1 2 3 4; do
		curl -s -N --unix-socket "$SOCK" 'http://localhost/containers/g/logs?follow=true' >/dev/null &
		pids+=($!)
	done
	sleep 0.5
	assert_equal "$(daemon_threads)" $((before + 1))
	kill "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
	assert_threads_back_to "$before"
}

@test "followers get the past from since, then live events, with no gap and no repeat" {
	serve
	api POST /networks -d '{"name":"past1"}' >/dev/null
	timeout 3 curl -s -N --unix-socket "$SOCK" 'http://localhost/events?since=2000-01-01T00:00:00Z' >"$BATS_TEST_TMPDIR/a" &
	local a=$!
	timeout 3 curl -s -N --unix-socket "$SOCK" 'http://localhost/events?type=network' >"$BATS_TEST_TMPDIR/b" &
	local b=$!
	sleep 0.5
	api POST /networks -d '{"name":"live1"}' >/dev/null
	api POST /containers/create -d '{"image":"busybox","name":"live2","cmd":["true"]}' >/dev/null
	wait "$a" "$b" || true
	run grep -c '"name":"past1"' "$BATS_TEST_TMPDIR/a"
	assert_output 1
	run grep -c '"name":"live1"' "$BATS_TEST_TMPDIR/a"
	assert_output 1
	grep -q '"id":"live2"' "$BATS_TEST_TMPDIR/a"
	# b started at the present and only wanted networks
	run grep -c past1 "$BATS_TEST_TMPDIR/b"
	assert_output 0
	run grep -c '"name":"live1"' "$BATS_TEST_TMPDIR/b"
	assert_output 1
	run grep -c live2 "$BATS_TEST_TMPDIR/b"
	assert_output 0
	# every frame in seq order, none twice
	run "$PY" -c 'import json,sys
seqs=[json.loads(l)["seq"] for l in open(sys.argv[1]) if l.strip()]
assert seqs==sorted(set(seqs)), seqs' "$BATS_TEST_TMPDIR/a"
	assert_success
}

@test "system status: exit 0 with the daemon's lines when it answers, 1 with how to start it when not" {
	run "$CC" --root "$ROOT" system status
	assert_failure 1
	assert_output --partial "Daemon:   not running"
	assert_output --partial "Socket:   unix://$SOCK"
	assert_output --partial "To start the daemon: container-compose serve"
	serve
	api POST /containers/create -d '{"image":"busybox","name":"s1","cmd":["true"]}' >/dev/null
	run "$CC" --root "$ROOT" system status
	assert_success
	assert_output --partial "Daemon:   running"
	assert_output --partial "Registry: $ROOT (1 containers)"
	assert_output --partial "Server:   container-compose"
}

@test "log followers get their history, then live lines once each, and end when the container stops" {
	serve
	api POST /containers/create -d '{"image":"busybox","name":"t","cmd":["sh","-c","echo one; sleep 1; echo two; sleep 1000"]}' >/dev/null
	api POST /containers/t/start >/dev/null
	timeout 10 curl -s -N --unix-socket "$SOCK" 'http://localhost/containers/t/logs?follow=true' >"$BATS_TEST_TMPDIR/a" &
	local a=$!
	timeout 10 curl -s -N --unix-socket "$SOCK" 'http://localhost/containers/t/logs?follow=true&tail=0' >"$BATS_TEST_TMPDIR/b" &
	local b=$!
	sleep 2
	api POST /containers/t/kill >/dev/null
	local rc=0
	wait "$a" || rc=$?
	assert_equal "$rc" 0 # ended with the container, not by the timeout
	wait "$b" || true
	run "$PY" -c 'import json,sys; print(" ".join(json.loads(l)["line"] for l in open(sys.argv[1]) if l.strip()))' "$BATS_TEST_TMPDIR/a"
	assert_output "one two"
	run "$PY" -c 'import json,sys; print(" ".join(json.loads(l)["line"] for l in open(sys.argv[1]) if l.strip()))' "$BATS_TEST_TMPDIR/b"
	assert_output "two"
}

@test "followers coming and going in a burst leave the daemon whole and its threads as they were" {
	serve
	api POST /containers/create -d '{"image":"busybox","name":"burst","cmd":["sh","-c","echo hello; sleep 1000"]}' >/dev/null
	api POST /containers/burst/start >/dev/null
	local before i round pids
	before=$(daemon_threads)
	for round in 1 2 3 4 5; do
		pids=()
		for i in 1 2 3 4 5 6; do
			timeout 0.3 curl -s -N --unix-socket "$SOCK" 'http://localhost/containers/burst/logs?follow=true' >/dev/null &
			pids+=($!)
			timeout 0.3 curl -s -N --unix-socket "$SOCK" 'http://localhost/events?since=2000-01-01T00:00:00Z' >/dev/null &
			pids+=($!)
		done
		wait "${pids[@]}" 2>/dev/null || true
	done
	assert_threads_back_to "$before"
	run timeout 5 curl -s --unix-socket "$SOCK" 'http://localhost/containers/burst/logs?follow=false'
	assert_output --partial '"line":"hello"'
	kill -0 "$DAEMON_PID"
}
