#!/usr/bin/env bats
# What a native container sees of the filesystem: named, anonymous and bind volumes (the local driver),
# pre-population from the image, read_only roots with tmpfs, users from the image's passwd and group,
# whiteouts of a multi-layer image. Needs root, runc and busybox-static.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	native_setup_file
}

setup() {
	native_setup
}

teardown() {
	[ -n "${CONTAINER_COMPOSE_ROOT:-}" ] && [ -f compose.yaml ] && "$CC" --backend native down -v >/dev/null 2>&1 || true
}

@test "a named volume keeps its data across down and up, and down -v removes it" {
	cat >compose.yaml <<'EOC'
services:
  w:
    image: busybox:latest
    network_mode: none
    volumes: [data:/store]
    command: ["sh", "-c", "cat /store/n 2>/dev/null || echo none; echo kept >/store/n"]
volumes:
  data: {}
EOC
	run output_of w
	assert_output "none"
	[ "$(cat "$CONTAINER_COMPOSE_ROOT/volumes/proj_data/_data/n")" = kept ]
	"$CC" --backend native down
	run output_of w
	assert_output "kept"
	run "$CC" --backend native down -v
	assert_success
	[ ! -e "$CONTAINER_COMPOSE_ROOT/volumes/proj_data" ]
}

@test "an empty volume is filled from the image on first use, whiteouts hidden; nocopy leaves it empty" {
	cat >compose.yaml <<'EOC'
services:
  fill:
    image: busybox:latest
    network_mode: none
    volumes: [filled:/data]
    command: ["ls", "/data"]
  bare:
    image: busybox:latest
    network_mode: none
    volumes:
      - type: volume
        source: bare
        target: /data
        volume: {nocopy: true}
    command: ["sh", "-c", "ls /data; echo end"]
volumes:
  filled: {}
  bare: {}
EOC
	"$CC" --backend native up -d
	"$CC" --backend native wait fill
	"$CC" --backend native wait bare
	run "$CC" --backend native logs --no-log-prefix fill
	assert_output "keep"
	run "$CC" --backend native logs --no-log-prefix bare
	assert_output "end"
}

@test "a volume's subpath mounts one directory of it; a missing or escaping subpath is refused" {
	cat >compose.yaml <<'YAML'
services:
  writer:
    image: busybox
    command: sh -c 'mkdir -p /data/logs /data/other && echo in-logs > /data/logs/x && echo no > /data/other/y && ln -s /etc /data/escape'
    volumes: ["shared:/data"]
  reader:
    image: busybox
    command: sh -c 'ls /mnt; cat /mnt/x'
    volumes:
      - type: volume
        source: shared
        target: /mnt
        volume:
          subpath: logs
    depends_on:
      writer:
        condition: service_completed_successfully
    profiles: [read]
  missing:
    image: busybox
    command: "true"
    volumes:
      - {type: volume, source: shared, target: /mnt, volume: {subpath: nowhere}}
    profiles: [bad]
  escape:
    image: busybox
    command: "true"
    volumes:
      - {type: volume, source: shared, target: /mnt, volume: {subpath: escape}}
    profiles: [bad]
volumes:
  shared:
YAML
	"$CC" --backend native up -d writer
	"$CC" --backend native wait writer
	run output_of_profile read reader
	[ "$output" = "$(printf 'x\nin-logs')" ]
	run "$CC" --backend native --profile bad up -d missing
	[ "$status" -ne 0 ]
	[[ "$output" == *"subpath nowhere is not a directory of the volume"* ]]
	run "$CC" --backend native --profile bad up -d escape
	[ "$status" -ne 0 ]
	[[ "$output" == *"subpath escape goes through a symbolic link"* ]]
	"$CC" --backend native --profile read --profile bad down -v -t 0
}

@test "a tmpfs volume (driver_opts type: tmpfs) is shared in memory while used and unmounted after down" {
	cat >compose.yaml <<'YAML'
services:
  writer:
    image: busybox
    command: sh -c 'echo in-memory > /scratch/f; sleep 300'
    volumes: ["scratch:/scratch"]
  reader:
    image: busybox
    command: sh -c 'sleep 1; cat /scratch/f; grep " /scratch " /proc/mounts; busybox stat -c "%a %u" /scratch'
    volumes: ["scratch:/scratch"]
    depends_on: [writer]
volumes:
  scratch:
    driver_opts:
      type: tmpfs
      device: tmpfs
      o: size=8m,mode=0770,uid=1000
YAML
	"$CC" --backend native up -d
	"$CC" --backend native wait reader
	run "$CC" --backend native logs --no-log-prefix reader
	[[ "${lines[0]}" == in-memory ]]
	[[ "$output" == *"tmpfs /scratch tmpfs"*"size=8192k"* ]]
	[[ "$output" == *"770 1000"* ]]
	mp=$("$CC" --backend native volume inspect proj_scratch | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mountpoint"])')
	grep -q " $mp " /proc/self/mountinfo
	"$CC" --backend native down -t 0
	# the volume stays, its memory does not
	run grep -c " $mp " /proc/self/mountinfo
	[ "$output" = 0 ]
	run "$CC" --backend native volume ls -q
	[[ "$output" == *proj_scratch* ]]
	cat >compose.yaml <<'YAML'
services:
  bad:
    image: busybox
    command: "true"
    volumes: ["odd:/x"]
volumes:
  odd:
    driver_opts: {type: tmpfs, device: tmpfs, o: "size=1m,bogus"}
YAML
	run "$CC" --backend native up -d
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown tmpfs option bogus"* ]]
	"$CC" --backend native down -v -t 0
}

@test "an anonymous volume holds the container's data on the host and goes with down -v" {
	cat >compose.yaml <<'EOC'
services:
  a:
    image: busybox:latest
    network_mode: none
    stop_grace_period: 1s
    volumes: [/scratch]
    command: ["sh", "-c", "echo x >/scratch/f; exec sleep 1000"]
EOC
	"$CC" --backend native up -d
	local vols
	vols=$(ls "$CONTAINER_COMPOSE_ROOT/volumes")
	[ "$(wc -w <<<"$vols")" -eq 1 ]
	[ "$(cat "$CONTAINER_COMPOSE_ROOT/volumes/$vols/_data/f")" = x ]
	run "$CC" --backend native down -v
	assert_success
	[ -z "$(ls "$CONTAINER_COMPOSE_ROOT/volumes")" ]
}

@test "bind mounts: the host directory inside, read-only when asked; a missing source is created" {
	mkdir host && echo from-host >host/file
	cat >compose.yaml <<'EOC'
services:
  b:
    image: busybox:latest
    network_mode: none
    volumes:
      - ./host:/h
      - ./host:/ro:ro
      - ./made:/made
    command: ["sh", "-c", "cat /h/file; echo new >/h/out; echo no >/ro/x || echo refused; ls -d /made"]
EOC
	run output_of b
	assert_line "from-host"
	assert_line "refused"
	assert_line "/made"
	[ "$(cat host/out)" = new ]
	[ ! -e host/x ]
	[ -d made ]
}

@test "read_only root with tmpfs: the root refuses writes, the tmpfs takes them" {
	cat >compose.yaml <<'EOC'
services:
  r:
    image: busybox:latest
    network_mode: none
    read_only: true
    tmpfs: [/scratch]
    command: ["sh", "-c", "echo x >/f || echo root-refused; echo y >/scratch/f && cat /scratch/f; grep ' /scratch ' /proc/mounts | cut -d' ' -f3"]
EOC
	run output_of r
	assert_line "root-refused"
	assert_line "y"
	assert_line "tmpfs"
}

@test "volumes_from: a service sees another's named and anonymous volumes; :ro makes them read-only" {
	cat >compose.yaml <<'EOC'
services:
  src:
    image: busybox:latest
    network_mode: none
    volumes: ["shared:/data", "/anon"]
    command: ["sh", "-c", "echo named >/data/f; echo anonymous >/anon/f; sleep 300"]
  reader:
    image: busybox:latest
    network_mode: none
    volumes_from: ["src:ro"]
    command: ["sh", "-c", "sleep 300"]
volumes:
  shared:
EOC
	"$CC" --backend native up -d
	eventually '"$CC" --backend native exec src cat /anon/f >/dev/null 2>&1' 10
	run "$CC" --backend native exec reader cat /data/f /anon/f
	assert_output "named
anonymous"
	run "$CC" --backend native exec reader sh -c 'echo x >/data/g'
	assert_failure
	assert_output --partial "Read-only"
}

@test "tmpfs options: a service's PATH:OPTIONS and a long-syntax tmpfs's size and mode" {
	cat >compose.yaml <<'EOC'
services:
  r:
    image: busybox:latest
    network_mode: none
    tmpfs: ["/run/opts:size=64k,mode=1770"]
    volumes:
      - type: tmpfs
        target: /long
        tmpfs: {size: 131072, mode: 0750}
    command: ["sh", "-c", "grep -E ' /(run/opts|long) ' /proc/mounts; stat -c '%n %a' /run/opts /long; ls -d '/run/opts:size=64k,mode=1770' 2>&1 || true"]
EOC
	run output_of r
	assert_line --regexp '^tmpfs /run/opts tmpfs .*size=64k.*mode=1770'
	assert_line --regexp '^tmpfs /long tmpfs .*size=128k.*mode=750'
	assert_line "/run/opts 1770"
	assert_line "/long 750"
	refute_line --regexp '^/run/opts:size'
}

@test "the mount points an image lacks come from the shared init layer, not the container's upper directory" {
	# the test image has no /dev, /proc, /sys, /etc/hosts, /etc/hostname nor /etc/resolv.conf
	cat >compose.yaml <<'EOC'
services:
  s:
    image: busybox:latest
    command: ["sh", "-c", "cat /etc/hostname; grep -c localhost /etc/hosts; ls -d /proc/1 /sys/kernel /dev/shm"]
EOC
	run "$CC" --backend native --progress quiet up -d
	assert_success
	local id
	id=$("$CC" --backend native ps -a -q s)
	[ -n "$id" ] || fail "no container for s"
	# follows until the command is done
	run "$CC" --backend native logs -f --no-log-prefix s
	assert_line "${id:0:12}"
	assert_line --regexp '^[1-9]'
	assert_line /proc/1
	assert_line /sys/kernel
	assert_line /dev/shm
	# the runtime found every mount point: nothing was made in the container's own layer
	run find "$CONTAINER_COMPOSE_ROOT/containers/$id/upper" -mindepth 1
	assert_success
	assert_output ""
	[ -f "$CONTAINER_COMPOSE_ROOT/images/init/etc/hosts" ] || fail "no init layer"
}

@test "user and group_add are resolved from the image's passwd and group" {
	cat >compose.yaml <<'EOC'
services:
  u:
    image: busybox:latest
    network_mode: none
    user: app
    group_add: [extra]
    command: ["sh", "-c", "id -u; id -g; id -G; echo $$HOME"]
EOC
	run output_of u
	assert_line --index 0 "1000"
	assert_line --index 1 "1000"
	assert_line --index 2 --regexp "^1000( .*)? 2000"
	assert_line --index 3 "/home/app"
}

@test "limits are visible inside: pids, cpus, and ulimits clamped to the host's hard limit" {
	cat >compose.yaml <<'EOC'
services:
  l:
    image: busybox:latest
    network_mode: none
    pids_limit: 50
    cpus: 0.5
    ulimits:
      nofile: {soft: 1024, hard: 2048}
    command: ["sh", "-c", "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null; cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max; ulimit -n; ulimit -Hn"]
EOC
	run output_of l
	assert_line --index 0 "50"
	assert_line --index 1 "50000"
	assert_line --index 2 "1024"
	assert_line --index 3 "2048"
}

@test "run -v: a bind relative to the project, read-only when asked, a project volume by its name, replacing the service's mount" {
	mkdir host && echo from-host >host/file
	cat >compose.yaml <<'EOC'
services:
  b:
    image: busybox:latest
    network_mode: none
    volumes: [./host:/data]
volumes:
  store: {}
EOC
	run "$CC" --backend native run --rm -v ./host:/in:ro -v store:/data b \
		sh -c 'cat /in/file; echo no >/in/x || echo refused; echo kept >/data/f; ls /data'
	assert_success
	assert_line "from-host"
	assert_line "refused"
	assert_line "f"
	refute_line "file"
	[ ! -e host/x ]
	[ ! -e host/f ]
	# the project's volume (proj_store), not a new one called "store"
	run "$CC" --backend native volume ls --format json
	assert_output --partial '"proj_store"'
	refute_output --partial '"store"'
	run "$CC" --backend native run --rm -v store:/s b cat /s/f
	assert_output "kept"
}

@test "run --cap-add and --cap-drop change the one-off's capabilities" {
	cat >compose.yaml <<'EOC'
services:
  b:
    image: busybox:latest
    network_mode: none
EOC
	run "$CC" --backend native run --rm --cap-drop ALL b cat /proc/self/status
	assert_success
	assert_line --regexp '^CapEff:[[:space:]]+0000000000000000$'
	# CAP_NET_ADMIN is bit 12, not in the default set
	run "$CC" --backend native run --rm --cap-drop ALL --cap-add NET_ADMIN b cat /proc/self/status
	assert_success
	assert_line --regexp '^CapEff:[[:space:]]+0000000000001000$'
}
