#!/bin/sh
# mayfly deployment @DEPLOYMENT@: arms the on-host fail-safe. At its expiry (@EXPIRES_AT@) plus a grace
# of @GRACE_SECONDS@ s this instance powers itself off; its shutdown behaviour is "terminate", so that
# ends it even if nobody remembers it. The expiry is stored in /etc/mayfly/failsafe and read again at every
# boot; `mayfly extend` rewrites it.
set -eu
mkdir -p /usr/local/sbin /etc/mayfly
cat > /usr/local/sbin/mayfly-failsafe <<'MAYFLY_FAILSAFE_SCRIPT'
@SCRIPT@MAYFLY_FAILSAFE_SCRIPT
chmod 0755 /usr/local/sbin/mayfly-failsafe
/usr/local/sbin/mayfly-failsafe @ARM@
/usr/local/sbin/mayfly-failsafe install
