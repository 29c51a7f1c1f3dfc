#!/bin/bash
# bench/api: REST API throughput and tail latency of container-compose's daemon (`serve`, native backend) against
# podman's API service, a private dockerd, and nginx as the ceiling, all measured in the same run with
# bench/api/loadgen.c (CONNECTIONS keep-alive connections, one request at a time each).
#
#   GET /_ping                  ours, podman, dockerd, nginx (a constant {"ok":true})
#   GET /containers, 100 of them   ours: /containers (100 created native containers: `create --scale web=100`);
#                               podman, dockerd: /containers/json?all=1 (100 created busybox containers);
#                               nginx: a static file holding our own /containers answer (or a synthetic
#                               100-element array if our daemon is absent)
#
# ours and nginx are measured on a unix socket and on TCP 127.0.0.1 (ours with a bearer token), podman and
# dockerd on their unix sockets. All servers run side by side; the targets are measured in interleaved rounds
# (each target once per round, the host's slow moments hit everyone alike), each run waits until every server
# is idle again. Prints a markdown table on stdout: medians over the rounds, ratios ours/peer for the same
# request and transport, and each server's idle RSS (its process tree: dockerd with its containerd, nginx master
# and worker) right after startup.
#
# usage: run.sh [PATH/TO/container-compose] [ROUNDS]   (default $CC_BIN, else build/container-compose; 3)
# env: DURATION (seconds per run, 3), WARMUP (1), CONNECTIONS (64), PEERS (which peers to run, default
#      "podman dockerd nginx"; e.g. PEERS=nginx for a quick look at our daemon alone)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cc=${1:-${CC_BIN:-$repo/build/container-compose}}
case "$cc" in /*) ;; *) cc="$PWD/$cc" ;; esac
rounds=${2:-3}
duration=${DURATION:-3}
warmup=${WARMUP:-1}
conns=${CONNECTIONS:-64}
peers=" ${PEERS-podman dockerd nginx} "
ncontainers=100
py=/usr/bin/python3
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"

work=$(mktemp -d)
pids=()      # every long-running process this script started, stopped by PID in cleanup
dockerd_dir= # set once scripts/dockerd-test.sh has started one
skipped=()

stop_pid() { # PID: SIGTERM, up to 15 s, then SIGKILL; reaps it
	kill "$1" 2>/dev/null || return 0
	local i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cc_roots=()
cleanup() {
	set +e
	local p
	for p in "${pids[@]}"; do
		stop_pid "$p"
	done
	[ -n "$dockerd_dir" ] && "$repo/scripts/dockerd-test.sh" stop "$dockerd_dir" >/dev/null 2>&1
	local r
	for r in "${cc_roots[@]}"; do
		(cd "$work/proj" && "$cc" --root "$r" -p bench down -t 0 >/dev/null 2>&1)
	done
	[ -f "$work/chains.before" ] && "$here/../network/peer-rules.sh" restore "$work/chains.before"
	grep " $work/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench/api: $*" >&2; }
why() { # LOG: its first "error" line, else its last line
	{ grep -m 1 -i 'error' "$1" || tail -n 1 "$1"; } 2>/dev/null | cut -c 1-200
}
skip() {
	skipped+=("$1")
	log "skipped: $1"
}
free_port() {
	$py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_ready PID CURL-ARGS...: until the URL answers 2xx (10 s); fails early when PID has exited
wait_ready() {
	local pid=$1 i=0
	shift
	until curl -sf -o /dev/null --max-time 2 "$@"; do
		kill -0 "$pid" 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}
tree_pids() { # PID and all its descendants
	local c
	echo "$1"
	for c in $(pgrep -P "$1" || true); do
		tree_pids "$c"
	done
}
rss_kib() { # VmRSS summed over PID's process tree
	local p total=0 r
	for p in $(tree_pids "$1"); do
		r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
		total=$((total + ${r:-0}))
	done
	echo "$total"
}
cpu_ticks() { # utime+stime summed over PID's process tree
	local p total=0 t
	for p in $(tree_pids "$1"); do
		t=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || true)
		total=$((total + ${t:-0}))
	done
	echo "$total"
}
# settle: wait (up to 60 s) until no server burns CPU any more, e.g. on requests a finished run left in
# flight, so that they do not slow down the next target
settle() {
	local i=0 before after p
	while [ $i -lt 240 ]; do
		before=0 after=0
		for p in "${server_pids[@]}"; do before=$((before + $(cpu_ticks "$p"))); done
		sleep 0.25
		for p in "${server_pids[@]}"; do after=$((after + $(cpu_ticks "$p"))); done
		[ $((after - before)) -le 2 ] && return 0
		i=$((i + 1))
	done
	log "servers still busy after 60 s; measuring anyway"
}

# targets: parallel arrays, one entry per measured (server, transport, request)
t_server=() t_transport=() t_kind=() t_target=() t_path=() t_header=()
add_target() { # SERVER TRANSPORT KIND(ping|list) TARGET PATH [HEADER]
	t_server+=("$1") t_transport+=("$2") t_kind+=("$3") t_target+=("$4") t_path+=("$5") t_header+=("${6:-}")
}
server_pids=()
: >"$work/rss.tsv"
record_rss() { # SERVER TRANSPORT PID, a second after it answered
	sleep 1
	printf '%s\t%s\t%s\n' "$1" "$2" "$(rss_kib "$3")" >>"$work/rss.tsv"
	server_pids+=("$3")
}

log "building loadgen"
"${CC:-cc}" -O2 -std=c11 -Wall -Wextra -D_GNU_SOURCE -o "$work/loadgen" "$here/loadgen.c" -pthread
if command -v iptables >/dev/null; then
	"$here/../network/peer-rules.sh" snapshot "$work/chains.before"
fi
list_len() { # FILE: number of elements of the JSON array in FILE, or "?"
	$py -c 'import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print(len(d) if isinstance(d, list) else "?")
except Exception:
    print("?")' "$1"
}
: >"$work/items.tsv"
check_list() { # SERVER TRANSPORT FILE: note how many containers the list answer held
	local n
	n=$(list_len "$3")
	printf '%s\t%s\t%s\n' "$1" "$2" "$n" >>"$work/items.tsv"
	[ "$n" = "$ncontainers" ] || log "warning: $1 ($2) lists $n containers, not $ncontainers"
}

make_image() { # the busybox OCI layout of the other benches, as a tar
	[ -f "$work/busybox.tar" ] && return 0
	$py "$repo/tests/images/mkimage.py" multi "$work/layout" >/dev/null
	tar -C "$work/layout" -cf "$work/busybox.tar" .
}

# --- (1) container-compose serve, native backend: one daemon on a unix socket, one on TCP (own state roots,
#         so that two daemons never share one); 100 created containers, as the peers have ---
mkdir -p "$work/proj"
cat >"$work/proj/compose.yaml" <<'EOC'
services:
  web:
    image: busybox
    command: sleep 1000
    network_mode: none
EOC
cc_up() { # ROOT: the image and the created containers, before the daemon starts
	make_image
	cc_roots+=("$1")
	{
		local id
		id=$("$cc" --root "$1" image load -i "$work/busybox.tar" | sed -n 's/^Loaded image ID: //p') &&
			"$cc" --root "$1" image tag "$id" busybox:latest &&
			(cd "$work/proj" && "$cc" --root "$1" --progress quiet -p bench create --scale "web=$ncontainers")
	} >"$work/cc-up.log" 2>&1
}
if [ ! -x "$cc" ]; then
	skip "container-compose: no binary at $cc"
elif ! cc_up "$work/root"; then
	skip "container-compose: create failed: $(why "$work/cc-up.log")"
else
	"$cc" --root "$work/root" serve ${CC_SERVE_ARGS:-} --listen "unix://$work/cc.sock" >"$work/cc-unix.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	if wait_ready "$pid" --unix-socket "$work/cc.sock" http://localhost/_ping; then
		record_rss container-compose unix "$pid"
		curl -sf --unix-socket "$work/cc.sock" http://localhost/containers -o "$work/cc-containers.json" || true
		check_list container-compose unix "$work/cc-containers.json"
		add_target container-compose unix ping "unix:$work/cc.sock" /_ping
		add_target container-compose unix list "unix:$work/cc.sock" /containers
	else
		skip "container-compose serve (unix): did not answer /_ping: $(why "$work/cc-unix.log")"
	fi

	if ! cc_up "$work/root-tcp"; then
		skip "container-compose (tcp): create failed: $(why "$work/cc-up.log")"
	elif token=$("$cc" --root "$work/root-tcp" system generate-key bench 2>"$work/cc-key.log" | tail -n 1) &&
		[ -n "$token" ]; then
		token=$(echo "$token" | tr -d '[:space:]')
		port=$(free_port)
		"$cc" --root "$work/root-tcp" serve ${CC_SERVE_ARGS:-} --listen "tcp://127.0.0.1:$port" \
			>"$work/cc-tcp.log" 2>&1 &
		pid=$!
		pids+=("$pid")
		auth="Authorization: Bearer $token"
		if wait_ready "$pid" -H "$auth" "http://127.0.0.1:$port/_ping"; then
			record_rss container-compose tcp "$pid"
			curl -sf -H "$auth" "http://127.0.0.1:$port/containers" -o "$work/cc-containers-tcp.json" || true
			check_list container-compose tcp "$work/cc-containers-tcp.json"
			add_target container-compose tcp ping "tcp:127.0.0.1:$port" /_ping "$auth"
			add_target container-compose tcp list "tcp:127.0.0.1:$port" /containers "$auth"
		else
			skip "container-compose serve (tcp): did not answer /_ping with the token: $(why "$work/cc-tcp.log")"
		fi
	else
		skip "container-compose serve (tcp): system generate-key failed: $(why "$work/cc-key.log")"
	fi
fi

# --- (2) podman system service, private storage (machine notes: runc, clamped ulimits) ---
if [[ $peers != *" podman "* ]]; then
	:
elif command -v podman >/dev/null; then
	podman_conf "$work"
	pm=(podman --root "$work/pm" --runroot "$work/pmrun" --tmpdir "$work/pmtmp" --storage-driver overlay)
	make_image
	"${pm[@]}" load -q -i "$work/busybox.tar" >/dev/null
	pimg=$("${pm[@]}" images -q | head -n 1)
	pm_create() {
		local i
		for i in $(seq 1 $ncontainers); do
			"${pm[@]}" create -q --network none --name "bench-$i" "$pimg" sleep 1000 >/dev/null || return 1
		done
	}
	"${pm[@]}" system service --time=0 "unix://$work/podman.sock" >"$work/podman.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	if wait_ready "$pid" --unix-socket "$work/podman.sock" http://d/_ping; then
		record_rss podman unix "$pid"
		add_target podman unix ping "unix:$work/podman.sock" /_ping
		log "podman: creating $ncontainers containers"
		if pm_create; then
			curl -sf --unix-socket "$work/podman.sock" 'http://d/containers/json?all=1' \
				-o "$work/pm-containers.json" || true
			check_list podman unix "$work/pm-containers.json"
			add_target podman unix list "unix:$work/podman.sock" '/containers/json?all=1'
		else
			skip "podman: podman create failed, no list measured"
		fi
	else
		skip "podman system service did not answer /_ping: $(why "$work/podman.log")"
	fi
else
	skip "podman: not installed"
fi

# --- (3) a private dockerd (scripts/dockerd-test.sh, as bench/lib.sh's dockerd_with_image uses: it imports
#         busybox:latest itself, so no archive needs loading) ---
if [[ $peers != *" dockerd "* ]]; then
	:
elif command -v dockerd >/dev/null && command -v docker >/dev/null; then
	dockerd_dir="$work/dockerd"
	if "$repo/scripts/dockerd-test.sh" start "$dockerd_dir" >/dev/null; then
		pid=$(cat "$dockerd_dir/dockerd.pid")
		record_rss dockerd unix "$pid"
		add_target dockerd unix ping "unix:$dockerd_dir/docker.sock" /_ping
		log "dockerd: creating $ncontainers containers"
		dk_create() {
			local i
			for i in $(seq 1 $ncontainers); do
				DOCKER_HOST="unix://$dockerd_dir/docker.sock" docker create -q --network none \
					--name "bench-$i" busybox:latest sleep 1000 >/dev/null || return 1
			done
		}
		if dk_create; then
			curl -sf --unix-socket "$dockerd_dir/docker.sock" 'http://d/containers/json?all=1' \
				-o "$work/dk-containers.json" || true
			check_list dockerd unix "$work/dk-containers.json"
			add_target dockerd unix list "unix:$dockerd_dir/docker.sock" '/containers/json?all=1'
		else
			skip "dockerd: docker create failed, no list measured"
		fi
	else
		skip "dockerd did not start (see scripts/dockerd-test.sh)"
	fi
else
	skip "dockerd: not installed"
fi

# --- (4) nginx, the ceiling: {"ok":true} for /_ping; /containers from a file with our own list answer ---
if [[ $peers != *" nginx "* ]]; then
	:
elif command -v nginx >/dev/null; then
	mkdir -p "$work/nginx/www"
	if [ -s "$work/cc-containers.json" ]; then
		cp "$work/cc-containers.json" "$work/nginx/www/containers"
	else
		$py - "$ncontainers" >"$work/nginx/www/containers" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps([{"id": "bench-web-%d" % i, "name": "bench-web-%d" % i, "image": "busybox",
                   "command": "sleep 1000", "state": "running", "status": "Up 1 second",
                   "created": "2026-05-01T12:34:56Z", "ports": [],
                   "labels": {"com.docker.compose.project": "bench", "com.docker.compose.service": "web",
                              "com.docker.compose.container-number": str(i)}}
                  for i in range(1, n + 1)], separators=(",", ":")))
PY
	fi
	nport=$(free_port)
	cat >"$work/nginx/nginx.conf" <<EOC
# one worker: a one-core ceiling, next to a one-thread load generator on this two-core machine
worker_processes 1;
user root;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000000;
    client_body_temp_path $work/nginx/tmp-body;
    proxy_temp_path $work/nginx/tmp-proxy;
    fastcgi_temp_path $work/nginx/tmp-fastcgi;
    uwsgi_temp_path $work/nginx/tmp-uwsgi;
    scgi_temp_path $work/nginx/tmp-scgi;
    server {
        listen 127.0.0.1:$nport;
        listen unix:$work/nginx.sock;
        root $work/nginx/www;
        location = /_ping { default_type application/json; return 200 '{"ok":true}'; }
        location = /containers { default_type application/json; }
    }
}
EOC
	nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/stderr.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	if wait_ready "$pid" "http://127.0.0.1:$nport/_ping" &&
		wait_ready "$pid" --unix-socket "$work/nginx.sock" http://localhost/_ping; then
		record_rss nginx unix "$pid"
		printf 'nginx\ttcp\t%s\n' "$(rss_kib "$pid")" >>"$work/rss.tsv"
		curl -sf --unix-socket "$work/nginx.sock" http://localhost/containers -o "$work/ng-containers.json" || true
		check_list nginx unix "$work/ng-containers.json"
		curl -sf "http://127.0.0.1:$nport/containers" -o "$work/ng-containers-tcp.json" || true
		check_list nginx tcp "$work/ng-containers-tcp.json"
		hdr=
		[ -n "${auth:-}" ] && hdr=$auth # the same request bytes as ours over TCP
		add_target nginx unix ping "unix:$work/nginx.sock" /_ping
		add_target nginx unix list "unix:$work/nginx.sock" /containers
		add_target nginx tcp ping "tcp:127.0.0.1:$nport" /_ping "$hdr"
		add_target nginx tcp list "tcp:127.0.0.1:$nport" /containers "$hdr"
	else
		skip "nginx did not start: $(why "$work/nginx/stderr.log")"
	fi
else
	skip "nginx: not installed (apt-get install nginx-light)"
fi

# --- measure: every target once per round ---
[ ${#t_server[@]} -gt 0 ] || {
	log "nothing to measure"
	exit 1
}
: >"$work/results.tsv"
for r in $(seq 1 "$rounds"); do
	for i in "${!t_server[@]}"; do
		log "round $r/$rounds: ${t_server[$i]} ${t_transport[$i]} ${t_path[$i]}"
		settle
		args=(-c "$conns" -d "$duration" --warmup "$warmup")
		[ -n "${t_header[$i]}" ] && args+=(-H "${t_header[$i]}")
		if out=$("$work/loadgen" "${args[@]}" "${t_target[$i]}" "${t_path[$i]}"); then
			printf '%s\t%s\t%s\t%s\n' "${t_server[$i]}" "${t_transport[$i]}" "${t_kind[$i]}" "$out" \
				>>"$work/results.tsv"
		else
			log "loadgen failed against ${t_server[$i]} ${t_transport[$i]} ${t_path[$i]}"
		fi
	done
done

# --- report ---
printf '%s\n' "${skipped[@]+"${skipped[@]}"}" >"$work/skipped.txt"
$py - "$work" "$rounds" "$duration" "$warmup" "$conns" "$ncontainers" <<'PY'
import json, os, statistics, sys
work, rounds, duration, warmup, conns, ncont = sys.argv[1:7]
runs = {}
for line in open(os.path.join(work, "results.tsv")):
    server, transport, kind, js = line.rstrip("\n").split("\t", 3)
    runs.setdefault((server, transport, kind), []).append(json.loads(js))
rss = {}
for line in open(os.path.join(work, "rss.tsv")):
    server, transport, kib = line.split()
    rss[(server, transport)] = int(kib)
items = {}
for line in open(os.path.join(work, "items.tsv")):
    server, transport, n = line.split()
    items[(server, transport)] = n

def summary(rs):
    return {
        "rps": statistics.median(r["rps"] for r in rs),
        "p50": statistics.median(r["p50_ms"] for r in rs),
        "p99": statistics.median(r["p99_ms"] for r in rs),
        "max": max(r["max_ms"] for r in rs),
        "requests": sum(r["requests"] for r in rs),
        "non2xx": sum(r["non2xx"] for r in rs),
        "errors": sum(r["errors"] for r in rs),
        "reconnects": sum(r["reconnects"] for r in rs),
        "path": rs[0]["path"],
    }

def ratio(a, b):
    return "%.2f" % (a / b) if a and b else "n/a"

order = ["container-compose", "podman", "dockerd", "nginx"]
print("## bench/api: GET /_ping and GET /containers (%s containers)\n" % ncont)
print("%s keep-alive connections, one request at a time each; %s s per run after a %s s warm-up; "
      "median of %s interleaved rounds (max: the largest over all rounds; requests, non-2xx, errors and "
      "reconnects: their sums; listed: the containers in one list answer). Idle RSS: the server's process "
      "tree right after startup. Ratios are ours/this for the same request and transport: rps above 1 and "
      "p99 or RSS below 1 favour container-compose.\n" % (conns, duration, warmup, rounds))
print("| request | transport | server | path | rps | p50 ms | p99 ms | max ms | requests | non-2xx | errors "
      "| reconnects | listed | idle RSS MiB | rps ours/this | p99 ours/this | RSS ours/this |")
print("| --- | --- | --- | --- |" + " ---: |" * 13)
for kind in ("ping", "list"):
    for transport in ("unix", "tcp"):
        ours = runs.get(("container-compose", transport, kind))
        ours = summary(ours) if ours else None
        ours_rss = rss.get(("container-compose", transport))
        for server in order:
            rs = runs.get((server, transport, kind))
            if not rs:
                continue
            s = summary(rs)
            kib = rss.get((server, transport))
            name = "**%s**" % server if server == "container-compose" else server
            print("| %s | %s | %s | `%s` | %s | %.3f | %.3f | %.1f | %d | %d | %d | %d | %s | %s | %s | %s | %s |" % (
                "/_ping" if kind == "ping" else "/containers", transport, name, s["path"],
                "%.0f" % s["rps"] if s["rps"] >= 100 else "%.1f" % s["rps"], s["p50"], s["p99"], s["max"],
                s["requests"], s["non2xx"], s["errors"], s["reconnects"],
                items.get((server, transport), "") if kind == "list" else "",
                "%.1f" % (kib / 1024) if kib else "n/a",
                ratio(ours["rps"], s["rps"]) if ours else "n/a",
                ratio(ours["p99"], s["p99"]) if ours else "n/a",
                ratio(ours_rss, kib) if ours_rss else "n/a"))
skipped = [l.strip() for l in open(os.path.join(work, "skipped.txt")) if l.strip()]
if skipped:
    print()
    for s in skipped:
        print("skipped: %s" % s)
PY
