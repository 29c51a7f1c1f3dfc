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
