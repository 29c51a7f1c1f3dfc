#!/usr/bin/env bats
# Registries that need credentials, and registries only reachable over plain HTTP that are not on loopback.

load helpers

setup_file() {
	start_registry
	push_layout multi test/multi:v1
	# a second registry behind htpasswd basic auth (bcrypt, as docker-registry wants)
	export AUTH_DIR="$BATS_FILE_TMPDIR/auth"
	mkdir -p "$AUTH_DIR/data"
	/usr/bin/python3 -c "import crypt; print('alice:' + crypt.crypt('s3cret', crypt.mksalt(crypt.METHOD_BLOWFISH)))" \
		2>/dev/null >"$AUTH_DIR/htpasswd"
	export AUTH_PORT=$(free_port)
	export AUTH_REG="127.0.0.1:$AUTH_PORT"
	cat >"$AUTH_DIR/config.yml" <<EOC
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $AUTH_DIR/data } }
http: { addr: $AUTH_REG }
auth: { htpasswd: { realm: test, path: $AUTH_DIR/htpasswd } }
EOC
	docker-registry serve "$AUTH_DIR/config.yml" >"$AUTH_DIR/log" 2>&1 &
	echo $! >"$AUTH_DIR/pid"
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://$AUTH_REG/v2/" && break
		sleep 0.1
	done
	skopeo copy --quiet --dest-tls-verify=false --dest-creds alice:s3cret \
		"oci:$BATS_FILE_TMPDIR/layout-multi-test_multi_v1:v1" "docker://$AUTH_REG/private/app:v1"
}

teardown_file() {
	[ -f "$AUTH_DIR/pid" ] && kill "$(cat "$AUTH_DIR/pid")" 2>/dev/null
	stop_registry
}

@test "a registry that needs credentials: a clear error, then login, then pull and push" {
	export DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker"
	run cc image pull "$AUTH_REG/private/app:v1"
	assert_failure
	assert_output --partial "login"
	run cc login -u alice -p wrong "$AUTH_REG"
	assert_failure
	[ ! -e "$DOCKER_CONFIG/config.json" ]
	run bash -c "echo s3cret | '$CC' --root '$ROOT' --backend native login -u alice --password-stdin '$AUTH_REG'"
	assert_success
	assert_output "Login Succeeded"
	[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]
	run cc image pull "$AUTH_REG/private/app:v1"
	assert_success
	cc image tag "$AUTH_REG/private/app:v1" "$AUTH_REG/private/copy:v2"
	run cc image push "$AUTH_REG/private/copy:v2"
	assert_success
	run skopeo inspect --tls-verify=false --creds alice:s3cret "docker://$AUTH_REG/private/copy:v2"
	assert_success
}

@test "a registry on a non-loopback address needs --insecure-registry (or daemon.json) for plain HTTP" {
	local ip
	ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.' | grep -v '^127\.' | head -1)
	[ -n "$ip" ] || skip "no non-loopback IPv4 address here"
	local dir="$BATS_TEST_TMPDIR/plain" port
	port=$(free_port)
	mkdir -p "$dir/data"
	printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s/data}}\nhttp: {addr: "%s:%s"}\n' \
		"$dir" "$ip" "$port" >"$dir/config.yml"
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	local pid=$!
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://$ip:$port/v2/" && break
		sleep 0.1
	done
	skopeo copy --quiet --dest-tls-verify=false "oci:$BATS_FILE_TMPDIR/layout-multi-test_multi_v1:v1" \
		"docker://$ip:$port/plain/app:v1"
	run cc image pull "$ip:$port/plain/app:v1"
	local refused=$status
	run "$CC" --root "$ROOT" --backend native --insecure-registry "$ip:$port" image pull "$ip:$port/plain/app:v1"
	local flag=$status
	ROOT="$BATS_TEST_TMPDIR/r2"
	mkdir -p "$ROOT"
	printf '{"insecure-registries": ["%s:%s"]}\n' "$ip" "$port" >"$ROOT/daemon.json"
	run cc image pull "$ip:$port/plain/app:v1"
	local configured=$status
	kill "$pid"
	[ "$refused" -ne 0 ]
	[ "$flag" -eq 0 ]
	[ "$configured" -eq 0 ]
}
