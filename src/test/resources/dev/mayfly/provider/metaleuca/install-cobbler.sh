#!/usr/bin/env bash
# Installs PyPI cobbler 3.3.10 into a venv for MetaleucaIT (see run-cobblerd.sh). Cobbler's own
# requirements include mod_wsgi (needs Apache's apxs), python-ldap and pymongo, which only its web UI
# and optional modules use: they are left out and the daemon's real imports are installed.
set -euo pipefail
dest=${1:-/opt/mayfly-cobbler}
venv=$dest/venv
if [ -x "$venv/bin/cobblerd" ] && [ -d "$venv/share/mayfly-cobbler/etc/cobbler" ]; then exit 0; fi
python3 -m venv "$venv"
"$venv"/bin/pip install -q --no-deps cobbler==3.3.10
"$venv"/bin/pip install -q Cheetah3 distro dnspython file-magic netaddr pyyaml requests schema
"$venv"/bin/pip download -q --no-deps cobbler==3.3.10 -d "$dest"/wheel
rm -rf "$venv"/share/mayfly-cobbler && mkdir -p "$venv"/share/mayfly-cobbler
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
  "$(ls "$dest"/wheel/cobbler-3.3.10-*.whl)" "$dest"/wheel/unpacked
cp -r "$dest"/wheel/unpacked/etc "$dest"/wheel/unpacked/var "$venv"/share/mayfly-cobbler/
