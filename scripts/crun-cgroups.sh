#!/bin/bash
# crun 1.8 refuses a hybrid cgroup layout whose v2 hierarchy holds controllers; on these machines that is
# hugetlb alone, bound to no v1 hierarchy. `apply` binds hugetlb to a v1 hierarchy of its own, which empties
# the v2 list and lets crun run; `undo` takes it back (machine-notes: the child cgroups must go and the
# hierarchy must be released for about 2 s before the unmount, or hugetlb does not return to v2).
# Both do nothing where there is nothing to do: `apply` leaves a marker so that `undo` only reverts its own
# change.
# usage: crun-cgroups.sh apply|undo MARKER_DIR
set -euo pipefail
cg=/sys/fs/cgroup
marker="${2:?marker directory}/crun-cgroups.applied"
case "${1:-}" in
apply)
	controllers=$(cat "$cg/unified/cgroup.controllers" 2>/dev/null || true)
	[ -n "$controllers" ] || exit 0 # not hybrid, or nothing on v2: crun runs as it is
	if [ "$controllers" != "hugetlb" ]; then
		echo "crun-cgroups: v2 holds '$controllers'; only a lone hugetlb is moved" >&2
		exit 1
	fi
	mkdir "$cg/hugetlb"
	mount -t cgroup -o hugetlb cgroup "$cg/hugetlb"
	touch "$marker"
	;;
undo)
	[ -f "$marker" ] || exit 0
	for attempt in 1 2 3; do
		find "$cg/hugetlb" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
		sleep 2
		umount "$cg/hugetlb"
		# the hierarchy is released asynchronously: hugetlb shows up on v2 again about 0.5 s later
		for _ in $(seq 1 20); do
			if [ "$(cat "$cg/unified/cgroup.controllers")" = "hugetlb" ]; then
				rmdir "$cg/hugetlb"
				rm -f "$marker"
				exit 0
			fi
			sleep 0.5
		done
		# released too early: the hidden hierarchy lives on; mount it again and retry
		mount -t cgroup -o hugetlb cgroup "$cg/hugetlb"
	done
	echo "crun-cgroups: hugetlb did not return to the v2 hierarchy; $cg/hugetlb is left mounted" >&2
	exit 1
	;;
*)
	echo "usage: $0 apply|undo MARKER_DIR" >&2
	exit 2
	;;
esac
