#!/bin/bash
# The main job: bring a project up and down (examples/stack, on the mock backend until the native engine
# lands), after showing what the loader makes of a richer file (examples/demo).
set -euo pipefail
cc=${1:?path to container-compose}
here="$(cd "$(dirname "$0")/.." && pwd)"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
export CONTAINER_COMPOSE_ROOT="$root" CONTAINER_COMPOSE_BACKEND=mock
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

cd "$here/examples/demo"
say "container-compose config --services      # examples/demo: include, extends, override, .env, profiles"
"$cc" config --services
say "container-compose config --hash '*'"
"$cc" config --hash '*'
say "container-compose -f - config   # a mistake, reported with its position"
printf 'services:\n  web:\n    image: busybox\n    ports: ["80:80/xyz"]\n' | "$cc" -f - config || true

cd "$here/examples/stack"
say "container-compose up -d --wait    # examples/stack: db healthy -> migrate exits 0 -> api x2 -> web"
"$cc" --progress plain up -d --wait
say container-compose ps -a
"$cc" ps -a
say container-compose logs migrate
"$cc" logs migrate
say "container-compose exec api sh -c 'echo hello from api; exit 3'   # exit codes propagate"
rc=0
"$cc" exec api sh -c 'echo hello from api; exit 3' || rc=$?
echo "exit code: $rc"
say "container-compose up -d    # nothing changed: nothing recreated"
"$cc" --progress plain up -d
say container-compose ls
"$cc" ls
say "container-compose down"
"$cc" --progress plain down
