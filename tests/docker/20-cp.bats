#!/usr/bin/env bats
# cp between the host and containers of the docker backend, through the engine's archive endpoints, with
# docker cp's path rules: the same cases as the native backend's tests/native/80-cp.bats.

load helpers

setup_project() {
	cat >compose.yaml <<'YAML'
services:
  t:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    volumes: [data:/data]
volumes:
  data:
YAML
	mkdir -p hostdir/sub
	echo in-sub >hostdir/sub/a.txt
	echo a-file >file.txt
}

in_t() { cc exec -T t sh -c "$1"; }

@test "cp into a running container: a file into a volume, a directory as a new one or into an existing one, contents with /." {
	setup_project
	cc up -d
	run cc cp file.txt t:/data/
	assert_success
	run in_t 'cat /data/file.txt'
	assert_output a-file
	run cc cp hostdir t:/etc
	assert_success
	run cc cp hostdir t:/fresh
	assert_success
	run cc cp hostdir/. t:/data
	assert_success
	run in_t 'cat /etc/hostdir/sub/a.txt /fresh/sub/a.txt /data/sub/a.txt'
	assert_output "in-sub
in-sub
in-sub"
	# a file onto an existing file replaces it, under the destination's name
	run cc cp file.txt t:/data/sub/a.txt
	assert_success
	run in_t 'cat /data/sub/a.txt; ls /data/sub'
	assert_output "a-file
a.txt"
	# a file onto a missing directory named with a trailing slash is an error, as in docker
	run cc cp file.txt t:/missing/
	assert_failure
	assert_output --partial "does not exist"
	run cc cp hostdir t:/data/file.txt
	assert_failure
	assert_output --partial "not a directory"
}

@test "cp out of a running container, and in and out of a stopped one; errors name the path" {
	setup_project
	cc up -d
	in_t 'mkdir -p /out/d && echo from-container > /out/d/x.txt'
	run cc cp t:/out/d/x.txt got.txt
	assert_success
	assert_equal "$(cat got.txt)" from-container
	mkdir into contents
	run cc cp t:/out into
	assert_success
	assert_equal "$(cat into/out/d/x.txt)" from-container
	run cc cp t:/out/. contents
	assert_success
	assert_equal "$(cat contents/d/x.txt)" from-container
	run cc cp t:/no/such/file here
	assert_failure
	assert_output --partial "/no/such/file"
	cc stop -t 1 t
	run cc cp file.txt t:/while-stopped.txt
	assert_success
	run cc cp t:/while-stopped.txt back.txt
	assert_success
	assert_equal "$(cat back.txt)" a-file
	cc start t
	run in_t 'cat /while-stopped.txt'
	assert_output a-file
}

@test "cp follows a symbolic link in the container to the container's file, never the host's" {
	setup_project
	cc up -d
	in_t 'mkdir -p /real && ln -s /real /linked && echo container-side > /etc/cc-cp-marker && ln -s /etc/cc-cp-marker /pw'
	run cc cp file.txt t:/linked
	assert_success
	run in_t 'cat /real/file.txt'
	assert_output a-file
	run cc cp t:/pw pw.txt
	assert_success
	# the container's file under the link's name, as the native backend does (the host has no such file)
	[ ! -e /etc/cc-cp-marker ]
	[ ! -L pw.txt ]
	assert_equal "$(cat pw.txt)" container-side
	mkdir linkdir
	run cc cp t:/pw linkdir
	assert_success
	[ -f linkdir/pw ]
}
