#!/bin/sh
# Run every libFuzzer target: fuzz.sh BUILD_DIR runs N | seconds N
# Seeds come from fuzz/corpus/<target>; new inputs go to a scratch copy, so the committed corpus stays small.
set -eu
build=$1 mode=$2 n=$3
root=$(cd "$(dirname "$0")/.." && pwd)
for t in loader template; do
	work=$(mktemp -d)
	cp -r "$root/fuzz/corpus/$t/." "$work/" 2>/dev/null || true
	if [ "$mode" = runs ]; then limit="-runs=$n"; else limit="-max_total_time=$n"; fi
	echo "fuzz_$t: $mode=$n"
	ASAN_OPTIONS=detect_leaks=1 "$build/fuzz_$t" "$limit" -max_len=4096 -timeout=10 \
		-dict="$root/fuzz/compose.dict" -artifact_prefix="$root/fuzz/findings-" "$work" 2>&1 | tail -2
	rm -rf "$work"
done
