#!/usr/bin/env bats
# Which files are read (-f, -f -, COMPOSE_FILE, discovery), the project directory and name, and how several
# files merge (edge cases 27, 28, 35-39).

load helpers

# ---------------------------------------------------------------- -f, stdin, COMPOSE_FILE

@test "-f repeated: files merge in order, later scalars win, services and keys add up" {
	write one.yaml <<'EOF'
services:
  a:
    image: one
    command: a
    labels: {l1: "1"}
EOF
	write two.yaml <<'EOF'
services:
  a:
    image: two
    labels: {l2: "2"}
  b:
    image: b
EOF
	cfg_json -f one.yaml -f two.yaml
	assert_jget services/a/image two
	assert_jget services/a/command '["a"]'
	assert_jget services/a/labels '{"l1":"1","l2":"2"}'
	assert_jget services/b/image b
	cfg_json -f two.yaml -f one.yaml
	assert_jget services/a/image one
}

@test "-f: relative paths of every file resolve against the project directory (the first file's)" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
EOF
	write sub/over.yaml <<'EOF'
services:
  s:
    volumes: ["./x:/x"]
    build: ./ctx
EOF
	mkdir other
	cd other
	cfg_json -f ../compose.yaml -f ../sub/over.yaml
	assert_jget name proj
	assert_jget services/s/volumes/0/source "$P/x"
	assert_jget services/s/build/context "$P/ctx"
}

@test "-f of a missing file is an error" {
	write compose.yaml <<'EOF'
services:
  s: {image: a}
EOF
	run -1 cc -f compose.yaml -f nope.yaml config
	assert_output "error: cannot open $P/nope.yaml: No such file or directory"
}

@test "-f - reads standard input; the project directory is the current directory" {
	printf 'IMG=from-dotenv\n' >.env
	run -0 cc -f - config --format json <<'EOF'
services:
  s:
    image: ${IMG}
    volumes: ["./x:/x"]
EOF
	JSON="$output"
	assert_jget name proj
	assert_jget services/s/image from-dotenv
	assert_jget services/s/volumes/0/source "$P/x"
}

@test "-f - can be combined with files" {
	write over.yaml <<'EOF'
services:
  s:
    image: over
EOF
	run -0 cc -f - -f over.yaml config --images <<'EOF'
services:
  s:
    image: base
    command: x
EOF
	assert_output over
}

@test "-f - with empty input is an error" {
	run -1 cc -f - config </dev/null
	assert_output "error: (stdin): empty compose file"
}

@test "COMPOSE_FILE lists the files (':' separated, or COMPOSE_PATH_SEPARATOR); -f wins" {
	write one.yaml <<'EOF'
services:
  x: {image: x}
EOF
	write two.yaml <<'EOF'
services:
  y: {image: y}
EOF
	write compose.yaml <<'EOF'
services:
  z: {image: z}
EOF
	COMPOSE_FILE=one.yaml:two.yaml run -0 cc config --services
	assert_output $'x\ny'
	COMPOSE_FILE='one.yaml;two.yaml' COMPOSE_PATH_SEPARATOR=';' run -0 cc config --services
	assert_output $'x\ny'
	COMPOSE_FILE=one.yaml run -0 cc -f two.yaml config --services
	assert_output y
	COMPOSE_FILE= run -0 cc config --services
	assert_output z
}

@test "COMPOSE_FILE set in .env is honoured" {
	write one.yaml <<'EOF'
services:
  x: {image: x}
EOF
	write two.yaml <<'EOF'
services:
  y: {image: y}
EOF
	printf 'COMPOSE_FILE=one.yaml:two.yaml\n' >.env
	run -0 cc config --services
	assert_output $'x\ny'
}

# ---------------------------------------------------------------- discovery

@test "discovery: compose.yaml > compose.yml > docker-compose.yml > docker-compose.yaml" {
	local f
	for f in docker-compose.yaml docker-compose.yml compose.yml compose.yaml; do
		printf 'services:\n  s: {image: "%s"}\n' "$f" >"$f"
		run -0 cc config --images
		assert_output "$f"
	done
}

@test "discovery: compose.override.yaml is applied on top of compose.yaml" {
	write compose.yaml <<'EOF'
services:
  a: {image: a}
EOF
	write compose.override.yaml <<'EOF'
services:
  a: {image: over}
  b: {image: b}
EOF
	run -0 cc config --images
	assert_output $'over\nb'
	rm compose.override.yaml
	write compose.override.yml <<'EOF'
services:
  a: {image: over-yml}
EOF
	run -0 cc config --images
	assert_output over-yml
}

@test "discovery: docker-compose.override.yml is applied on top of docker-compose.yml" {
	write docker-compose.yml <<'EOF'
services:
  a: {image: a}
EOF
	write docker-compose.override.yml <<'EOF'
services:
  a: {image: over}
EOF
	run -0 cc config --images
	assert_output over
}

@test "discovery: the override file is not applied when -f is given" {
	write compose.yaml <<'EOF'
services:
  a: {image: a}
EOF
	write compose.override.yaml <<'EOF'
services:
  a: {image: over}
EOF
	run -0 cc -f compose.yaml config --images
	assert_output a
}

@test "discovery: an override file of the other naming family applies" {
	write compose.yaml <<'EOF'
services:
  a: {image: a}
EOF
	write docker-compose.override.yml <<'EOF'
services:
  a: {image: over}
EOF
	run -0 cc config --images
	assert_output over
}

@test "discovery: a compose file in a parent directory is found; its directory is the project directory" {
	write compose.yaml <<'EOF'
services:
  a:
    image: ${IMG}
    volumes: ["./d:/d"]
EOF
	printf 'IMG=from-parent-dotenv\n' >.env
	mkdir -p sub/deeper
	cd sub/deeper
	cfg_json
	assert_jget name proj
	assert_jget services/a/image from-parent-dotenv
	assert_jget services/a/volumes/0/source "$P/d"
}

@test "discovery: no compose file at all is an error" {
	mkdir empty
	cd empty
	# skip when some parent of the temp dir happens to hold a compose file
	local d="$PWD"
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		for f in compose.yaml compose.yml docker-compose.yml docker-compose.yaml; do
			[ -e "$d/$f" ] && skip "a parent directory holds $d/$f"
		done
	done
	run -1 cc config
	assert_output "error: no configuration file provided: not found (looked for compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml in $P/empty and its parents)"
}

# ---------------------------------------------------------------- project directory

@test "--project-directory sets the base of relative paths, the .env location and the default name" {
	write compose.yaml <<'EOF'
services:
  a:
    image: ${IMG:-none}
    volumes: ["./d:/d"]
EOF
	printf 'IMG=here\n' >.env
	mkdir other
	printf 'IMG=other\n' >other/.env
	cfg_json --project-directory other
	assert_jget name other
	assert_jget services/a/image other
	assert_jget services/a/volumes/0/source "$P/other/d"
	cfg_json -f compose.yaml --project-directory other
	assert_jget services/a/image other
	# without it, the directory of the first file
	cd other
	cfg_json -f ../compose.yaml
	assert_jget name proj
	assert_jget services/a/image here
	assert_jget services/a/volumes/0/source "$P/d"
}

# ---------------------------------------------------------------- project name (edge cases 27, 28)

@test "edge 27: a name derived from the directory is normalized" {
	mkdir -p "$BATS_TEST_TMPDIR/UNNORMALIZED PATH.x"
	cd "$BATS_TEST_TMPDIR/UNNORMALIZED PATH.x"
	write compose.yaml <<'EOF'
services:
  s: {image: a}
EOF
	cfg_json
	assert_jget name unnormalizedpathx
	assert_jget networks/default/name unnormalizedpathx_default
}

@test "edge 27: an empty derived name is an error" {
	write compose.yaml <<'EOF'
services:
  s: {image: a}
EOF
	COMPOSE_DISABLE_ENV_FILE=1 run -1 cc -f "$P/compose.yaml" --project-directory / config
	assert_output 'error: project name must not be empty: use -p NAME, COMPOSE_PROJECT_NAME or `name:`'
}

@test "edge 27: explicit invalid names are errors; 42abc is valid" {
	write compose.yaml <<'EOF'
services:
  s: {image: a}
EOF
	local n
	for n in MY_PROJECT _x -x a.b 'a b' ''; do
		[ -z "$n" ] && continue
		run -1 cc -p "$n" config
		assert_output "error: invalid project name \"$n\": must consist only of lowercase alphanumeric characters, hyphens and underscores as well as start with a letter or number"
		COMPOSE_PROJECT_NAME="$n" run -1 cc config
		assert_output "error: invalid project name \"$n\": must consist only of lowercase alphanumeric characters, hyphens and underscores as well as start with a letter or number"
	done
	cfg_json -p 42abc
	assert_jget name 42abc
}

@test "edge 27: precedence -p > COMPOSE_PROJECT_NAME (shell, then .env) > name: > directory" {
	write compose.yaml <<'EOF'
name: fromfile
services:
  s: {image: a}
EOF
	cfg_json
	assert_jget name fromfile
	printf 'COMPOSE_PROJECT_NAME=fromdotenv\n' >.env
	cfg_json
	assert_jget name fromdotenv
	COMPOSE_PROJECT_NAME=fromshell cfg_json
	assert_jget name fromshell
	COMPOSE_PROJECT_NAME=fromshell cfg_json -p cli
	assert_jget name cli
	COMPOSE_PROJECT_NAME=fromshell cfg_json --project-name cli2
	assert_jget name cli2
}

@test "edge 27: COMPOSE_PROJECT_NAME in a service env_file does not name the project; in --env-file it does" {
	write compose.yaml <<'EOF2'
services:
  s:
    image: a
    env_file: e.env
    environment:
      P: ${COMPOSE_PROJECT_NAME}
EOF2
	printf 'COMPOSE_PROJECT_NAME=fromenvfile\n' >e.env
	cfg_json
	assert_jget name proj
	assert_jget services/s/environment '{"COMPOSE_PROJECT_NAME":"fromenvfile","P":"proj"}'
	cfg_json --env-file e.env
	assert_jget name fromenvfile
	assert_jget services/s/environment/P fromenvfile
}

@test "edge 28: the last name: wins and every file sees it as COMPOSE_PROJECT_NAME" {
	write f1.yaml <<'EOF'
name: a
services:
  s1:
    image: busybox
    environment:
      P: ${COMPOSE_PROJECT_NAME}
EOF
	write f2.yaml <<'EOF'
name: b
services:
  s2:
    image: busybox
    environment:
      P: ${COMPOSE_PROJECT_NAME}
EOF
	write f3.yaml <<'EOF'
services:
  s3:
    image: busybox
    environment:
      P: ${COMPOSE_PROJECT_NAME}
EOF
	cfg_json -f f1.yaml -f f2.yaml -f f3.yaml
	assert_jget name b
	assert_jget services/s1/environment/P b
	assert_jget services/s2/environment/P b
	assert_jget services/s3/environment/P b
}

@test "edge 28: name: must be a string; it is interpolated; an invalid one is an error" {
	write f4.yaml <<'EOF'
name: 123
services:
  s1: {image: busybox}
EOF
	run -1 cc -f f4.yaml config
	assert_output "error: $P/f4.yaml:1:7: name must be a string"
	write f5.yaml <<'EOF'
name: ${PN:-fromvar}
services:
  s1: {image: busybox}
EOF
	cfg_json -f f5.yaml
	assert_jget name fromvar
	write f6.yaml <<'EOF'
name: My_Proj
services:
  s1: {image: busybox}
EOF
	run -1 cc -f f6.yaml config
	assert_output 'error: invalid project name "My_Proj" (from `name:`): must consist only of lowercase alphanumeric characters, hyphens and underscores as well as start with a letter or number'
}

# ---------------------------------------------------------------- merge rules (edge cases 35-38)

@test "edge 35: command is replaced, ports dedupe, a volume with the same target is replaced" {
	write base.yaml <<'EOF'
services:
  s:
    image: a
    command: a
    entrypoint: [x, y]
    ports: ["9080:80", "9081:81"]
    volumes: ["./src:/src", "foo:/work"]
volumes: {foo: {}, bar: {}}
EOF
	write over.yaml <<'EOF'
services:
  s:
    command: b
    entrypoint: z
    ports: ["9080:80"]
    volumes: ["./src:/src", "bar:/work"]
EOF
	cfg_json -f base.yaml -f over.yaml
	assert_jget services/s/command '["b"]'
	assert_jget services/s/entrypoint '["z"]'
	assert_jget services/s/ports '[{"mode":"ingress","protocol":"tcp","published":"9080","target":80},{"mode":"ingress","protocol":"tcp","published":"9081","target":81}]'
	assert_jget services/s/volumes "[{\"bind\":{\"create_host_path\":true},\"source\":\"$P/src\",\"target\":\"/src\",\"type\":\"bind\"},{\"source\":\"bar\",\"target\":\"/work\",\"type\":\"volume\",\"volume\":{}}]"
}

@test "edge 35: lists such as cap_add, dns, expose and secrets append (with dedupe where the spec says so)" {
	write base.yaml <<'EOF'
services:
  s:
    image: a
    cap_add: [NET_ADMIN]
    expose: ["80"]
    secrets: [s1]
secrets:
  s1: {file: ./s1}
  s2: {file: ./s2}
EOF
	write over.yaml <<'EOF'
services:
  s:
    cap_add: [NET_ADMIN, SYS_TIME]
    expose: ["81"]
    secrets: [s1, s2]
EOF
	cfg_json -f base.yaml -f over.yaml
	assert_jget services/s/cap_add '["NET_ADMIN","SYS_TIME"]'
	assert_jget services/s/expose '["80","81"]'
	assert_jget services/s/secrets '[{"source":"s1","target":"/run/secrets/s1"},{"source":"s2","target":"/run/secrets/s2"}]'
}

@test "edge 36: environment list dedupe: last value wins, bare QIX (unset) differs from QIX= (empty)" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    environment: [FOO=BAR, BAR=QIX, QIX=, ZOT, FOO=ZOT, QIX, ZOT=]
EOF
	cfg_json
	assert_jget services/s/environment '{"BAR":"QIX","FOO":"ZOT","QIX":null,"ZOT":""}'
	write e2.yaml <<'EOF'
services:
  s:
    image: a
    environment: [FOO=BAR, BAR=QIX, QIX=, ZOT]
EOF
	write e3.yaml <<'EOF'
services:
  s:
    environment: [FOO=ZOT, QIX, ZOT=]
EOF
	cfg_json -f e2.yaml -f e3.yaml
	assert_jget services/s/environment '{"BAR":"QIX","FOO":"ZOT","QIX":null,"ZOT":""}'
}

@test "edge 37: mixed forms merge: env map + list, dns list + scalar, networks list + map with aliases" {
	write base.yaml <<'EOF'
services:
  s:
    image: a
    environment: {A: "1", B: "2"}
    dns: [8.8.8.8]
    networks: [n1, n2]
    labels: [x=1]
networks: {n1: {}, n2: {}}
EOF
	write over.yaml <<'EOF'
services:
  s:
    environment: ["B=3", "C=4"]
    dns: 9.9.9.9
    networks:
      n2:
        aliases: [x]
    labels: {y: "2"}
EOF
	cfg_json -f base.yaml -f over.yaml
	assert_jget services/s/environment '{"A":"1","B":"3","C":"4"}'
	assert_jget services/s/dns '["8.8.8.8","9.9.9.9"]'
	assert_jget services/s/networks '{"n1":null,"n2":{"aliases":["x"]}}'
	assert_jget services/s/labels '{"x":"1","y":"2"}'
}

@test "edge 38: logging: same driver merges options, another driver replaces, no driver merges" {
	write base.yaml <<'EOF'
services:
  s:
    image: a
    logging:
      driver: json-file
      options: {max-size: 1m}
  t:
    image: a
    logging:
      driver: json-file
      options: {max-size: 1m}
  u:
    image: a
    logging:
      options: {max-size: 1m}
EOF
	write over.yaml <<'EOF'
services:
  s:
    logging:
      driver: json-file
      options: {max-file: "3"}
  t:
    logging:
      driver: syslog
      options: {tag: x}
  u:
    logging:
      options: {max-file: "3"}
EOF
	cfg_json -f base.yaml -f over.yaml
	assert_jget services/s/logging '{"driver":"json-file","options":{"max-file":"3","max-size":"1m"}}'
	assert_jget services/t/logging '{"driver":"syslog","options":{"tag":"x"}}'
	assert_jget services/u/logging '{"options":{"max-file":"3","max-size":"1m"}}'
}

@test "merge: healthcheck.test is replaced, other healthcheck keys merge" {
	write base.yaml <<'EOF'
services:
  s:
    image: a
    healthcheck:
      test: [CMD, a, b]
      interval: 10s
EOF
	write over.yaml <<'EOF'
services:
  s:
    healthcheck:
      test: [CMD, c]
      retries: 2
EOF
	cfg_json -f base.yaml -f over.yaml
	assert_jget services/s/healthcheck '{"interval":"10s","retries":2,"test":["CMD","c"]}'
}

# ---------------------------------------------------------------- !reset / !override (edge case 39)

@test "edge 39: !reset removes a network, a service key and one env var; !override replaces" {
	write r1.yaml <<'EOF'
services:
  s:
    image: a
    build: ./ctx
    networks: [test]
    environment: {FOO: "1", BAR: "2"}
    ports: ["80:80"]
networks:
  test: {}
  ext:
    external: true
EOF
	write r2.yaml <<'EOF'
services:
  s:
    build: !reset {}
    networks: !reset {}
    environment:
      FOO: !reset
    ports: !override ["81:81"]
networks:
  test: !reset {}
  ext: !override {}
EOF
	cfg_json -f r1.yaml -f r2.yaml
	assert_jget services/s/build '<absent>'
	assert_jget services/s/networks '{"default":null}'
	assert_jget services/s/environment '{"BAR":"2"}'
	assert_jget services/s/ports '[{"mode":"ingress","protocol":"tcp","published":"81","target":81}]'
	assert_jget networks '{"default":{"name":"proj_default"},"ext":{"name":"proj_ext"}}'
}

@test "edge 39: !reset [] on a list, !reset on command" {
	write r1.yaml <<'EOF'
services:
  s:
    image: a
    command: echo hi
    ports: ["80:80"]
    volumes: ["/a"]
EOF
	write r2.yaml <<'EOF'
services:
  s:
    command: !reset
    ports: !reset []
    volumes: !reset []
EOF
	cfg_json -f r1.yaml -f r2.yaml
	assert_jget services/s '{"image":"a","networks":{"default":null}}'
}

@test "edge 39: 'build: !reset' with no value, or null, removes the key" {
	write r1.yaml <<'EOF'
services:
  s:
    image: a
    build: ./ctx
    ports: ["80:80"]
EOF
	write r2.yaml <<'EOF'
services:
  s:
    build: !reset
    ports: !reset
EOF
	cfg_json -f r1.yaml -f r2.yaml
	assert_jget services/s '{"image":"a","networks":{"default":null}}'
	write r3.yaml <<'EOF'
services:
  s:
    build: !reset null
EOF
	cfg_json -f r1.yaml -f r3.yaml
	assert_jget services/s/build '<absent>'
}
