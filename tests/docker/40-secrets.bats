#!/usr/bin/env bats
# Secrets and configs on the docker backend: kept in our own store under the state root (the engine has
# none outside swarm mode) and bind-mounted read-only from per-container copies. The same cases as the native
# backend's tests/native/50-secrets.bats, plus the copies going away with their containers.

load helpers

@test "a secret's content, owner and mode; a config from inline content and one from the environment" {
	printf 's3cr3t-value' >db_password.txt
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: ["sleep", "600"]
    secrets:
      - db_password
      - source: db_password
        target: /etc/app/password
        uid: "1000"
        gid: "2000"
        mode: 0400
    configs:
      - greeting
      - source: from_env
        target: /etc/app/env.conf
secrets:
  db_password:
    file: ./db_password.txt
configs:
  greeting:
    content: "hello from an inline config"
  from_env:
    environment: APP_SETTING
YAML
	APP_SETTING=value-from-env cc up -d
	run cc exec -T app cat /run/secrets/db_password
	assert_output s3cr3t-value
	run cc exec -T app busybox stat -c '%u %g %a' /run/secrets/db_password
	assert_output "0 0 444"
	run cc exec -T app busybox stat -c '%u %g %a' /etc/app/password
	assert_output "1000 2000 400"
	run cc exec -T app cat /greeting
	assert_output "hello from an inline config"
	run cc exec -T app cat /etc/app/env.conf
	assert_output value-from-env
	# read-only inside
	run cc exec -T app sh -c 'echo x > /run/secrets/db_password'
	assert_failure
	# the value is kept readable by root alone, and no listing shows it
	local value
	value=$(find "$ROOT/docker/secrets/secret" -type f | head -1)
	[ -n "$value" ]
	assert_equal "$(stat -c '%a' "$value")" 600
	run cc secret ls --format json
	assert_success
	assert_output --partial db_password
	refute_output --partial s3cr3t-value
	# the container's copies are gone with it
	[ -n "$(ls "$ROOT/docker/files")" ]
	run cc down -t 1
	assert_success
	assert_equal "$(ls "$ROOT/docker/files")" ""
}

@test "secret and config commands: create from a file and stdin, in-use protection, a missing one refused, rm" {
	printf 'abc' >value.txt
	run cc secret create token value.txt
	assert_success
	run cc secret create token value.txt
	assert_failure
	assert_output --partial "already exists"
	echo 'k=v' | cc config create settings -
	run cc config ls --format json
	assert_output --partial '"Name":"settings"'
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: ["sleep", "600"]
    secrets: [token]
secrets:
  token:
    external: true
YAML
	cc up -d
	run cc exec -T app cat /run/secrets/token
	assert_output abc
	run cc secret rm token
	assert_failure
	assert_output --partial "in use by dkproj-app-1"
	cc down -t 1
	run cc secret rm token
	assert_success
	run cc config rm settings
	assert_success
	run cc secret ls -q
	assert_output ""
	# an external secret that is not there stops the create, naming it
	run cc up -d
	assert_failure
	assert_output --partial "external secret \"token\" not found"
	run cc secret create 'bad/name' value.txt
	assert_failure
	assert_output --partial "invalid secret name"
}
