#!/usr/bin/env bats
# Short forms turned into the canonical long form: environment (18, 19), depends_on defaults and implicit
# dependencies (31, 32), volumes (45), ports (46), units (47), command/healthcheck/secrets/GPUs (48).

load helpers

# svc FIELD-YAML...: write compose.yaml with one service s (image a) and the given extra lines (already
# indented by 4 spaces), then load it into $JSON.
svc() {
	{
		printf 'services:\n  s:\n    image: a\n'
		printf '%s\n' "$@"
	} >compose.yaml
	cfg_json
}

# svc_err EXPECTED FIELD-YAML...: same, but the load must fail with EXPECTED.
svc_err() {
	local expected="$1"
	shift
	{
		printf 'services:\n  s:\n    image: a\n'
		printf '%s\n' "$@"
	} >compose.yaml
	run -1 cc config
	assert_output "$expected"
}

# ---------------------------------------------------------------- environment (18, 19)

@test "edge 18: null environment values take the value from the environment, else stay unset (null)" {
	MEU=Shadoks svc '    environment: {ZO: , MEU: }'
	assert_jget services/s/environment '{"MEU":"Shadoks","ZO":null}'
	MEU=Shadoks svc '    environment: [ZO, MEU, "A=1", "B="]'
	assert_jget services/s/environment '{"A":"1","B":"","MEU":"Shadoks","ZO":null}'
}

@test "edge 19: scalar environment values become strings" {
	svc '    environment: {BAR: 2, GA: 2.5, FOO: true, NO: no, OFF: false, BIG: 12345678901234567890}'
	assert_jget services/s/environment '{"BAR":"2","BIG":"12345678901234567890","FOO":"true","GA":"2.5","NO":"no","OFF":"false"}'
}

@test "edge 19: a list or map environment value, or a string environment, is an error" {
	svc_err "error: $P/compose.yaml:4:18: services.s.environment must be a mapping or a list" \
		'    environment: "FOO=1"'
	svc_err "error: $P/compose.yaml:5:9: services.s.environment[0] must be a string" \
		'    environment:' '      - [1]'
}

@test "edge 19: the error for a list/map environment value names the path once" {
	svc_err "error: $P/compose.yaml:5:10: services.s.environment.A must be a string, a number, a boolean or null" \
		'    environment:' '      A: [1]'
	svc_err "error: $P/compose.yaml:5:10: services.s.environment.A must be a string, a number, a boolean or null" \
		'    environment:' '      A: {b: 1}'
	svc_err "error: $P/compose.yaml:5:10: services.s.labels.A must be a string, a number, a boolean or null" \
		'    labels:' '      A: [1]'
	svc_err "error: $P/compose.yaml:7:12: services.s.build.args.A must be a string, a number, a boolean or null" \
		'    build:' '      context: .' '      args:' '        A: [1]'
}

# ---------------------------------------------------------------- depends_on (31, 32)

@test "edge 31: depends_on defaults: condition service_started, required true" {
	write compose.yaml <<'EOF'
services:
  x:
    image: a
    depends_on: [y]
  z:
    image: a
    depends_on:
      y:
        condition: service_healthy
      w:
        condition: service_completed_successfully
        required: false
        restart: true
  y: {image: a}
  w: {image: a}
EOF
	cfg_json
	assert_jget services/x/depends_on '{"y":{"condition":"service_started","required":true}}'
	assert_jget services/z/depends_on '{"w":{"condition":"service_completed_successfully","required":false,"restart":true},"y":{"condition":"service_healthy","required":true}}'
}

@test "edge 32: service: references, links and volumes_from add implicit dependencies" {
	write compose.yaml <<'EOF'
services:
  web:
    image: a
    network_mode: service:net
    ipc: service:ipc
    pid: service:pid
    uts: service:uts
    links: [lnk, "lnk2:alias"]
    volumes_from: [vf, "container:c1"]
    depends_on:
      lnk:
        condition: service_healthy
        required: false
  net: {image: a}
  ipc: {image: a}
  pid: {image: a}
  uts: {image: a}
  lnk: {image: a}
  lnk2: {image: a}
  vf: {image: a}
EOF
	cfg_json
	assert_jget services/web/depends_on/net '{"condition":"service_started","required":true,"restart":true}'
	assert_jget services/web/depends_on/ipc '{"condition":"service_started","required":true,"restart":true}'
	assert_jget services/web/depends_on/pid '{"condition":"service_started","required":true,"restart":true}'
	assert_jget services/web/depends_on/uts '{"condition":"service_started","required":true,"restart":true}'
	assert_jget services/web/depends_on/lnk2 '{"condition":"service_started","required":true,"restart":true}'
	# volumes_from: restart false (absent or false)
	run jget services/web/depends_on/vf/restart
	assert_output --regexp '^(false|<absent>)$'
	assert_jget services/web/depends_on/vf/condition service_started
	# an explicit entry is never overwritten
	assert_jget services/web/depends_on/lnk '{"condition":"service_healthy","required":false}'
	# container:xxx adds nothing
	assert_jget services/web/depends_on/c1 '<absent>'
	assert_jget services/web/depends_on/container:c1 '<absent>'
	# network_mode replaces the default network
	assert_jget services/web/networks '<absent>'
}

@test "edge 32: network_mode container:xxx adds no dependency" {
	svc '    network_mode: container:other'
	assert_jget services/s/depends_on '<absent>'
	assert_jget services/s/network_mode container:other
}

# ---------------------------------------------------------------- volumes (45)

@test "edge 45: volume short syntax errors" {
	svc_err "error: $P/compose.yaml:5:9: services.s.volumes[0] invalid spec: /f:/f:ro:x: too many colons" \
		'    volumes:' '      - /f:/f:ro:x'
	svc_err "error: $P/compose.yaml:5:9: services.s.volumes[0] invalid spec: /foo::rw: empty section between colons" \
		'    volumes:' '      - /foo::rw'
	svc_err "error: $P/compose.yaml:5:9: services.s.volumes[0] invalid empty volume spec" \
		'    volumes:' '      - ""'
	svc_err "error: $P/compose.yaml:5:9: services.s.volumes[0] invalid spec: :/x: empty section between colons" \
		'    volumes:' '      - :/x'
}

@test "edge 45: volume short syntax: modes, nocopy, SELinux, propagation, anonymous" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    volumes:
      - name:/t1:bogus
      - name:/t2:nocopy
      - /s:/t3:ro,z
      - /s:/t4:slave
      - /path
      - ./rel:/t5:Z
      - ../up:/t6:rw,rshared
      - name:/t7:ro
      - ~/h:/t8
volumes:
  name: {}
EOF
	cfg_json
	assert_jget services/s/volumes/0 '{"source":"name","target":"/t1","type":"volume","volume":{}}'
	assert_jget services/s/volumes/1 '{"source":"name","target":"/t2","type":"volume","volume":{"nocopy":true}}'
	assert_jget services/s/volumes/2 '{"bind":{"create_host_path":true,"selinux":"z"},"read_only":true,"source":"/s","target":"/t3","type":"bind"}'
	assert_jget services/s/volumes/3 '{"bind":{"create_host_path":true,"propagation":"slave"},"source":"/s","target":"/t4","type":"bind"}'
	assert_jget services/s/volumes/4 '{"target":"/path","type":"volume"}'
	assert_jget services/s/volumes/5 "{\"bind\":{\"create_host_path\":true,\"selinux\":\"Z\"},\"source\":\"$P/rel\",\"target\":\"/t5\",\"type\":\"bind\"}"
	assert_jget services/s/volumes/6 "{\"bind\":{\"create_host_path\":true,\"propagation\":\"rshared\"},\"source\":\"$BATS_TEST_TMPDIR/up\",\"target\":\"/t6\",\"type\":\"bind\"}"
	assert_jget services/s/volumes/7 '{"read_only":true,"source":"name","target":"/t7","type":"volume","volume":{}}'
	assert_jget services/s/volumes/8 "{\"bind\":{\"create_host_path\":true},\"source\":\"$HOME/h\",\"target\":\"/t8\",\"type\":\"bind\"}"
}

@test "edge 45: colons inside \${...} are not separators (seen with --no-interpolate); interpolated, they are" {
	printf 'services:\n  s:\n    image: a\n    volumes:\n      - /tmp:/tmp/${T:-12:30:45}/p\n' >compose.yaml
	run -0 cc config --no-interpolate --format json
	JSON="$output"
	run jget services/s/volumes/0
	assert_output --partial '/tmp/${T:-12:30:45}/p'
	refute_output --partial 'too many colons'
	run -1 cc config
	assert_output "error: $P/compose.yaml:5:9: services.s.volumes[0] invalid spec: /tmp:/tmp/12:30:45/p: too many colons"
	T=x cfg_json
	assert_jget services/s/volumes/0/target /tmp/x/p
}

@test "volume long syntax: bind, volume, tmpfs and image options, and their round trip" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    volumes:
      - type: bind
        source: ./data
        target: /data
        read_only: true
        bind: {propagation: rprivate, create_host_path: false, selinux: z}
      - type: volume
        source: named
        target: /v
        volume: {nocopy: true, subpath: sub}
      - type: tmpfs
        target: /t
        tmpfs: {size: 1m}
      - type: image
        source: alpine
        target: /img
        image: {subpath: etc}
volumes:
  named: {}
EOF
	cfg_json
	assert_jget services/s/volumes/0 "{\"bind\":{\"create_host_path\":false,\"propagation\":\"rprivate\",\"selinux\":\"z\"},\"read_only\":true,\"source\":\"$P/data\",\"target\":\"/data\",\"type\":\"bind\"}"
	assert_jget services/s/volumes/1 '{"source":"named","target":"/v","type":"volume","volume":{"nocopy":true,"subpath":"sub"}}'
	assert_jget services/s/volumes/2 '{"target":"/t","tmpfs":{"size":1048576},"type":"tmpfs"}'
	assert_jget services/s/volumes/3 '{"image":{"subpath":"etc"},"source":"alpine","target":"/img","type":"image"}'
	assert_roundtrip
}

# ---------------------------------------------------------------- ports (46)

@test "edge 46: port ranges" {
	svc '    ports: ["80-90:8080", "80-82:8080-8082/udp"]'
	assert_jget services/s/ports '[{"mode":"ingress","protocol":"tcp","published":"80-90","target":8080},{"mode":"ingress","protocol":"udp","published":"80","target":8080},{"mode":"ingress","protocol":"udp","published":"81","target":8081},{"mode":"ingress","protocol":"udp","published":"82","target":8082}]'
}

@test "edge 46: port short syntax: host ip, IPv6, protocol, container-only" {
	svc '    ports: ["127.0.0.1:8080:80", "[::1]:8081:81/sctp", "3000", "127.0.0.1::82", 8083]'
	assert_jget services/s/ports '[{"host_ip":"127.0.0.1","mode":"ingress","protocol":"tcp","published":"8080","target":80},{"host_ip":"::1","mode":"ingress","protocol":"sctp","published":"8081","target":81},{"mode":"ingress","protocol":"tcp","target":3000},{"host_ip":"127.0.0.1","mode":"ingress","protocol":"tcp","target":82},{"mode":"ingress","protocol":"tcp","target":8083}]'
}

@test "edge 46: port short syntax errors" {
	svc_err "error: $P/compose.yaml:5:9: services.s.ports[0] Invalid ip address: 127.0.1" \
		'    ports:' '      - 127.0.1:8080:80'
	svc_err "error: $P/compose.yaml:5:9: services.s.ports[0] Invalid containerPort: 9999999" \
		'    ports:' '      - 9999999'
	svc_err "error: $P/compose.yaml:5:9: services.s.ports[0] Invalid proto: xyz" \
		'    ports:' '      - 80/xyz'
	svc_err "error: $P/compose.yaml:5:9: services.s.ports[0] Invalid hostPort: 65536" \
		'    ports:' '      - "65536:80"'
	svc_err "error: $P/compose.yaml:5:9: services.s.ports[0] Invalid ranges specified for container and host Ports: 80-82 and 80-81" \
		'    ports:' '      - "80-81:80-82"'
}

@test "edge 46: long syntax: published int becomes a string; defaults protocol tcp, mode ingress" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    ports:
      - target: 80
        published: 8080
      - target: 81
        published: "8000-8010"
        host_ip: 127.0.0.1
        protocol: udp
        mode: host
        app_protocol: http
        name: web
EOF
	cfg_json
	assert_jget services/s/ports '[{"mode":"ingress","protocol":"tcp","published":"8080","target":80},{"app_protocol":"http","host_ip":"127.0.0.1","mode":"host","name":"web","protocol":"udp","published":"8000-8010","target":81}]'
}

@test "expose: numbers and ranges become strings" {
	svc '    expose: ["3000", "4000-4002/udp", 5000]'
	assert_jget services/s/expose '["3000","4000-4002/udp","5000"]'
}

# ---------------------------------------------------------------- units (47)

@test "edge 47: byte units are binary; -1 is unlimited for memswap_limit" {
	svc '    memswap_limit: -1' '    mem_limit: 640kb' '    mem_reservation: 1.5g' '    shm_size: 1024' '    pids_limit: -1'
	assert_jget services/s/memswap_limit -1
	assert_jget services/s/mem_limit 655360
	assert_jget services/s/mem_reservation 1610612736
	assert_jget services/s/shm_size 1024
	assert_jget services/s/pids_limit -1
}

@test "edge 47: tmpfs size 0 is fine; negative or fractional is an error" {
	svc '    volumes:' '      - {type: tmpfs, target: /t0, tmpfs: {size: 0}}'
	assert_jget services/s/volumes/0/tmpfs/size 0
	svc_err "error: $P/compose.yaml:5:50: services.s.volumes[0].tmpfs.size must be a non-negative byte size, got \"-1\"" \
		'    volumes:' '      - {type: tmpfs, target: /t0, tmpfs: {size: "-1"}}'
	svc_err "error: $P/compose.yaml:5:50: services.s.volumes[0].tmpfs.size must be a non-negative integer byte size, got \"1.5\"" \
		'    volumes:' '      - {type: tmpfs, target: /t0, tmpfs: {size: "1.5"}}'
	svc_err "error: $P/compose.yaml:5:50: services.s.volumes[0].tmpfs.size invalid size: '10x'" \
		'    volumes:' '      - {type: tmpfs, target: /t0, tmpfs: {size: 10x}}'
	run -1 bash -c "printf 'services:\n  s:\n    image: a\n    volumes:\n      - {type: tmpfs, target: /t0, tmpfs: {size: -1}}\n' >compose.yaml && '$CC' config"
	assert_output --partial "$P/compose.yaml:5:50: services.s.volumes[0].tmpfs.size"
	run -1 bash -c "printf 'services:\n  s:\n    image: a\n    volumes:\n      - {type: tmpfs, target: /t0, tmpfs: {size: 1.5}}\n' >compose.yaml && '$CC' config"
	assert_output --partial "$P/compose.yaml:5:50: services.s.volumes[0].tmpfs.size"
}

@test "durations: combined units, d and w, fractions; rendered like Go durations" {
	svc '    stop_grace_period: 1h5m30s20ms' '    healthcheck:' '      interval: 1m30s' '      timeout: 500ms' '      start_period: 1d' '      start_interval: "1.5s"'
	assert_jget services/s/stop_grace_period 1h5m30.02s
	assert_jget services/s/healthcheck '{"interval":"1m30s","start_interval":"1.5s","start_period":"24h0m0s","timeout":"500ms"}'
	svc_err "error: $P/compose.yaml:4:24: services.s.stop_grace_period invalid duration \"abc\"" \
		'    stop_grace_period: abc'
}

# ---------------------------------------------------------------- misc forms (48)

@test "edge 48: command is shell-split without a shell; healthcheck string test is CMD-SHELL" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    command: bundle exec thin -p 3000
    entrypoint: "/bin/sh -c 'echo a b' \"x y\""
    healthcheck:
      test: echo "hi"
EOF
	cfg_json
	assert_jget services/s/command '["bundle","exec","thin","-p","3000"]'
	assert_jget services/s/entrypoint '["/bin/sh","-c","echo a b","x y"]'
	assert_jget services/s/healthcheck/test '["CMD-SHELL","echo \"hi\""]'
}

@test "healthcheck: disable: true, and test lists are kept" {
	svc '    healthcheck:' '      test: [CMD, curl, -f, http://x]'
	assert_jget services/s/healthcheck/test '["CMD","curl","-f","http://x"]'
	svc '    healthcheck:' '      disable: true'
	run jget services/s/healthcheck
	assert_output --regexp '^(\{"disable":true\}|\{"test":\["NONE"\]\}|\{"disable":true,"test":\["NONE"\]\})$'
}

@test "edge 48: secrets and configs short syntax; a relative long target is kept" {
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    secrets:
      - s1
      - source: s1
        target: my_secret
      - source: s1
        target: /abs
        uid: "1000"
        gid: "1000"
        mode: 0400
    configs:
      - c1
      - source: c1
        target: /etc/c1.conf
secrets:
  s1: {file: ./s1}
configs:
  c1: {content: "hello"}
EOF
	cfg_json
	assert_jget services/s/secrets '[{"source":"s1","target":"/run/secrets/s1"},{"source":"s1","target":"my_secret"},{"gid":"1000","mode":"0400","source":"s1","target":"/abs","uid":"1000"}]'
	assert_jget services/s/configs '[{"source":"c1","target":"/c1"},{"source":"c1","target":"/etc/c1.conf"}]'
	assert_jget secrets/s1 "{\"file\":\"$P/s1\",\"name\":\"proj_s1\"}"
	assert_jget configs/c1 '{"content":"hello","name":"proj_c1"}'
}

@test "edge 48: GPU device count accepts all, an int or a numeric string" {
	local c
	for c in '"all"' 2 '"2"'; do
		svc '    deploy:' '      resources:' '        reservations:' '          devices:' '            - capabilities: [gpu]' "              count: $c"
		assert_jget services/s/deploy/resources/reservations/devices/0/capabilities '["gpu"]'
	done
	svc '    deploy:' '      resources:' '        reservations:' '          devices:' '            - capabilities: [gpu]' '              count: "all"'
	assert_jget services/s/deploy/resources/reservations/devices/0/count all
}

@test "edge 48: device capabilities are mandatory" {
	svc_err "error: $P/compose.yaml:8:15: services.s.deploy.resources.reservations.devices[0] requires property \"capabilities\"" \
		'    deploy:' '      resources:' '        reservations:' '          devices:' '            - driver: nvidia' '              count: 1'
}

@test "edge 48: a non-numeric GPU count, or count together with device_ids, is refused" {
	svc_err "error: $P/compose.yaml:9:22: services.s.deploy.resources.reservations.devices[0].count invalid value \"some_string\": the only value allowed is 'all' or a number" \
		'    deploy:' '      resources:' '        reservations:' '          devices:' '            - capabilities: [gpu]' '              count: some_string'
	write compose.yaml <<'EOF'
services:
  s:
    image: a
    deploy:
      resources:
        reservations:
          devices:
            - capabilities: [gpu]
              count: 1
              device_ids: ["0"]
EOF
	run -1 cc config
	assert_output --partial "count"
	assert_output --partial "device_ids"
}

@test "extra_hosts: list with = or :, map with one or several addresses" {
	svc '    extra_hosts: ["somehost:162.242.195.82", "other=10.0.0.1", "v6host=[::1]"]'
	assert_jget services/s/extra_hosts '["somehost=162.242.195.82","other=10.0.0.1","v6host=::1"]'
	svc '    extra_hosts:' '      h1: 1.1.1.1' '      h2: ["2.2.2.2", "::1"]'
	assert_jget services/s/extra_hosts '["h1=1.1.1.1","h2=2.2.2.2","h2=::1"]'
}

@test "string-or-list attributes become lists; maps given as lists become maps" {
	svc '    dns: 8.8.8.8' '    dns_search: example.com' '    tmpfs: /run' '    sysctls: [net.core.somaxconn=1024]' '    labels: [a=1, c=]' '    annotations: [x=1]'
	assert_jget services/s/dns '["8.8.8.8"]'
	assert_jget services/s/dns_search '["example.com"]'
	assert_jget services/s/tmpfs '["/run"]'
	assert_jget services/s/sysctls '{"net.core.somaxconn":"1024"}'
	assert_jget services/s/labels '{"a":"1","c":""}'
	assert_jget services/s/annotations '{"x":"1"}'
}

@test "a label given as a bare list item (no '=') is an empty string" {
	svc '    labels: [a=1, b]'
	assert_jget services/s/labels '{"a":"1","b":""}'
}

@test "devices short syntax becomes source/target/permissions" {
	svc '    devices: ["/dev/ttyUSB0:/dev/ttyUSB1:rwm", "/dev/sda"]'
	assert_jget services/s/devices '[{"permissions":"rwm","source":"/dev/ttyUSB0","target":"/dev/ttyUSB1"},{"permissions":"rwm","source":"/dev/sda","target":"/dev/sda"}]'
}

@test "ulimits: a single number or soft/hard" {
	svc '    ulimits:' '      nproc: 65535' '      nofile: {soft: 20000, hard: 40000}'
	assert_jget services/s/ulimits '{"nofile":{"hard":40000,"soft":20000},"nproc":65535}'
}

@test "build: string is the context; relative contexts resolve against the project dir; URLs are kept" {
	write compose.yaml <<'EOF'
services:
  a: {build: ./app}
  b: {build: {context: ., dockerfile: other.Dockerfile}}
  c: {build: "https://github.com/docker/rootfs.git#main"}
EOF
	cfg_json
	assert_jget services/a/build "{\"context\":\"$P/app\",\"dockerfile\":\"Dockerfile\"}"
	assert_jget services/b/build "{\"context\":\"$P\",\"dockerfile\":\"other.Dockerfile\"}"
	assert_jget services/c/build/context "https://github.com/docker/rootfs.git#main"
}
