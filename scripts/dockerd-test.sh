#!/bin/sh
# A private dockerd for the docker backend's conformance runs, never the system's:
#   scripts/dockerd-test.sh start DIR   start it on unix://DIR/docker.sock and import busybox:latest
#   scripts/dockerd-test.sh stop DIR    kill it by its pid file, unmount what it left, remove DIR
# --iptables=false keeps host firewall rules untouched; user-defined bridge networks still work, and published
# ports go through docker-proxy. The default bridge is a private one (ccdkt0, 172.30.254.0/24) made here and
# deleted at stop, so the host's docker0 is never created or touched.
set -eu
BRIDGE=ccdkt0
cmd=${1:?usage: dockerd-test.sh start|stop DIR}
dir=${2:?usage: dockerd-test.sh start|stop DIR}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link add "$BRIDGE" type bridge
		ip addr add 172.30.254.1/24 dev "$BRIDGE"
		ip link set "$BRIDGE" up
	fi
	# a TLS listener on loopback too, for tests/docker/50-tls.bats: a private CA, the engine's certificate
	# for 127.0.0.1 and a client's, laid out as docker's CLI reads DOCKER_CERT_PATH (ca.pem, cert.pem,
	# key.pem); the port is left in DIR/tls-port
	tls="$dir/tls"
	mkdir -p "$tls"
	(
		cd "$tls"
		ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
		# shellcheck disable=SC2086
		openssl req -x509 $ec -days 2 -subj /CN=cc-test-ca -keyout ca-key.pem -out ca.pem 2>/dev/null
		for who in server client; do
			# shellcheck disable=SC2086
			openssl req $ec -subj "/CN=$who" -keyout "$who-key.pem" -out "$who.csr" 2>/dev/null
		done
		printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		for who in server client; do
			openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
				-extfile "$who.ext" -out "$who-cert.pem" 2>/dev/null
		done
		cp client-cert.pem cert.pem
		cp client-key.pem key.pem
	)
	tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	echo "$tls_port" >"$dir/tls-port"
	dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		-H "unix://$dir/docker.sock" -H "tcp://127.0.0.1:$tls_port" --tlsverify --tlscacert "$tls/ca.pem" \
		--tlscert "$tls/server-cert.pem" --tlskey "$tls/server-key.pem" --iptables=false --ip-masq=false \
		--bridge "$BRIDGE" >"$dir/dockerd.log" 2>&1 &
	i=0
	until DOCKER_HOST="unix://$dir/docker.sock" docker version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "dockerd did not come up; see $dir/dockerd.log" >&2
			exit 1
		fi
		sleep 0.2
	done
	"$(dirname "$0")/standin-rootfs.sh" "$dir/busybox.tar"
	# like the images the CLI conformance suite means (a web server, a database), the stand-ins run until
	# stopped, and stop at once on SIGTERM
	cmd='CMD ["/bin/sh", "-c", "trap \"exit 0\" TERM; while :; do sleep 1; done"]'
	DOCKER_HOST="unix://$dir/docker.sock" docker import -c "$cmd" -c 'ENV PATH=/bin' \
		"$dir/busybox.tar" busybox:latest >/dev/null
	# the CLI conformance files name nginx too; offline, busybox stands in (their services give commands). It
	# is its own image (another config), so removing busybox never just untags a shared one.
	DOCKER_HOST="unix://$dir/docker.sock" docker import -c "$cmd" -c 'ENV PATH=/bin' \
		-c 'LABEL stands-in-for=nginx' "$dir/busybox.tar" nginx:latest >/dev/null
	echo "unix://$dir/docker.sock"
	;;
stop)
	if [ ! -d "$dir" ]; then
		ip link del "$BRIDGE" 2>/dev/null || true
		exit 0
	fi
	dir=$(cd "$dir" && pwd)
	if [ -S "$dir/docker.sock" ]; then
		# what a failed test left: containers first, then the networks' bridges (they outlive dockerd)
		export DOCKER_HOST="unix://$dir/docker.sock"
		ids=$(timeout 30 docker ps -aq 2>/dev/null || true)
		[ -z "$ids" ] || timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
		timeout 30 docker network prune -f >/dev/null 2>&1 || true
	fi
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
	ip link del "$BRIDGE" 2>/dev/null || true
	;;
*)
	echo "usage: dockerd-test.sh start|stop DIR" >&2
	exit 2
	;;
esac
