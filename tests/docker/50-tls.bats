#!/usr/bin/env bats
# The docker backend on an engine reached over TLS, as docker's CLI reaches it (DOCKER_TLS_VERIFY,
# DOCKER_CERT_PATH), and --docker-host in place of DOCKER_HOST. The private dockerd of make conformance-dockerd
# listens on a loopback TLS port with its own CA (scripts/dockerd-test.sh); other engines skip this file.

load helpers

setup() {
	dk_setup
	[ -n "${CC_DOCKER_TLS_DIR:-}" ] && [ -f "$CC_DOCKER_TLS_DIR/tls-port" ] ||
		skip "no engine with a TLS listener (make conformance-dockerd starts one)"
	TLS_HOST="tcp://127.0.0.1:$(cat "$CC_DOCKER_TLS_DIR/tls-port")"
	printf 'services:\n  t:\n    image: busybox\n    command: ["sleep", "600"]\n' >compose.yaml
}

teardown() {
	cd "$P" 2>/dev/null && "$CC" --root "$ROOT" --backend docker down -t 1 >/dev/null 2>&1 || true
}

tls_cc() {
	DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$CC_DOCKER_TLS_DIR/tls" timeout 120 \
		"$CC" --root "$ROOT" --backend docker --docker-host "$TLS_HOST" "$@"
}

@test "over TLS with a client certificate: up, exec with input over a hijacked connection, cp, down" {
	run tls_cc up -d
	assert_success
	run bash -c "printf 'over-tls\n' | DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH='$CC_DOCKER_TLS_DIR/tls' timeout 120 '$CC' --root '$ROOT' --backend docker --docker-host '$TLS_HOST' exec -i -T t sh -c 'cat; exit 6'"
	assert_failure 6
	assert_output over-tls
	echo copied >f.txt
	run tls_cc cp f.txt t:/f.txt
	assert_success
	run tls_cc exec -T t cat /f.txt
	assert_output copied
	# the same containers through the unix socket: one engine
	run cc ps
	assert_output --partial dkproj-t-1
	run tls_cc down -t 1
	assert_success
}

@test "TLS mistakes are named: no DOCKER_TLS_VERIFY, another CA, a missing certificate directory" {
	run timeout 60 "$CC" --root "$ROOT" --backend docker --docker-host "$TLS_HOST" ps
	assert_failure
	assert_output --partial "HTTP request to an HTTPS server"
	mkdir other
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=other \
		-keyout other/ca-key.pem -out other/ca.pem 2>/dev/null
	run env DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$PWD/other" timeout 60 "$CC" --root "$ROOT" --backend docker \
		--docker-host "$TLS_HOST" ps
	assert_failure
	assert_output --partial "certificate"
	run env DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$PWD/nowhere" timeout 60 "$CC" --root "$ROOT" --backend docker \
		--docker-host "$TLS_HOST" ps
	assert_failure
	assert_output --partial "$PWD/nowhere/ca.pem"
}
