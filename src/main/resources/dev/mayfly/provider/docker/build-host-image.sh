#!/bin/sh
# Builds mayfly's default host image for the docker target, offline from any image registry:
#   sh build-host-image.sh [TAG]        (default mayfly/host:debian; needs root, debootstrap, dockerd)
# A Debian bookworm minbase rootfs made by debootstrap, plus what mayfly's host script and the bundled
# demo run: sh, git, setsid (util-linux, in minbase) and a headless Java 17 (the demo's Server.java runs
# from source), packed as a one-layer image archive (what `docker save` writes) and loaded with
# `docker load`. A tag that exists already is left alone, so a second run (CI on the same machine) takes
# a second. Set MAYFLY_DEBIAN_MIRROR to use another mirror.
# `mayfly docker build-host-image` runs this with MAYFLY_HOST_IMAGE_TAR=FILE: the archive is then written
# to FILE and mayfly loads it through the Engine API (no docker CLI needed).
set -eu

TAG=${1:-mayfly/host:debian}
MIRROR=${MAYFLY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=git,ca-certificates,openjdk-17-jre-headless
start=$(date +%s)

TAR_OUT=${MAYFLY_HOST_IMAGE_TAR:-}
if [ -z "$TAR_OUT" ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "host image $TAG exists already; nothing to build"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-host-image: needs root (debootstrap and chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || {
  echo "build-host-image: debootstrap not found: apt-get install --no-install-recommends debootstrap" >&2
  exit 1
}

work=$(mktemp -d /var/tmp/mayfly-host-image.XXXXXX)
rootfs=$work/rootfs
cleanup() {
  umount "$rootfs/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "debootstrap bookworm ($PACKAGES) from $MIRROR ..."
# a throwaway tree: dpkg need not fsync every file it unpacks (removed before the image is made)
mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
echo force-unsafe-io > "$rootfs/etc/dpkg/dpkg.cfg.d/mayfly-build-unsafe-io"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  echo "build-host-image: debootstrap failed (log above)" >&2
  exit 1
}

rm -f "$rootfs/etc/dpkg/dpkg.cfg.d/mayfly-build-unsafe-io"
# smaller image: no package lists, caches, docs or man pages (dpkg still knows what is installed)
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
# what the host script and the demo need, checked in the image itself before it is imported
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" /bin/sh -c 'for c in sh git setsid tar java; do command -v $c >/dev/null || { echo "missing $c" >&2; exit 1; }; done
  printf "class Hello { public static void main(String[] a) { System.out.println(\"java runs from source\"); } }\n" > /tmp/Hello.java
  java /tmp/Hello.java && rm -f /tmp/Hello.java'
umount "$rootfs/proc"

# the image archive: one layer (the rootfs), its config and a manifest naming the tag
image=$work/image
mkdir "$image"
tar -C "$rootfs" --numeric-owner -cf "$image/layer.tar" .
rm -rf "$rootfs"
diff_id=$(sha256sum "$image/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","created":"%s","comment":"mayfly host image: debian bookworm minbase, git, java 17","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$diff_id" > "$image/config.json"
printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]\n' "$TAG" > "$image/manifest.json"
if [ -n "$TAR_OUT" ]; then
  tar -C "$image" -cf "$TAR_OUT" manifest.json config.json layer.tar
  echo "wrote the image $TAG to $TAR_OUT in $(($(date +%s) - start))s"
  exit 0
fi
tar -C "$image" -c manifest.json config.json layer.tar | docker load >/dev/null
echo "built host image $TAG in $(($(date +%s) - start))s"
