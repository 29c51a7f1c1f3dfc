#!/usr/bin/env bats
# Round trips: the canonical output of `config`, fed back with -f, gives the identical `config --format json`.
# One short-syntax and one long-syntax fixture per core/common attribute of the checklist.

load helpers

# rt [GLOBAL_OPTS...] < compose: write compose.yaml from stdin and check the round trip.
rt() {
	write compose.yaml
	assert_roundtrip "$@"
}

# ---------------------------------------------------------------- top level

@test "round trip: name, x-* extensions, version" {
	rt <<'EOF'
version: "3.9"
name: explicit
x-anchors: &a {image: busybox}
x-list: [1, two, {three: 3}]
services:
  s:
    <<: *a
EOF
}

@test "round trip: networks (short: empty entries; long: every option)" {
	rt <<'EOF'
services:
  s: {image: a, networks: [front, back, ext]}
networks:
  front:
  back: {}
  ext: {external: true}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    networks:
      front:
        aliases: [w]
        ipv4_address: 172.16.0.10
        ipv6_address: 2001:db8::10
        priority: 100
        gw_priority: 1
        mac_address: 02:42:ac:11:00:02
        driver_opts: {a: b}
        link_local_ips: [169.254.1.1]
        interface_name: eth5
      back: null
      ext2:
networks:
  front:
    driver: bridge
    driver_opts: {com.docker.network.bridge.name: br0}
    attachable: true
    enable_ipv6: true
    enable_ipv4: true
    internal: true
    labels: {n: "1"}
    ipam:
      driver: default
      config:
        - subnet: 172.16.0.0/24
          ip_range: 172.16.0.0/25
          gateway: 172.16.0.1
          aux_addresses: {host1: 172.16.0.5}
      options: {o: "1"}
  back:
    external: true
    name: real-back
  ext2:
    name: fixed-name
EOF
}

@test "round trip: volumes (short: empty entries; long: driver, options, labels, name, external)" {
	rt <<'EOF'
services:
  s: {image: a, volumes: ["data:/d", "other:/o"]}
volumes:
  data:
  other: {}
EOF
	rt <<'EOF'
services:
  s: {image: a, volumes: ["data:/d", "ext:/e", "legacy:/l"]}
volumes:
  data:
    driver: local
    driver_opts: {type: nfs, o: "addr=1.2.3.4,rw", device: ":/x"}
    labels: [v=1]
    name: my-data
  ext:
    external: true
  legacy:
    external: {name: legacy-name}
EOF
}

@test "round trip: secrets (short service refs; long top-level and service forms)" {
	rt <<'EOF'
services:
  s: {image: a, secrets: [s1, s2]}
secrets:
  s1: {file: ./s1.txt}
  s2: {environment: SECRET_ENV}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    secrets:
      - source: s1
        target: custom
        uid: "103"
        gid: "103"
      - source: s2
        target: /abs/path
secrets:
  s1:
    file: ./s1.txt
    labels: {a: b}
  s2:
    external: true
    name: real-s2
EOF
}

@test "round trip: configs (short service refs; long top-level and service forms)" {
	rt <<'EOF'
services:
  s: {image: a, configs: [c1, c2, c3]}
configs:
  c1: {file: ./c1.conf}
  c2: {content: "inline ${UNSET_X:-value}"}
  c3: {environment: CONF_ENV}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    configs:
      - source: c1
        target: /etc/c1
        uid: "0"
        gid: "0"
configs:
  c1:
    file: ./c1.conf
    template_driver: golang
  c2:
    external: true
    name: realc2
EOF
}

@test "round trip: include (short path list; long path/env_file/project_directory)" {
	write inc/a.yaml <<'EOF'
services:
  inc: {image: "${WHAT:-x}", volumes: ["./d:/d"]}
EOF
	printf 'WHAT=from-inc-env\n' >inc/x.env
	rt <<'EOF'
include: [inc/a.yaml]
services:
  s: {image: a}
EOF
	rt <<'EOF'
include:
  - path: [inc/a.yaml]
    env_file: [inc/x.env]
    project_directory: inc
services:
  s: {image: a}
EOF
}

# ---------------------------------------------------------------- service attributes

@test "round trip: image and build (short string; long map with every option)" {
	mkdir -p app other
	rt <<'EOF'
services:
  s:
    image: registry.example.com:5000/team/app:1.2
    build: ./app
  t:
    build: .
EOF
	rt <<'EOF'
services:
  s:
    image: nginx
    build:
      context: ./app
      dockerfile: Dockerfile.dev
      args: {A: "1", B: null}
      target: dev
      labels: {l: v}
      tags: ["x:1"]
      cache_from: [a]
      cache_to: [b]
      no_cache: true
      pull: true
      network: host
      shm_size: 128m
      extra_hosts: {h: 1.2.3.4}
      platforms: [linux/amd64]
      secrets: [bs]
      ssh: [default]
      additional_contexts: {c: ./other}
      ulimits: {nofile: {soft: 1, hard: 2}}
      privileged: true
secrets:
  bs: {file: ./bs.txt}
EOF
}

@test "round trip: command and entrypoint (short string; long list)" {
	rt <<'EOF'
services:
  s:
    image: a
    command: bundle exec thin -p 3000 "quoted arg"
    entrypoint: /docker-entrypoint.sh --flag
EOF
	rt <<'EOF'
services:
  s:
    image: a
    command: [sh, -c, "echo hello && exit 0"]
    entrypoint: []
  t:
    image: a
    command: []
EOF
}

@test "round trip: environment (short list; long map with nulls, numbers, bools)" {
	rt <<'EOF'
services:
  s:
    image: a
    environment: [A=1, B, C=, "D=x=y"]
EOF
	rt <<'EOF'
services:
  s:
    image: a
    environment:
      A: 1
      B: null
      C: ""
      D: true
      E: 2.5
EOF
}

@test "round trip: env_file and label_file (short string; long list/map forms)" {
	printf 'X=1\nY="two words"\n' >web.env
	printf 'lab=1\n' >web.labels
	rt <<'EOF'
services:
  s:
    image: a
    env_file: ./web.env
    label_file: ./web.labels
EOF
	rt <<'EOF'
services:
  s:
    image: a
    env_file:
      - path: ./web.env
        required: true
      - path: ./missing.env
        required: false
    label_file: [./web.labels]
EOF
}

@test "round trip: ports (short; long)" {
	rt <<'EOF'
services:
  s:
    image: a
    ports: ["8080:80", "127.0.0.1:8443:443/tcp", "9000-9001:9000-9001/udp", "3000", "[::1]:53:53/udp", "80-90:8080"]
EOF
	rt <<'EOF'
services:
  s:
    image: a
    ports:
      - target: 80
        published: "8080"
        host_ip: 127.0.0.1
        protocol: tcp
        app_protocol: http
        mode: host
        name: http
      - target: 81
        published: 8081
EOF
}

@test "round trip: expose (short numbers; long strings with ranges)" {
	rt <<'EOF'
services:
  s: {image: a, expose: [3000, 5000]}
EOF
	rt <<'EOF'
services:
  s: {image: a, expose: ["3000", "4000-4002/udp"]}
EOF
}

@test "round trip: volumes (short)" {
	rt <<'EOF'
services:
  s:
    image: a
    volumes: ["./data:/data:ro", "named:/var/lib:nocopy", "/anon", "/s:/t:ro,z", "/s:/u:slave", "~/h:/h"]
volumes:
  named:
EOF
	# the long syntax round trip is asserted with its values in 70-normalize-ports-volumes.bats
}

@test "round trip: networks and network_mode on services (short list; long map; modes)" {
	rt <<'EOF'
services:
  s: {image: a, networks: [n1, n2]}
  h: {image: a, network_mode: host}
  n: {image: a, network_mode: none}
  v: {image: a, network_mode: "service:s"}
  c: {image: a, network_mode: "container:other"}
networks: {n1: {}, n2: {}}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    networks:
      n1: {aliases: [x, y], ipv4_address: 10.1.0.5}
      n2: null
networks:
  n1: {ipam: {config: [{subnet: 10.1.0.0/16}]}}
  n2: {}
EOF
}

@test "round trip: depends_on (short list; long map with conditions)" {
	rt <<'EOF'
services:
  s: {image: a, depends_on: [db, cache]}
  db: {image: a}
  cache: {image: a}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    depends_on:
      db: {condition: service_healthy, restart: true}
      cache: {condition: service_completed_successfully, required: false}
  db: {image: a}
  cache: {image: a}
EOF
}

@test "round trip: healthcheck (short string test; long list and every option; disable)" {
	rt <<'EOF'
services:
  s:
    image: a
    healthcheck:
      test: curl -f http://localhost || exit 1
      interval: 30s
EOF
	rt <<'EOF'
services:
  s:
    image: a
    healthcheck:
      test: [CMD, curl, -f, http://localhost]
      interval: 1m30s
      timeout: 5s
      retries: 3
      start_period: 1m
      start_interval: 2s
  t:
    image: a
    healthcheck:
      disable: true
  u:
    image: a
    healthcheck:
      test: [NONE]
EOF
}

@test "round trip: scalar service attributes (restart, container_name, user, working_dir, hostname, ...)" {
	rt <<'EOF'
services:
  s:
    image: a
    restart: on-failure:3
    container_name: web-1
    user: "1000:1000"
    working_dir: /app
    hostname: web
    domainname: example.com
    stop_signal: SIGUSR1
    stop_grace_period: 1m30s
    pull_policy: always
    platform: linux/amd64
    userns_mode: host
    ipc: shareable
    pid: host
    uts: host
    cgroup: private
    runtime: runc
    mac_address: 02:42:ac:11:00:02
    cgroup_parent: m-executor-abcd
  t:
    image: a
    restart: unless-stopped
    pull_policy: if_not_present
EOF
	rt <<'EOF'
services:
  s:
    image: a
    restart: "no"
    user: root
    stop_grace_period: 1h5m30s20ms
    pull_policy: every_12h
EOF
}

@test "round trip: booleans (privileged, read_only, init, tty, stdin_open, attach, oom_kill_disable)" {
	rt <<'EOF'
services:
  s:
    image: a
    privileged: true
    read_only: yes
    init: true
    tty: true
    stdin_open: true
    attach: false
    oom_kill_disable: true
EOF
	rt <<'EOF'
services:
  s:
    image: a
    privileged: false
    read_only: false
    init: false
    tty: false
    stdin_open: false
    attach: true
EOF
}

@test "round trip: labels and annotations (short list; long map)" {
	rt <<'EOF'
services:
  s:
    image: a
    labels: [com.example.a=1, "com.example.b=two words"]
    annotations: [com.example.x=1]
EOF
	rt <<'EOF'
services:
  s:
    image: a
    labels: {com.example.a: "1", com.example.b: 2, com.example.c: ""}
    annotations: {com.example.x: y}
EOF
}

@test "round trip: profiles" {
	rt --profile web --profile debug <<'EOF'
services:
  s: {image: a, profiles: [web]}
  t: {image: a, profiles: [debug, web]}
  u: {image: a}
EOF
	rt --profile '*' <<'EOF'
services:
  s: {image: a, profiles: [web]}
EOF
}

@test "round trip: extra_hosts (short list; long map)" {
	rt <<'EOF'
services:
  s: {image: a, extra_hosts: ["somehost:162.242.195.82", "other=10.0.0.1", "v6=[::1]"]}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    extra_hosts:
      h1: 1.1.1.1
      h2: ["2.2.2.2", "::1"]
EOF
}

@test "round trip: dns, dns_search, dns_opt (short string; long list)" {
	rt <<'EOF'
services:
  s: {image: a, dns: 8.8.8.8, dns_search: example.com, dns_opt: [use-vc]}
EOF
	rt <<'EOF'
services:
  s: {image: a, dns: [8.8.8.8, 1.1.1.1], dns_search: [a.example, b.example], dns_opt: [use-vc, "ndots:2"]}
EOF
}

@test "round trip: cap_add, cap_drop, security_opt, group_add, device_cgroup_rules" {
	rt <<'EOF'
services:
  s: {image: a, cap_add: [NET_ADMIN], cap_drop: [ALL], security_opt: [no-new-privileges], group_add: [audio, 1000]}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    cap_add: [NET_ADMIN, SYS_TIME]
    security_opt: ["label:user:USER", "seccomp:unconfined"]
    device_cgroup_rules: ["c 1:3 mr", "a 7:* rmw"]
EOF
}

@test "round trip: tmpfs (short string; long list with options)" {
	rt <<'EOF'
services:
  s: {image: a, tmpfs: /run}
EOF
	rt <<'EOF'
services:
  s: {image: a, tmpfs: [/run, "/tmp:size=64m,uid=1000"]}
EOF
}

@test "round trip: ulimits (short number; long soft/hard)" {
	rt <<'EOF'
services:
  s: {image: a, ulimits: {nproc: 65535}}
EOF
	rt <<'EOF'
services:
  s: {image: a, ulimits: {nofile: {soft: 20000, hard: 40000}, nproc: 10}}
EOF
}

@test "round trip: scale and deploy (replicas, resources without memory, restart_policy, placement)" {
	rt <<'EOF'
services:
  s: {image: a, scale: 2}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    deploy:
      mode: replicated
      replicas: 2
      labels: {d: "1"}
      resources:
        limits: {cpus: "0.5", pids: 10}
        reservations:
          cpus: "0.25"
          devices:
            - capabilities: [gpu]
              driver: nvidia
              count: 1
              options: {a: b}
            - capabilities: [gpu, compute]
              device_ids: ["0", "1"]
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 120s}
      placement: {constraints: [node.role==manager]}
      update_config: {parallelism: 2, delay: 10s}
EOF
}

@test "round trip: deploy.resources memory is rendered as a string, as the schema wants" {
	rt <<'EOF'
services:
  s:
    image: a
    deploy:
      resources:
        limits: {memory: 50M}
        reservations: {memory: 20M}
EOF
}

@test "round trip: file modes are rendered as octal strings" {
	rt <<'EOF'
services:
  s:
    image: a
    secrets:
      - source: s1
        mode: 0440
    configs:
      - source: c1
        mode: 0400
secrets:
  s1: {file: ./s1}
configs:
  c1: {file: ./c1}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    volumes:
      - type: tmpfs
        target: /t
        tmpfs: {mode: 1777}
EOF
}

@test "round trip: logging (short driver only; long driver + options)" {
	rt <<'EOF'
services:
  s: {image: a, logging: {driver: json-file}}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    logging:
      driver: syslog
      options: {syslog-address: "tcp://192.168.0.42:123", tag: "x"}
EOF
}

@test "round trip: extends (short string; long file + service)" {
	write base.yaml <<'EOF'
services:
  b:
    image: base
    environment: {A: "1"}
    volumes: ["./data:/data"]
EOF
	rt <<'EOF'
services:
  a: {image: a, command: x}
  s:
    extends: a
    environment: {B: "2"}
EOF
	rt <<'EOF'
services:
  s:
    extends:
      file: base.yaml
      service: b
    environment: {B: "2"}
EOF
}

@test "round trip: links, external_links and volumes_from" {
	rt <<'EOF'
services:
  s: {image: a, links: [db], volumes_from: [db]}
  db: {image: a}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    links: ["db:database"]
    external_links: ["redis:cache"]
    volumes_from: ["db:ro", "container:other:rw"]
  db: {image: a}
EOF
}

@test "round trip: sysctls (short list; long map)" {
	rt <<'EOF'
services:
  s: {image: a, sysctls: [net.core.somaxconn=1024, net.ipv4.tcp_syncookies=0]}
EOF
	rt <<'EOF'
services:
  s: {image: a, sysctls: {net.core.somaxconn: 1024, net.ipv4.tcp_syncookies: "0"}}
EOF
}

@test "round trip: shm_size and memory limits (short number; long units)" {
	rt <<'EOF'
services:
  s: {image: a, shm_size: 67108864, mem_limit: 1073741824, memswap_limit: -1}
EOF
	rt <<'EOF'
services:
  s: {image: a, shm_size: 64m, mem_limit: 1g, mem_reservation: 512m, memswap_limit: 2gb, mem_swappiness: 60, oom_score_adj: -500}
EOF
}

@test "round trip: devices (short string; long map)" {
	rt <<'EOF'
services:
  s: {image: a, devices: ["/dev/ttyUSB0:/dev/ttyUSB0:rwm", "/dev/sda"]}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    devices:
      - source: /dev/a
        target: /dev/b
        permissions: r
EOF
}

@test "round trip: cpus, cpu_shares, cpuset, pids_limit, blkio_config" {
	rt <<'EOF'
services:
  s: {image: a, cpus: 0.5, cpu_shares: 512, cpuset: "0-1", pids_limit: 100}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    cpus: "1.5"
    cpu_period: 100000
    cpu_quota: 50000
    pids_limit: -1
    blkio_config:
      weight: 300
      weight_device: [{path: /dev/sda, weight: 400}]
      device_read_iops: [{path: /dev/sda, rate: 100}]
EOF
}

@test "round trip: post_start and pre_stop hooks (short command string; long list with options)" {
	rt <<'EOF'
services:
  s:
    image: a
    post_start:
      - command: echo started
    pre_stop:
      - command: echo stopping
EOF
	rt <<'EOF'
services:
  s:
    image: a
    post_start:
      - command: [echo, hi]
        user: root
        privileged: true
        working_dir: /
        environment: {A: "1", B: null}
EOF
}

@test "round trip: develop.watch (short minimal; long with every option)" {
	rt <<'EOF'
services:
  s:
    image: a
    develop:
      watch:
        - action: rebuild
          path: ./src
EOF
	rt <<'EOF'
services:
  s:
    image: a
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app/src
          ignore: [node_modules/]
          include: ["*.js"]
          initial_sync: true
        - action: sync+restart
          path: ./conf
          target: /etc/app
EOF
}

@test "round trip: gpus (short all; long list)" {
	rt <<'EOF'
services:
  s: {image: a, gpus: all}
EOF
	rt <<'EOF'
services:
  s:
    image: a
    gpus:
      - driver: nvidia
        count: 2
        capabilities: [gpu]
EOF
}

@test "round trip: the whole multi-file project of the merge tests" {
	write base.yaml <<'EOF'
services:
  s:
    image: a
    command: a
    ports: ["9080:80"]
    volumes: ["./src:/src", "foo:/work"]
    environment: {A: "1", B: "2"}
    dns: [8.8.8.8]
    networks: [n1, n2]
volumes: {foo: {}, bar: {}}
networks: {n1: {}, n2: {}}
EOF
	write over.yaml <<'EOF'
services:
  s:
    command: b
    volumes: ["bar:/work"]
    environment: ["B=3", "C=4"]
    dns: 9.9.9.9
    networks:
      n2:
        aliases: [x]
EOF
	assert_roundtrip -f base.yaml -f over.yaml
}
