#!/bin/sh
# A private podman API service for the docker backend's conformance runs, never the system's storage:
#   scripts/podman-test.sh start DIR   serve the Docker-compatible API on unix://DIR/podman.sock, import busybox
#   scripts/podman-test.sh stop DIR    stop it by its pid, remove what the tests left, unmount, remove DIR
# Storage, run state, networks and containers.conf all live under DIR. The containers.conf is the one from
# ../shared/reference/machine-notes.md: runc (crun refuses this host's hybrid cgroups), cgroupfs, file events,
# and ulimits this host's hard limits allow.
set -eu
cmd=${1:?usage: podman-test.sh start|stop DIR}
dir=${2:?usage: podman-test.sh start|stop DIR}

pm() {
	CONTAINERS_CONF="$dir/containers.conf" podman --root "$dir/storage" --runroot "$dir/run" \
		--tmpdir "$dir/tmp" --network-config-dir "$dir/net" "$@"
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	mkdir -p "$dir/net" "$dir/tmp"
	# netavark keeps its base chains after the last container: stop removes the ones that were not here
	"$(dirname "$0")/../bench/network/peer-rules.sh" snapshot "$dir/chains.before"
	# `init: true` needs an init; podman looks for catatonit, which Debian 12 ships only with podman's own
	# package on some releases: use whichever of them is here
	init=$(command -v catatonit || command -v tini || command -v docker-init || echo /usr/libexec/podman/catatonit)
	cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
init_path = "$init"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
	# exec: the pid recorded is podman's own, not a subshell's
	(exec env CONTAINERS_CONF="$dir/containers.conf" podman --root "$dir/storage" --runroot "$dir/run" \
		--tmpdir "$dir/tmp" --network-config-dir "$dir/net" system service --time=0 \
		"unix://$dir/podman.sock" >"$dir/service.log" 2>&1) &
	echo $! >"$dir/service.pid"
	i=0
	until curl -sf --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "podman system service did not come up; see $dir/service.log" >&2
			exit 1
		fi
		sleep 0.2
	done
	"$(dirname "$0")/standin-rootfs.sh" "$dir/busybox.tar"
	# as in dockerd-test.sh: stand-ins that run until stopped and stop at once on SIGTERM; nginx is its own image
	run='CMD ["/bin/sh", "-c", "trap \"exit 0\" TERM; while :; do sleep 1; done"]'
	pm import -q -c "$run" -c 'ENV PATH=/bin' "$dir/busybox.tar" docker.io/library/busybox:latest >/dev/null
	pm import -q -c "$run" -c 'ENV PATH=/bin' -c 'LABEL stands-in-for=nginx' "$dir/busybox.tar" \
		docker.io/library/nginx:latest >/dev/null
	echo "unix://$dir/podman.sock"
	;;
stop)
	[ -d "$dir" ] || exit 0
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/service.pid" ]; then
		pid=$(cat "$dir/service.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 0.2
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# what a failed test left: containers (their conmon and runc state), pods, then networks and their bridges
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm network prune -f >/dev/null 2>&1 || true
	# and podman's helpers for this storage (conmon of exec sessions lingers for minutes by design). conmon
	# starts `podman container cleanup` with this storage's flags when a container ends: one that came after
	# the removal below would mount the storage again and recreate the directory, so none may be left
	# (its arguments name "$dir/storage" whole, conmon's name paths under it)
	helpers="$dir/storage([/ ]|\$)"
	i=0
	while pgrep -f -- "$helpers" >/dev/null && [ $i -lt 50 ]; do
		pkill -f -- "$helpers" 2>/dev/null || true
		i=$((i + 1))
		sleep 0.2
	done
	[ ! -f "$dir/chains.before" ] || "$(dirname "$0")/../bench/network/peer-rules.sh" restore "$dir/chains.before" || true
	grep " $dir/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$dir"
	;;
*)
	echo "usage: podman-test.sh start|stop DIR" >&2
	exit 2
	;;
esac
