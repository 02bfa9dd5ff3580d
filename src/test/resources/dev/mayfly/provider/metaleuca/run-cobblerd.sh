#!/usr/bin/env bash
# Runs a real cobblerd (PyPI cobbler 3.3.x, installed by .ci/run into $COBBLER_VENV) for one test.
# Cobbler hard-codes /etc/cobbler, /var/lib/cobbler, /var/log/cobbler, /srv/tftpboot and /var/www/cobbler,
# so it runs in a private mount namespace with the test's own folders bound over those paths, and
# with the test's fence agent (fence_mayfly) overlaid into /usr/sbin where Cobbler looks for power types.
# Needs root (as CI and the dev machines run). Usage: run-cobblerd.sh ROOT PORT
set -euo pipefail
root=$1 port=$2
venv=${COBBLER_VENV:-/opt/mayfly-cobbler/venv}
share=$venv/share/mayfly-cobbler   # the wheel's etc/ and var/lib/cobbler, kept by the install step
mkdir -p "$root"/etc "$root"/log/tasks "$root"/tftp "$root"/www "$root"/sbin "$root"/overlay-work "$root"/overlay-upper
mkdir -p "$root"/lib/collections/{distros,profiles,systems,images,repos,mgmtclasses,packages,files,menus}
mkdir -p "$root"/lib/{loaders,snippets,templates,triggers,scripts,grub_config}
cp -r "$share"/etc/cobbler/. "$root"/etc/
cp -r "$share"/var/lib/cobbler/. "$root"/lib/
sed -i "s/^xmlrpc_port:.*/xmlrpc_port: $port/; s/^pxe_just_once:.*/pxe_just_once: true/; s/^auth_token_expiration:.*/auth_token_expiration: ${COBBLER_TOKEN_EXPIRY:-3600}/" "$root"/etc/settings.yaml
for d in /etc/cobbler /var/lib/cobbler /var/log/cobbler /srv/tftpboot /var/www/cobbler; do mkdir -p "$d"; done
exec unshare --mount --propagation private bash -c '
  set -e
  mount --bind "$1"/etc /etc/cobbler
  mount --bind "$1"/lib /var/lib/cobbler
  mount --bind "$1"/log /var/log/cobbler
  mount --bind "$1"/tftp /srv/tftpboot
  mount --bind "$1"/www /var/www/cobbler
  mount -t overlay overlay -o lowerdir="$1"/sbin:/usr/sbin /usr/sbin
  exec "$2"/bin/python "$2"/bin/cobblerd -F
' run-cobblerd "$root" "$venv"
