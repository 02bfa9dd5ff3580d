#!/usr/bin/env bash
# Builds the LocalStack image LocalStackIT starts through Testcontainers. No image registry is
# reachable here, so the image is made from Debian packages and PyPI: debootstrap a trixie rootfs
# (LocalStack needs Python 3.13 although it declares >= 3.10), install localstack-core with uv,
# and `docker import` the tree (no Dockerfile: there is no base image to start FROM). The tag is a semantic version because LocalStackContainer treats any
# other tag as a legacy image. Skips the build when the tag already exists.
set -euo pipefail
tag=${1:-mayfly/localstack:2026.3.0}
localstack_version=${tag##*:}
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag: already built"
  exit 0
fi
started=$SECONDS
work=$(mktemp -d /var/tmp/mayfly-localstack.XXXXXX)
root=$work/rootfs
cleanup() {
  umount -l "$root/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# a throwaway tree: dpkg need not fsync every file it unpacks (as in the host image's build)
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/mayfly-build-unsafe-io"
debootstrap --variant=minbase --include=python3,ca-certificates trixie "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; echo "build-localstack-image: debootstrap failed" >&2; exit 1; }

# uv (a static binary from PyPI) installs in seconds what pip in a chroot takes minutes for
python3 -m pip install -q --target "$work/uv" uv
cp "$work/uv/bin/uv" "$root/usr/local/bin/uv"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# this machine's CA bundle (it may hold a proxy's CA PyPI is reached through); removed again below
cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$root/tmp/host-ca.crt"
mount -t proc proc "$root/proc"
chroot "$root" /usr/local/bin/uv venv -q --python /usr/bin/python3 /opt/localstack
# Dependencies as of LocalStack's release month: with today's newest (cbor2 6.x) it fails to load
# its runtime plugins ("No component plugins found in namespace localstack.runtime.components").
chroot "$root" env UV_CACHE_DIR=/tmp/uv-cache SSL_CERT_FILE=/tmp/host-ca.crt /usr/local/bin/uv pip install -q \
  --python /opt/localstack/bin/python --exclude-newer 2026-04-01 "localstack-core[runtime]==$localstack_version"
umount "$root/proc"
rm -rf "$root/etc/dpkg/dpkg.cfg.d/mayfly-build-unsafe-io" "$root/tmp/uv-cache" "$root/tmp/host-ca.crt" "$root/usr/local/bin/uv" "$root/var/lib/apt/lists"/* "$root/var/cache/apt"/* \
  "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/locale"
: >"$root/etc/resolv.conf"
# Testcontainers' LocalStackContainer starts the image through this path, as in LocalStack's own image
cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
exec /opt/localstack/bin/python -m localstack.runtime.main "$@"
ENTRY
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/localstack/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV GATEWAY_LISTEN=0.0.0.0:4566' \
  --change 'ENV SKIP_SSL_CERT_DOWNLOAD=1' \
  --change 'ENV DNS_ADDRESS=0' \
  --change 'WORKDIR /opt/localstack' \
  --change 'EXPOSE 4566' \
  --change 'CMD ["/usr/local/bin/docker-entrypoint.sh"]' \
  - "$tag" >/dev/null
echo "$tag: built in $((SECONDS - started)) s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}'))"
