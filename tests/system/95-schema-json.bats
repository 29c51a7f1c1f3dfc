#!/usr/bin/env bats
# The JSON output of a rich project is valid against the Compose JSON schema (data/compose-spec.json),
# checked with python3-jsonschema from Debian.

load helpers

FIXTURES="$BATS_TEST_DIRNAME/fixtures"

setup() {
	common_setup
	cp -R "$FIXTURES/rich/." "$P/"
}

# schema_check FILE: print "valid", or one line per schema error.
schema_check() {
	"$PY" - "$SCHEMA" "$1" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors:
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message[:200])
if not errors:
    print("valid")
EOF
}

@test "the rich fixture loads with every profile" {
	run -0 cc --profile '*' config --services
	assert_output $'cache\ndb\njob\nweb'
	run -0 cc config --services
	assert_output $'cache\ndb'
}

@test "config --format json of the rich project validates against compose-spec.json" {
	run -0 cc --profile '*' config --format json -o out.json
	run -0 schema_check out.json
	assert_output valid
}

@test "config --format json with no profile enabled also validates" {
	run -0 cc config --format json -o out.json
	run -0 schema_check out.json
	assert_output valid
}

@test "the YAML output of the rich project, converted to JSON, validates and equals the JSON output" {
	run -0 cc --profile '*' config -o out.yaml
	run -0 cc --profile '*' config --format json -o out.json
	run -0 "$PY" -c 'import json, yaml; json.dump(yaml.safe_load(open("out.yaml")), open("from-yaml.json", "w"))'
	run -0 schema_check from-yaml.json
	assert_output valid
	run -0 "$PY" -c 'import json; print("same" if json.load(open("from-yaml.json")) == json.load(open("out.json")) else "differ")'
	assert_output same
}

@test "the rich project round-trips" {
	assert_roundtrip --profile '*'
}

@test "selected values of the rich project" {
	cfg_json --profile '*'
	assert_jget name rich
	assert_jget services/web/image nginx:1.25
	assert_jget services/web/restart unless-stopped
	assert_jget services/web/logging '{"driver":"json-file","options":{"max-size":"10m"}}'
	assert_jget services/web/environment '{"A":"1","B":null,"C":"","X":"1","Y":"two words"}'
	assert_jget services/web/labels '{"com.example.a":"1","lab":"1"}'
	assert_jget services/cache/depends_on '{"db":{"condition":"service_started","required":true,"restart":true}}'
	assert_jget services/job/build "{\"context\":\"$P/job\",\"dockerfile\":\"Dockerfile\"}"
	assert_jget configs/c1/content "hello world"
	assert_jget volumes/dbdata/name rich_dbdata
	assert_jget volumes/ext '{"external":true,"name":"ext"}'
}

@test "deploy.resources memory is rendered as a string, which the schema wants" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    deploy:
      resources:
        limits: {memory: 50M}
        reservations: {memory: 20M}
EOF
	run -0 cc config --format json -o out.json
	run -0 schema_check out.json
	assert_output valid
}
