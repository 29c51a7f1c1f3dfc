#!/usr/bin/env bats
# Secrets and configs on the native backend (contents, owner and mode inside the container; values never
# shown), and the volume, secret and config commands.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
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

@test "a secret's content, owner and mode; a config from inline content and one from the environment" {
	printf 's3cr3t-value' >db_password.txt
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: sleep 300
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
	APP_SETTING=value-from-env "$CC" --backend native up -d
	run "$CC" --backend native exec app cat /run/secrets/db_password
	[ "$output" = s3cr3t-value ]
	run "$CC" --backend native exec app busybox stat -c '%u %g %a' /run/secrets/db_password
	[ "$output" = "0 0 444" ]
	run "$CC" --backend native exec app busybox stat -c '%u %g %a' /etc/app/password
	[ "$output" = "1000 2000 400" ]
	run "$CC" --backend native exec app cat /greeting
	[ "$output" = "hello from an inline config" ]
	run "$CC" --backend native exec app cat /etc/app/env.conf
	[ "$output" = value-from-env ]
	# read-only inside
	run "$CC" --backend native exec app sh -c 'echo x > /run/secrets/db_password'
	[ "$status" -ne 0 ]
	# the value is kept readable by root alone, and no listing shows it
	value=$(find "$CONTAINER_COMPOSE_ROOT/secrets/secret" -type f -name 'proj_db_password' -o -type f -name db_password | head -1)
	[ -n "$value" ]
	[ "$(stat -c '%a' "$value")" = 600 ]
	run "$CC" --backend native secret ls --format json
	[ "$status" -eq 0 ]
	[[ "$output" == *db_password* ]]
	[[ "$output" != *s3cr3t-value* ]]
	# nor its digest, which would confirm a guessed value; a config's is shown
	[[ "$output" != *Digest* ]]
	[[ "$output" != *"$(printf s3cr3t-value | sha256sum | cut -c1-64)"* ]]
	run "$CC" --backend native config ls --format json
	[[ "$output" == *'"Digest":"sha256:'* ]]
	run "$CC" --backend native config ls -q
	[[ "$output" == *greeting* ]]
	# the file and the variable change: the running container keeps what it started with, a recreated
	# one gets the new values, as docker compose's bind-mounted file gives them
	printf 'n3w-value' >db_password.txt
	run env APP_SETTING=changed-env "$CC" --backend native up -d
	assert_success
	assert_output --partial "Updated"
	run "$CC" --backend native exec app cat /run/secrets/db_password
	[ "$output" = s3cr3t-value ]
	APP_SETTING=changed-env "$CC" --backend native up -d --force-recreate
	run "$CC" --backend native exec app cat /run/secrets/db_password
	assert_output n3w-value
	run "$CC" --backend native exec app cat /etc/app/env.conf
	assert_output changed-env
	# unchanged: nothing to update
	run env APP_SETTING=changed-env "$CC" --backend native up -d
	refute_output --partial "Updated"
	"$CC" --backend native down -t 0
}

@test "secret and config commands: create from a file and stdin, in-use protection, rm" {
	printf 'abc' >value.txt
	run "$CC" --backend native secret create token value.txt
	[ "$status" -eq 0 ]
	run "$CC" --backend native secret create token value.txt
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
	echo 'k=v' | "$CC" --backend native config create settings -
	run "$CC" --backend native config ls --format json
	[[ "$output" == *'"Name":"settings"'*'"Size":4'* ]]
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: sleep 300
    secrets: [token]
secrets:
  token:
    external: true
YAML
	"$CC" --backend native up -d
	run "$CC" --backend native exec app cat /run/secrets/token
	[ "$output" = abc ]
	run "$CC" --backend native secret rm token
	[ "$status" -ne 0 ]
	[[ "$output" == *"in use"* ]]
	"$CC" --backend native down -t 0
	run "$CC" --backend native secret rm token
	[ "$status" -eq 0 ]
	run "$CC" --backend native config rm settings
	[ "$status" -eq 0 ]
	run "$CC" --backend native secret ls -q
	[ -z "$output" ]
	run "$CC" --backend native secret create 'bad/name' value.txt
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid secret name"* ]]
}

@test "volume commands: create with labels, ls as table, json and names, inspect, in-use rm refused, prune" {
	run "$CC" --backend native volume create --label team=a data1
	[ "$status" -eq 0 ]
	run "$CC" --backend native volume ls
	[[ "${lines[0]}" == DRIVER*"VOLUME NAME"* ]]
	[[ "$output" == *local*data1* ]]
	run "$CC" --backend native volume ls --format json
	[[ "$output" == *'"Name":"data1"'* ]]
	run "$CC" --backend native volume ls -q
	[ "$output" = data1 ]
	run "$CC" --backend native volume inspect data1
	[[ "$output" == *'"team": "a"'* ]]
	run "$CC" --backend native volume ls --format yaml
	[ "$status" -eq 2 ]
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: sleep 300
    volumes: ["data1:/data", "/anon"]
volumes:
  data1:
    external: true
YAML
	"$CC" --backend native up -d
	run "$CC" --backend native volume rm data1
	[ "$status" -ne 0 ]
	[[ "$output" == *"in use"* ]]
	"$CC" --backend native down -t 0
	run "$CC" --backend native volume prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted Volumes"* ]]
	# the external named volume survives down and prune
	run "$CC" --backend native volume ls -q
	[ "$output" = data1 ]
	"$CC" --backend native volume rm data1
	run "$CC" --backend native volume ls -q
	[ -z "$output" ]
}
