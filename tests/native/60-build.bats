#!/usr/bin/env bats
# The native Dockerfile builder: real builds from the local busybox image (tests/images/mkimage.py "multi"),
# RUN steps under runc, the layer cache, .dockerignore, errors, and images that `up` runs.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers

setup_file() { native_setup_file; }
setup() { native_setup; }
teardown() { native_teardown; }

build() { "$CC" --backend native image build "$@"; }
# the text of a file in an image
cat_in() { "$CC" --backend native run --rm "$1" cat "$2"; }

# a compose project whose one service runs IMAGE
use_image() {
	printf 'services:\n  t:\n    image: %s\n    command: ["sleep", "60"]\n' "$1" >compose.yaml
}

@test "multi-stage build: ARG and ENV expansion, WORKDIR, COPY --from, USER, CMD; up runs the image" {
	mkdir -p ctx/src && echo "payload" >ctx/src/data.txt
	cat >ctx/Dockerfile <<'EOF'
ARG BASE=busybox
FROM ${BASE}:latest AS builder
ARG GREETING=hello
ENV DEST=/work OTHER="two words"
WORKDIR $DEST/sub
COPY src/ ./in/
RUN echo "$GREETING from $(pwd) with $OTHER" > out.txt && cat in/data.txt >> out.txt

FROM busybox
COPY --from=builder /work/sub/out.txt /result/
WORKDIR /result
USER 1000:1000
CMD ["sh", "-c", "cat out.txt; id -u; pwd"]
EOF
	run build -t built:multi --build-arg GREETING=bonjour ctx
	assert_success
	assert_output --partial "Successfully tagged built:multi"
	printf 'services:\n  app:\n    image: built:multi\n' >compose.yaml
	run output_of app
	assert_success
	assert_line "bonjour from /work/sub with two words"
	assert_line "payload"
	assert_line "1000"
	assert_line "/result"
	# the intermediate stage's files are not in the final image
	run "$CC" --backend native run --rm app ls /work
	assert_failure
}

@test "the image's STOPSIGNAL stops a service that sets no stop_signal; the service's own wins" {
	mkdir -p ctx
	cat >ctx/Dockerfile <<'EOF'
FROM busybox
STOPSIGNAL SIGUSR1
CMD ["sh", "-c", "trap 'exit 7' USR1; trap 'exit 8' INT; trap '' TERM; while :; do sleep 0.1; done"]
EOF
	run build -t built:stopsig ctx
	assert_success
	cat >compose.yaml <<'EOC'
services:
  img:
    image: built:stopsig
    network_mode: none
  own:
    image: built:stopsig
    network_mode: none
    stop_signal: SIGINT
EOC
	"$CC" --backend native up -d
	run "$CC" --backend native stop -t 10 img own
	assert_success
	run states
	assert_line "proj-img-1 exited 7"
	assert_line "proj-own-1 exited 8"
}

@test "a failing RUN reports its output and exit code, and leaves nothing mounted or behind" {
	mkdir ctx
	printf 'FROM busybox\nRUN echo before-failing && echo on-stderr >&2 && exit 7\n' >ctx/Dockerfile
	run build -t built:fail ctx
	assert_failure
	assert_output --partial "before-failing"
	assert_output --partial "on-stderr"
	assert_output --partial "Dockerfile:2: RUN echo before-failing"
	assert_output --partial "exit code: 7"
	run "$CC" --backend native image inspect built:fail
	assert_failure
	run bash -c "mount | grep -c '$CONTAINER_COMPOSE_ROOT' || true"
	assert_output 0
	run ls "$CONTAINER_COMPOSE_ROOT/images/tmp"
	assert_output ""
}

@test "a syntax error names the file and line, and builds nothing" {
	mkdir ctx
	printf 'FROM busybox\nRUN true\n\nFROOM nothing\n' >ctx/Dockerfile
	run build -t built:syntax ctx
	assert_failure
	assert_output --partial "Dockerfile:4: unknown instruction: FROOM"
	refute_output --partial "RUN true"
	printf 'FROM busybox\nCOPY missing.txt /\n' >ctx/Dockerfile
	run build ctx
	assert_failure
	assert_output --partial "Dockerfile:2: COPY missing.txt /"
	assert_output --partial "missing.txt"
}

@test "the cache: an unchanged rebuild hits every step and gives the same image; a changed file rebuilds from its COPY" {
	mkdir ctx
	echo one >ctx/a.txt
	echo two >ctx/b.txt
	cat >ctx/Dockerfile <<'EOF'
FROM busybox
RUN echo first-run > /first
COPY a.txt /a.txt
RUN cat /a.txt > /copy-of-a
COPY b.txt /b.txt
EOF
	run build -q -t built:cache ctx
	assert_success
	first="$output"
	run build -t built:cache ctx
	assert_success
	[ "$(grep -c CACHED <<<"$output")" -eq 4 ]
	refute_line "  first-run"
	run build -q -t built:cache ctx
	assert_output "$first"
	# one file changes: the steps before its COPY are cached, it and what follows run again
	echo changed >ctx/a.txt
	run build -t built:cache ctx
	assert_success
	[ "$(grep -c CACHED <<<"$output")" -eq 1 ]
	use_image built:cache
	"$CC" --backend native up -d
	run "$CC" --backend native exec t cat /copy-of-a /first
	assert_output "changed
first-run"
	# --no-cache runs everything again
	run build --no-cache -t built:cache ctx
	refute_output --partial CACHED
}

@test ".dockerignore keeps files out of the context; Dockerfile.dockerignore takes precedence" {
	mkdir -p ctx/keep ctx/secret
	echo k >ctx/keep/k.txt
	echo s >ctx/secret/s.txt
	echo x >ctx/notes.md
	echo r >ctx/README.md
	printf 'secret\n*.md\n!README.md\n' >ctx/.dockerignore
	printf 'FROM busybox\nCOPY . /ctx/\nCMD ["sleep", "60"]\n' >ctx/Dockerfile
	run build -t built:ignore ctx
	assert_success
	use_image built:ignore
	"$CC" --backend native up -d
	run "$CC" --backend native exec t sh -c "find /ctx -type f"
	assert_line /ctx/keep/k.txt
	assert_line /ctx/README.md
	refute_line --partial secret
	refute_line /ctx/notes.md
	# a Dockerfile-specific ignore file replaces .dockerignore
	printf 'FROM busybox\nCOPY . /ctx/\nCMD ["sleep", "60"]\n' >ctx/Other.Dockerfile
	printf 'keep\n' >ctx/Other.Dockerfile.dockerignore
	run build -f Other.Dockerfile -t built:ignore2 ctx
	assert_success
	"$CC" --backend native down -t 0
	use_image built:ignore2
	"$CC" --backend native up -d
	run "$CC" --backend native exec t sh -c "find /ctx -type f"
	assert_line /ctx/secret/s.txt
	refute_line /ctx/keep/k.txt
}

@test "COPY --chown/--chmod, heredocs, ADD of a local tar, and a whiteout of a base file" {
	mkdir ctx
	echo data >ctx/f.txt
	mkdir -p tarsrc/inner && echo in-tar >tarsrc/inner/t.txt
	tar -C tarsrc -czf ctx/archive.tar.gz inner
	cat >ctx/Dockerfile <<'DOCKERFILE'
FROM busybox
ARG WHO=world
COPY --chown=1234:5678 --chmod=0600 f.txt /owned/f.txt
COPY <<EOF /etc/greeting
hello $WHO
EOF
RUN <<EOS
set -e
echo from-heredoc > /heredoc.txt
rm /data/keep
EOS
ADD archive.tar.gz /unpacked/
CMD ["sleep", "60"]
DOCKERFILE
	run build -t built:misc ctx
	assert_success
	use_image built:misc
	"$CC" --backend native up -d
	run "$CC" --backend native exec t sh -c "stat -c '%u:%g %a' /owned/f.txt"
	assert_output "1234:5678 600"
	run "$CC" --backend native exec t cat /etc/greeting /heredoc.txt /unpacked/inner/t.txt
	assert_output "hello world
from-heredoc
in-tar"
	run "$CC" --backend native exec t ls /data
	refute_output --partial keep
}

@test "compose: build args, target, dockerfile_inline, up --build, build --build-arg, pull_policy build" {
	mkdir ctx
	cat >ctx/Dockerfile <<'EOF'
FROM busybox AS base
ARG FLAVOR=plain
RUN echo "flavor=$FLAVOR" > /flavor
CMD ["cat", "/flavor"]
FROM base AS extra
RUN echo extra >> /flavor
EOF
	cat >compose.yaml <<'EOF'
services:
  a:
    build:
      context: ./ctx
      target: base
      args:
        FLAVOR: vanilla
  b:
    build:
      context: ./ctx
      dockerfile_inline: |
        FROM busybox
        CMD ["echo", "inline"]
    pull_policy: build
EOF
	run "$CC" --backend native up -d
	assert_success
	"$CC" --backend native wait a b >/dev/null || true
	run "$CC" --backend native logs --no-log-prefix a
	assert_output "flavor=vanilla"
	run "$CC" --backend native logs --no-log-prefix b
	assert_output "inline"
	run "$CC" --backend native build --build-arg FLAVOR=chocolate a
	assert_success
	"$CC" --backend native up -d --force-recreate a
	"$CC" --backend native wait a >/dev/null || true
	run "$CC" --backend native logs --no-log-prefix a
	assert_output --partial "flavor=chocolate"
	refute_output --partial extra
	# up --build rebuilds with build.args again (a is recreated: its image was the chocolate one); a second
	# time nothing changed: the cache gives the same image, and nothing is recreated
	"$CC" --backend native up -d --build >/dev/null
	run "$CC" --backend native up -d --build
	assert_success
	assert_output --partial CACHED
	refute_output --partial Recreate
	# a changed Dockerfile: up --build rebuilds and recreates
	sed -i 's/echo "flavor=$FLAVOR"/echo "flavor=$FLAVOR v2"/' ctx/Dockerfile
	run "$CC" --backend native up -d --build a
	assert_success
	assert_output --partial Recreate
	"$CC" --backend native wait a >/dev/null || true
	run "$CC" --backend native logs --no-log-prefix a
	assert_output --partial "flavor=vanilla v2"
}

@test "image build outside a project; unknown target and missing Dockerfile are clear errors" {
	mkdir ctx
	printf 'FROM busybox AS one\nFROM one AS two\nLABEL stage=two\n' >ctx/Dockerfile
	run build --target nope ctx
	assert_failure
	assert_output --partial 'target stage "nope" could not be found'
	run build -f absent.Dockerfile ctx
	assert_failure
	assert_output --partial "absent.Dockerfile"
	run build -t Not:Valid ctx
	assert_failure
	assert_output --partial "invalid tag Not:Valid"
	refute_output --partial "FROM"
	run build -q --target two --label extra=yes ctx
	assert_success
	id="$output"
	run "$CC" --backend native image inspect "$id"
	assert_output --partial '"stage": "two"'
	assert_output --partial '"extra": "yes"'
}

@test "configuration instructions: ENTRYPOINT drops CMD, SHELL, HEALTHCHECK, EXPOSE, VOLUME, STOPSIGNAL, ONBUILD" {
	mkdir base app
	cat >base/Dockerfile <<'EOF2'
FROM busybox
CMD ["from-base"]
ONBUILD RUN echo triggered > /onbuild.txt
ONBUILD ENV FROM_TRIGGER=yes
EOF2
	run build -t built:onbase base
	assert_success
	cat >app/Dockerfile <<'EOF2'
FROM built:onbase
ENTRYPOINT ["sh", "-c"]
SHELL ["/bin/sh", "-ec"]
RUN echo shell-form-with-e
EXPOSE 8080 53/udp 9000-9001
VOLUME /data
VOLUME ["/cache"]
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --retries=2 CMD test -f /onbuild.txt
CMD ["cat /onbuild.txt; echo FROM_TRIGGER=$FROM_TRIGGER"]
EOF2
	run build -t built:onapp app
	assert_success
	assert_output --partial "RUN echo triggered > /onbuild.txt"
	run "$CC" --backend native image inspect built:onapp
	assert_output --partial '"8080/tcp"'
	assert_output --partial '"53/udp"'
	assert_output --partial '"9001/tcp"'
	run python3 - "$CONTAINER_COMPOSE_ROOT" <<'PY'
import json, sys, glob, os
# the stored image configuration, read straight from the blob store
root = sys.argv[1]
for path in glob.glob(os.path.join(root, "images/blobs/sha256/*")):
    try:
        doc = json.load(open(path))
    except Exception:
        continue
    c = doc.get("config") if isinstance(doc, dict) else None
    if c and c.get("StopSignal") == "SIGINT":
        print(json.dumps({k: c.get(k) for k in ("Entrypoint", "Cmd", "Shell", "Volumes", "Healthcheck", "OnBuild")}, sort_keys=True))
PY
	assert_output --partial '"Entrypoint": ["sh", "-c"]'
	assert_output --partial '"Shell": ["/bin/sh", "-ec"]'
	assert_output --partial '"/cache": {}'
	assert_output --partial '"Interval": 5000000000'
	assert_output --partial '"Test": ["CMD-SHELL", "test -f /onbuild.txt"]'
	assert_output --partial '"OnBuild": null'
	printf 'services:\n  app:\n    image: built:onapp\n' >compose.yaml
	run output_of app
	assert_line triggered
	assert_line FROM_TRIGGER=yes
}

@test "RUN --mount: a cache directory kept across builds, a build secret, a bind of the context; network none" {
	mkdir ctx
	echo from-context >ctx/bound.txt
	echo top-secret >"$BATS_TEST_TMPDIR/token.txt"
	cat >ctx/Dockerfile <<'EOF2'
FROM busybox
ARG ROUND=1
RUN --mount=type=cache,target=/var/cache/app sh -c 'echo round-$ROUND >> /var/cache/app/log; cat /var/cache/app/log > /seen-cache'
RUN --mount=type=secret,id=token sh -c 'wc -c < /run/secrets/token > /secret-size'
RUN --mount=type=bind,source=bound.txt,target=/mnt/bound.txt cat /mnt/bound.txt > /bound-copy
RUN --mount=type=bind,target=/mnt/ctx,rw sh -c 'echo scribbled > /mnt/ctx/bound.txt && echo new > /mnt/ctx/new.txt'
RUN --network=none sh -c 'cat /proc/net/dev | grep -c : > /ifaces'
CMD ["sleep", "60"]
EOF2
	cat >compose.yaml <<EOF2
services:
  t:
    build:
      context: ./ctx
      args: {ROUND: "1"}
      secrets: [token]
secrets:
  token:
    file: $BATS_TEST_TMPDIR/token.txt
EOF2
	run "$CC" --backend native build
	assert_success
	refute_output --partial top-secret
	sed -i 's/ROUND: "1"/ROUND: "2"/' compose.yaml
	run "$CC" --backend native build
	assert_success
	"$CC" --backend native up -d
	run "$CC" --backend native exec t cat /seen-cache /secret-size /bound-copy /ifaces
	assert_output "round-1
round-2
11
from-context
1"
	# a writable bind of the context wrote to a copy: the context is as it was
	assert_equal "$(cat ctx/bound.txt)" from-context
	[ ! -e ctx/new.txt ]
	# the secret is not in the image, and nor are the mount points the build made
	run "$CC" --backend native exec t ls /run/secrets
	assert_failure
	run "$CC" --backend native exec t ls /mnt
	assert_failure
}

@test "FROM scratch: a static binary copied in is a whole image" {
	mkdir ctx
	cp /bin/busybox ctx/busybox
	printf 'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\nCMD ["echo", "from-scratch"]\n' >ctx/Dockerfile
	run build -t built:scratch ctx
	assert_success
	run "$CC" --backend native image inspect built:scratch
	assert_output --partial '"/bin/busybox"'
	[ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["layers"]))' <<<"$output")" = 1 ]
	printf 'services:\n  s:\n    image: built:scratch\n' >compose.yaml
	run output_of s
	assert_output from-scratch
}

@test "compose build fields: dockerfile, labels, tags, no_cache, network none, shm_size, extra_hosts" {
	mkdir ctx
	cat >ctx/build.Dockerfile <<'EOF2'
FROM busybox
RUN cat /etc/hosts > /hosts-at-build && df -k /dev/shm | tail -1 > /shm-at-build && (cat /proc/net/dev | grep -c : > /ifaces)
CMD ["sleep", "60"]
EOF2
	cat >compose.yaml <<'EOF2'
services:
  t:
    image: built:fields
    build:
      context: ./ctx
      dockerfile: build.Dockerfile
      labels: {com.example.built: "yes"}
      tags: ["built:alias"]
      no_cache: true
      network: none
      shm_size: 128m
      extra_hosts: ["buildhost:10.1.2.3"]
EOF2
	run "$CC" --backend native build
	assert_success
	refute_output --partial CACHED
	run "$CC" --backend native build
	refute_output --partial CACHED
	run "$CC" --backend native image inspect built:alias
	assert_output --partial '"com.example.built": "yes"'
	"$CC" --backend native up -d
	run "$CC" --backend native exec t cat /hosts-at-build
	assert_output --partial "10.1.2.3	buildhost"
	run "$CC" --backend native exec t cat /ifaces
	assert_output 1
	run "$CC" --backend native exec t cat /shm-at-build
	assert_output --regexp ' 131072 '
}

@test "up --quiet-build and run --quiet-build show Building and Built, not the build's steps" {
	printf 'FROM busybox\nRUN echo step-output-here\nCMD ["echo", "ran"]\n' >Dockerfile
	printf 'services:\n  b:\n    build: .\n' >compose.yaml
	run "$CC" --backend native --progress plain up --build --quiet-build -d
	assert_success
	assert_output --partial "Service b  Building"
	assert_output --partial "Service b  Built"
	refute_output --partial "step-output-here"
	refute_output --partial "[stage"
	run "$CC" --backend native --progress plain run --rm --build --quiet-build b
	assert_success
	assert_output --partial "Service b  Built"
	refute_output --partial "[stage"
	assert_output --partial "ran"
	# without it, the steps are there
	run "$CC" --backend native --progress plain up --build -d
	assert_output --partial "[stage"
}
