#!/bin/bash
# The main job until containers can run: load examples/demo (include, extends, an override file, .env,
# anchors, profiles) and show what container-compose resolves it to.
set -euo pipefail
cc=${1:?path to container-compose}
cd "$(dirname "$0")/../examples/demo"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
say container-compose config
"$cc" config
say container-compose config --services
"$cc" config --services
say container-compose --profile debug config --services
"$cc" --profile debug config --services
say "container-compose config --hash '*'"
"$cc" config --hash '*'
say "container-compose -f - config   # a mistake, reported with its position"
printf 'services:\n  web:\n    image: busybox\n    ports: ["80:80/xyz"]\n' | "$cc" -f - config || true
