# Shared by the benchmark scripts (sourced): how the peers are set up on these machines.

# podman needs runc and clamped ulimits here (../shared/reference/machine-notes.md): a containers.conf in DIR,
# exported as CONTAINERS_CONF.
podman_conf() {
	cat >"$1/containers.conf" <<'EOC'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOC
	export CONTAINERS_CONF="$1/containers.conf"
}

# A private dockerd (scripts/dockerd-test.sh) in DIR with the docker-archive TAR loaded; its socket is
# DIR/docker.sock. Stop it with `scripts/dockerd-test.sh stop DIR`.
dockerd_with_image() {
	"$(dirname "${BASH_SOURCE[0]}")/../scripts/dockerd-test.sh" start "$1" >/dev/null
	DOCKER_HOST="unix://$1/docker.sock" docker load -q -i "$2" >/dev/null
}

# CC's native store at $CONTAINER_COMPOSE_ROOT with tests/images/mkimage.py's busybox image tagged TAG; the
# OCI layout and its tarball stay in WORK (layout/, busybox.tar) for the peers.
cc_load_busybox() {
	local cc="$1" work="$2" tag="$3" id
	python3 "$(dirname "${BASH_SOURCE[0]}")/../tests/images/mkimage.py" multi "$work/layout" >/dev/null
	tar -C "$work/layout" -cf "$work/busybox.tar" .
	id=$("$cc" --backend native image load -i "$work/busybox.tar" | sed -n 's/^Loaded image ID: //p')
	"$cc" --backend native image tag "$id" "$tag"
}

# The web-and-clients project of bench/network and bench/docker-backend in FILE: one web server and N-1
# clients that reach it by name and then wait; every process exits on SIGTERM. IPV6=1 makes its network
# dual-stack.
web_clients_project() {
	local file="$1" n="$2" i
	{
		echo "services:"
		echo "  web:"
		echo "    image: busybox:latest"
		echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; mkdir -p /w; echo ok > /w/index.html; httpd -p 8080 -h /w; while :; do sleep 0.1; done\"]"
		for i in $(seq 1 $((n - 1))); do
			echo "  client$i:"
			echo "    image: busybox:latest"
			echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; until wget -q -O /dev/null http://web:8080/; do sleep 0.1; done; while :; do sleep 0.1; done\"]"
			echo "    depends_on: [web]"
		done
		# IPV6=1: the project's network is dual-stack, and the clients reach web over IPv6 (AAAA first)
		if [ "${IPV6:-0}" = 1 ]; then
			echo "networks:"
			echo "  default:"
			echo "    enable_ipv6: true"
			echo "    ipam:"
			echo "      config:"
			echo "        - subnet: 10.213.0.0/24"
			echo "        - subnet: fd0b:e::/64"
		fi
	} >"$file"
}
