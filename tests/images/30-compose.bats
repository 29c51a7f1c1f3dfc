#!/usr/bin/env bats
# Compose-level pull and push on the native backend.

load helpers

setup_file() {
	start_registry
	push_layout multi test/multi:v1
}

teardown_file() {
	stop_registry
}

@test "pull pulls every service image; --policy missing skips the ones present" {
	mkdir -p proj && cd proj
	printf 'services:\n  a:\n    image: %s/test/multi:v1\n  b:\n    build: .\n' "$REG" >compose.yaml
	run cc pull
	assert_success
	assert_output --partial "Image $REG/test/multi:v1  Pulled"
	refute_output --partial "proj-b"
	run cc image ls --format json
	assert_output --partial "$REG/test/multi:v1"
	run cc pull --policy missing
	assert_success
	refute_output --partial "Pulling"
	run cc pull --policy sometimes
	assert_failure 2
}

@test "pull and push SERVICE --include-deps take what the service depends on too" {
	mkdir -p proj && cd proj
	cat >compose.yaml <<EOF
services:
  web:
    image: $REG/deps/web:v1
    build: .
    depends_on: [db]
  db:
    image: $REG/deps/db:v1
    build: .
    volumes_from: [data]
  data:
    image: $REG/deps/data:v1
    build: .
  other:
    image: $REG/deps/other:v1
    build: .
EOF
	cc image pull "$REG/test/multi:v1"
	local i
	for i in web db data other; do cc image tag "$REG/test/multi:v1" "$REG/deps/$i:v1"; done
	run cc --progress plain push web
	assert_success
	assert_output --partial "deps/web:v1"
	refute_output --partial "deps/db:v1"
	# --progress json: the layers' progress as objects too, nothing else
	run cc --progress json push web
	assert_success
	printf '%s\n' "$output" | python3 -c '
import json, sys
events = [json.loads(l) for l in sys.stdin if l.strip()]
assert any(e.get("parent_id", "").endswith("deps/web:v1") for e in events), events
'
	run cc --progress plain push --include-deps web
	assert_success
	assert_output --partial "deps/db:v1"
	assert_output --partial "deps/data:v1"
	refute_output --partial "deps/other:v1"
	run skopeo inspect --tls-verify=false "docker://$REG/deps/data:v1"
	assert_success
	run cc --progress plain pull web
	assert_success
	assert_output --partial "Image $REG/deps/web:v1  Pulled"
	refute_output --partial "deps/db:v1"
	run cc --progress plain pull --include-deps web
	assert_success
	assert_output --partial "Image $REG/deps/db:v1  Pulled"
	assert_output --partial "Image $REG/deps/data:v1  Pulled"
	refute_output --partial "deps/other:v1"
	run cc pull --include-deps nosuch
	assert_failure
	assert_output --partial "nosuch"
}

@test "build --with-dependencies builds what the service depends on; build --push pushes what it built" {
	mkdir -p proj/lib && cd proj
	printf 'FROM scratch\nLABEL part=app\n' >Dockerfile
	printf 'FROM scratch\nLABEL part=lib\n' >lib/Dockerfile
	cat >compose.yaml <<EOF
services:
  app:
    build: .
    image: $REG/built/app:v1
    depends_on: [lib]
  lib:
    build: ./lib
    image: $REG/built/lib:v1
EOF
	run cc --progress plain build app
	assert_success
	assert_output --partial "Service app  Built"
	refute_output --partial "Service lib"
	run cc --progress plain build --with-dependencies --push app
	assert_success
	assert_output --partial "Service lib  Built"
	assert_output --partial "Service app  Built"
	run skopeo inspect --tls-verify=false "docker://$REG/built/app:v1"
	assert_success
	assert_output --partial '"part": "app"'
	run skopeo inspect --tls-verify=false "docker://$REG/built/lib:v1"
	assert_success
	assert_output --partial '"part": "lib"'
}

@test "push pushes the services' images; a missing one is an error unless ignored" {
	mkdir -p proj && cd proj
	printf 'services:\n  a:\n    image: %s/composed/app:v1\n    build: .\n  b:\n    image: %s/composed/other:v1\n' "$REG" "$REG" >compose.yaml
	run cc push
	assert_failure
	assert_output --partial "No such image"
	run cc push --ignore-push-failures
	assert_success
	# what it does not build is not its to push, as docker compose skips it
	assert_output --partial "Service b  Skipped (no build section)"
	cc image pull "$REG/test/multi:v1"
	cc image tag "$REG/test/multi:v1" "$REG/composed/app:v1"
	run cc push
	assert_success
	run skopeo inspect --tls-verify=false "docker://$REG/composed/app:v1"
	assert_success
}

@test "a pulled image runs on the native backend, and a build: section builds" {
	if [ "$(id -u)" != 0 ] || ! command -v runc >/dev/null; then skip "needs root and runc"; fi
	mkdir -p proj && cd proj
	printf 'services:\n  a:\n    image: %s/test/multi:v1\n    command: echo pulled-and-ran\n' "$REG" >compose.yaml
	run cc up -d
	assert_success
	run cc wait a
	run cc logs --no-log-prefix a
	assert_output "pulled-and-ran"
	cc down
	printf 'services:\n  b:\n    build: .\n' >compose.yaml
	printf 'FROM scratch\nLABEL built=here\n' >Dockerfile
	run cc build
	assert_success
	assert_output --partial "Service b  Built"
	run cc image inspect proj-b
	assert_output --partial '"built": "here"'
}

@test "up honours pull_policy: never refuses a missing image, missing pulls it, always pulls again" {
	mkdir -p proj && cd proj
	printf 'services:\n  a:\n    image: %s/test/multi:v1\n    pull_policy: never\n' "$REG" >compose.yaml
	run cc up -d
	assert_failure
	assert_output --partial "pull_policy: never"
	printf 'services:\n  a:\n    image: %s/test/multi:v1\n    pull_policy: missing\n' "$REG" >compose.yaml
	run cc up -d
	assert_output --partial "Image $REG/test/multi:v1  Pulled"
	run cc up -d
	refute_output --partial "Pulling"
	printf 'services:\n  a:\n    image: %s/test/multi:v1\n    pull_policy: always\n' "$REG" >compose.yaml
	run cc up -d
	assert_output --partial "Image $REG/test/multi:v1  Pulled"
}
