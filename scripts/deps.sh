#!/bin/sh
# Install what building, testing and the demo need, from Debian's repositories. Idempotent: packages already
# present are skipped, and apt is only touched when something is missing.
set -eu
PKGS="build-essential meson ninja-build pkg-config python3 clang libclang-rt-14-dev libfuzzer-14-dev
libfyaml-dev libjansson-dev nettle-dev libarchive-dev libsqlite3-dev libcurl4-gnutls-dev libnl-route-3-dev libnftables-dev libmicrohttpd-dev libgnutls28-dev libcrypt-dev libcmocka-dev bats bats-assert
bats-support gnutls-bin openssl python3-jsonschema docker-registry skopeo busybox-static attr runc aardvark-dns
golang-github-containers-common docker.io podman containernetworking-plugins nftables crun procps"
# the engines above are what the docker backend's tests run against; nft checks what the firewall left, crun is
# the other OCI runtime the native backend runs under; bench adds the peer tools
case "${1:-}" in
bench) PKGS="$PKGS docker-compose podman-compose buildah time" ;;
esac
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "error: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
