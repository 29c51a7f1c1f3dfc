# Shared setup for the black-box system tests of `container-compose config`.
#
# Every test runs in its own fresh directory ($BATS_TEST_TMPDIR/proj, so the derived project name is "proj"),
# with an environment stripped of anything the host could leak into the loader (COMPOSE_*, variables used by
# the fixtures, ...). Tests never write outside $BATS_TEST_TMPDIR.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

bats_require_minimum_version 1.5.0

CC="${CC_BIN:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build/container-compose}"
CC_TEST_BUGS_SAVED="${CC_TEST_BUGS:-}"
PY=/usr/bin/python3
SCHEMA="${CC_SCHEMA:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/data/compose-spec.json}"

# Keep only what a shell needs; drop everything else the host exported (COMPOSE_FILE, COMPOSE_PROJECT_NAME,
# COMPOSE_PROFILES, COMPOSE_PATH_SEPARATOR, COMPOSE_DISABLE_ENV_FILE, DOCKER_*, FOO, ...).
clean_env() {
	local v
	for v in $(compgen -e); do
		case "$v" in
		PATH | LANG | LANGUAGE | LC_* | TERM | TMPDIR | USER | LOGNAME | SHELL | PWD | OLDPWD | SHLVL | TZ | BATS_* | _) ;;
		*) unset "$v" 2>/dev/null || true ;;
		esac
	done
}

common_setup() {
	clean_env
	# the binary may be briefly missing while someone rebuilds the tree: wait a little
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -x "$CC" ] && break
		sleep 1
	done
	[ -x "$CC" ] || fail "container-compose binary not found at $CC"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME" "$BATS_TEST_TMPDIR/proj"
	cd "$BATS_TEST_TMPDIR/proj" || fail "cannot cd into the test dir"
	P="$BATS_TEST_TMPDIR/proj"
}

setup() {
	common_setup
}

# write FILE: write standard input (usually a heredoc) to FILE, creating its directory.
write() {
	mkdir -p "$(dirname "$1")"
	cat >"$1"
}

# cc ARGS...: the binary under test (for use with `run`).
cc() {
	"$CC" "$@"
}

# cfg_json ARGS...: run `ARGS config --format json`, require success and keep the JSON in $JSON.
# ARGS are global options (-f, --profile, ...); config options go after a literal `--`.
cfg_json() {
	local global=() sub=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		global+=("$1")
		shift
	done
	[ "${1:-}" = "--" ] && shift
	sub=("$@")
	run --separate-stderr "$CC" "${global[@]}" config --format json "${sub[@]}"
	if [ "$status" -ne 0 ]; then
		echo "config failed ($status): $stderr" >&2
		return 1
	fi
	JSON="$output"
}

# jget PATH: print the value at PATH ("services/web/ports/0/target") in $JSON. Strings are printed raw,
# everything else as compact JSON with sorted keys. A missing key prints <absent>.
jget() {
	printf '%s' "$JSON" | PYTHONIOENCODING=utf-8 "$PY" -c '
import json, sys
d = json.load(sys.stdin)
path = sys.argv[1]
for part in (path.split("/") if path else []):
    if isinstance(d, list):
        d = d[int(part)]
    elif isinstance(d, dict) and part in d:
        d = d[part]
    else:
        print("<absent>")
        sys.exit(0)
print(d if isinstance(d, str) else json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
' "$1"
}

# assert_jget PATH EXPECTED
assert_jget() {
	run jget "$1"
	assert_success
	assert_output "$2"
}

# assert_roundtrip GLOBAL_OPTS...: the canonical output of the project, fed back with -f, must give the same
# `config --format json`. Run in a directory holding the project; the re-read file lives beside it, so
# relative paths and the project directory are unchanged.
assert_roundtrip() {
	run --separate-stderr "$CC" "$@" config --format json
	assert_success
	local first="$output"
	run --separate-stderr "$CC" "$@" config -o rt-out.yaml
	assert_success
	assert_output ""
	local global=() skip=0 a
	# drop -f FILE / --file FILE from the options: the re-read uses only the output
	for a in "$@"; do
		if [ $skip = 1 ]; then
			skip=0
			continue
		fi
		case "$a" in
		-f | --file) skip=1 ;;
		*) global+=("$a") ;;
		esac
	done
	run --separate-stderr "$CC" "${global[@]}" -f rt-out.yaml config --format json
	if [ "$status" -ne 0 ]; then
		echo "re-reading the output failed: $stderr" >&2
		echo "--- output was:" >&2
		cat rt-out.yaml >&2
	fi
	assert_success
	assert_equal "$output" "$first"
}

# assert_error STATUS MESSAGE: the last `run` failed with STATUS and printed exactly MESSAGE (one line).
assert_error() {
	assert_failure "$1"
	assert_output "$2"
}

# known_bug DESCRIPTION: skip a test that documents a bug of the tool (its assertions state the correct
# behaviour). Set CC_TEST_BUGS=1 to run these tests anyway, e.g. to check a fix.
known_bug() {
	[ "${CC_TEST_BUGS_SAVED:-}" = 1 ] && return 0
	skip "BUG: $1"
}
