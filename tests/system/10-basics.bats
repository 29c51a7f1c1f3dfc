#!/usr/bin/env bats
# Output shape of `config`, its facets (--services, --volumes, ...), options, exit codes and `version`.

load helpers

small_project() {
	write compose.yaml <<'EOF'
services:
  web:
    image: nginx
    ports: ["8080:80"]
    environment:
      A: 1
    volumes: ["./data:/data", "db:/var/lib"]
    depends_on: [db]
  db:
    image: postgres
volumes:
  db:
EOF
}

@test "config prints the canonical YAML: sorted keys, defaults filled in, long syntax" {
	small_project
	run -0 cc config
	assert_output - <<EOF
name: proj
networks:
  default:
    name: proj_default
services:
  db:
    image: postgres
    networks:
      default: null
  web:
    depends_on:
      db:
        condition: service_started
        required: true
    environment:
      A: "1"
    image: nginx
    networks:
      default: null
    ports:
    - mode: ingress
      protocol: tcp
      published: "8080"
      target: 80
    volumes:
    - bind:
        create_host_path: true
      source: $P/data
      target: /data
      type: bind
    - source: db
      target: /var/lib
      type: volume
      volume: {}
volumes:
  db:
    name: proj_db
EOF
}

@test "config --format json prints the same model as JSON with sorted keys" {
	small_project
	run -0 cc config --format json
	assert_line --index 0 '{'
	assert_line '  "name": "proj",'
	cfg_json
	assert_jget "" "$(printf '%s' '{"name":"proj","networks":{"default":{"name":"proj_default"}},"services":{"db":{"image":"postgres","networks":{"default":null}},"web":{"depends_on":{"db":{"condition":"service_started","required":true}},"environment":{"A":"1"},"image":"nginx","networks":{"default":null},"ports":[{"mode":"ingress","protocol":"tcp","published":"8080","target":80}],"volumes":[{"bind":{"create_host_path":true},"source":"'"$P"'/data","target":"/data","type":"bind"},{"source":"db","target":"/var/lib","type":"volume","volume":{}}]}},"volumes":{"db":{"name":"proj_db"}}}')"
	# keys are emitted sorted
	run -0 "$PY" -c 'import json,sys
def chk(o):
    if isinstance(o, dict):
        assert list(o) == sorted(o), list(o)
        for v in o.values(): chk(v)
    elif isinstance(o, list):
        for v in o: chk(v)
chk(json.loads(sys.argv[1])); print("sorted")' "$JSON"
	assert_output sorted
}

@test "YAML and JSON outputs describe the same model" {
	small_project
	cc config -o out.yaml
	cc config --format json -o out.json
	run -0 "$PY" -c 'import json, yaml, sys; a = yaml.safe_load(open("out.yaml")); b = json.load(open("out.json")); print("same" if a == b else "differ")'
	assert_output same
}

@test "config -o FILE writes the output to FILE and nothing to stdout" {
	small_project
	run -0 cc config -o out.yaml
	assert_output ""
	run -0 cc config
	assert_equal "$(cat out.yaml)" "$output"
	run -0 cc config --output out2.json --format json
	assert_output ""
	run -0 head -c1 out2.json
	assert_output '{'
}

@test "config -o into a missing directory is an error" {
	small_project
	run -1 cc config -o nodir/out.yaml
	assert_output "error: cannot write nodir/out.yaml: No such file or directory"
}

@test "config -q validates silently; it still fails on an invalid file" {
	small_project
	run -0 cc config -q
	assert_output ""
	run -0 cc config --quiet
	assert_output ""
	write bad.yaml <<'EOF'
services:
  s:
    image: [a]
EOF
	run -1 cc -f bad.yaml config -q
	assert_output "error: $P/bad.yaml:3:12: services.s.image must be a string"
}

@test "config --services lists the enabled services, one per line" {
	small_project
	run -0 cc config --services
	assert_output - <<'EOF'
db
web
EOF
}

@test "config --volumes and --networks list the top-level keys" {
	write compose.yaml <<'EOF'
services:
  a: {image: a, networks: [n2, n1]}
  b: {build: ., volumes: ["v2:/x"]}
volumes: {v2: {}, v1: {}}
networks: {n1: {}, n2: {}, n3: {}}
EOF
	run -0 cc config --volumes
	assert_output - <<'EOF'
v1
v2
EOF
	run -0 cc config --networks
	assert_output - <<'EOF'
default
n1
n2
n3
EOF
}

@test "config --images prints each image, or <project>-<service> for a build without image" {
	write compose.yaml <<'EOF'
services:
  a: {image: "registry.example.com:5000/team/a:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
  b: {build: .}
EOF
	run -0 cc config --images
	assert_output - <<'EOF'
registry.example.com:5000/team/a:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
proj-b
EOF
}

@test "config --variables lists every variable the files use (inactive profiles too), with defaults, required and alternates" {
	write compose.yaml <<'EOF'
services:
  web:
    image: "nginx:${TAG:-latest}"
    environment:
      DB: "${DB_URL:?set DB_URL}"
      MODE: "${DEBUG:+debug}"
      PLAIN: $PLAIN
      NESTED: "${A-${B}}"
      ESCAPED: "$$NOT_A_VAR"
  debug:
    image: "busybox:${DEBUG_TAG}"
    profiles: [debug]
EOF
	run -0 cc config --variables
	assert_output - <<'EOF'
NAME        REQUIRED   DEFAULT VALUE   ALTERNATE VALUE
A           false      ${B}            
B           false                      
DB_URL      true                       
DEBUG       false                      debug
DEBUG_TAG   false                      
PLAIN       false                      
TAG         false      latest          
EOF
	run -0 cc config --variables --format json
	run -0 "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["DB_URL"] == {"Name": "DB_URL", "DefaultValue": "", "PresenceValue": "", "Required": True}, d; assert d["TAG"]["DefaultValue"] == "latest"; assert "NOT_A_VAR" not in d' "$output"
}

@test "config --environment prints the interpolation environment, .env included, sorted" {
	write compose.yaml <<'EOF'
services:
  web:
    image: "nginx:${TAG}"
EOF
	printf 'TAG=1.25\nZED=last\n' >.env
	run -0 env ALPHA=first "$CC" config --environment
	assert_line "TAG=1.25"
	assert_line "ALPHA=first"
	assert_line "ZED=last"
	[ "$(grep -n '^ALPHA=first$' <<<"$output" | cut -d: -f1)" -lt "$(grep -n '^TAG=1.25$' <<<"$output" | cut -d: -f1)" ]
}

@test "config --profiles lists every profile, sorted, enabled or not" {
	write compose.yaml <<'EOF'
services:
  a: {image: a, profiles: [zeta, alpha]}
  b: {image: b, profiles: [beta, alpha]}
  c: {image: c}
EOF
	run -0 cc config --profiles
	assert_output - <<'EOF'
alpha
beta
zeta
EOF
}

@test "config --hash prints '<service> <sha256>' and is stable across equivalent spellings" {
	write h1.yaml <<'EOF'
services:
  s:
    image: a
    environment: {A: "1", B: "2"}
  t: {image: b}
EOF
	write h2.yaml <<'EOF'
services:
  t: {image: b}
  s:
    environment: [B=2, A=1]
    image: a
EOF
	write h3.yaml <<'EOF'
services:
  s:
    image: a
    environment: {A: "1", B: "3"}
  t: {image: b}
EOF
	run -0 cc -f h1.yaml config --hash '*'
	assert_line --index 0 --regexp '^s [0-9a-f]{64}$'
	assert_line --index 1 --regexp '^t [0-9a-f]{64}$'
	assert_equal "${#lines[@]}" 2
	local h1="$output"
	run -0 cc -f h2.yaml config --hash 's,t'
	assert_output "$h1"
	run -0 cc -f h3.yaml config --hash s
	assert_equal "${#lines[@]}" 1
	refute_output "${h1%%$'\n'*}"
	run -0 cc -f h1.yaml config --hash t
	assert_output "${h1##*$'\n'}"
}

@test "config --hash of an unknown service is an error" {
	write compose.yaml <<'EOF'
services:
  s: {image: a}
EOF
	run -1 cc config --hash nope
	assert_output "error: no such service: nope"
}

@test "usage errors exit with status 2" {
	write compose.yaml <<'EOF'
services:
  s: {image: a}
EOF
	run -2 cc config --bogus
	assert_line --index 0 "error: unknown option --bogus"
	assert_line --index 1 "Run 'container-compose config --help' for usage."
	run -2 cc config --format xml
	assert_line --index 0 'error: unsupported format "xml": use yaml or json'
	run -2 cc config --hash
	assert_line --index 0 "error: option --hash needs a value"
	run -2 cc bogus
	assert_line --index 0 'error: unknown command "bogus"'
	run -2 cc --profile
	assert_line --index 0 "error: option --profile needs a value"
	run -2 cc
	assert_line --index 0 "Usage: container-compose [OPTIONS] COMMAND [ARGS...]"
}

@test "the top-level usage hint names no command" {
	run -2 cc bogus
	assert_line --index 1 "Run 'container-compose --help' for usage."
}

@test "--help and config --help print usage and exit 0" {
	run -0 cc --help
	assert_line --index 0 "Usage: container-compose [OPTIONS] COMMAND [ARGS...]"
	assert_line "  config     Parse, resolve and render the Compose file in canonical form"
	run -0 cc config --help
	assert_line --index 0 "Usage: container-compose config [OPTIONS] [SERVICE...]"
	assert_line "  -q, --quiet             Only validate, print nothing"
}

@test "version, --version and -v print the version" {
	run -0 cc version
	assert_output --regexp '^container-compose version [0-9]+\.[0-9]+\.[0-9]+'
	local v="$output"
	run -0 cc --version
	assert_output "$v"
	run -0 cc -v
	assert_output "$v"
	run -0 cc version --short
	assert_equal "container-compose version $output" "$v"
	run -0 cc version --format json
	assert_equal "$output" "{\"version\":\"${v#container-compose version }\"}"
}

@test "the obsolete top-level version is ignored with a warning" {
	write compose.yaml <<'EOF'
version: "3.8"
services:
  s: {image: a}
EOF
	run --separate-stderr cc config --services
	assert_success
	assert_output s
	assert_equal "$stderr" "warning: $P/compose.yaml: the attribute \`version\` is obsolete, it will be ignored"
}

@test "x-* extensions are accepted at the top level and kept in the output" {
	write compose.yaml <<'EOF'
x-common: &common
  image: busybox
services:
  s:
    <<: *common
    x-note: hello
EOF
	cfg_json
	assert_jget x-common '{"image":"busybox"}'
	assert_jget services/s/image busybox
	assert_jget services/s/x-note hello
}

@test "edge 30: init: yes is true, x-foo is a real service, numeric volume name and dotted service names work" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    init: yes
  x-foo:
    image: alpine
  a.b.c:
    image: alpine
    volumes:
      - 0:/foo
volumes:
  "0": {}
EOF
	cfg_json
	assert_jget services/s/init true
	assert_jget services/x-foo/image alpine
	assert_jget services/a.b.c/volumes '[{"source":"0","target":"/foo","type":"volume","volume":{}}]'
	assert_jget volumes/0/name proj_0
	run -0 cc config --services
	assert_output - <<'EOF'
a.b.c
s
x-foo
EOF
}

@test "edge 30: later YAML documents in one file merge like override files" {
	write compose.yaml <<'EOF'
services:
  s:
    image: busybox
    command: a
    environment: {A: "1"}
---
services:
  s:
    command: b
    environment: {B: "2"}
  t:
    image: alpine
EOF
	cfg_json
	assert_jget services/s/command '["b"]'
	assert_jget services/s/environment '{"A":"1","B":"2"}'
	assert_jget services/t/image alpine
}

@test "edge 33: default network, project-scoped names, external and explicit names, build string" {
	write compose.yaml <<'EOF'
services:
  s:
    build: ./dir
    networks: [front]
  t:
    image: a
    build:
      context: ./dir
      args:
        A:
        B: b
        C:
networks:
  front: {}
  ext: {external: true}
  named: {name: my-net}
volumes:
  v: {}
  ev: {external: true}
  nv: {name: my-vol}
EOF
	C=fromenv cfg_json
	assert_jget networks '{"default":{"name":"proj_default"},"ext":{"external":true,"name":"ext"},"front":{"name":"proj_front"},"named":{"name":"my-net"}}'
	assert_jget volumes '{"ev":{"external":true,"name":"ev"},"nv":{"name":"my-vol"},"v":{"name":"proj_v"}}'
	assert_jget services/s/networks '{"front":null}'
	assert_jget services/t/networks '{"default":null}'
	assert_jget services/s/build "{\"context\":\"$P/dir\",\"dockerfile\":\"Dockerfile\"}"
	# a null build arg is taken from the environment, or dropped
	assert_jget services/t/build/args '{"B":"b","C":"fromenv"}'
}

@test "edge 33: legacy external: {name: x} becomes external: true with that name" {
	write compose.yaml <<'EOF'
services:
  s: {image: a, volumes: ["lv:/x"]}
volumes:
  lv:
    external:
      name: legacy
EOF
	cfg_json
	assert_jget volumes/lv '{"external":true,"name":"legacy"}'
}

@test "legacy external: {name: x} is reported as deprecated" {
	write compose.yaml <<'EOF'
services:
  s: {image: a, volumes: ["lv:/x"]}
volumes:
  lv:
    external:
      name: legacy
EOF
	run --separate-stderr cc config -q
	assert_success
	assert_equal "$stderr" "warning: $P/compose.yaml:6:7: volumes.lv external.name is deprecated: use \`name:\` with \`external: true\`"
}

@test "a project with only an empty services map is valid" {
	write compose.yaml <<'EOF'
services: {}
EOF
	run -0 cc config
	assert_output - <<'EOF'
name: proj
services: {}
EOF
}
