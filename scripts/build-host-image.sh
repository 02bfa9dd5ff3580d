#!/bin/sh
# The docker target's default host image, mayfly/host:debian (or TAG), built offline with debootstrap:
#   sh scripts/build-host-image.sh [TAG]
# The script itself ships in the jar beside the provider, for `mayfly docker build-host-image`.
exec sh "$(dirname "$0")/../src/main/resources/dev/mayfly/provider/docker/build-host-image.sh" "$@"
