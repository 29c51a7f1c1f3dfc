#!/bin/bash
# The main job: show what the loader makes of a rich Compose file (examples/demo), then bring a real
# stack up on the native engine (examples/stack: busybox containers under runc, on a bridge network with
# service-name DNS and a published port), talk to it from the host, and take it down leaving nothing.
set -euo pipefail
cc=${1:?path to container-compose}
here="$(cd "$(dirname "$0")/.." && pwd)"
root=$(mktemp -d)
cd "$here/examples/stack"
cleanup() {
	CONTAINER_COMPOSE_ROOT="$root" "$cc" down -t 1 >/dev/null 2>&1 || true
	rm -rf "$root"
}
trap cleanup EXIT
export CONTAINER_COMPOSE_ROOT="$root" CONTAINER_COMPOSE_BACKEND=native
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

cd "$here/examples/demo"
say "container-compose config --services      # examples/demo: include, extends, override, .env, profiles"
"$cc" config --services
say "container-compose config --hash '*'"
"$cc" config --hash '*'
say "container-compose -f - config   # a mistake, reported with its position"
printf 'services:\n  web:\n    image: busybox\n    ports: ["80:80/xyz"]\n' | "$cc" -f - config || true

# No registry is reachable here: the stack's image is built from Debian's busybox-static and loaded.
layout="$root/busybox-layout"
python3 "$here/tests/images/mkimage.py" multi "$layout" >/dev/null
tar -C "$layout" -cf "$root/busybox.tar" .
say "container-compose image load -i busybox.tar && container-compose image tag ID busybox:latest"
id=$("$cc" image load -i "$root/busybox.tar" | sed -n 's/^Loaded image ID: //p')
"$cc" image tag "$id" busybox:latest
"$cc" image ls

cd "$here/examples/stack"
port=${WEB_PORT:-8080}
export WEB_PORT=$port
say "container-compose up -d --wait    # examples/stack: db healthy -> migrate exits 0 -> api x2 -> web"
"$cc" --progress plain up -d --wait
say container-compose ps -a
"$cc" ps -a
say container-compose logs migrate
"$cc" logs migrate
say "curl http://127.0.0.1:$port/cgi-bin/index    # host -> web -> api -> db, each hop by service name"
curl -sf "http://127.0.0.1:$port/cgi-bin/index"
say "container-compose exec web nslookup api    # one name, both replicas"
"$cc" exec web nslookup api | grep -E '^(Name|Address)'
say "container-compose exec api sh -c 'echo hello from api; exit 3'   # exit codes propagate"
rc=0
"$cc" exec api sh -c 'echo hello from api; exit 3' || rc=$?
echo "exit code: $rc"
say "container-compose up -d    # nothing changed: nothing recreated"
"$cc" --progress plain up -d
say container-compose ls
"$cc" ls
say "container-compose down"
"$cc" --progress plain down -t 1
say "after down: the project's bridge, firewall table, namespaces and mounts are gone"
table="container_compose_$(printf %s "$root" | sha256sum | cut -c1-8)"
nft list table inet "$table" >/dev/null 2>&1 && { echo "firewall table $table left behind" >&2; exit 1; }
grep -q "$root" /proc/self/mountinfo && { echo "mounts left behind" >&2; exit 1; }
echo "nothing left"
