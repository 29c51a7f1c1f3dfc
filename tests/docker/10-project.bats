#!/usr/bin/env bats
# The docker backend on a real engine, end to end: a project whose services talk by name and publish a port,
# builds by the engine's builder, and images through a loopback registry. Run by `make conformance-docker`
# against the private dockerd and podman service it starts (DOCKER_HOST; CC_DOCKER_ENGINE names the engine).

load helpers

@test "a web service and a client talk by service name, and the published port answers on 127.0.0.1" {
	local port
	port=$(free_port)
	cat >compose.yaml <<EOC
services:
  web:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo hello-from-web > /www/index.html; httpd -p 80 -h /www; while :; do sleep 1; done"]
    ports: ["127.0.0.1:$port:80"]
  client:
    image: busybox
    depends_on: [web]
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
EOC
	run cc up -d
	assert_success
	run cc port web 80
	assert_output "127.0.0.1:$port"
	local i ok=
	for i in $(seq 1 50); do
		if python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2).read().decode())" >"$BATS_TEST_TMPDIR/page" 2>/dev/null; then
			ok=1
			break
		fi
		sleep 0.2
	done
	[ -n "$ok" ] || fail "nothing answered on 127.0.0.1:$port"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/page")" hello-from-web
	run cc exec -T client wget -qO- http://web/
	assert_success
	assert_output hello-from-web
	# the name is the service's, on the project's network
	run cc exec -T client wget -qO- http://dkproj-web-1/
	assert_output hello-from-web
	run cc down -t 1
	assert_success
	run cc ps -a -q
	assert_output ""
	run cc network ls -q
	refute_line --partial dkproj_default
}

@test "build goes to the engine's builder, and a service runs the image it made" {
	mkdir -p app
	cat >app/Dockerfile <<'EOD'
FROM busybox
ARG GREETING=none
RUN echo "built with $GREETING" > /built.txt
COPY note.txt /note.txt
CMD ["cat", "/built.txt", "/note.txt"]
EOD
	echo from-the-context >app/note.txt
	cat >compose.yaml <<'EOC'
services:
  app:
    image: cc-dk-test/app:1
    build:
      context: app
      args: { GREETING: hello }
EOC
	run cc build
	assert_success
	run cc run --rm -T app
	assert_success
	assert_line "built with hello"
	assert_line from-the-context
	run cc image rm cc-dk-test/app:1
	assert_success
	# a failing step is the build's error, with the engine's words
	echo 'FROM busybox
RUN exit 3' >app/Dockerfile
	run cc build
	assert_failure
	# dockerd's builder and podman's (buildah) word it differently
	assert_output --regexp "(returned a non-zero code|exit status):? 3"
}

@test "push to and pull from a loopback registry" {
	command -v docker-registry >/dev/null || skip "docker-registry is not installed"
	local reg_port
	reg_port=$(free_port)
	mkdir -p "$BATS_TEST_TMPDIR/reg"
	cat >"$BATS_TEST_TMPDIR/reg/config.yml" <<EOC
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $BATS_TEST_TMPDIR/reg/data } }
http: { addr: 127.0.0.1:$reg_port }
EOC
	docker-registry serve "$BATS_TEST_TMPDIR/reg/config.yml" >"$BATS_TEST_TMPDIR/reg/log" 2>&1 &
	REG_PID=$!
	local i
	for i in $(seq 1 100); do
		python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$reg_port/v2/')" 2>/dev/null && break
		sleep 0.1
	done
	local ref="127.0.0.1:$reg_port/cc-dk-test/busybox:pushed"
	run cc image tag busybox "$ref"
	assert_success
	run cc image push "$ref"
	assert_success
	run cc image rm "$ref"
	assert_success
	run cc image pull "$ref"
	assert_success
	run cc image inspect "$ref"
	assert_success
	run cc image rm "$ref"
	assert_success
}
