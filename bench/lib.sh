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
