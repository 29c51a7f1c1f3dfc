#!/usr/bin/env bats
# Project routes: compose YAML ingested through the API, then the real orchestrator behind up, down,
# restart, scale, logs and pull.

load helpers

YAML='services:
  web:
    image: busybox
    command: sh -c "echo web says hi; sleep 1000"
    depends_on: [db]
  db:
    image: busybox
    command: sh -c "echo db ready; sleep 1000"
'

@test "ingest: 201 created, 200 unchanged, 409 differs, 200 updated with replace; 415, 400 with a position" {
	serve
	run api POST /projects/shop --data-binary "$YAML" -H 'Content-Type: application/yaml'
	assert_equal "$(code)" 201
	assert_equal "$(jget 'd["outcome"]')" created
	assert_equal "$(jget 'd["services"]')" '["db", "web"]'
	assert_equal "$(jget 'd["serviceCount"]')" 2
	run api POST /projects/shop --data-binary "$YAML"
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["outcome"]')" unchanged
	run api POST /projects/shop --data-binary "${YAML}  cache: {image: busybox}"
	assert_envelope 409 conflict
	assert_output --partial replace=true
	run api POST '/projects/shop?replace=true' --data-binary "${YAML}  cache: {image: busybox}"
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["outcome"]')" updated
	assert_equal "$(jget 'd["serviceCount"]')" 3
	run api POST /projects/other --data-binary "$YAML" -H 'Content-Type: application/json'
	assert_envelope 415 unsupported_media_type
	run api POST /projects/other --data-binary ''
	assert_envelope 400 bad_request
	run api POST /projects/other --data-binary $'services:\n  web:\n    image: busybox\n    ports: "nope"\n'
	assert_envelope 400 bad_request
	assert_output --partial "compose.yaml:4"
	run api POST /projects/other --data-binary $'services:\n  web: [\n'
	assert_envelope 400 bad_request
	assert_output --partial "compose.yaml:"
	# nothing was kept of the refused ones
	run api GET /projects/other
	assert_envelope 404 not_found
	assert_output --partial "No such project: other"
	run api GET /projects/shop
	assert_equal "$(jget 'd["source"]')" ingested
	assert_equal "$(jget 'd["services"]')" '["cache", "db", "web"]'
	[ -n "$(jget 'd["ingestedAt"]')" ]
	run api DELETE /projects/shop
	assert_equal "$(code)" 204
	run api DELETE /projects/shop
	assert_envelope 404 not_found
}

@test "up, services, logs, scale, restart, down run the orchestrator on the ingested model" {
	serve
	api POST /projects/shop --data-binary "$YAML" >/dev/null
	run api POST /projects/shop/up -d '{}'
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["project"]')" shop
	assert_equal "$(jget 'sorted(s["containerId"] for s in d["services"])')" '["shop-db-1", "shop-web-1"]'
	assert_equal "$(jget 'sorted(set(s["status"] for s in d["services"]))')" '["running"]'
	run api GET /projects/shop/services
	assert_equal "$(jget 'sorted((s["name"], s["container"], s["state"]) for s in d)')" '[["db", "shop-db-1", "running"], ["web", "shop-web-1", "running"]]'
	run api GET /projects
	assert_equal "$(jget '[(p["name"], p["serviceCount"], p["runningCount"]) for p in d]')" '[["shop", 2, 2]]'
	run api GET '/projects/shop/logs?timestamps=false'
	assert_equal "$(code)" 200
	assert_output --partial '"line":"db ready"'
	assert_output --partial '"service":"web"'
	assert_output --partial '"container":"shop-web-1"'
	run api POST /projects/shop/services/web/scale -d '{"replicas":3}'
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["containers"]')" '["shop-web-1", "shop-web-2", "shop-web-3"]'
	run api POST /projects/shop/services/web/scale -d '{"replicas":-1}'
	assert_envelope 400 bad_request
	assert_output --partial replicas
	run api POST /projects/shop/services/web/scale -d '{}'
	assert_envelope 400 bad_request
	run api POST /projects/shop/services/nope/scale -d '{"replicas":1}'
	assert_envelope 404 not_found
	run api POST /projects/shop/restart -d '{"services":["db"]}'
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["restarted"]')" '["shop-db-1"]'
	run api POST /projects/shop/down -d '{"removeVolumes":true}'
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["removed"]')" '["shop-db-1", "shop-web-1", "shop-web-2", "shop-web-3"]'
	assert_equal "$(jget 'd["networksRemoved"]')" '["shop_default"]'
	run api GET /containers
	assert_equal "$(jget 'len(d)')" 0
	for r in up down restart; do
		run api POST /projects/none/$r -d '{}'
		assert_envelope 404 not_found
	done
	run api GET /projects/none/logs
	assert_envelope 404 not_found
}

@test "a project the CLI brought up is synthesized from its containers" {
	serve
	write_project <<<"$YAML"
	(cd "$BATS_TEST_TMPDIR/proj" && "$CC" --root "$ROOT" --backend mock --progress quiet up -d)
	run api GET /projects/proj
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["source"]')" synthesized
	assert_equal "$(jget 'd["services"]')" '["db", "web"]'
	# the routes that need its model read the compose files its containers name, as the CLI did
	run api POST /projects/proj/restart -d '{"services":["db"]}'
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["restarted"]')" '["proj-db-1"]'
	run api POST /projects/proj/services/web/scale -d '{"replicas":2}'
	assert_equal "$(code)" 200
	run api GET /containers
	assert_output --partial '"proj-web-2"'
	run api POST /projects/proj/down -d '{}'
	assert_equal "$(code)" 200
	assert_equal "$(jget 'd["removed"]')" '["proj-db-1", "proj-web-1", "proj-web-2"]'
	# with its files gone, what it needs is named
	(cd "$BATS_TEST_TMPDIR/proj" && "$CC" --root "$ROOT" --backend mock --progress quiet up -d)
	mv "$BATS_TEST_TMPDIR/proj/compose.yaml" "$BATS_TEST_TMPDIR/proj/elsewhere.yaml"
	run api POST /projects/proj/restart -d '{}'
	assert_output --partial "compose.yaml"
	[ "$(code)" -ge 400 ]
}

@test "pull streams one frame per step per service, real pulls" {
	serve
	api POST /projects/shop --data-binary "$YAML" >/dev/null
	run api POST /projects/shop/pull -D "$BATS_TEST_TMPDIR/h"
	assert_equal "$(code)" 200
	grep -qi '^content-type: application/x-ndjson' "$BATS_TEST_TMPDIR/h"
	assert_output --partial '"service":"db","image":"busybox"'
	assert_output --partial '"type":"pulling"'
	assert_output --partial '"type":"done"'
	run api POST /projects/shop/build
	assert_equal "$(code)" 200
	run api POST /projects/none/pull
	assert_envelope 404 not_found
}

@test "project log followers: history, live lines with their service, the end with the containers; shared threads" {
	serve
	api POST /projects/shop --data-binary "$YAML" >/dev/null
	api POST /projects/shop/up -d '{}' >/dev/null
	local before i pids=()
	before=$(daemon_threads)
	for i in 1 2 3 4; do
		curl -s -N --unix-socket "$SOCK" 'http://localhost/projects/shop/logs?follow=true&timestamps=false' \
			>"$BATS_TEST_TMPDIR/follow-$i.ndjson" &
		pids+=($!)
	done
	for i in $(seq 1 100); do
		[ "$(grep -c '' "$BATS_TEST_TMPDIR/follow-4.ndjson")" -ge 2 ] && break
		sleep 0.05
	done
	sleep 0.3
	# four followers of two containers: the log hub's two threads between them, not one per client
	assert_equal "$(daemon_threads)" $((before + 2))
	# a restart writes db's line again: every follower gets it live, with its service
	api POST /containers/shop-db-1/restart >/dev/null
	for i in $(seq 1 100); do
		[ "$(grep -c 'db ready' "$BATS_TEST_TMPDIR/follow-4.ndjson")" -ge 2 ] && break
		sleep 0.05
	done
	run api POST /projects/shop/down -d '{}'
	assert_equal "$(code)" 200
	# the streams end with the containers' output
	wait "${pids[@]}"
	for i in 1 2 3 4; do
		assert_equal "$(grep -c '"line":"web says hi","container":"shop-web-1".*"service":"web"' "$BATS_TEST_TMPDIR/follow-$i.ndjson")" 1
		assert_equal "$(grep -c '"line":"db ready".*"service":"db"' "$BATS_TEST_TMPDIR/follow-$i.ndjson")" 2
	done
	assert_threads_back_to "$before"
	# followers that hang up are let go, and the hub's threads with them
	api POST /projects/shop/up -d '{}' >/dev/null
	before=$(daemon_threads)
	pids=()
	for i in 1 2; do
		curl -s -N --unix-socket "$SOCK" 'http://localhost/projects/shop/logs?follow=true' >/dev/null &
		pids+=($!)
	done
	for i in $(seq 1 100); do
		[ "$(daemon_threads)" -gt "$before" ] && break
		sleep 0.05
	done
	kill "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
	assert_threads_back_to "$before"
}
