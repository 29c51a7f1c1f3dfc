#!/usr/bin/env bats
# The REST contract (design/API.md), route by route, over the mock backend: status codes, field names, the
# error envelope and request ids.

load helpers

@test "every routed path is in openapi.yaml and every documented one is routed" {
	serve
	run api GET /openapi.yaml -D "$BATS_TEST_TMPDIR/h"
	assert_equal "$(code)" 200
	grep -qi '^content-type: application/yaml' "$BATS_TEST_TMPDIR/h"
	body >"$BATS_TEST_TMPDIR/openapi.yaml"
	"$CC" serve --routes >"$BATS_TEST_TMPDIR/routes"
	run "$PY" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["openapi"].startswith("3.1"), d["openapi"]
doc = {(m.upper(), p) for p, v in d["paths"].items() for m in v if m in ("get", "post", "put", "delete", "patch")}
routes = {tuple(l.split(" ", 1)) for l in open(sys.argv[2]).read().splitlines()}
print("undocumented:", sorted(routes - doc)); print("unrouted:", sorted(doc - routes))
sys.exit(0 if doc == routes else 1)' "$BATS_TEST_TMPDIR/openapi.yaml" "$BATS_TEST_TMPDIR/routes"
	assert_success
	[ "$(wc -l <"$BATS_TEST_TMPDIR/routes")" -ge 58 ]
}

@test "system routes: _ping, version, info, metrics" {
	serve
	run api GET /_ping -D "$BATS_TEST_TMPDIR/h"
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["ok"]')" true
	assert_equal "$(jget 'd["server"]')" container-compose
	grep -qi '^x-request-id: [0-9a-f]\{16\}' "$BATS_TEST_TMPDIR/h"
	run api GET /version
	assert_equal "$(jget 'd["apiVersion"]')" v1
	assert_equal "$(jget 'd["serverName"]')" container-compose
	assert_equal "$(jget 'd["runtimeBackend"]')" mock
	assert_equal "$(jget 'd["arch"]')" x86_64
	run api GET /info
	assert_equal "$(code)" 200
	for k in id name containerCount containersRunning containersPaused containersStopped serverVersion runtimeBackend uptimeNanoseconds; do
		[ "$(jget "'$k' in d")" = true ] || fail "info lacks $k"
	done
	run api GET /metrics -D "$BATS_TEST_TMPDIR/h"
	assert_equal "$(code)" 200
	grep -qi '^content-type: text/plain; version=0.0.4' "$BATS_TEST_TMPDIR/h"
	assert_output --partial "container_compose_uptime_seconds"
	assert_output --partial "container_compose_memory_rss_bytes"
	assert_output --partial "container_compose_registry_containers 0"
	assert_output --regexp 'container_compose_http_requests_total\{method="GET",route="/_ping",code="2xx"\} 1'
	assert_output --partial 'container_compose_http_request_duration_seconds_bucket{method="GET",route="/version",le="+Inf"} 1'
}

@test "unknown routes, wrong methods, malformed and oversized bodies get the envelope; the daemon stays up" {
	serve
	run api GET /nope
	assert_envelope 404 not_found
	run api PUT /_ping
	assert_envelope 405 method_not_allowed
	run api POST /containers/create -d '{"image": '
	assert_envelope 400 bad_request
	assert_output --partial "malformed JSON"
	run api POST /containers/create -d '[1,2]'
	assert_envelope 400 bad_request
	run api POST /containers/create -d ''
	assert_envelope 400 bad_request
	run api POST /containers/create -d '{"name":"x"}'
	assert_envelope 400 bad_request
	assert_output --partial "image"
	run api POST /containers/create -d '{"image":"busybox","cmd":"notalist"}'
	assert_envelope 400 bad_request
	assert_output --partial "cmd"
	head -c 70000 /dev/zero | tr '\0' 'a' >"$BATS_TEST_TMPDIR/big"
	run api POST /networks --data-binary @"$BATS_TEST_TMPDIR/big"
	assert_envelope 413 payload_too_large
	head -c 1100000 /dev/zero | tr '\0' 'a' >"$BATS_TEST_TMPDIR/huge"
	run api POST /containers/create --data-binary @"$BATS_TEST_TMPDIR/huge"
	assert_envelope 413 payload_too_large
	# a client that sends the whole body at once (no Expect: 100-continue) gets the answer too, every time,
	# not a connection reset (curl: 000)
	local i
	for i in 1 2 3 4 5 6; do
		run api POST /containers/create -H 'Expect:' --data-binary @"$BATS_TEST_TMPDIR/huge"
		assert_envelope 413 payload_too_large
	done
	# names that try to leave their place
	run api GET /containers/..%2F..%2Fetc%2Fpasswd
	assert_equal "$(code)" 404
	run api POST /volumes -d '{"name":"../../etc"}'
	assert_envelope 400 bad_request
	[ ! -e "$ROOT/../etc" ]
	run api POST /secrets -d '{"name":"a/b","value":"x"}'
	assert_envelope 400 bad_request
	run api POST /projects/..%2Fx --data-binary 'services: {}'
	assert_equal "$(code)" 404
	run api POST '/projects/BAD!' --data-binary 'services: {}'
	assert_envelope 400 bad_request
	run api GET /_ping
	assert_equal "$(code)" 200
	kill -0 "$DAEMON_PID"
}

@test "containers: create 201, start 204/409, stop, kill, pause, remove, wait, top, inspect" {
	serve
	run api POST '/containers/create?name=alias' -d '{"image":"busybox","name":"c1","cmd":["sh","-c","echo hi; sleep 1000"],"labels":{"a":"b"}}'
	assert_equal "$(code)" 201
	assert_equal "$(jget 'd["id"]')" c1
	assert_equal "$(jget 'd["warnings"]')" "[]"
	run api POST /containers/create -d '{"image":"busybox","name":"c1"}'
	assert_envelope 409 conflict
	run api POST /containers/c1/start
	assert_equal "$(code)" 204
	run api POST /containers/c1/start
	assert_envelope 409 conflict
	run api GET /containers/c1
	assert_equal "$(jget 'd["state"]["status"]')" running
	assert_equal "$(jget 'd["state"]["running"]')" true
	assert_equal "$(jget 'd["config"]["labels"]')" '{"a": "b"}'
	assert_equal "$(jget 'd["name"]')" c1
	# the contract's config: every field, what the container runs with; the creation spec is `spec`
	for k in hostname env cmd workingDir labels; do
		[ "$(jget "'$k' in d['config']")" = true ] || fail "config lacks $k"
	done
	assert_equal "$(jget 'd["config"]["hostname"]')" "$(jget 'd["engineId"][:12]')"
	assert_equal "$(jget 'd["spec"]["name"]')" c1
	run api GET '/containers?label=a=b'
	assert_equal "$(jget 'd[0]["names"]')" '["/c1"]'
	assert_equal "$(jget 'd[0]["state"]')" running
	assert_equal "$(jget 'd[0]["status"][:3]')" "Up "
	run api GET '/containers?label=a=c'
	assert_equal "$(jget 'len(d)')" 0
	run api GET '/containers?status=exited,bogus'
	assert_equal "$(jget 'len(d)')" 0
	run api GET /containers/c1/top
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["containerId"]')" c1
	[ "$(jget 'len(d["processes"])')" -ge 1 ]
	run api POST /containers/c1/pause
	assert_equal "$(code)" 204
	run api POST /containers/c1/pause
	assert_envelope 409 conflict
	run api POST /containers/c1/unpause
	assert_equal "$(code)" 204
	run api DELETE /containers/c1
	assert_envelope 409 conflict
	assert_output --partial "force=true"
	run api POST /containers/c1/kill -d '{"signal":"SIGTERM"}'
	assert_equal "$(code)" 204
	run api POST '/containers/c1/wait?timeout=5'
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["exitCode"]')" 143
	[ -n "$(jget 'd["exitedAt"]')" ]
	run api POST /containers/c1/stop
	assert_envelope 409 conflict
	run api POST /containers/c1/kill
	assert_envelope 409 conflict
	run api POST /containers/c1/restart
	assert_equal "$(code)" 204
	run api GET /containers/c1
	assert_equal "$(jget 'd["state"]["status"]')" running
	run api POST '/containers/c1/wait?timeout=0.2'
	assert_envelope 408 request_timeout
	assert_output --partial "did not exit within"
	run api POST /containers/c1/stop -d '{"timeoutSeconds":1}'
	assert_equal "$(code)" 204
	run api DELETE /containers/c1
	assert_equal "$(code)" 204
	run api GET /containers/c1
	assert_envelope 404 not_found
	assert_output --partial "No such container: c1"
	for r in "POST /containers/c1/start" "POST /containers/c1/stop" "DELETE /containers/c1" "GET /containers/c1/logs" "GET /containers/c1/stats" "GET /containers/c1/top"; do
		run api ${r}
		assert_envelope 404 not_found
	done
}

@test "exec streams output frames then the exit code; logs and stats frames" {
	serve
	api POST /containers/create -d '{"image":"busybox","name":"e1","cmd":["sh","-c","echo one; sleep 1000"]}' >/dev/null
	api POST /containers/e1/start >/dev/null
	run api POST /containers/e1/exec -d '{"command":["sh","-c","echo out; exit 3"]}' -D "$BATS_TEST_TMPDIR/h"
	assert_equal "$(code)" 200
	grep -qi '^content-type: application/x-ndjson' "$BATS_TEST_TMPDIR/h"
	grep -qi '^transfer-encoding: chunked' "$BATS_TEST_TMPDIR/h"
	run "$PY" -c '
import json,sys
lines=[json.loads(l) for l in sys.stdin.read().splitlines()[:-1] if l]
assert lines[-1]=={"exitCode":3}, lines
assert {"stream":"stdout","line":"out"}.items() <= lines[0].items(), lines' <<<"$(api POST /containers/e1/exec -d '{"command":["sh","-c","echo out; exit 3"]}')"
	assert_success
	run api POST /containers/e1/exec -d '{"command":[]}'
	assert_envelope 400 bad_request
	assert_output --partial "command"
	run api GET /containers/e1/logs
	assert_equal "$(code)" 200
	assert_equal "$(body | grep -c .)" 1
	assert_output --partial '"stream":"stdout"'
	assert_output --partial '"line":"one"'
	assert_output --partial '"timestamp":"'
	run api GET '/containers/e1/logs?timestamps=false'
	assert_equal "$(body | grep -c .)" 1
	refute_output --partial '"timestamp"'
	run api GET '/containers/e1/logs?stdout=false'
	assert_equal "$(body | grep -c .)" 0
	run api GET '/containers/e1/logs?tail=0'
	assert_equal "$(body | grep -c .)" 0
	run api GET '/containers/e1/logs?tail=x'
	assert_envelope 400 bad_request
	run api GET '/containers/e1/stats?stream=false' -D "$BATS_TEST_TMPDIR/h"
	assert_equal "$(code)" 200
	grep -qi '^content-type: application/json' "$BATS_TEST_TMPDIR/h"
	for k in id sampledAt cpuUsageMicroseconds memoryUsageBytes memoryLimitBytes oomKillCount pids networks; do
		[ "$(jget "'$k' in d")" = true ] || fail "stats lacks $k"
	done
	# container ids on the wire are names
	assert_equal "$(jget "d['id']")" e1
	# a stream's frames too
	run timeout 2 curl -s -N --unix-socket "$SOCK" 'http://localhost/containers/e1/stats?interval=0.5'
	assert_output --partial '"id":"e1"'
	# a stream's first frame comes at once, then one per interval
	run timeout 3 curl -s -N --unix-socket "$SOCK" 'http://localhost/containers/e1/stats?interval=0.5'
	[ "$(printf '%s\n' "$output" | grep -c sampledAt)" -ge 3 ]
}

@test "events: replay with since and until, filters, network events" {
	serve
	api POST /containers/create -d '{"image":"busybox","name":"v1","cmd":["true"]}' >/dev/null
	api POST /containers/v1/start >/dev/null
	api POST /networks -d '{"name":"n1"}' >/dev/null
	sleep 0.1
	run api GET "/events?since=2000-01-01T00:00:00Z&until=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)"
	assert_equal "$(code)" 200
	assert_output --partial '"type":"created","id":"v1"'
	assert_output --partial '"type":"started","id":"v1"'
	assert_output --partial '"type":"network.created"'
	# the contract's names are what the filter takes
	run api GET "/events?since=2000-01-01T00:00:00Z&until=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)&type=network.created"
	assert_equal "$(body | grep -c '"type":"network.created"')" 1
	refute_output --partial '"id":"v1"'
	run api GET "/events?since=2000-01-01T00:00:00Z&until=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)&type=started"
	assert_equal "$(body | grep -c .)" 1
	run api GET "/events?since=2000-01-01T00:00:00Z&until=$(date -u -d '+1 sec' +%Y-%m-%dT%H:%M:%SZ)&type=network"
	refute_output --partial '"id":"v1"'
	run api GET "/events?since=yesterday"
	assert_envelope 400 bad_request
}

@test "networks, volumes, secrets and configs: shapes and statuses" {
	serve
	run api POST /networks -d '{"name":"front","subnet":"10.201.0.0/24","labels":{"k":"v"}}'
	assert_equal "$(code)" 201
	assert_equal "$(jget 'd["name"]')" front
	run api POST /networks -d '{"name":"front"}'
	assert_envelope 409 conflict
	run api GET /networks
	assert_equal "$(jget '[n["driver"] for n in d if n["name"]=="front"][0]')" bridge
	assert_equal "$(jget '[n["subnet"] for n in d if n["name"]=="front"][0]')" 10.201.0.0/24
	api POST /containers/create -d '{"image":"busybox","name":"att","cmd":["sleep","100"],"networks":[{"name":"front","aliases":["w"]}]}' >/dev/null
	api POST /containers/att/start >/dev/null
	run api GET /networks/front
	[ "$(jget '"att" in d["containers"]')" = true ]
	# each member's MAC address, the one its inspect shows
	local mac
	mac=$(jget 'd["containers"]["att"]["macAddress"]')
	[[ "$mac" =~ ^02:42:0a:c9:00:[0-9a-f]{2}$ ]]
	run api GET /containers/att
	assert_equal "$(jget 'd["networkSettings"]["networks"]["front"]["macAddress"]')" "$mac"
	run api DELETE /networks/front
	assert_envelope 409 conflict
	run api DELETE /networks/none-such
	assert_envelope 404 not_found
	# a dual-stack network: its IPv6 pool, and a member's IPv6 address beside its IPv4 one
	run api POST /networks -d '{"name":"dual","enableIpv6":true,"subnet6":"fd0d:1::/64"}'
	assert_equal "$(code)" 201
	api POST /containers/create -d '{"image":"busybox","name":"att6","cmd":["sleep","100"],"networks":[{"name":"dual","ipv6Address":"fd0d:1::9"}]}' >/dev/null
	api POST /containers/att6/start >/dev/null
	run api GET /networks/dual
	assert_equal "$(jget '[d["enableIpv6"], d["subnet6"], d["gateway6"]]')" '[true, "fd0d:1::/64", "fd0d:1::1"]'
	assert_equal "$(jget 'd["containers"]["att6"]["ipv6Address"]')" fd0d:1::9
	run api GET /containers/att6
	assert_equal "$(jget 'd["networkSettings"]["networks"]["dual"]["ipv6Address"]')" fd0d:1::9
	run api POST /networks -d '{"name":"odd","subnet6":"fd0d:2::/64"}'
	assert_envelope 400 bad_request
	assert_output --partial enable_ipv6
	run api GET /networks/odd
	assert_envelope 404 not_found
	run api POST /volumes -d '{"name":"data","labels":{"x":"y"},"driverOpts":{"type":"tmpfs","device":"tmpfs"}}'
	assert_equal "$(code)" 201
	assert_equal "$(jget 'd["name"]')" data
	assert_equal "$(jget 'd["driver"]')" local
	run api GET /volumes
	assert_equal "$(jget '[v["name"] for v in d["volumes"]]')" '["data"]'
	run api POST /volumes -d '{"name":"data"}'
	assert_envelope 409 conflict
	run api DELETE /volumes/data
	assert_equal "$(code)" 204
	run api DELETE /volumes/data
	assert_envelope 404 not_found
	run api POST /secrets -d '{"name":"pw","value":"s3cret-value","labels":{"l":"1"}}'
	assert_equal "$(code)" 201
	refute_output --partial s3cret
	assert_equal "$(jget 'd')" '{"name": "pw"}'
	run api GET /secrets
	refute_output --partial s3cret
	assert_equal "$(jget '[s["name"] for s in d]')" '["pw"]'
	# nor a digest of it, which would confirm a guessed value offline
	refute_output --partial "$(printf s3cret-value | sha256sum | cut -c1-64)"
	assert_equal "$(jget '"digest" in d[0]')" false
	run api POST /secrets -d '{"name":"pw","value":"x"}'
	assert_envelope 409 conflict
	run api POST /secrets -d '{"name":"nov"}'
	assert_envelope 400 bad_request
	run api POST /configs -d '{"name":"cfg","value":"hello"}'
	assert_equal "$(code)" 201
	run api GET /configs
	assert_equal "$(jget '[s["name"] for s in d]')" '["cfg"]'
	run api DELETE /configs/cfg
	assert_equal "$(code)" 204
	# a new value for it (extension): 204; an unknown name 404; no value 400
	run api PUT /secrets/pw -d '{"value":"an0ther"}'
	assert_equal "$(code)" 204
	run api GET /secrets
	assert_equal "$(jget '[s["size"] for s in d if s["name"]=="pw"][0]')" 7
	run api PUT /secrets/none-such -d '{"value":"x"}'
	assert_envelope 404 not_found
	run api PUT /secrets/pw -d '{}'
	assert_envelope 400 bad_request
	run api DELETE /secrets/pw
	assert_equal "$(code)" 204
	# nothing of the value anywhere under the root but the value file itself
	run grep -rl s3cret-value "$ROOT" --exclude-dir=secrets
	assert_output ""
}

@test "images: list, inspect, pull progress stream, delete" {
	serve
	run api GET /images
	assert_equal "$(code)" 200
	run api POST /images/pull -d '{"image":"alpine:3"}'
	assert_equal "$(code)" 200
	assert_output --partial '"status":"done"'
	run api GET /images/alpine:3
	assert_equal "$(code)" 200
	run api GET /images/docker.io%2Flibrary%2Falpine:3
	assert_equal "$(code)" 200
	run api DELETE /images/alpine:3
	assert_equal "$(code)" 204
	run api POST /images/pull -d '{}'
	assert_envelope 400 bad_request
}

@test "containers: autoRemove with a restart policy is a 400 that names the conflict; alone it is accepted" {
	serve
	run api POST /containers/create -d '{"image":"busybox","name":"ar","autoRemove":true,"restartPolicy":{"name":"always"}}'
	assert_envelope 400 bad_request
	assert_output --partial "autoRemove and a restart policy conflict"
	run api GET /containers/ar
	assert_envelope 404 not_found
	run api POST /containers/create -d '{"image":"busybox","name":"ar","autoRemove":true,"cmd":["true"]}'
	assert_equal "$(code)" 201
	run api GET /containers/ar
	assert_equal "$(jget 'd["spec"]["autoRemove"]')" true
	# once it has run and exited, the engine removes it
	run api POST /containers/ar/start
	assert_equal "$(code)" 204
	local i
	for i in $(seq 1 100); do
		[ "$(api GET /containers/ar | tail -n 1)" = 404 ] && break
		sleep 0.1
	done
	run api GET /containers/ar
	assert_envelope 404 not_found
}
