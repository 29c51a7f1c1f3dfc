#!/bin/sh
# Print one closing line for `make check`: the unit tests (cmocka, counted per test case, in both the normal
# and the sanitizer build) and the system tests (bats).
set -eu
unit=0
for log in build/meson-logs/testlog.txt build-asan/meson-logs/testlog.txt; do
	[ -f "$log" ] || continue
	n=$(grep -o '^\[==========\] [0-9]* test(s) run' "$log" | awk '{s += $2} END {print s + 0}')
	unit=$((unit + n))
done
failed_unit=$(cat build/meson-logs/testlog.txt build-asan/meson-logs/testlog.txt 2>/dev/null |
	grep -c '^\[  FAILED  \] [a-z_]' || true)
# the bats suites, including the docker backend's on each engine that is installed
taps="build/system-tests.tap build/system-tests-remote.tap $(ls build/docker-*.tap 2>/dev/null || true)"
system=$(cat $taps 2>/dev/null | grep -c '^ok ' || true)
failed_system=$(cat $taps 2>/dev/null | grep -c '^not ok ' || true)
# the runtime conformance suite on native, directly and through a daemon, and on the docker engines
for log in build/conformance-native.log build/conformance-remote-native.log $(ls build/docker-*.log 2>/dev/null || true); do
	[ -f "$log" ] || continue
	system=$((system + $(grep -c '^\[       OK \]' "$log" || true)))
	failed_system=$((failed_system + $(grep -c '^\[  FAILED  \] test_' "$log" || true)))
done
echo "check: $((unit + system)) passed, $((failed_unit + failed_system)) failed"
