#!/usr/bin/env bats
# Tokens (401 missing or malformed, 403 unknown, 200 valid; stored hashed, 0600; revocation), TLS with a
# generated certificate, and mutual TLS.

load helpers

# tcp_port: a free port on 127.0.0.1
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

@test "keys: generate prints the token once, stored only as a hash in a 0600 file; list and revoke" {
	run "$CC" --root "$ROOT" system generate-key ci
	assert_success
	local token="${lines[-1]}"
	[[ "$token" == cc_v1_* ]]
	assert_equal "$(stat -c %a "$ROOT/auth.json")" 600
	run grep -c "$token" "$ROOT/auth.json"
	assert_output 0
	grep -q "$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)" "$ROOT/auth.json"
	run "$CC" --root "$ROOT" system generate-key ci
	assert_failure
	assert_output --partial "already exists"
	run "$CC" --root "$ROOT" system generate-key 'bad/name'
	assert_failure
	run "$CC" --root "$ROOT" system list-keys -q
	assert_output ci
	run "$CC" --root "$ROOT" system list-keys --format json
	assert_output --partial '"Name":"ci"'
	refute_output --partial "$token"
	run "$CC" --root "$ROOT" system revoke-key ci
	assert_success
	run "$CC" --root "$ROOT" system revoke-key ci
	assert_failure
	assert_output --partial "no key named"
}

@test "tcp requires a token: 401 missing, 401 malformed, 403 unknown, 200 valid; revocation is immediate" {
	local token
	token=$("$CC" --root "$ROOT" system generate-key t1 2>/dev/null)
	serve --listen "tcp://127.0.0.1:0"
	local url="http://${ADDRESS#tcp://}"
	run curl -s -w '\n%{http_code}' "$url/_ping"
	assert_envelope 401 unauthorized
	assert_output --partial "missing credentials"
	run curl -s -w '\n%{http_code}' -H "Authorization: Basic Zm9vOmJhcg==" "$url/_ping"
	assert_envelope 401 unauthorized
	assert_output --partial "malformed authorization header"
	run curl -s -w '\n%{http_code}' -H "Authorization: Bearer cc_v1_0000" "$url/_ping"
	assert_envelope 403 forbidden
	assert_output --partial "invalid credentials"
	# before the route: without credentials an unknown path or a wrong method is 401 too
	run curl -s -w '\n%{http_code}' "$url/no/such/route"
	assert_envelope 401 unauthorized
	run curl -s -w '\n%{http_code}' -X PUT "$url/containers"
	assert_envelope 401 unauthorized
	run curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$url/no/such/route"
	assert_envelope 404 not_found
	run curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$url/containers"
	assert_equal "$(code)" 200
	# the CLI through it
	run "$CC" --remote "$ADDRESS" --token "$token" system status
	assert_success
	assert_output --partial "Daemon:   running"
	# without the token the daemon still answers: running, and what it wants
	run "$CC" --remote "$ADDRESS" system status
	assert_success
	assert_output --partial "Daemon:   running"
	assert_output --partial "--token"
	CONTAINER_COMPOSE_HOST="$ADDRESS" CONTAINER_COMPOSE_TOKEN="$token" run "$CC" network ls -q
	assert_success
	run "$CC" --remote "$ADDRESS" network ls
	assert_failure
	assert_output --partial "missing credentials"
	"$CC" --root "$ROOT" system revoke-key t1
	run curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$url/_ping"
	assert_envelope 403 forbidden
	# every way the key file changes is seen on the next request: a new key, the file deleted, the file
	# written in place by hand
	local t2
	t2=$("$CC" --root "$ROOT" system generate-key t2 2>/dev/null)
	run curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t2" "$url/_ping"
	assert_output 200
	cp "$ROOT/auth.json" "$BATS_TEST_TMPDIR/keys"
	rm "$ROOT/auth.json"
	run curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t2" "$url/_ping"
	assert_output 403
	cat "$BATS_TEST_TMPDIR/keys" >"$ROOT/auth.json"
	run curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t2" "$url/_ping"
	assert_output 200
}

@test "unix sockets need no token unless --auth-required" {
	serve
	run api GET /_ping
	assert_equal "$(code)" 200
	teardown
	DAEMONS=()
	rm -f "$SOCK"
	serve --auth-required
	run api GET /_ping
	assert_envelope 401 unauthorized
	local token
	token=$("$CC" --root "$ROOT" system generate-key u 2>/dev/null)
	run api GET /_ping -H "Authorization: Bearer $token"
	assert_equal "$(code)" 200
}

@test "generate-cert: P-256, serverAuth, the SANs, modes, no overwrite without --force; TLS with curl --cacert" {
	run "$CC" --root "$ROOT" system generate-cert --san-dns localhost --san-ip 127.0.0.1
	assert_success
	assert_equal "$(stat -c %a "$ROOT/cert.pem")" 644
	assert_equal "$(stat -c %a "$ROOT/key.pem")" 600
	run certtool -i --infile "$ROOT/cert.pem"
	assert_output --partial "SECP256R1"
	assert_output --partial "TLS WWW Server"
	assert_output --partial "DNSname: localhost"
	assert_output --partial "IPAddress: 127.0.0.1"
	run "$CC" --root "$ROOT" system generate-cert
	assert_failure
	assert_output --partial "--force"
	run "$CC" --root "$ROOT" system generate-cert --force --days 30
	assert_success
	local token
	token=$("$CC" --root "$ROOT" system generate-key tls 2>/dev/null)
	serve --listen "tls://127.0.0.1:0"
	local port="${ADDRESS##*:}"
	run curl -s --cacert "$ROOT/cert.pem" -H "Authorization: Bearer $token" "https://localhost:$port/_ping"
	assert_success
	assert_output --partial '"ok":true'
	run curl -s --cacert "$ROOT/cert.pem" -H "Authorization: Bearer $token" "https://127.0.0.1:$port/_ping"
	assert_success
	# without the CA, the handshake is refused; plain HTTP gets nothing useful
	run curl -s "https://localhost:$port/_ping"
	assert_failure
	run "$CC" --remote "tls://localhost:$port" --cacert "$ROOT/cert.pem" --token "$token" system status
	assert_success
	# a second serve finds the TLS daemon answering
	run "$CC" --root "$ROOT" --backend mock serve --listen "tls://127.0.0.1:$port"
	assert_success
	assert_output --partial "already listening"
}

@test "mutual TLS: a client certificate from --client-ca authenticates without a token" {
	"$CC" --root "$ROOT" system generate-cert >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/client"
	"$CC" --root "$ROOT" system generate-cert --out-dir "$BATS_TEST_TMPDIR/client" --cn client >/dev/null
	serve --listen "tls://127.0.0.1:0" --client-ca "$BATS_TEST_TMPDIR/client/cert.pem"
	local port="${ADDRESS##*:}"
	run curl -s --cacert "$ROOT/cert.pem" --cert "$BATS_TEST_TMPDIR/client/cert.pem" \
		--key "$BATS_TEST_TMPDIR/client/key.pem" "https://localhost:$port/_ping"
	assert_success
	assert_output --partial '"ok":true'
	run "$CC" --remote "tls://localhost:$port" --cacert "$ROOT/cert.pem" --cert "$BATS_TEST_TMPDIR/client/cert.pem" \
		--key "$BATS_TEST_TMPDIR/client/key.pem" network ls -q
	assert_success
	# a certificate the CA did not sign is no credential
	mkdir -p "$BATS_TEST_TMPDIR/other"
	"$CC" --root "$ROOT" system generate-cert --out-dir "$BATS_TEST_TMPDIR/other" >/dev/null
	run curl -s -w '\n%{http_code}' --cacert "$ROOT/cert.pem" --cert "$BATS_TEST_TMPDIR/other/cert.pem" \
		--key "$BATS_TEST_TMPDIR/other/key.pem" "https://localhost:$port/_ping"
	if [ "$status" -eq 0 ]; then
		assert_envelope 401 unauthorized
	fi
}
