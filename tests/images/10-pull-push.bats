#!/usr/bin/env bats
# The native image store against a real registry on loopback: pull, push, tags, removal, and refusals.

load helpers

setup_file() {
	start_registry
	push_layout multi test/multi:v1
	push_layout index test/index:v1
	push_layout escape test/escape:v1
	push_layout multi test/corrupt:v1
}

teardown_file() {
	stop_registry
}

@test "pull by tag records the image with its tag, digest and configuration" {
	run cc image pull "$REG/test/multi:v1"
	assert_success
	assert_output --partial "Digest: $(remote_digest test/multi:v1)"
	run cc image ls --format json
	assert_success
	assert_output --partial "\"$REG/test/multi:v1\""
	# a template sees docker's fields, a row per tag
	cc image tag "$REG/test/multi:v1" "$REG/test/multi:other"
	run cc image ls --format '{{.Repository}}:{{.Tag}} {{len .ID}}'
	assert_success
	assert_line "$REG/test/multi:v1 12"
	assert_line "$REG/test/multi:other 12"
	run cc image ls --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}'
	assert_line --index 0 --regexp '^REPOSITORY +TAG +IMAGE ID$'
	cc image rm "$REG/test/multi:other"
	run cc image inspect "$REG/test/multi:v1"
	assert_success
	assert_output --partial '"workingDir": "/"'
	assert_output --partial "\"$REG/test/multi@$(remote_digest test/multi:v1)\""
	assert_output --partial '"8080/tcp"'
}

@test "layers are unpacked once per chain id, whiteouts and opaque directories in overlayfs form" {
	cc image pull "$REG/test/multi:v1"
	local layers=("$ROOT"/images/layers/*)
	[ "${#layers[@]}" -eq 3 ]
	local found_whiteout=0 found_opaque=0
	for l in "${layers[@]}"; do
		if [ -c "$l/data/gone" ]; then
			[ "$(stat -c '%t:%T' "$l/data/gone")" = "0:0" ] && found_whiteout=1
		fi
		if [ -f "$l/opt/old/new" ]; then
			[ "$(getfattr --only-values -n trusted.overlay.opaque "$l/opt/old" 2>/dev/null)" = y ] && found_opaque=1
		fi
		[ -e "$l/bin/busybox" ] && [ -L "$l/bin/sh" ]
	done
	[ "$found_whiteout" = 1 ]
	[ "$found_opaque" = 1 ]
	# a second name for the same image shares every layer
	cc image pull "$REG/test/corrupt:v1"
	local again=("$ROOT"/images/layers/*)
	[ "${#again[@]}" -eq 3 ]
}

@test "pull by digest" {
	local d
	d=$(remote_digest test/multi:v1)
	run cc image pull "$REG/test/multi@$d"
	assert_success
	run cc image inspect "$REG/test/multi@$d"
	assert_success
}

@test "an index resolves to linux/amd64 by default, another platform on request, an absent one is an error" {
	run cc image pull "$REG/test/index:v1"
	assert_success
	run cc image inspect "$REG/test/index:v1"
	assert_output --partial '"/bin/sh"'
	refute_output --partial 'echo arm64'
	run cc image pull --platform linux/arm64/v8 "$REG/test/index:v1"
	assert_success
	run cc image inspect "$REG/test/index:v1"
	assert_output --partial 'echo arm64'
	run cc image pull --platform linux/s390x "$REG/test/index:v1"
	assert_failure
	assert_output --partial "linux/amd64"
	assert_output --partial "linux/arm64/v8"
}

@test "push to a new repository: the registry's digest is the local manifest digest" {
	cc image pull "$REG/test/multi:v1"
	run cc image tag "$REG/test/multi:v1" "$REG/pushed/copy:v2"
	assert_success
	run cc image push "$REG/pushed/copy:v2"
	assert_success
	[ "$(remote_digest pushed/copy:v2)" = "$(remote_digest test/multi:v1)" ]
	run skopeo inspect --tls-verify=false "docker://$REG/pushed/copy:v2"
	assert_success
	# and what we pushed pulls back into an empty store
	ROOT="$BATS_TEST_TMPDIR/other" run cc image pull "$REG/pushed/copy:v2"
	assert_success
}

@test "a corrupted blob in the registry fails the pull and leaves nothing behind" {
	local layer
	layer=$(skopeo inspect --tls-verify=false "docker://$REG/test/corrupt:v1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["Layers"][1])')
	local data="$REG_DIR/data/docker/registry/v2/blobs/sha256/${layer:7:2}/${layer:7}/data"
	cp "$data" "$BATS_TEST_TMPDIR/saved"
	printf 'corrupted' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
	run cc image pull "$REG/test/corrupt:v1"
	cp "$BATS_TEST_TMPDIR/saved" "$data"
	assert_failure
	assert_output --partial "digest mismatch"
	run cc image ls -q
	assert_output ""
	[ ! -e "$ROOT/images/blobs/sha256/${layer:7}" ]
}

@test "a layer with a member escaping its root is refused, and nothing is written outside the store" {
	run cc image pull "$REG/test/escape:v1"
	assert_failure
	assert_output --partial "escapes"
	[ ! -e "$ROOT/images/escaped" ]
	[ ! -e "$ROOT/images/layers/escaped" ]
	run cc image ls -q
	assert_output ""
}

@test "tags and removal: untag while other tags remain, then the image and its unshared blobs go" {
	cc image pull "$REG/test/multi:v1"
	cc image tag "$REG/test/multi:v1" other:tag
	run cc image rm other:tag
	assert_success
	run cc image ls --format json
	assert_output --partial "$REG/test/multi:v1"
	refute_output --partial "other:tag"
	run cc image rm "$REG/test/multi:v1"
	assert_success
	run cc image ls -q
	assert_output ""
	[ -z "$(ls "$ROOT/images/layers")" ]
	[ -z "$(ls "$ROOT/images/blobs/sha256")" ]
	run cc image rm nosuch:image
	assert_failure
	assert_output --partial "No such image"
}

@test "a missing image and an unreachable registry are clear errors" {
	run cc image pull "$REG/test/nothere:v1"
	assert_failure
	assert_output --partial "manifest unknown"
	run cc image pull "127.0.0.1:1/test/multi:v1"
	assert_failure
	assert_output --partial "127.0.0.1:1"
}

@test "a pull resumes a partial download, and starts over when the partial bytes are wrong" {
	local layer
	layer=$(skopeo inspect --tls-verify=false "docker://$REG/test/multi:v1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["Layers"][0])')
	local data="$REG_DIR/data/docker/registry/v2/blobs/sha256/${layer:7:2}/${layer:7}/data"
	mkdir -p "$ROOT/images/tmp"
	head -c 1000 "$data" >"$ROOT/images/tmp/${layer:7}.partial"
	run cc image pull "$REG/test/multi:v1"
	assert_success
	cmp "$data" "$ROOT/images/blobs/sha256/${layer:7}"
	[ ! -e "$ROOT/images/tmp/${layer:7}.partial" ]
	# wrong bytes where a partial download should be: detected, discarded, fetched again
	ROOT="$BATS_TEST_TMPDIR/second"
	mkdir -p "$ROOT/images/tmp"
	head -c 1000 /dev/urandom >"$ROOT/images/tmp/${layer:7}.partial"
	run cc image pull "$REG/test/multi:v1"
	assert_success
	cmp "$data" "$ROOT/images/blobs/sha256/${layer:7}"
}

@test "concurrent pulls of one image into one store both succeed and share the layers" {
	cc image pull "$REG/test/multi:v1" >"$BATS_TEST_TMPDIR/a.log" 2>&1 &
	local a=$!
	cc image pull "$REG/test/multi:v1" >"$BATS_TEST_TMPDIR/b.log" 2>&1 &
	local b=$!
	wait "$a"
	wait "$b"
	local layers=("$ROOT"/images/layers/*)
	[ "${#layers[@]}" -eq 3 ]
	run cc image ls -q
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$(ls "$ROOT/images/tmp")" ]
}

@test "skopeo copies what we pushed" {
	cc image pull "$REG/test/multi:v1"
	cc image tag "$REG/test/multi:v1" "$REG/pushed/again:v3"
	cc image push "$REG/pushed/again:v3"
	run skopeo copy --quiet --src-tls-verify=false "docker://$REG/pushed/again:v3" "oci:$BATS_TEST_TMPDIR/copied:v3"
	assert_success
}

@test "progress: bars redrawn in place on a terminal, a line per step otherwise" {
	run "$CC" --root "$ROOT" --backend native --progress tty image pull "$REG/test/multi:v1"
	assert_success
	assert_output --partial $'\033[2K'
	assert_output --partial "Pull complete"
	ROOT="$BATS_TEST_TMPDIR/plain" run "$CC" --root "$BATS_TEST_TMPDIR/plain" --backend native --progress plain image pull "$REG/test/multi:v1"
	assert_success
	refute_output --partial $'\033['
	assert_output --partial ": Pull complete"
	assert_output --partial "Pulling $REG/test/multi:v1"
}

@test "a build FROM a registry image pulls its base, and the built image pushes and pulls back whole" {
	if [ "$(id -u)" != 0 ] || ! command -v runc >/dev/null; then skip "building needs root and runc"; fi
	mkdir ctx
	printf 'FROM %s/test/multi:v1\nRUN echo built-layer > /built.txt\nLABEL built=yes\n' "$REG" >ctx/Dockerfile
	run cc image build --pull -t "$REG/test/built:v1" ctx
	assert_success
	assert_output --partial "pulling $REG/test/multi:v1"
	assert_output --partial "Successfully tagged $REG/test/built:v1"
	run cc image push "$REG/test/built:v1"
	assert_success
	# the registry's copy, read by skopeo: four layers (three of the base, one built) and the label
	run skopeo inspect --tls-verify=false "docker://$REG/test/built:v1"
	assert_success
	assert_output --partial '"built": "yes"'
	[ "$(skopeo inspect --tls-verify=false "docker://$REG/test/built:v1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Layers"]))')" = 4 ]
	# into an empty store, and run
	ROOT="$BATS_TEST_TMPDIR/root2"
	run cc image pull "$REG/test/built:v1"
	assert_success
	mkdir proj && cd proj
	printf 'services:\n  b:\n    image: %s/test/built:v1\n    command: ["cat", "/built.txt"]\n' "$REG" >compose.yaml
	cc up -d >/dev/null
	cc wait b >/dev/null || true
	run cc logs --no-log-prefix b
	assert_output built-layer
}
