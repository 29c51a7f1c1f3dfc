#!/usr/bin/env bats
# up -d / down: container naming and labels, networks, idempotence, recreation, one-offs, volumes, orphans.

load helpers

two_services() {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    environment:
      MODE: one
  db:
    image: busybox
EOF
}

@test "up -d creates <project>-<service>-<n> containers, running" {
	two_services
	run cc up -d
	assert_success
	assert_names proj-db-1 proj-web-1
	assert_field proj-web-1 State running
	assert_field proj-web-1 Service web
	assert_field proj-web-1 Project proj
	assert_field proj-web-1 Image nginx
	assert_field proj-db-1 State running
	assert_field proj-db-1 Service db
	assert_field proj-db-1 Image busybox
}

@test "up -d labels containers like docker compose" {
	two_services
	cc_ok up -d
	assert_label proj-web-1 com.docker.compose.project proj
	assert_label proj-web-1 com.docker.compose.service web
	assert_label proj-web-1 com.docker.compose.container-number 1
	assert_label proj-web-1 com.docker.compose.oneoff False
	assert_label proj-web-1 com.docker.compose.project.working_dir "$P"
	assert_label proj-web-1 com.docker.compose.project.config_files "$P/compose.yaml"
	run clabel proj-web-1 com.docker.compose.config-hash
	assert_output --regexp '^[0-9a-f]{64}$'
	local web_hash="$output"
	run clabel proj-db-1 com.docker.compose.config-hash
	assert_output --regexp '^[0-9a-f]{64}$'
	[ "$output" != "$web_hash" ] || fail "two different services got the same config-hash"
	assert_label proj-db-1 com.docker.compose.service db
}

@test "up -d creates the <project>_default network and down removes it" {
	two_services
	run cc --progress plain up -d
	assert_success
	assert_progress Network proj_default Created
	assert_field proj-web-1 Networks proj_default
	run cc --progress plain down
	assert_success
	assert_progress Network proj_default Removed
	assert_names
	# it really is gone: the next up creates it again
	run cc --progress plain up -d
	assert_success
	assert_progress Network proj_default Created
}

@test "enable_ipv6: ipam pools by address family, ipv6_address, and network create with a subnet of each" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    networks:
      dual:
        ipv6_address: fd0d:7::10
networks:
  dual:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.207.0.0/24
        - subnet: fd0d:7::/64
EOF
	cc_ok up -d
	run cc network inspect proj_dual
	assert_success
	run python3 -c 'import json,sys; n=json.loads(sys.argv[1])[0]; print(n["enableIpv6"], n["subnet"], n["subnet6"], n["containers6"]["proj-web-1"])' "$output"
	assert_output "True 10.207.0.0/24 fd0d:7::/64 fd0d:7::10"
	cc_ok down
	# the CLI: --subnet once per family, as docker's
	run cc network create --ipv6 --subnet 10.208.0.0/24 --subnet fd0d:8::/64 cli6
	assert_success
	run cc network ls --format json
	assert_output --partial '"Name":"cli6"'
	run python3 -c 'import json,sys
for l in sys.argv[1].splitlines():
    n = json.loads(l)
    if n["Name"] == "cli6": print(n["IPv6"], n["Subnet"])' "$output"
	assert_output "true 10.208.0.0/24"
	run cc network inspect cli6
	assert_output --partial '"subnet6": "fd0d:8::/64"'
	cc_ok network rm cli6
	run cc network create --subnet 10.209.0.0/24 --subnet 10.210.0.0/24 twice4
	assert_failure
	assert_output --partial "one IPv4 value at most"
	run cc network inspect twice4
	assert_failure
}

@test "up twice is idempotent: containers are kept and reported Running" {
	two_services
	cc_ok up -d
	local web db
	web=$(cid proj-web-1)
	db=$(cid proj-db-1)
	run cc --progress plain up -d
	assert_success
	assert_progress Container proj-web-1 Running
	assert_progress Container proj-db-1 Running
	refute_progress Container proj-web-1 '(Recreate|Recreated|Created)'
	assert_names proj-db-1 proj-web-1
	assert_field proj-web-1 ID "$web"
	assert_field proj-db-1 ID "$db"
	assert_field proj-web-1 State running
}

@test "changing a service recreates only that service" {
	two_services
	cc_ok up -d
	local web db hash
	web=$(cid proj-web-1)
	db=$(cid proj-db-1)
	hash=$(clabel proj-web-1 com.docker.compose.config-hash)
	sed -i 's/MODE: one/MODE: two/' compose.yaml
	run cc --progress plain up -d
	assert_success
	assert_progress Container proj-web-1 Recreated
	assert_progress Container proj-db-1 Running
	run cid proj-web-1
	assert_output --regexp '^[0-9a-f]+$'
	[ "$output" != "$web" ] || fail "proj-web-1 was not recreated (same ID $web)"
	assert_field proj-db-1 ID "$db"
	assert_field proj-web-1 State running
	run clabel proj-web-1 com.docker.compose.config-hash
	[ "$output" != "$hash" ] || fail "the config-hash label did not change"
	assert_names proj-db-1 proj-web-1
}

@test "up --force-recreate recreates every container" {
	two_services
	cc_ok up -d
	local web db
	web=$(cid proj-web-1)
	db=$(cid proj-db-1)
	run cc up -d --force-recreate
	assert_success
	run cid proj-web-1
	[ "$output" != "$web" ] && [ "$output" != "<absent>" ] || fail "proj-web-1 not recreated: $output"
	run cid proj-db-1
	[ "$output" != "$db" ] && [ "$output" != "<absent>" ] || fail "proj-db-1 not recreated: $output"
	assert_field proj-web-1 State running
	assert_field proj-db-1 State running
	assert_names proj-db-1 proj-web-1
}

@test "up --no-recreate keeps changed containers as they are" {
	two_services
	cc_ok up -d
	local web hash
	web=$(cid proj-web-1)
	hash=$(clabel proj-web-1 com.docker.compose.config-hash)
	sed -i 's/MODE: one/MODE: two/' compose.yaml
	run cc up -d --no-recreate
	assert_success
	assert_field proj-web-1 ID "$web"
	assert_label proj-web-1 com.docker.compose.config-hash "$hash"
	assert_field proj-web-1 State running
}

@test "up --force-recreate with --no-recreate is a usage error" {
	two_services
	run cc up -d --force-recreate --no-recreate
	assert_failure 2
	assert_names
}

@test "down removes the service containers and the one-offs of run -d" {
	two_services
	cc_ok up -d
	run --separate-stderr cc run -d web
	assert_success
	local oneoff="$output"
	run names -a
	assert_line "$oneoff"
	run cc down
	assert_success
	assert_names
	run cc ps -a -q
	assert_success
	assert_output ""
}

@test "down -v removes the project's named volumes, plain down keeps them" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    volumes:
      - data:/data
volumes:
  data:
EOF
	run cc --progress plain up -d
	assert_success
	assert_progress Volume proj_data Created
	run cc --progress plain down
	assert_success
	refute_line --partial "proj_data"
	# the volume survived: up does not create it again
	run cc --progress plain up -d
	assert_success
	refute_progress Volume proj_data Created
	run cc --progress plain down -v
	assert_success
	assert_progress Volume proj_data Removed
	assert_names
	# now it is gone: up creates it again
	run cc --progress plain up -d
	assert_success
	assert_progress Volume proj_data Created
}

@test "down on a project without containers succeeds" {
	two_services
	run cc down
	assert_success
	run cc down -v --remove-orphans
	assert_success
	assert_names
}

@test "up -d warns about orphan containers and keeps them; --remove-orphans removes them" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
  old:
    image: busybox
EOF
	cc_ok up -d
	local web
	web=$(cid proj-web-1)
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run cc up -d
	assert_success
	assert_output --partial "Found orphan containers"
	assert_output --partial "proj-old-1"
	assert_names proj-old-1 proj-web-1
	assert_field proj-old-1 State running
	assert_field proj-web-1 ID "$web"
	run cc up -d --remove-orphans
	assert_success
	refute_output --partial "Found orphan containers"
	assert_names proj-web-1
	assert_field proj-web-1 ID "$web"
}

@test "run and kill --remove-orphans remove orphans; COMPOSE_REMOVE_ORPHANS and COMPOSE_IGNORE_ORPHANS (.env too)" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: sleep 1000
  old:
    image: busybox
    command: sleep 1000
  older:
    image: busybox
    command: sleep 1000
EOF
	cc_ok up -d
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: sleep 1000
EOF
	# run warns, like up; --remove-orphans removes them before the one-off runs
	run cc run --rm web true
	assert_success
	assert_output --partial "Found orphan containers"
	COMPOSE_IGNORE_ORPHANS=true run cc run --rm web true
	assert_success
	refute_output --partial "orphan"
	echo COMPOSE_IGNORE_ORPHANS=1 >.env
	run cc up -d
	assert_success
	refute_output --partial "orphan"
	run cc up -d --remove-orphans
	assert_failure
	assert_output --partial "cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans"
	run cc down
	assert_success
	refute_output --partial "orphan"
	assert_names proj-old-1 proj-older-1
	rm .env
	cc_ok up -d
	run cc --progress plain kill --remove-orphans web
	assert_success
	assert_progress Container proj-old-1 Removed
	assert_progress Container proj-older-1 Removed
	assert_names proj-web-1
	cc_ok up -d
	# the environment gives the flag's default
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: sleep 1000
  old:
    image: busybox
    command: sleep 1000
EOF
	cc_ok up -d
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: sleep 1000
EOF
	COMPOSE_REMOVE_ORPHANS=true run cc --progress plain run --rm web true
	assert_success
	assert_progress Container proj-old-1 Removed
	assert_names proj-web-1
}

@test "up -d SERVICE does not take the project's other services for orphans" {
	two_services
	cc_ok up -d
	local db
	db=$(cid proj-db-1)
	run cc up -d web
	assert_success
	refute_output --partial "orphan"
	assert_field proj-db-1 ID "$db"
}

@test "up -d --remove-orphans SERVICE keeps the containers of the project's other services" {
	two_services
	cc_ok up -d
	local db
	db=$(cid proj-db-1)
	run cc up -d --remove-orphans web
	assert_success
	assert_names proj-db-1 proj-web-1
	assert_field proj-db-1 ID "$db"
	assert_field proj-db-1 State running
}

@test "down SERVICE removes that service only, without orphan warnings" {
	two_services
	cc_ok up -d
	run cc down web
	assert_success
	refute_output --partial "orphan"
	assert_names proj-db-1
	assert_field proj-db-1 State running
}

@test "down leaves orphan containers with a warning; down --remove-orphans removes them" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
  old:
    image: busybox
EOF
	cc_ok up -d
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run cc down
	assert_success
	assert_output --partial "Found orphan containers"
	assert_output --partial "proj-old-1"
	assert_names proj-old-1
	run cc down --remove-orphans
	assert_success
	refute_output --partial "Found orphan containers"
	assert_names
}

@test "up -V gives a recreated container new anonymous volumes; without it they are kept" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    volumes: ["/data"]
EOF
	cc_ok up -d
	local first
	first=$(cfield proj-web-1 Mounts)
	[[ "$first" =~ ^[0-9a-f]{64}$ ]]
	cc_ok up -d --force-recreate
	assert_field proj-web-1 Mounts "$first"
	cc_ok up -d -V
	run cfield proj-web-1 Mounts
	assert_output --regexp '^[0-9a-f]{64}$'
	refute_output "$first"
}

@test "--progress json: one JSON object per event on standard error, warnings as tail messages" {
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: sleep 1000
  old:
    image: busybox
    command: sleep 1000
EOF
	cc_ok up -d
	write compose.yaml <<'EOF'
services:
  web:
    image: busybox
    command: sleep 1000
EOF
	run cc --progress json up -d --force-recreate
	assert_success
	printf '%s\n' "$output" | "$PY" -c '
import json, sys
events = [json.loads(l) for l in sys.stdin if l.strip()]
assert {"id": "Container proj-web-1", "status": "Started"} in events, events
tails = [e for e in events if e.get("tail")]
assert len(tails) == 1 and "proj-old-1" in tails[0]["text"], tails
assert all(("id" in e and "status" in e) or e.get("tail") for e in events), events
'
	COMPOSE_PROGRESS=json run cc stop web
	assert_success
	assert_output '{"id":"Container proj-web-1","status":"Stopping"}
{"id":"Container proj-web-1","status":"Stopped"}'
	run cc --progress yaml ps
	assert_failure 2
	assert_output --partial "json"
}
