#!/usr/bin/env bats
# YAML-level errors and oddities: shape errors (edge case 29), duplicate keys, empty files, documents
# (edge case 30), anchors, merge keys and alias bombs (edge case 43), syntax errors.

load helpers

# err EXPECTED_SUFFIX < compose: the load fails with "error: <file>:<suffix>".
err() {
	write compose.yaml
	run -1 cc config
	assert_output "error: $P/compose.yaml:$1"
}

# ---------------------------------------------------------------- edge case 29: shape errors

@test "edge 29: non-string keys are errors naming where they are" {
	err '1:1: non-string key in the top level: 123' <<'EOF'
123: x
services:
  s:
    image: busybox
EOF
	err '2:3: non-string key in services: 123' <<'EOF'
services:
  123:
    image: busybox
EOF
	err '5:7: non-string key in services.s.environment: 1' <<'EOF'
services:
  s:
    image: busybox
    environment:
      1: a
EOF
	err '1:32: non-string key in services.s: true' <<'EOF'
services: {s: {image: busybox, true: 1}}
EOF
	err '5:7: non-string key in services.s.environment: null' <<'EOF'
services:
  s:
    image: a
    environment:
      null: x
EOF
	err '5:7: non-string key in services.s.environment: 1.5' <<'EOF'
services:
  s:
    image: a
    environment:
      1.5: x
EOF
	err '5:9: non-string key in services.s.environment: complex keys are not supported' <<'EOF'
services:
  s:
    image: a
    environment:
      ? [a, b]
      : x
EOF
}

@test "edge 29: a quoted numeric key is a string and is fine" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    environment:
      "1": x
EOF
	cfg_json
	assert_jget services/s/environment '{"1":"x"}'
}

@test "edge 29: wrong node types" {
	err '2:3: services must be a mapping' <<'EOF'
services:
  - s
EOF
	err '2:8: services.foo must be a mapping' <<'EOF'
services:
  foo: busybox
EOF
	err '3:12: services.foo.image must be a string' <<'EOF'
services:
  foo:
    image: [a, b]
EOF
	err '3:18: services.s.image must be a string' <<'EOF'
services:
  s:
    image: !!int 5
EOF
}

@test "edge 29: the top level must be a mapping" {
	err '1:1: top-level object must be a mapping, got array' <<'EOF'
- a
- b
EOF
	err '1:1: top-level object must be a mapping, got string' <<'EOF'
just a string
EOF
}

# ---------------------------------------------------------------- edge case 30

@test "edge 30: a duplicate key is an error with both lines" {
	err '6:7: mapping key "A" already defined at line 5' <<'EOF'
services:
  s:
    image: busybox
    environment:
      A: 1
      A: 2
EOF
	err '5:3: mapping key "t" already defined at line 4' <<'EOF'
services:
  s: &x
    image: a
  t: *x
  t: *x
EOF
	err '4:1: mapping key "services" already defined at line 1' <<'EOF'
services:
  s: {image: a}
name: x
services:
  t: {image: b}
EOF
}

@test "edge 30: an empty file, a comment-only file and a bare document marker are 'empty compose file'" {
	: >compose.yaml
	run -1 cc config
	assert_output "error: $P/compose.yaml: empty compose file"
	printf '# just a comment\n' >compose.yaml
	run -1 cc config
	assert_output "error: $P/compose.yaml: empty compose file"
	printf -- '---\n' >compose.yaml
	run -1 cc config
	assert_output "error: $P/compose.yaml: empty compose file"
}

@test "edge 30: a %YAML directive is accepted" {
	write compose.yaml <<'EOF'
%YAML 1.2
---
services:
  s: {image: a}
EOF
	run -0 cc config --services
	assert_output s
}

@test "invalid UTF-8 is an error with its position" {
	printf 'services:\n  s:\n    image: "a\xff"\n' >compose.yaml
	run -1 cc config
	assert_output "error: $P/compose.yaml:3:14: invalid UTF-8 byte sequence (YAML must be UTF-8 text)"
	printf '%%YAML 1.1\xff\n---\nservices: {}\n' >compose.yaml
	run -1 cc config
	assert_output "error: $P/compose.yaml:1:10: invalid UTF-8 byte sequence (YAML must be UTF-8 text)"
}

# ---------------------------------------------------------------- syntax errors

@test "an unknown anchor is an error at the alias" {
	err '3:13: unknown anchor "nope" referenced' <<'EOF'
services:
  s:
    image: *nope
EOF
}

@test "YAML syntax errors fail with status 1 and name the file" {
	local bad
	for bad in $'services:\n  s:\n    image: a\n   bad: indent' $'services:\n  s:\n\timage: a' 'services: [unclosed' $'services:\n  s:\n    image: "unterminated'; do
		printf '%s\n' "$bad" >compose.yaml
		run -1 cc config
		assert_output --regexp "^error: $P/compose.yaml"
	done
}

@test "YAML syntax errors are reported as file:line:col" {
	printf 'services:\n  s:\n    image: a\n   bad: indent\n' >compose.yaml
	run -1 cc config
	assert_output --regexp "^error: $P/compose\\.yaml:4:4: .*invalid indentation in mapping\$"
	refute_output --partial "<memory-@"
	printf 'services:\n  s:\n\timage: a\n' >compose.yaml
	run -1 cc config
	assert_output --regexp "^error: $P/compose\\.yaml:3:1: .*tab character may not be used as indentation\$"
	printf 'services:\n  s:\n    image: "unterminated\n' >compose.yaml
	run -1 cc config
	assert_output --regexp "^error: $P/compose\\.yaml:3:13: .*double-quoted scalar without closing quote\$"
}

# ---------------------------------------------------------------- edge case 43: anchors

@test "edge 43: merge keys: <<: *map, <<: [*a, {k: v}], <<: *list_of_maps; explicit keys win" {
	write compose.yaml <<'EOF'
x-m1: &m1 {image: busybox, user: nobody}
x-m2: &m2 {command: ["a"]}
x-l: &l [*m1, *m2]
services:
  a:
    <<: *l
  b:
    <<: [*m1, {user: root}]
  c:
    <<: *m1
    image: explicit
EOF
	cfg_json
	assert_jget services/a '{"command":["a"],"image":"busybox","networks":{"default":null},"user":"nobody"}'
	assert_jget services/b/user nobody
	assert_jget services/b/image busybox
	assert_jget services/c '{"image":"explicit","networks":{"default":null},"user":"nobody"}'
}

@test "edge 43: a merge key on a scalar is an error" {
	write compose.yaml <<'EOF'
x-s: &s scalar
services:
  c:
    image: a
    environment:
      <<: *s
EOF
	run -1 cc config
	assert_output --regexp "^error: $P/compose.yaml:[0-9]+:[0-9]+: map merge requires map or sequence of maps as the value, got string$"
}

@test "edge 43: an alias bomb is refused (excessive aliasing)" {
	"$PY" - >compose.yaml <<'EOF'
print('x-a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
for i in range(1, 9):
    print(f'x-a{i}: &a{i} [' + ','.join([f'*a{i-1}'] * 9) + ']')
print('services:\n  s:\n    image: busybox')
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:5:11: excessive aliasing: aliases expand to more than 100000 nodes"
}

# A documented deviation (docs/deviations.md): the 100 000-node cap applies to nodes made through aliases, which is
# what stops alias bombs; a large plain document is legitimate and loads.
@test "edge 43: 2 x 50 001 plain keys load (deviation: only alias expansion is capped at 100 000)" {
	"$PY" - >compose.yaml <<'EOF'
print('services:\n  s:\n    image: busybox')
for j in range(2):
    print(f'x-big{j}:')
    for i in range(50001):
        print(f'  k{i}: v')
EOF
	run -0 cc config --services
	assert_output "s"
}

@test "edge 43: !reset inside an anchor applies wherever the anchor is used" {
	write base.yaml <<'EOF'
services:
  a: {image: a, ports: ["80:80"]}
  b: {image: b, ports: ["81:81"]}
EOF
	write over.yaml <<'EOF'
x-reset: &reset
  ports: !reset []
services:
  a:
    <<: *reset
  b:
    <<: *reset
EOF
	cfg_json -f base.yaml -f over.yaml
	assert_jget services/a/ports '<absent>'
	assert_jget services/b/ports '<absent>'
	write over2.yaml <<'EOF'
x-reset: &reset !reset []
services:
  a:
    ports: *reset
  b:
    ports: *reset
EOF
	cfg_json -f base.yaml -f over2.yaml
	assert_jget services/a/ports '<absent>'
	assert_jget services/b/ports '<absent>'
}

@test "anchors are resolved before interpolation and each use is interpolated" {
	write compose.yaml <<'EOF'
x-env: &env
  WHO: ${WHO:-nobody}
services:
  a: {image: a, environment: *env}
  b: {image: b, environment: *env}
EOF
	WHO=me cfg_json
	assert_jget services/a/environment/WHO me
	assert_jget services/b/environment/WHO me
}
