#!/usr/bin/env bats
# extends (edge cases 40, 41) and include (edge case 42), with their cycle errors.

load helpers

@test "edge 40: extends: a string extends a service of the same file; local keys win, maps merge" {
	write compose.yaml <<'EOF'
services:
  base:
    image: b
    environment: {A: "0", B: "0"}
    command: base
  same:
    extends: base
    environment: {B: "1", C: "3"}
EOF
	cfg_json
	assert_jget services/same '{"command":["base"],"environment":{"A":"0","B":"1","C":"3"},"image":"b","networks":{"default":null}}'
	assert_jget services/base/environment '{"A":"0","B":"0"}'
}

@test "edge 40: extends {file, service}: paths are rebased onto the base file's directory" {
	write base/common.yaml <<'EOF'
services:
  b:
    build: .
    command: echo base
    environment: {A: "1", B: "1"}
    volumes: ["./data:/data"]
    env_file: ./b.env
EOF
	printf 'FROM_BASE_ENV=1\n' >base/b.env
	write compose.yaml <<'EOF'
services:
  d:
    extends:
      file: base/common.yaml
      service: b
    environment: {B: "2"}
EOF
	cfg_json
	assert_jget services/d/build "{\"context\":\"$P/base\",\"dockerfile\":\"Dockerfile\"}"
	assert_jget services/d/volumes/0/source "$P/base/data"
	assert_jget services/d/command '["echo","base"]'
	assert_jget services/d/environment '{"A":"1","B":"2","FROM_BASE_ENV":"1"}'
	# the base service itself is not imported
	assert_jget services/b '<absent>'
}

@test "edge 40: dependencies of the base are not imported" {
	write base.yaml <<'EOF'
services:
  b:
    image: b
    depends_on: [zot]
  zot:
    image: z
EOF
	write compose.yaml <<'EOF'
services:
  d:
    extends: {file: base.yaml, service: b}
EOF
	run -1 cc config
	assert_output "error: $P/base.yaml:4:18: service \"d\" depends on undefined service \"zot\""
	write compose.yaml <<'EOF'
services:
  d:
    extends: {file: base.yaml, service: b}
  zot:
    image: localzot
EOF
	cfg_json
	assert_jget services/d/depends_on '{"zot":{"condition":"service_started","required":true}}'
	assert_jget services/zot/image localzot
}

@test "edge 40: extends without service is an error" {
	write base.yaml <<'EOF'
services:
  b: {image: b}
EOF
	write compose.yaml <<'EOF'
services:
  a:
    extends: {file: base.yaml}
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:3:14: services.a.extends requires property \"service\""
}

@test "extends of an unknown service or file is an error" {
	write compose.yaml <<'EOF'
services:
  a:
    extends: nope
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:3:14: services.a.extends: cannot extend service \"nope\": no such service"
	write base.yaml <<'EOF'
services:
  b: {image: b}
EOF
	write compose.yaml <<'EOF'
services:
  a:
    extends: {file: base.yaml, service: nope}
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:3:14: services.a.extends: cannot extend service \"nope\": not found in $P/base.yaml"
	write compose.yaml <<'EOF'
services:
  a:
    extends: {file: missing.yaml, service: x}
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:3:21: services.a.extends: cannot open $P/missing.yaml: No such file or directory"
}

@test "edge 40/41: !reset and !override inside a base; an override chain gives [/bar, /zot]" {
	write b.yaml <<'EOF'
services:
  B:
    image: b
    volumes: [/foo]
    command: echo b
    depends_on: [x]
EOF
	write m.yaml <<'EOF'
services:
  A:
    extends: {file: b.yaml, service: B}
    volumes: !override [/bar]
    command: !reset null
    depends_on: !override [y]
EOF
	write compose.yaml <<'EOF'
services:
  top:
    extends: {file: m.yaml, service: A}
    volumes: [/zot]
  x: {image: x}
  y: {image: y}
EOF
	cfg_json
	assert_jget services/top '{"depends_on":{"y":{"condition":"service_started","required":true}},"image":"b","networks":{"default":null},"volumes":[{"target":"/bar","type":"volume"},{"target":"/zot","type":"volume"}]}'
}

@test "extends: a chain inside one file resolves recursively" {
	write compose.yaml <<'EOF'
services:
  a:
    image: a
    labels: {a: "1"}
  b:
    extends: a
    labels: {b: "1"}
  c:
    extends: b
    labels: {c: "1"}
EOF
	cfg_json
	assert_jget services/c/labels '{"a":"1","b":"1","c":"1"}'
	assert_jget services/c/image a
}

@test "an extends cycle inside one file is an error" {
	write compose.yaml <<'EOF2'
services:
  a:
    image: x
    extends: b
  b:
    extends: a
EOF2
	run -1 cc config
	assert_output "error: $P/compose.yaml: extends cycle detected: a -> b -> a"
	write compose.yaml <<'EOF2'
services:
  a:
    extends: a
    image: x
EOF2
	run -1 cc config
	assert_output "error: $P/compose.yaml: extends cycle detected: a -> a"
}

@test "an extends cycle across files is reported" {
	write compose.yaml <<'EOF'
services:
  a:
    image: a
    extends: {file: compose.yaml, service: a}
EOF
	run -1 cc config
	assert_output --partial "extends cycle detected"
	write one.yaml <<'EOF'
services:
  a:
    image: a
    extends: {file: two.yaml, service: b}
EOF
	write two.yaml <<'EOF'
services:
  b:
    image: b
    extends: {file: one.yaml, service: a}
EOF
	run -1 cc -f one.yaml config
	assert_output --partial "extends cycle detected"
}

@test "extends going back and forth between two files (no cycle) works" {
	write one.yaml <<'EOF2'
services:
  a:
    image: a
    extends: {file: two.yaml, service: b}
  c:
    image: c
    labels: {from: c}
EOF2
	write two.yaml <<'EOF2'
services:
  b:
    image: b
    extends: {file: one.yaml, service: c}
EOF2
	cfg_json -f one.yaml
	assert_jget services/a '{"image":"a","labels":{"from":"c"},"networks":{"default":null}}'
	assert_jget services/b '<absent>'
}

# ---------------------------------------------------------------- include

@test "edge 42: include: env_file of the entry feeds the included file; its paths resolve in its own dir" {
	write sub/c.yaml <<'EOF'
services:
  inc:
    image: ${SOURCE:-x}
    env_file: ./extra.env
    volumes: ["./data:/data"]
    build: .
EOF
	printf 'SOURCE=fromextra\nIN=1\n' >sub/extra.env
	write compose.yaml <<'EOF'
include:
  - path: sub/c.yaml
    env_file: sub/extra.env
services:
  main:
    image: m
    depends_on: [inc]
EOF
	cfg_json
	assert_jget services/inc/image fromextra
	assert_jget services/inc/environment '{"IN":"1","SOURCE":"fromextra"}'
	assert_jget services/inc/volumes/0/source "$P/sub/data"
	assert_jget services/inc/build/context "$P/sub"
	assert_jget services/main/depends_on '{"inc":{"condition":"service_started","required":true}}'
}

@test "edge 42: include: the parent environment (shell or .env) wins over the include's env_file" {
	write sub/c.yaml <<'EOF'
services:
  inc:
    image: ${SOURCE:-x}
EOF
	printf 'SOURCE=fromextra\n' >sub/extra.env
	write compose.yaml <<'EOF'
include:
  - path: sub/c.yaml
    env_file: sub/extra.env
EOF
	SOURCE=parent run -0 cc config --images
	assert_output parent
	printf 'SOURCE=dotenv\n' >.env
	run -0 cc config --images
	assert_output dotenv
}

@test "edge 42: including yourself, or a cycle of includes, is an error" {
	write self.yaml <<'EOF'
include:
  - self.yaml
services:
  a: {image: a}
EOF
	run -1 cc -f self.yaml config
	assert_output "error: $P/self.yaml:2:5: include cycle detected: $P/self.yaml -> $P/self.yaml"
	write a/c.yaml <<'EOF'
include: [../b/c.yaml]
services:
  a: {image: a}
EOF
	write b/c.yaml <<'EOF'
include: [../a/c.yaml]
services:
  b: {image: b}
EOF
	run -1 cc -f a/c.yaml config
	assert_output "error: $P/b/c.yaml:1:11: include cycle detected: $P/a/c.yaml -> $P/b/c.yaml -> $P/a/c.yaml"
}

@test "edge 42: a later -f file may modify an included service" {
	write i.yaml <<'EOF'
services:
  inc: {image: inc}
EOF
	write compose.yaml <<'EOF'
include: [i.yaml]
services:
  main: {image: m}
EOF
	write ov.yaml <<'EOF'
services:
  inc:
    image: overridden
EOF
	run -0 cc -f compose.yaml -f ov.yaml config --images
	assert_output $'overridden\nm'
}

@test "include: a local definition of the same service overrides the included one" {
	write i.yaml <<'EOF'
services:
  x: {image: inc, environment: {A: "1"}}
EOF
	write compose.yaml <<'EOF'
include: [i.yaml]
services:
  x: {image: local}
EOF
	cfg_json
	assert_jget services/x '{"environment":{"A":"1"},"image":"local","networks":{"default":null}}'
}

@test "include: path may be a list merged like -f files; resources are copied in" {
	write i.yaml <<'EOF'
services:
  x:
    image: inc
    volumes: ["data:/d"]
volumes:
  data: {}
EOF
	write io.yaml <<'EOF'
services:
  x: {image: inc-override}
EOF
	write compose.yaml <<'EOF'
include:
  - path: [i.yaml, io.yaml]
services:
  y: {image: y}
EOF
	cfg_json
	assert_jget services/x/image inc-override
	assert_jget volumes/data/name proj_data
}

@test "include of a missing file is an error" {
	write compose.yaml <<'EOF'
include: [missing.yaml]
services:
  a: {image: a}
EOF
	run -1 cc config
	assert_output "error: $P/compose.yaml:1:11: include: cannot open $P/missing.yaml: No such file or directory"
}

@test "extends in a file read from stdin resolves against the project directory" {
	write base.yaml <<'EOF2'
services:
  base: {image: from-base}
EOF2
	write compose.yaml <<'EOF2'
services:
  web:
    extends: {file: base.yaml, service: base}
EOF2
	mkdir -p sub
	cd sub
	run -0 cc -f - --project-directory .. config --images <../compose.yaml
	assert_output "from-base"
}
