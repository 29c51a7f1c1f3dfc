#!/usr/bin/env bats
# Interpolation of ${VAR} in values (edge cases 1-17 of compose-go-edge-cases.md §2).
# Mappings used by the edge-case table: FOO=first, BAR="" (set but empty), UNSET not defined.

load helpers

setup() {
	common_setup
	export FOO=first BAR=
}

# env_value EXPR: interpolate EXPR as the value of services.s.environment.E and print the result.
env_value() {
	write compose.yaml <<EOF
services:
  s:
    image: busybox
    environment:
      E: '$1'
EOF
	cfg_json || return 1
	jget services/s/environment/E
}

# image_value EXPR: interpolate EXPR as services.s.image and print it raw with --images (the YAML/JSON output
# would re-escape a literal $).
image_value() {
	write compose.yaml <<EOF
services:
  s:
    image: '$1'
EOF
	"$CC" config --images
}

@test "edge 1: \$\${foo} is the literal text \${foo}" {
	run -0 image_value '$${foo}'
	assert_output '${foo}'
	run -0 image_value 'pre$$post $$$$ ok'
	assert_output 'pre$post $$ ok'
}

@test "edge 2: a lone \$ is kept unchanged without error" {
	run -0 image_value 'a $ string'
	assert_output 'a $ string'
	run -0 image_value '^REGEX$'
	assert_output '^REGEX$'
	run -0 image_value '$}'
	assert_output '$}'
	run -0 image_value '$'
	assert_output '$'
	run -0 image_value '$1 $-x'
	assert_output '$1 $-x'
}

@test "edge 3: invalid templates are errors naming the YAML path, at the value's position" {
	local t
	for t in '${' '${}' '${ }' '${ foo}' '${foo }' '${foo!}' '${V/a/b}' 'x ${FOO:-a'; do
		write compose.yaml <<EOF
services:
  s:
    image: busybox
    environment:
      E: '$t'
EOF
		run -1 cc config
		assert_output "error: $P/compose.yaml:5:10: invalid interpolation format for services.s.environment.E: \"$t\"; you may need to escape any \$ with another \$"
	done
}

@test "edge 3: an invalid template in a list item names the index" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    command:
      - echo
      - "${oops"
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:6:9: invalid interpolation format for services.s.command[1]: \"\${oops\"; you may need to escape any \$ with another \$"
}

@test "edge 4: a bare \$NAME ends at the first non-name character" {
	run -0 env_value '$FOO-bar'
	assert_output first-bar
	run -0 env_value '$FOO.$FOO/$FOO'
	assert_output first.first/first
	run -0 env_value '${FOO}bar'
	assert_output firstbar
}

@test "edge 5: unset and empty variables give an empty string; unset warns once" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    environment:
      E7: "x ${UNSET} y"
      E8: "x ${BAR} y"
      E9: "$UNSET"
EOF
	run --separate-stderr cc config --format json
	assert_success
	JSON="$output"
	assert_jget services/s/environment '{"E7":"x  y","E8":"x  y","E9":""}'
	assert_equal "$stderr" 'warning: The "UNSET" variable is not set. Defaulting to a blank string.'
}

@test "edge 6: :- applies to unset or empty, - only to unset" {
	run -0 env_value '${BAR:-d}'
	assert_output d
	run -0 env_value '${BAR-d}'
	assert_output ""
	run -0 env_value '${UNSET:-d}'
	assert_output d
	run -0 env_value '${UNSET-d}'
	assert_output d
	run -0 env_value '${FOO:-d}'
	assert_output first
}

@test "edge 7: :+ and + give the alternative when set (and non-empty for :+)" {
	run -0 env_value '${BAR:+p}'
	assert_output ""
	run -0 env_value '${BAR+p}'
	assert_output p
	run -0 env_value '${UNSET+p}'
	assert_output ""
	run -0 env_value '${FOO:+p}'
	assert_output p
}

@test "edge 8: the first operator after the name wins; the rest is literal text" {
	run -0 env_value '${UNSET-a:-b:?c}'
	assert_output 'a:-b:?c'
	run -0 env_value '${FOO:+x:?y:-z}'
	assert_output 'x:?y:-z'
	run -0 env_value '${UNSET-myerror?msg}'
	assert_output 'myerror?msg'
}

@test "edge 9: braces in a default are balanced" {
	run -0 env_value '${UNSET:-{"json":1}}'
	assert_output '{"json":1}'
	run -0 env_value '${UNSET:-{a{b}c}}d'
	assert_output '{a{b}c}d'
}

@test "edge 10: nested templates" {
	run -0 env_value '${A:-${B:-${C:-qix}}}'
	assert_output qix
	run -0 env_value '${A:-${B:-x}_t_${B:-y}}'
	assert_output x_t_y
	run -0 env_value '${UNSET:-${FOO}}'
	assert_output first
}

@test "edge 11: required variables" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    environment:
      E: "${UNSET:?boom}"
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:5:10: error while interpolating services.s.environment.E: required variable UNSET is missing a value: boom"

	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    environment:
      E: "${UNSET?}"
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:5:10: error while interpolating services.s.environment.E: required variable UNSET is missing a value"

	run -0 env_value '${BAR?e}'
	assert_output ""

	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    environment:
      E: "${BAR:?e}"
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:5:10: error while interpolating services.s.environment.E: required variable BAR is missing a value: e"

	run -0 env_value '${FOO:?e}'
	assert_output first
}

@test "edge 12: the required-variable message is itself interpolated" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    environment:
      E: "${UNSET:?need ${FOO}}"
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:5:10: error while interpolating services.s.environment.E: required variable UNSET is missing a value: need first"
}

@test "edge 13: branches not taken are not evaluated (no warning)" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    environment:
      E1: "${UNSET:+${UNSET},}B"
      E2: "${FOO?${UNSET}}"
      E3: "${FOO:-${UNSET:?never}}"
EOF
	run --separate-stderr cc config --format json
	assert_success
	assert_equal "$stderr" ""
	JSON="$output"
	assert_jget services/s/environment '{"E1":"B","E2":"first","E3":"first"}'
}

@test "edge 14: operators outside \${} are plain text" {
	run -0 env_value ':-ok ${UNSET-v}'
	assert_output ':-ok v'
	run -0 env_value '?ok ${BAR:-v}'
	assert_output '?ok v'
}

@test "edge 15: comments and keys are never interpolated" {
	write compose.yaml <<'EOF'
# uses ${NOPE} and an invalid ${ template
services:
  s:
    image: busybox # ${NOPE2
    environment:
      ${KEY}: v
      K: v # ${NOPE3}
EOF
	run --separate-stderr cc config --format json
	assert_success
	assert_equal "$stderr" ""
	JSON="$output"
	assert_jget services/s/environment '{"${KEY}":"v","K":"v"}'
}

@test "edge 16: interpolated values are cast by path (int, bool, bytes, duration)" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    scale: $n
    deploy:
      replicas: ${n}
    privileged: $b
    read_only: "${b}"
    shm_size: ${s}
    stop_grace_period: ${d}
    healthcheck:
      retries: ${n}
      interval: ${d}
    cpus: ${c}
EOF
	n=555 b=true s=2gb d=60s c=1.5 cfg_json
	assert_jget services/s/scale 555
	assert_jget services/s/deploy/replicas 555
	assert_jget services/s/privileged true
	assert_jget services/s/read_only true
	assert_jget services/s/shm_size 2147483648
	assert_jget services/s/stop_grace_period 1m0s
	assert_jget services/s/healthcheck '{"interval":"1m0s","retries":555}'
	assert_jget services/s/cpus 1.5
}

@test "edge 16: a value that cannot be cast after interpolation is an error at its position" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    privileged: $b
EOF
	b=maybe run -1 cc config
	assert_output "error: $P/compose.yaml:4:17: services.s.privileged must be a boolean, got \"maybe\""
}

@test "edge 17: an interpolated secret/config mode is octal" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    secrets:
      - source: sec
        mode: "$n"
    configs:
      - source: cfg
        mode: "0440"
secrets:
  sec:
    file: ./s.txt
configs:
  cfg:
    file: ./c.txt
EOF
	n=555 cfg_json
	# 0o555 = 365, 0o440 = 288
	assert_jget services/s/secrets/0/mode 0555
	assert_jget services/s/configs/0/mode 0440
}

@test "COMPOSE_PROJECT_NAME is available to interpolation" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    container_name: ${COMPOSE_PROJECT_NAME}-s
EOF
	cfg_json
	assert_jget services/s/container_name proj-s
	cfg_json -p other
	assert_jget services/s/container_name other-s
}

@test "interpolation applies in every value: lists, nested maps, top-level resources, inline config content" {
	write compose.yaml <<'EOF'
services:
  s:
    image: ${REG}/app:${TAG:-latest}
    command: [echo, "$FOO"]
    labels:
      a: ${FOO}
    ports: ["${PORT}:80"]
networks:
  n:
    name: net-${FOO}
configs:
  c:
    content: "hello ${FOO}"
EOF
	REG=example.com PORT=8081 cfg_json
	assert_jget services/s/image example.com/app:latest
	assert_jget services/s/command '["echo","first"]'
	assert_jget services/s/labels/a first
	assert_jget services/s/ports/0/published 8081
	assert_jget networks/n/name net-first
	assert_jget configs/c/content "hello first"
}

@test "config --no-interpolate keeps templates as written and warns about nothing" {
	write compose.yaml <<'EOF'
services:
  s:
    image: ${IMG:-busybox}
    environment:
      A: $UNSET
      B: ${BAR:?oops}
EOF
	run --separate-stderr cc config --no-interpolate --format json
	assert_success
	assert_equal "$stderr" ""
	JSON="$output"
	assert_jget services/s/image '${IMG:-busybox}'
	assert_jget services/s/environment '{"A":"$UNSET","B":"${BAR:?oops}"}'
}

@test "the rendered model does not escape \$ as \$\$, so feeding it back re-interpolates it" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    command: echo $$HOME
    environment:
      P: "pa$$word"
      Q: "$${foo}"
EOF
	run -0 cc config
	assert_line '    - $$HOME'
	assert_line '      P: pa$$word'
	assert_line '      Q: "$${foo}"'
	assert_roundtrip
}
