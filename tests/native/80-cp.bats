#!/usr/bin/env bats
# cp between the host and native containers, running (through /proc/<pid>/root: volumes included) and
# stopped (its root filesystem and its last run's bind mounts, in a mount namespace of the copy's own), with
# docker cp's path rules.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers

setup_file() { native_setup_file; }
setup() {
	native_setup
	cat >compose.yaml <<'YAML'
services:
  t:
    image: busybox
    network_mode: none
    command: ["sleep", "60"]
    volumes: [data:/data]
volumes:
  data:
YAML
	mkdir -p hostdir/sub
	echo in-sub >hostdir/sub/a.txt
	echo a-file >file.txt
}
teardown() { native_teardown; }

in_t() { "$CC" --backend native exec -T t sh -c "$1"; }

@test "cp into a running container: a file into a volume, a directory as a new one or into an existing one, contents with /." {
	"$CC" --backend native up -d
	run "$CC" --backend native cp file.txt t:/data/
	assert_success
	run in_t 'cat /data/file.txt'
	assert_output a-file
	"$CC" --backend native cp hostdir t:/etc
	"$CC" --backend native cp hostdir t:/fresh
	"$CC" --backend native cp hostdir/. t:/data
	run in_t 'cat /etc/hostdir/sub/a.txt /fresh/sub/a.txt /data/sub/a.txt'
	assert_output "in-sub
in-sub
in-sub"
	run in_t 'stat -c %u:%g /fresh/sub/a.txt'
	assert_output 0:0
	# a file onto a missing directory named with a trailing slash is an error, as in docker
	run "$CC" --backend native cp file.txt t:/missing/
	assert_failure
	assert_output --partial "does not exist"
}

@test "cp out of a running container, and in and out of a stopped one; errors name the path" {
	"$CC" --backend native up -d
	in_t 'mkdir -p /out/d && echo from-container > /out/d/x.txt'
	run "$CC" --backend native cp t:/out/d/x.txt got.txt
	assert_success
	assert_equal "$(cat got.txt)" from-container
	mkdir into
	"$CC" --backend native cp t:/out into
	assert_equal "$(cat into/out/d/x.txt)" from-container
	run "$CC" --backend native cp t:/no/such/file here
	assert_failure
	assert_output --partial "/no/such/file"
	# the whole root: its files and its volume, and the kernel's filesystems mounted in it empty
	run "$CC" --backend native cp t:/ whole
	assert_success
	assert_equal "$(cat whole/out/d/x.txt)" from-container
	[ -d whole/proc ] && [ -z "$(ls -A whole/proc)" ]
	[ -d whole/sys ] && [ -z "$(ls -A whole/sys)" ]
	"$CC" --backend native stop -t 0 t
	run "$CC" --backend native cp file.txt t:/while-stopped.txt
	assert_success
	run "$CC" --backend native cp t:/while-stopped.txt back.txt
	assert_success
	assert_equal "$(cat back.txt)" a-file
	# the copy's mount is gone, and the container starts with the file in place
	run bash -c "mount | grep -c '$CONTAINER_COMPOSE_ROOT/containers' || true"
	assert_output 0
	"$CC" --backend native start t
	run in_t 'cat /while-stopped.txt'
	assert_output a-file
}

@test "a stopped container's volumes, bind mounts and hosts file are there for cp; read-only ones stay so" {
	mkdir ro-src && echo ro-content >ro-src/r.txt
	cat >compose.yaml <<'YAML'
services:
  t:
    image: busybox
    command: ["sleep", "60"]
    volumes: [data:/data, ./ro-src:/ro:ro]
volumes:
  data:
YAML
	"$CC" --backend native up -d
	in_t 'echo kept >/data/kept.txt'
	"$CC" --backend native stop -t 0 t
	run "$CC" --backend native cp t:/data/kept.txt kept.txt
	assert_success
	assert_equal "$(cat kept.txt)" kept
	run "$CC" --backend native cp t:/ro/r.txt r.txt
	assert_success
	assert_equal "$(cat r.txt)" ro-content
	# the container's own hosts file, not the empty mount point under it
	run "$CC" --backend native cp t:/etc/hosts hosts.txt
	assert_success
	run grep -c localhost hosts.txt
	assert_success
	run "$CC" --backend native cp file.txt t:/ro/
	assert_failure
	assert_output --partial "Read-only"
	[ ! -e ro-src/file.txt ]
	# into the volume, not into the container's upper directory
	run "$CC" --backend native cp file.txt t:/data/
	assert_success
	run bash -c "find '$CONTAINER_COMPOSE_ROOT'/containers/*/upper -name file.txt | wc -l"
	assert_output 0
	# the copy's mounts ended with it (the network namespace stays while the container exists)
	run bash -c "grep -E '$CONTAINER_COMPOSE_ROOT/(containers|volumes)|ro-src' /proc/mounts || true"
	assert_output ""
	"$CC" --backend native start t
	run in_t 'cat /data/file.txt'
	assert_output a-file
}

@test "cp of a stopped container whose volume subpath became a link to / refuses, and reads nothing of the host" {
	cat >compose.yaml <<'YAML'
services:
  whole:
    image: busybox
    network_mode: none
    command: ["sh", "-c", "mkdir -p /full/sub && echo in-sub >/full/sub/f && sleep 300"]
    volumes: [data:/full]
  part:
    image: busybox
    network_mode: none
    command: ["sleep", "300"]
    depends_on: [whole]
    volumes:
      - {type: volume, source: data, target: /part, volume: {subpath: sub}}
volumes:
  data:
YAML
	"$CC" --backend native up -d whole
	eventually '"$CC" --backend native exec whole cat /full/sub/f >/dev/null 2>&1' 10
	"$CC" --backend native up -d part
	run "$CC" --backend native exec part cat /part/f
	assert_output in-sub
	"$CC" --backend native stop -t 0 part
	"$CC" --backend native exec whole sh -c 'rm -r /full/sub && ln -s / /full/sub'
	run "$CC" --backend native cp part:/part/etc/hostname got-hostname
	assert_failure
	assert_output --partial "symbolic link"
	[ ! -e got-hostname ]
}

@test "cp cannot leave the container through a symbolic link in it" {
	"$CC" --backend native up -d
	in_t 'ln -s / /escape && ln -s /etc/passwd /pw'
	run "$CC" --backend native cp file.txt t:/escape/cc-cp-test-marker
	assert_success
	[ ! -e /cc-cp-test-marker ]
	run in_t 'cat /cc-cp-test-marker'
	assert_output a-file
	run "$CC" --backend native cp t:/pw pw.txt
	assert_success
	# the container's /etc/passwd (busybox image), not the host's
	run cat pw.txt
	refute_output --partial "$(head -1 /etc/passwd)"
}
