#!/bin/sh
# The rootfs of the stand-in images the engine scripts import (dockerd-test.sh, podman-test.sh): Debian's
# busybox-static with the applets the tests call, as a tar at OUT.
#   scripts/standin-rootfs.sh OUT.tar
set -eu
out=${1:?usage: standin-rootfs.sh OUT.tar}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/tmp" "$tmp/etc"
cp "$(command -v busybox || echo /bin/busybox)" "$tmp/bin/busybox"
for a in sh echo sleep true false cat ls ps top env id kill wc head tail grep printf touch mkdir rm httpd wget nslookup; do
	ln -sf busybox "$tmp/bin/$a"
done
tar -C "$tmp" -cf "$out" .
