#!/usr/bin/env bats
# Replicas: scale, deploy.replicas, --scale up and down, scale 0, and container_name's uniqueness.

load helpers

@test "scale: 3 gives proj-web-1..3, all running" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    scale: 3
EOF
	run cc up -d
	assert_success
	assert_names proj-web-1 proj-web-2 proj-web-3
	local n
	for n in 1 2 3; do
		assert_field "proj-web-$n" State running
		assert_label "proj-web-$n" com.docker.compose.container-number "$n"
	done
}

@test "--scale web=1 scales down by removing the highest numbers and keeps the rest" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    scale: 3
EOF
	cc_ok up -d
	local first
	first=$(cid proj-web-1)
	run cc up -d --scale web=1
	assert_success
	assert_names proj-web-1
	assert_field proj-web-1 ID "$first"
	assert_field proj-web-1 State running
}

@test "--scale web=3 scales up keeping the existing container" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	cc_ok up -d
	local first
	first=$(cid proj-web-1)
	run cc up -d --scale web=3
	assert_success
	assert_names proj-web-1 proj-web-2 proj-web-3
	assert_field proj-web-1 ID "$first"
	assert_field proj-web-3 State running
}

@test "deploy.replicas is honoured" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    deploy:
      replicas: 2
EOF
	run cc up -d
	assert_success
	assert_names proj-web-1 proj-web-2
	assert_field proj-web-2 State running
}

@test "--scale web=0 removes the service's containers and leaves the others" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    scale: 2
  db:
    image: busybox
EOF
	cc_ok up -d
	local db
	db=$(cid proj-db-1)
	run cc up -d --scale web=0
	assert_success
	assert_names proj-db-1
	assert_field proj-db-1 ID "$db"
	assert_field proj-db-1 State running
}

@test "container_name with two replicas fails with a clear error and creates nothing" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    container_name: my-web
    scale: 2
EOF
	run cc --progress plain up -d
	assert_failure 1
	assert_output --partial "container_name"
	assert_output --partial "web"
	# docker compose rejects the model before touching the engine: not even the network is created
	refute_progress Network proj_default Created
	assert_names
}

@test "container_name is used as the container's name with one replica" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    container_name: my-web
EOF
	run cc up -d
	assert_success
	assert_names my-web
	assert_field my-web Service web
	assert_label my-web com.docker.compose.container-number 1
}

@test "--scale with an unknown service or a bad number is refused" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
EOF
	run cc up -d --scale nope=2
	assert_failure 1
	assert_output --partial "no such service: nope"
	run cc up -d --scale web=many
	assert_failure 2
	assert_names
}

@test "the scale command sets those services' replicas, starts their dependencies unless --no-deps, keeps the rest" {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    depends_on: [db]
  db:
    image: nginx
  other:
    image: nginx
EOF
	run cc scale --no-deps web=2
	assert_success
	assert_names proj-web-1 proj-web-2
	run cc scale web=3
	assert_success
	assert_names proj-db-1 proj-web-1 proj-web-2 proj-web-3
	local first
	first=$(cid proj-web-1)
	run cc scale web=1
	assert_success
	assert_names proj-db-1 proj-web-1
	assert_field proj-web-1 ID "$first"
	run --separate-stderr cc scale web
	assert_failure
	[[ "$stderr" == *'invalid "web": expected SERVICE=NUM'* ]]
	run --separate-stderr cc scale nope=2
	assert_failure
	[[ "$stderr" == *"nope"* ]]
}
