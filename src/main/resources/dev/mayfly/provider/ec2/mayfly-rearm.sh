# mayfly-rearm: what `mayfly extend` runs over SSH on each instance, as the login user, as
#   sh -c "$(cat mayfly-rearm.sh)" mayfly-rearm arm EXPIRES_EPOCH GRACE_SECONDS   (or: ... disarm)
# It finds the fail-safe the user data installed and passes it the arguments, as root (sudo -n if needed).
f=$(PATH="$PATH:/usr/local/sbin" command -v mayfly-failsafe) \
  || { echo 'mayfly-failsafe is not installed' >&2; exit 3; }
if [ "$(id -u)" -eq 0 ]; then "$f" "$@"; else sudo -n "$f" "$@"; fi
