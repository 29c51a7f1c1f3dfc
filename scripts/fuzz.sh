#!/bin/sh
# Run every libFuzzer target: fuzz.sh BUILD_DIR runs N | seconds N
# Seeds come from fuzz/corpus/<target>; new inputs go to a scratch copy, so the committed corpus stays small.
# Any crash, leak, timeout or sanitizer report fails the script, and the input is kept as fuzz/findings-*.
set -eu
build=$1 mode=$2 n=$3
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for t in loader template; do
	work=$(mktemp -d)
	log=$(mktemp)
	cp -r "$root/fuzz/corpus/$t/." "$work/" 2>/dev/null || true
	# a bounded run (make check) uses a fixed seed, so it explores the same inputs every time; a timed run
	# (make fuzz) explores from a fresh seed
	if [ "$mode" = runs ]; then limit="-runs=$n -seed=1"; else limit="-max_total_time=$n"; fi
	echo "fuzz_$t: $mode=$n"
	# shellcheck disable=SC2086 # $limit holds two options on purpose
	if ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp" "$build/fuzz_$t" $limit -max_len=4096 -timeout=10 \
		-dict="$root/fuzz/compose.dict" -artifact_prefix="$root/fuzz/findings-" "$work" >"$log" 2>&1; then
		tail -n 1 "$log"
	else
		echo "fuzz_$t FAILED:" >&2
		tail -n 40 "$log" >&2
		status=1
	fi
	rm -rf "$work" "$log"
done
exit $status
