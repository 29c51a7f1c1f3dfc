#!/usr/bin/env bats
# image load and save, against what skopeo reads and writes.

load helpers

setup_file() {
	start_registry
	push_layout multi test/multi:v1
}

teardown_file() {
	stop_registry
}

@test "save as OCI and as docker-archive: skopeo reads both, with our digests" {
	cc image pull "$REG/test/multi:v1"
	run cc image save --format oci -o "$BATS_TEST_TMPDIR/img.oci.tar" "$REG/test/multi:v1"
	assert_success
	run skopeo inspect --raw "oci-archive:$BATS_TEST_TMPDIR/img.oci.tar"
	assert_success
	[ "$(printf '%s' "$output" | sha256sum | awk '{print "sha256:" $1}')" = "$(remote_digest test/multi:v1)" ]
	run cc image save -o "$BATS_TEST_TMPDIR/img.docker.tar" "$REG/test/multi:v1"
	assert_success
	run skopeo inspect "docker-archive:$BATS_TEST_TMPDIR/img.docker.tar"
	assert_success
	assert_output --partial '"test": "mkimage"'
}

@test "load what we saved, both formats, into an empty store: same image id" {
	cc image pull "$REG/test/multi:v1"
	local id
	id=$(cc image ls -q --no-trunc)
	cc image save --format oci -o "$BATS_TEST_TMPDIR/a.tar" "$REG/test/multi:v1"
	cc image save -o "$BATS_TEST_TMPDIR/b.tar" "$REG/test/multi:v1"
	ROOT="$BATS_TEST_TMPDIR/r1" run cc image load -i "$BATS_TEST_TMPDIR/a.tar"
	assert_success
	assert_output "Loaded image: $REG/test/multi:v1"
	ROOT="$BATS_TEST_TMPDIR/r1" run cc image ls -q --no-trunc
	assert_output "$id"
	ROOT="$BATS_TEST_TMPDIR/r2" run cc image load -i "$BATS_TEST_TMPDIR/b.tar"
	assert_success
	assert_output --partial "test/multi:v1"
	ROOT="$BATS_TEST_TMPDIR/r2" run cc image ls -q --no-trunc
	assert_output "$id"
}

@test "load what skopeo wrote: docker-archive and oci-archive" {
	skopeo copy --quiet --src-tls-verify=false "docker://$REG/test/multi:v1" "docker-archive:$BATS_TEST_TMPDIR/s.tar:example/app:1"
	run cc image load -i "$BATS_TEST_TMPDIR/s.tar"
	assert_success
	assert_output "Loaded image: example/app:1"
	run cc image inspect example/app:1
	assert_success
	skopeo copy --quiet --src-tls-verify=false "docker://$REG/test/multi:v1" "oci-archive:$BATS_TEST_TMPDIR/o.tar:example/oci:2"
	run cc image load -i "$BATS_TEST_TMPDIR/o.tar"
	assert_success
	# and a loaded image pushes: the registry ends with the same image
	run cc image push example/app:1
	assert_failure # example/app is docker.io: no network here, and that is reported, not hidden
	cc image tag example/app:1 "$REG/loaded/app:1"
	run cc image push "$REG/loaded/app:1"
	assert_success
	run skopeo inspect --tls-verify=false "docker://$REG/loaded/app:1"
	assert_success
}

@test "a file that is no image archive is refused with what was expected" {
	echo "not a tar" >"$BATS_TEST_TMPDIR/x.tar"
	run cc image load -i "$BATS_TEST_TMPDIR/x.tar"
	assert_failure
	tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/empty.tar" x.tar
	run cc image load -i "$BATS_TEST_TMPDIR/empty.tar"
	assert_failure
	assert_output --partial "neither an OCI layout"
}
