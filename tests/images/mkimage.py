#!/usr/bin/env python3
"""Build test images as OCI layouts, from busybox-static, with the shapes the image store must handle.

usage: mkimage.py KIND DIR [TAG]
  multi  : 3 gzip layers: busybox + applet links; /etc files and /data/{keep,gone} and /opt/old/x;
           a whiteout of /data/gone and an opaque /opt/old with a new file
  health : multi with a HEALTHCHECK (CMD-SHELL test -f /tmp/ready, every 200 ms, 2 retries)
  index  : an image index with linux/amd64 and linux/arm64 entries (the same layers, different configs)
  escape : one layer whose tar has a member "../escaped" (the store must refuse it)
  big N  : N layers of incompressible data, about 50 MB in all (bench/pull)
The layout is written to DIR (oci-layout, index.json, blobs/sha256/...), tagged TAG (default "latest")."""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import time

BUSYBOX = "/bin/busybox"


def blob(layout, data):
    d = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", d)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def tar_bytes(members):
    """members: list of (TarInfo, bytes or None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def dir_entry(name, mode=0o755):
    i = tarfile.TarInfo(name)
    i.type = tarfile.DIRTYPE
    i.mode = mode
    return (i, None)


def file_entry(name, data, mode=0o644):
    i = tarfile.TarInfo(name)
    i.size = len(data)
    i.mode = mode
    return (i, data)


def link_entry(name, target):
    i = tarfile.TarInfo(name)
    i.type = tarfile.SYMTYPE
    i.linkname = target
    return (i, None)


def busybox_layer():
    with open(BUSYBOX, "rb") as f:
        bb = f.read()
    members = [dir_entry("bin"), file_entry("bin/busybox", bb, 0o755)]
    for applet in ("sh", "ls", "cat", "echo", "sleep", "true", "false", "wget", "httpd", "nslookup"):
        members.append(link_entry("bin/" + applet, "busybox"))
    return tar_bytes(members)


def layer(layout, tar):
    diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
    gz = gzip.compress(tar, mtime=0)
    digest, size = blob(layout, gz)
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size}, diff_id


def image(layout, tars, arch="amd64", cmd=("/bin/sh",), healthcheck=None):
    layers, diff_ids = [], []
    for t in tars:
        d, di = layer(layout, t)
        layers.append(d)
        diff_ids.append(di)
    config = {
        "created": "2026-01-02T03:04:05Z", "architecture": arch, "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Cmd": list(cmd), "WorkingDir": "/", "Labels": {"test": "mkimage"},
                   "ExposedPorts": {"8080/tcp": {}}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    if healthcheck:
        config["config"]["Healthcheck"] = healthcheck
    cdigest, csize = blob(layout, json.dumps(config, separators=(",", ":")).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest, "size": csize},
                "layers": layers}
    mdigest, msize = blob(layout, json.dumps(manifest, separators=(",", ":")).encode())
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdigest, "size": msize}


def write_index(layout, descriptor, tag):
    descriptor = dict(descriptor)
    descriptor["annotations"] = {"org.opencontainers.image.ref.name": tag}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [descriptor]}, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


def multi_layers():
    l2 = tar_bytes([dir_entry("etc"), file_entry("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"),
                    file_entry("etc/group", b"root:x:0:\napp:x:1000:\nextra:x:2000:app\n"), dir_entry("data"), file_entry("data/keep", b"keep\n"),
                    file_entry("data/gone", b"gone\n"), dir_entry("opt"), dir_entry("opt/old"),
                    file_entry("opt/old/x", b"old\n")])
    l3 = tar_bytes([dir_entry("data"), file_entry("data/.wh.gone", b""), dir_entry("opt"), dir_entry("opt/old"),
                    file_entry("opt/old/.wh..wh..opq", b""), file_entry("opt/old/new", b"new\n")])
    return [busybox_layer(), l2, l3]


def main():
    kind, layout = sys.argv[1], sys.argv[2]
    tag = "latest"
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    if kind == "multi":
        tag = sys.argv[3] if len(sys.argv) > 3 else tag
        write_index(layout, image(layout, multi_layers()), tag)
    elif kind == "health":
        # multi with a HEALTHCHECK: healthy once /tmp/ready exists, probed every 200 ms
        tag = sys.argv[3] if len(sys.argv) > 3 else tag
        hc = {"Test": ["CMD-SHELL", "test -f /tmp/ready"], "Interval": 200000000, "Timeout": 1000000000,
              "Retries": 2}
        write_index(layout, image(layout, multi_layers(), healthcheck=hc), tag)
    elif kind == "index":
        tag = sys.argv[3] if len(sys.argv) > 3 else tag
        tars = multi_layers()
        amd = image(layout, tars, "amd64")
        arm = image(layout, tars, "arm64", cmd=("/bin/sh", "-c", "echo arm64"))
        amd["platform"] = {"os": "linux", "architecture": "amd64"}
        arm["platform"] = {"os": "linux", "architecture": "arm64", "variant": "v8"}
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [amd, arm]}
        idigest, isize = blob(layout, json.dumps(idx, separators=(",", ":")).encode())
        write_index(layout, {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": idigest,
                             "size": isize}, tag)
    elif kind == "escape":
        tag = sys.argv[3] if len(sys.argv) > 3 else tag
        write_index(layout, image(layout, [tar_bytes([file_entry("../escaped", b"outside\n")])]), tag)
    elif kind == "big":
        n = int(sys.argv[3])
        tag = sys.argv[4] if len(sys.argv) > 4 else tag
        per = 50 * 1000 * 1000 // n
        tars = [busybox_layer()] + [tar_bytes([file_entry("data/blob%d" % i, os.urandom(per))]) for i in range(n - 1)]
        write_index(layout, image(layout, tars), tag)
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
