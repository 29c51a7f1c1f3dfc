#!/usr/bin/env bats
# Regressions from the code review: hostile or unusual input must give a clear error or the right result, never a
# crash, and work done on services must follow profiles.

load helpers

@test "!reset on a list item is validated like any item, never a crash" {
	write compose.yaml <<'EOF2'
services:
  web:
    image: x
    depends_on: [!reset {a: 1}]
EOF2
	run -1 cc config
	assert_output --partial "services.web.depends_on"
	for attr in networks extra_hosts; do
		printf 'services:\n  web:\n    image: x\n    %s: [!reset {a: 1}]\n' "$attr" >compose.yaml
		run -1 cc config
		assert_output --partial "services.web.$attr"
	done
	printf 'services:\n  web:\n    image: x\n    devices: [!reset [1]]\n' >compose.yaml
	run -1 cc config
	assert_output --partial "services.web.devices"
}

@test "extends: !reset drops the extends, and a non-string service is an error" {
	write compose.yaml <<'EOF2'
services:
  web:
    image: x
    extends: !reset
EOF2
	run -0 cc config --format json
	refute_output --partial extends
	printf 'services:\n  web:\n    image: x\n    extends: {service: !reset {a: 1}}\n' >compose.yaml
	run -1 cc config
	assert_output "error: $PWD/compose.yaml:4:14: services.web.extends.service must be a string"
}

@test "COMPOSE_FILE that names no file falls back to discovery" {
	printf 'services:\n  a: {image: x}\n' >compose.yaml
	COMPOSE_FILE=: run -0 cc config --services
	assert_output "a"
	COMPOSE_PATH_SEPARATOR=, COMPOSE_FILE=, run -0 cc config --services
	assert_output "a"
}

@test "an extends chain longer than 256 services is refused with its position" {
	"$PY" - >compose.yaml <<'EOF2'
print('services:')
for i in range(300):
    print(f'  s{i}: {{extends: s{i + 1}}}' if i < 299 else f'  s{i}: {{image: x}}')
EOF2
	run -1 cc config -q
	assert_output --partial "extends: chain of more than 256 services"
}

@test "a dependency chain of 70 000 services loads (no recursion limit)" {
	"$PY" - >compose.yaml <<'EOF2'
print('services:')
n = 70000
for i in range(n):
    print(f'  s{i}: {{image: x, depends_on: [s{i + 1}]}}' if i < n - 1 else f'  s{i}: {{image: x}}')
EOF2
	run -0 cc config --services
	assert_line --index 0 "s0"
	[ "${#lines[@]}" -eq 70000 ]
}

@test "integral numbers beyond int64 are refused, not wrapped" {
	printf 'services:\n  a: {image: x, pids_limit: 99999999999999999999}\n' >compose.yaml
	run -1 cc config
	assert_output --partial "services.a.pids_limit must be an integer"
	printf 'services:\n  a: {image: x, cpu_shares: .inf}\n' >compose.yaml
	run -1 cc config
	assert_output --partial "services.a.cpu_shares must be an integer"
}

@test "strings that look like YAML syntax are quoted and read back unchanged" {
	write compose.yaml <<'EOF2'
services:
  a:
    image: x
    environment:
      COLOR: "#ff0000"
      PAD: "  padded"
      TRAIL: "value "
      SECRET: "!s3cret"
      AT: "@dm1n"
      PCT: "%x"
      TICK: "`x"
      PIPE: "|"
      GT: ">"
      Q: "?"
      DASH: "-"
      SQ: "'"
      DQ: '"'
      COLON: "a: b"
      HASH: "a #b"
      TAB: "a\tb"
    command: ["sh", "-c", "- x"]
EOF2
	run -0 cc config -o out.yaml
	run -0 cc -f out.yaml config --format json
	local again=$output
	run -0 cc config --format json
	assert_equal "$again" "$output"
	assert_output --partial '"PAD": "  padded"'
	assert_output --partial '"COLOR": "#ff0000"'
	assert_output --partial '"- x"'
}

@test "a service disabled by profiles is neither resolved nor checked" {
	write compose.yaml <<'EOF2'
services:
  app: {image: x}
  dbg: {profiles: [debug], env_file: ./debug.env}
EOF2
	run -0 cc config --services
	assert_output "app"
	run -1 cc --profile debug config --services
	assert_output --partial "debug.env"
}

@test "networks: [] gets the default network" {
	printf 'services:\n  a: {image: x, networks: []}\n' >compose.yaml
	cfg_json
	assert_jget services/a/networks '{"default":null}'
	assert_jget networks/default/name proj_default
}

@test "!reset on depends_on, ulimits and extra_hosts entries removes them" {
	write base.yaml <<'EOF2'
services:
  db: {image: d}
  web:
    image: x
    depends_on: [db]
    ulimits: {nofile: 10, nproc: 20}
EOF2
	write over.yaml <<'EOF2'
services:
  web:
    depends_on: {db: !reset}
    ulimits: {nofile: !reset}
    extra_hosts: {h: !reset, k: 1.2.3.4}
EOF2
	cfg_json -f base.yaml -f over.yaml
	assert_jget services/web/ulimits '{"nproc":20}'
	assert_jget services/web/extra_hosts '["k=1.2.3.4"]'
	run "$PY" -c 'import json,sys; print("depends_on" in json.load(sys.stdin)["services"]["web"])' <<<"$JSON"
	assert_output "False"
}

@test "selecting a service enables its profiled dependencies, even if it is enabled already" {
	write compose.yaml <<'EOF2'
services:
  a: {image: x, depends_on: [b]}
  b: {image: x, profiles: [x]}
  c: {image: x, profiles: [y], depends_on: [b]}
EOF2
	run -0 cc config --services a
	assert_output $'a\nb'
	run -0 cc config --services c
	assert_output $'b\nc'
}

@test "COMPOSE_PROFILES may name more than 64 profiles" {
	printf 'services:\n  a: {image: x, profiles: [p70]}\n' >compose.yaml
	COMPOSE_PROFILES=$(seq -s, -f 'p%g' 0 70) run -0 cc config --services
	assert_output "a"
}

@test "a service built by extends from another file reports errors at its own file" {
	write base.yaml <<'EOF2'
services:
  base: {image: x}
EOF2
	write compose.yaml <<'EOF2'
services:
  web:
    extends: {file: base.yaml, service: base}
    network_mode: host
    networks: [n]
networks: {n: {}}
EOF2
	run -1 cc config
	assert_output --partial "$PWD/compose.yaml:4:19:"
}

@test "include paths resolve against the including project's directory (compose-go), not the file's" {
	write sub/compose.yaml <<'EOF2'
include: [inc.yaml]
services:
  a: {image: x}
EOF2
	write inc.yaml <<'EOF2'
services:
  b: {image: y}
EOF2
	run -0 cc -f sub/compose.yaml --project-directory . config --services
	assert_output $'a\nb'
	run -1 cc -f sub/compose.yaml config --services
	assert_output --partial "sub/inc.yaml: No such file or directory"
}
