#!/usr/bin/env bats
# Schema errors (unknown keys, wrong types), semantic validation (edge case 34), cross references and
# dependency cycles (edge case 31). Every message is checked with its position.

load helpers

# err EXPECTED_SUFFIX < compose: the load fails with "error: <file>:<suffix>".
err() {
	write compose.yaml
	run -1 cc config
	assert_output "error: $P/compose.yaml:$1"
}

# ---------------------------------------------------------------- schema: unknown keys

@test "schema: unknown keys are rejected at the top level, in a service and nested" {
	err '1:1: top level additional property "foo" is not allowed' <<'EOF'
foo: bar
services:
  s: {image: a}
EOF
	err '4:5: services.s additional property "unknown_key" is not allowed' <<'EOF'
services:
  s:
    image: a
    unknown_key: 1
EOF
	err '7:7: services.s.build additional property "foo" is not allowed' <<'EOF'
services:
  s:
    image: a
    x-ok: 1
    build:
      context: .
      foo: bar
EOF
	err '7:9: services.s.ports[0] additional property "bogus" is not allowed' <<'EOF'
services:
  s:
    image: a
    ports:
      - target: 80
        published: 8080
        bogus: 1
EOF
	err '3:5: networks.n additional property "drivr" is not allowed' <<'EOF'
networks:
  n:
    drivr: bridge
services:
  s: {image: a}
EOF
}

@test "schema: x-* keys are allowed everywhere extensions are" {
	write compose.yaml <<'EOF'
x-top: 1
services:
  s:
    image: a
    x-svc: {a: 1}
    build:
      context: .
      x-build: 1
    ports:
      - target: 80
        x-port: 1
networks:
  n:
    x-net: 1
volumes:
  v:
    x-vol: 1
EOF
	run -0 cc config -q
}

@test "schema: an invalid service name is rejected" {
	err '2:3: services additional property "bad name!" is not allowed' <<'EOF'
services:
  "bad name!":
    image: a
EOF
}

# ---------------------------------------------------------------- schema: wrong types

@test "schema: wrong scalar types name the path and the offending value" {
	err '4:17: services.s.privileged must be a boolean, got "maybe"' <<'EOF'
services:
  s:
    image: a
    privileged: "maybe"
EOF
	err '5:22: services.s.ulimits.nofile.soft must be an integer, got "x"' <<'EOF'
services:
  s:
    image: a
    ulimits:
      nofile: {soft: "x", hard: 2}
EOF
	err '5:16: services.s.healthcheck.retries must be an integer, got "x"' <<'EOF'
services:
  s:
    image: a
    healthcheck:
      retries: "x"
EOF
	err '4:11: services.s.cpus must be a number, got "abc"' <<'EOF'
services:
  s:
    image: a
    cpus: "abc"
EOF
	err '5:17: services.s.ports[0].target must be an integer, got "x"' <<'EOF'
services:
  s:
    image: a
    ports:
      - target: "x"
EOF
	err '3:13: volumes.v.driver must be a string' <<'EOF'
volumes:
  v:
    driver: 1
services:
  s: {image: a}
EOF
	err '4:15: services.s.profiles must be a list' <<'EOF'
services:
  s:
    image: a
    profiles: a
EOF
	err '7:17: services.s.deploy.resources.limits.cpus must be a number or a string' <<'EOF'
services:
  s:
    image: a
    deploy:
      resources:
        limits:
          cpus: [1]
EOF
}

@test "schema: enumerations and patterns" {
	err '4:18: services.s.pull_policy "sometimes" does not match the pattern always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+' <<'EOF'
services:
  s:
    image: a
    pull_policy: sometimes
EOF
	err '4:21: services.s.container_name "c" does not match the pattern [a-zA-Z0-9][a-zA-Z0-9_.-]+' <<'EOF'
services:
  s:
    image: a
    container_name: c
EOF
}

@test "schema errors inside oneOf/anyOf values name the YAML path once" {
	err '5:22: services.s.depends_on.t.condition must be one of: service_started, service_healthy, service_completed_successfully (got "bogus")' <<'EOF'
services:
  s:
    image: a
    depends_on:
      t: {condition: bogus}
  t: {image: a}
EOF
	err '5:15: services.s.volumes[0].type must be one of: bind, volume, tmpfs, cluster, npipe, image (got "bogus")' <<'EOF'
services:
  s:
    image: a
    volumes:
      - type: bogus
        target: /x
EOF
	err '6:23: services.s.networks.n.ipv4_address must be a string' <<'EOF'
services:
  s:
    image: a
    networks:
      n:
        ipv4_address: 1
networks:
  n: {}
EOF
	err '5:50: services.s.volumes[0].tmpfs.size must be at least 0' <<'EOF'
services:
  s:
    image: a
    volumes:
      - {type: tmpfs, target: /t0, tmpfs: {size: -1}}
EOF
}

@test "schema: external resources accept only a name" {
	err '4:13: networks.n conflicting parameters "external" and "driver"' <<'EOF'
networks:
  n:
    external: true
    driver: bridge
services:
  s: {image: a}
EOF
	err '4:13: volumes.v conflicting parameters "external" and "driver"' <<'EOF'
volumes:
  v:
    external: true
    driver: local
services:
  s: {image: a}
EOF
	err '5:29: secrets.x conflicting parameters "external" and "file"' <<'EOF'
services:
  s:
    image: a
secrets:
  x: {external: true, file: a}
EOF
}

# ---------------------------------------------------------------- edge case 34: semantic validation

@test "edge 34: network_mode together with networks" {
	err '4:19: service "s" declares mutually exclusive `network_mode` and `networks`' <<'EOF'
services:
  s:
    image: a
    network_mode: host
    networks: [n]
networks:
  n: {}
EOF
}

@test "edge 34: network_mode service:missing" {
	err '4:19: service "s" depends on undefined service "missing"' <<'EOF'
services:
  s:
    image: a
    network_mode: service:missing
EOF
}

@test "edge 34: a service with neither image nor build" {
	err '3:5: service "s" has neither an image nor a build context specified' <<'EOF'
services:
  s:
    command: x
EOF
}

@test "edge 34: undefined volume, secret, config, network" {
	err '4:15: service "s" refers to undefined volume missing' <<'EOF'
services:
  s:
    image: a
    volumes: [missing:/data]
EOF
	err '4:15: service "s" refers to undefined secret missing' <<'EOF'
services:
  s:
    image: a
    secrets: [missing]
EOF
	err '4:15: service "s" refers to undefined config missing' <<'EOF'
services:
  s:
    image: a
    configs: [missing]
EOF
	err '4:16: service "s" refers to undefined network missing' <<'EOF'
services:
  s:
    image: a
    networks: [missing]
EOF
}

@test "edge 34: a secret with neither file nor environment; with both" {
	err '6:6: secret "x" must declare either `file` or `environment`' <<'EOF'
services:
  s:
    image: a
    secrets: [x]
secrets:
  x: {}
EOF
	err '6:6: secret "x" declares both `file` and `environment`' <<'EOF'
services:
  s:
    image: a
    secrets: [x]
secrets:
  x: {file: a, environment: B}
EOF
}

@test "edge 34: a config with both file and content; with no source" {
	err '5:6: config "x" declares more than one of `file`, `environment` and `content`' <<'EOF'
services:
  s:
    image: a
configs:
  x: {file: ./a, content: b}
EOF
	err '6:6: config "x" must declare `file`, `environment` or `content`' <<'EOF'
services:
  s:
    image: a
    configs: [x]
configs:
  x: {}
EOF
}

@test "edge 34: a tmpfs and a volume on the same target" {
	err '4:13: services.s: tmpfs and volume both mount on "/data"' <<'EOF'
services:
  s:
    image: a
    tmpfs: [/data]
    volumes: [/tmp:/data]
EOF
}

@test "edge 34: scale: -1; scale inconsistent with deploy.replicas" {
	err '4:12: services.s.scale must be greater than or equal to 0' <<'EOF'
services:
  s:
    image: a
    scale: -1
EOF
	err '4:12: services.s: scale (2) and deploy.replicas (3) are inconsistent' <<'EOF'
services:
  s:
    image: a
    scale: 2
    deploy:
      replicas: 3
EOF
}

@test "edge 34: watch sync without target" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    develop:
      watch:
        - action: sync
          path: ./src
EOF
	run -1 cc config
	assert_output --partial "$P/compose.yaml:6:11: services.s.develop.watch[0] requires \"target\" for action"
}

@test "edge 34: the watch error names the action" {
	err '6:11: services.s.develop.watch[0] requires "target" for action "sync"' <<'EOF'
services:
  s:
    image: a
    develop:
      watch:
        - action: sync
          path: ./src
EOF
	err '6:11: services.s.develop.watch[0] requires "target" for action "sync+restart"' <<'EOF'
services:
  s:
    image: a
    develop:
      watch:
        - action: sync+restart
          path: ./src
EOF
}

@test "edge 34: two services with the same container_name; container_name with scale > 1" {
	err '7:21: services "s" and "t" have the same container_name "cname"' <<'EOF'
services:
  s:
    image: a
    container_name: cname
  t:
    image: a
    container_name: cname
EOF
	err '4:21: services.s: container_name "cname" is unique and cannot be used with more than one replica' <<'EOF'
services:
  s:
    image: a
    container_name: cname
    scale: 2
EOF
}

@test "labels with the reserved com.docker.compose. prefix are refused" {
	err '5:35: service "s": label "com.docker.compose.project" uses the reserved prefix com.docker.compose.' <<'EOF'
services:
  s:
    image: a
    labels:
      com.docker.compose.project: x
EOF
}

@test "include entries need a path" {
	err '2:5: include entry has no path' <<'EOF'
include:
  - env_file: x
services:
  s: {image: a}
EOF
}

# ---------------------------------------------------------------- edge case 31: depends_on

@test "edge 31: a dependency cycle is an error listing the cycle" {
	write compose.yaml <<'EOF'
services:
  service1: {image: a, depends_on: [service2]}
  service2: {image: a, depends_on: [service3]}
  service3: {image: a, depends_on: [service1]}
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:4:37: dependency cycle detected: service1 -> service2 -> service3 -> service1"
}

@test "edge 31: a self-dependency is a cycle (also through network_mode service:)" {
	write compose.yaml <<'EOF'
services:
  service1: {image: a, depends_on: [service1]}
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:2:37: dependency cycle detected: service1 -> service1"
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    network_mode: service:s
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:4:19: dependency cycle detected: s -> s"
}

@test "edge 31: a dependency on an undefined service" {
	err '4:18: service "x" depends on undefined service "y"' <<'EOF'
services:
  x:
    image: a
    depends_on: [y]
EOF
	err '5:10: service "x" depends on undefined service "y"' <<'EOF'
services:
  x:
    image: a
    depends_on:
      y: {condition: service_started}
EOF
}

@test "cross references: links and volumes_from to an undefined service" {
	write compose.yaml <<'EOF'
services:
  x:
    image: a
    links: [nope]
EOF
	run -1 cc config
	assert_output --regexp "^error: $P/compose.yaml:4:[0-9]+: service \"x\" depends on undefined service \"nope\"$"
	write compose.yaml <<'EOF'
services:
  x:
    image: a
    volumes_from: [nope]
EOF
	run -1 cc config
	assert_output --regexp "^error: $P/compose.yaml:4:[0-9]+: service \"x\" depends on undefined service \"nope\"$"
}

@test "errors are reported on stderr, nothing on stdout, exit status 1" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    unknown_key: 1
EOF
	run --separate-stderr cc config
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "error: $P/compose.yaml:4:5: services.s additional property \"unknown_key\" is not allowed"
}
