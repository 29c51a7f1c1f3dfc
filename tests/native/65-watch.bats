#!/usr/bin/env bats
# watch on real containers: develop.watch's sync (initial_sync, new directories, deletions, ignore and the
# context's .dockerignore, editors' temporary files), sync+exec and rebuild, and Ctrl+C.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers

setup_file() { native_setup_file; }
setup() { native_setup; }

teardown() {
	[ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null || true
	native_teardown
}

in_app() { "$CC" --backend native exec -T app "$@" 2>/dev/null; }

@test "watch syncs, deletes, runs the exec hook and rebuilds as files change; Ctrl+C ends it with 130" {
	mkdir -p src conf
	echo one >src/a.txt
	echo c1 >conf/c
	echo v1 >version
	echo r1 >restart-me
	printf 'FROM busybox\nCOPY version /version\nCMD ["sleep", "300"]\n' >Dockerfile
	printf 'src/secret.txt\n' >.dockerignore
	cat >compose.yaml <<'EOC'
services:
  app:
    build: .
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app
          ignore: ["*.tmp"]
          initial_sync: true
        - action: sync+exec
          path: ./conf
          target: /conf
          exec:
            command: ["sh", "-c", "cat /conf/c > /exec-saw"]
        - action: rebuild
          path: ./version
        - action: restart
          path: ./restart-me
EOC
	"$CC" --backend native watch >watch.log 2>&1 &
	WATCH_PID=$!
	run eventually "grep -q 'app: Watching' watch.log" 60
	assert_success
	# initial_sync: what was there before the watch
	run in_app cat /app/a.txt
	assert_output "one"
	run in_app cat /version
	assert_output "v1"

	echo two >src/a.txt
	mkdir -p src/deep/er && echo three >src/deep/er/b.txt
	echo skipped >src/skip.tmp
	echo hidden >src/secret.txt
	echo swap >src/.a.txt.swp
	run eventually '[ "$(in_app cat /app/deep/er/b.txt)" = three ] && [ "$(in_app cat /app/a.txt)" = two ]' 20
	assert_success
	run in_app ls -a /app
	refute_output --partial skip.tmp
	refute_output --partial secret.txt
	refute_output --partial .swp

	rm src/a.txt
	run eventually '! in_app test -e /app/a.txt' 20
	assert_success
	run in_app cat /app/deep/er/b.txt
	assert_output "three"

	# a directory renamed: its old name goes, the new one comes, and later edits follow it
	mv src/deep src/moved
	run eventually '[ "$(in_app cat /app/moved/er/b.txt)" = three ] && ! in_app test -e /app/deep' 20
	assert_success
	echo four >src/moved/er/b.txt
	run eventually '[ "$(in_app cat /app/moved/er/b.txt)" = four ]' 20
	assert_success

	# an existing directory keeps its owner and mode when a file is synced into it
	in_app sh -c 'mkdir -p /app/owned && chown 1000:1000 /app/owned && chmod 0750 /app/owned'
	mkdir -p src/owned && echo mine >src/owned/f
	run eventually '[ "$(in_app cat /app/owned/f)" = mine ]' 20
	assert_success
	run in_app ls -ldn /app/owned
	assert_output --regexp '^drwxr-x---[[:space:]]+[0-9]+[[:space:]]+1000[[:space:]]+1000'

	# a link is copied as a link: what it points to on the host is not read
	ln -s /etc/hostname src/link
	run eventually 'in_app ls -l /app/link | grep -q -- "-> /etc/hostname"' 20
	assert_success
	run in_app cat /app/link
	refute_output "$(cat /etc/hostname)"

	echo c2 >conf/c
	run eventually '[ "$(in_app cat /exec-saw)" = c2 ]' 20
	assert_success

	echo r2 >restart-me
	run eventually "grep -q 'app: Restarting after changes' watch.log" 20
	assert_success

	echo v2 >version
	run eventually '[ "$(in_app cat /version)" = v2 ]' 60
	assert_success

	kill -INT "$WATCH_PID"
	local rc=0
	wait "$WATCH_PID" || rc=$?
	WATCH_PID=
	assert_equal "$rc" 130
	run cat watch.log
	assert_output --partial "app: Syncing"
	assert_output --partial "app: Rebuilding after changes"
}

@test "watch refuses a project without develop.watch, and a rebuild rule on a service without build" {
	printf 'services:\n  app:\n    image: busybox\n    command: ["sleep", "30"]\n' >compose.yaml
	run "$CC" --backend native watch
	assert_failure
	assert_output --partial "none of the selected services is configured for watch"
	mkdir src
	printf 'services:\n  app:\n    image: busybox\n    develop:\n      watch:\n        - {action: rebuild, path: ./src}\n' >compose.yaml
	run "$CC" --backend native watch
	assert_failure
	assert_output --partial "develop.watch[0]: action rebuild needs a build section"
	# nothing was started
	run "$CC" --backend native ps -a -q
	assert_output ""
}

@test "up --watch: the output of the rebuilt container follows the old one's; syncs apply; Ctrl+C stops all" {
	mkdir -p src
	echo v1 >version
	echo one >src/a.txt
	printf 'FROM busybox\nCOPY version /version\nCMD ["sh", "-c", "echo says-$(cat /version); exec sleep 300"]\n' >Dockerfile
	cat >compose.yaml <<'EOC'
services:
  app:
    build: .
    stop_signal: SIGKILL
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app
        - action: rebuild
          path: ./version
  other:
    image: busybox
    command: sh -c 'echo other-up; exec sleep 300'
EOC
	"$CC" --backend native up --build --watch >up.log 2>&1 &
	WATCH_PID=$!
	run eventually "grep -q 'app: Watching' up.log && grep -Eq 'app-1 +\\| says-v1' up.log" 60
	assert_success
	echo two >src/a.txt
	run eventually '[ "$(in_app cat /app/a.txt)" = two ]' 20
	assert_success
	local first
	first=$("$CC" --backend native ps -q app)
	echo v2 >version
	# the new container's first line reaches up's output: up followed it
	run eventually "grep -Eq 'app-1 +\\| says-v2' up.log" 60
	assert_success
	refute [ "$("$CC" --backend native ps -q app)" = "$first" ]
	kill -INT "$WATCH_PID"
	local rc=0
	wait "$WATCH_PID" || rc=$?
	WATCH_PID=
	assert_equal "$rc" 130
	run states
	assert_line --regexp '^proj-app-1 exited '
	assert_line --regexp '^proj-other-1 exited '
	run cat up.log
	assert_output --partial "Watch enabled"
	assert_output --regexp "other-1 +\| other-up"
}

@test "up --watch is refused with -d or --wait, and without rules, before anything starts" {
	cat >compose.yaml <<'EOC'
services:
  app:
    image: busybox
    command: sleep 300
EOC
	run "$CC" --backend native up -d --watch
	assert_failure 2
	assert_output --partial "--watch"
	run "$CC" --backend native up --wait --watch
	assert_failure 2
	run "$CC" --backend native up --watch
	assert_failure
	assert_output --partial "develop"
	run "$CC" --backend native ps -a -q
	assert_output ""
}
