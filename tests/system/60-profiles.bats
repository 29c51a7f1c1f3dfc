#!/usr/bin/env bats
# Profiles (edge case 44): --profile, COMPOSE_PROFILES (shell or .env), '*', and services named on the
# command line.

load helpers

setup() {
	common_setup
	write compose.yaml <<'EOF'
services:
  s1: {image: a}
  s2: {image: a, profiles: [foo]}
  s3: {image: a, profiles: [bar]}
  s4: {image: a, profiles: [baz], depends_on: [s5]}
  s5: {image: a, profiles: [qux]}
  s6: {image: a}
  s7: {image: a, profiles: [foo, bar]}
EOF
}

@test "edge 44: without a profile only services without profiles are enabled" {
	run -0 cc config --services
	assert_output $'s1\ns6'
	cfg_json
	assert_jget services/s2 '<absent>'
}

@test "edge 44: --profile enables its services on top of the unprofiled ones" {
	run -0 cc --profile foo config --services
	assert_output $'s1\ns2\ns6\ns7'
	run -0 cc --profile foo --profile bar config --services
	assert_output $'s1\ns2\ns3\ns6\ns7'
	cfg_json --profile bar
	assert_jget services/s3/profiles '["bar"]'
}

@test "edge 44: --profile '*' enables everything" {
	run -0 cc --profile '*' config --services
	assert_output $'s1\ns2\ns3\ns4\ns5\ns6\ns7'
}

@test "COMPOSE_PROFILES (comma separated) enables profiles" {
	COMPOSE_PROFILES=foo,bar run -0 cc config --services
	assert_output $'s1\ns2\ns3\ns6\ns7'
	COMPOSE_PROFILES=qux,baz run -0 cc config --services
	assert_output $'s1\ns4\ns5\ns6'
}

@test "spaces around COMPOSE_PROFILES items are trimmed" {
	COMPOSE_PROFILES=' foo , bar' run -0 cc config --services
	assert_output $'s1\ns2\ns3\ns6\ns7'
}

@test "--profile replaces COMPOSE_PROFILES" {
	COMPOSE_PROFILES=bar run -0 cc --profile foo config --services
	assert_output $'s1\ns2\ns6\ns7'
}

@test "COMPOSE_PROFILES can come from .env; the shell wins" {
	printf 'COMPOSE_PROFILES=bar\n' >.env
	run -0 cc config --services
	assert_output $'s1\ns3\ns6\ns7'
	COMPOSE_PROFILES= run -0 cc config --services
	assert_output $'s1\ns6'
}

@test "edge 44: naming a service enables it and its dependency chain, whatever their profiles" {
	run -0 cc --profile foo config --services s4
	assert_line s4
	assert_line s5
	cfg_json -- s4
	assert_jget services/s4/depends_on '{"s5":{"condition":"service_started","required":true}}'
	assert_jget services/s5/profiles '["qux"]'
}

@test "naming services on the command line restricts the output to them and their dependencies" {
	run -0 cc config --services s4
	assert_output $'s4\ns5'
	run -0 cc config --services s4 s1
	assert_output $'s1\ns4\ns5'
}

@test "config options may follow service names" {
	run -0 cc config s4 --services
	assert_line s4
}

@test "naming an unknown service is an error" {
	run -1 cc config nope
	assert_output "error: no such service: nope"
}

@test "a dependency on a service whose profile is disabled is an error" {
	write dep.yaml <<'EOF'
services:
  a: {image: a, depends_on: [b]}
  b: {image: a, profiles: [p]}
EOF
	run -1 cc -f dep.yaml config
	assert_output "error: $P/dep.yaml:2:30: service \"a\" depends on service \"b\", which is disabled: enable it with --profile p"
	run -0 cc -f dep.yaml --profile p config --services
	assert_output $'a\nb'
}

@test "a required: false dependency on a disabled service is accepted" {
	write dep.yaml <<'EOF'
services:
  a:
    image: a
    depends_on:
      b: {condition: service_started, required: false}
  b: {image: a, profiles: [p]}
EOF
	run -0 cc -f dep.yaml config --services
	assert_output a
	cfg_json -f dep.yaml
	assert_jget services/a/depends_on/b '<absent>'
}

@test "config --profiles lists all profiles whatever is enabled" {
	run -0 cc config --profiles
	assert_output $'bar\nbaz\nfoo\nqux'
}

@test "config --volumes and --networks ignore nothing declared at the top level even when services are disabled" {
	write p.yaml <<'EOF'
services:
  a: {image: a, profiles: [p], volumes: ["v:/v"]}
volumes:
  v: {}
EOF
	run -0 cc -f p.yaml config --volumes
	assert_output v
}
