#!/bin/sh
# mayfly-failsafe: powers this instance off once its deployment's expiry plus a grace period has passed.
# The instance was launched with shutdown behaviour "terminate", so powering off ends it for good, even
# if the mayfly that launched it is gone.
#
#   mayfly-failsafe arm EXPIRES_EPOCH GRACE_SECONDS   store the expiry (atomically); `mayfly extend` calls this
#   mayfly-failsafe disarm                            forget the expiry (a deployment extended to never end)
#   mayfly-failsafe install                           run the watcher now and at every boot
#   mayfly-failsafe run                               the watcher: re-reads the stored expiry every 5 minutes
#   mayfly-failsafe due                               exit 0 when expiry plus grace has passed
set -eu
conf="${MAYFLY_FAILSAFE_CONF:-/etc/mayfly/failsafe}"
poweroff_cmd="${MAYFLY_FAILSAFE_POWEROFF:-poweroff}"

deadline() {
  read -r expires grace < "$conf"
  echo $((expires + grace))
}

case "${1:-}" in
  arm)
    case "${2:-}:${3:-}" in
      *[!0-9:]* | :* | *:) echo "mayfly-failsafe: arm needs EXPIRES_EPOCH and GRACE_SECONDS (whole numbers)" >&2; exit 2 ;;
    esac
    mkdir -p "$(dirname "$conf")"
    printf '%s %s\n' "$2" "$3" > "$conf.tmp"
    mv -f "$conf.tmp" "$conf"
    ;;
  disarm)
    rm -f "$conf"
    ;;
  due)
    [ -f "$conf" ] && [ "$(date +%s)" -ge "$(deadline)" ]
    ;;
  run)
    while :; do
      if [ ! -f "$conf" ]; then
        sleep 300
        continue
      fi
      left=$(($(deadline) - $(date +%s)))
      if [ "$left" -le 0 ]; then
        logger -t mayfly-failsafe "deployment expired: powering off" 2>/dev/null || true
        $poweroff_cmd || shutdown -h now
        exit 0
      fi
      if [ "$left" -gt 300 ]; then left=300; fi
      sleep "$left"
    done
    ;;
  install)
    self="$(command -v "$0" || echo "$0")"
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      cat > /etc/systemd/system/mayfly-failsafe.service <<UNIT
[Unit]
Description=mayfly fail-safe: power off at the deployment's expiry
[Service]
ExecStart=$self run
Restart=always
RestartSec=30
[Install]
WantedBy=multi-user.target
UNIT
      systemctl daemon-reload
      systemctl enable --now mayfly-failsafe.service
    else
      (crontab -l 2>/dev/null | grep -v mayfly-failsafe || true; echo "@reboot $self run >/dev/null 2>&1") | crontab -
      nohup "$self" run >/dev/null 2>&1 &
    fi
    ;;
  *)
    echo "usage: mayfly-failsafe arm EXPIRES_EPOCH GRACE_SECONDS | disarm | install | run | due" >&2
    exit 2
    ;;
esac
