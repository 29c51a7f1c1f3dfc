#!/bin/sh
# A private dockerd for the docker backend's conformance runs, never the system's:
#   scripts/dockerd-test.sh start DIR   start it on unix://DIR/docker.sock and import busybox:latest
#   scripts/dockerd-test.sh stop DIR    kill it by its pid file, unmount what it left, remove DIR
# --iptables=false keeps host firewall rules untouched; user-defined bridge networks still work.
set -eu
cmd=${1:?usage: dockerd-test.sh start|stop DIR}
dir=${2:?usage: dockerd-test.sh start|stop DIR}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		-H "unix://$dir/docker.sock" --iptables=false --ip-masq=false \
		--bridge none >"$dir/dockerd.log" 2>&1 &
	i=0
	until DOCKER_HOST="unix://$dir/docker.sock" docker version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "dockerd did not come up; see $dir/dockerd.log" >&2
			exit 1
		fi
		sleep 0.2
	done
	busybox=$(command -v busybox || echo /bin/busybox)
	rm -rf "$dir/rootfs"
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/tmp" "$dir/rootfs/etc"
	cp "$busybox" "$dir/rootfs/bin/busybox"
	for a in sh echo sleep true false cat ls ps top env id kill wc head tail grep printf touch mkdir rm; do
		ln -sf busybox "$dir/rootfs/bin/$a"
	done
	tar -C "$dir/rootfs" -cf "$dir/busybox.tar" .
	DOCKER_HOST="unix://$dir/docker.sock" docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' \
		"$dir/busybox.tar" busybox:latest >/dev/null
	# the CLI conformance files name nginx too; offline, busybox stands in (their services give commands)
	DOCKER_HOST="unix://$dir/docker.sock" docker tag busybox:latest nginx:latest
	echo "unix://$dir/docker.sock"
	;;
stop)
	[ -d "$dir" ] || exit 0
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/dockerd.pid" ]; then
		pid=$(cat "$dir/dockerd.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 0.2
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	grep " $dir/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$dir"
	;;
*)
	echo "usage: dockerd-test.sh start|stop DIR" >&2
	exit 2
	;;
esac
