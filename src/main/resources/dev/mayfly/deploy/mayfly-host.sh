#!/bin/sh
# mayfly's only script on a host. mayfly uploads it to <root>/bin/ and calls
#   sh <root>/bin/mayfly-host.sh <root> <step> [args...]
# with every argument shell-quoted. Read it to see exactly what runs on your machine.
set -eu

ROOT=$1
STEP=$2
shift 2
cd "$ROOT"

load_env() {
  # Parameters arrive through this 0600 file, never on a command line.
  set -a
  . "$ROOT/mayfly.env"
  set +a
}

# fetch_commit GIT_DIR URL COMMIT REF: make COMMIT present in GIT_DIR, as cheaply as the server allows.
fetch_commit() {
  if git --git-dir="$1" cat-file -e "$3^{commit}" 2>/dev/null; then
    return 0
  fi
  git --git-dir="$1" fetch -q --depth 1 "$2" "$3" 2>/dev/null ||
    git --git-dir="$1" fetch -q "$2" "$4" ||
    { echo "cannot fetch $4 from $2" >&2; exit 1; }
  if ! git --git-dir="$1" cat-file -e "$3^{commit}" 2>/dev/null; then
    echo "commit $3 is not in $2 (ref $4 moved?)" >&2
    exit 1
  fi
  # a bundle mayfly pushed here has served its purpose
  case $2 in "$ROOT"/stage/*) rm -f "$2" ;; esac
}

stop_service() {
  # "kill -SIG -PGID", never "kill -- -PGID": dash (Debian's sh) takes no "--" and would kill nothing
  [ -f run/service.pid ] || return 0
  pgid=$(cat run/service.pid)
  if kill -0 "-$pgid" 2>/dev/null; then
    kill -TERM "-$pgid" 2>/dev/null || true
    n=0
    while kill -0 "-$pgid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
    kill -KILL "-$pgid" 2>/dev/null || true
  fi
  rm -f run/service.pid
}

case "$STEP" in
prepare)
  mkdir -p bin data/releases log run stage
  chmod 700 "$ROOT"
  # git bundles pushed by an earlier, interrupted launch
  rm -f stage/*.bundle
  # a publish that died half-way leaves only a hidden staging folder: clear it
  rm -rf data/releases/.staging-*
  ;;
fetch-service) # URL COMMIT REF
  [ -d service/.git ] || git init -q service
  fetch_commit service/.git "$1" "$2" "$3"
  git -C service -c advice.detachedHead=false checkout -q --force --detach "$2"
  echo "service at $2"
  ;;
install) # COMMAND
  load_env
  cd service
  sh -c "$1"
  ;;
publish-data) # URL COMMIT REF PUBLISH_COMMAND KEEP
  url=$1 commit=$2 ref=$3 publish=$4 keep=$5
  [ -d data/repo.git ] || git init -q --bare data/repo.git
  if [ ! -d "data/releases/$commit" ]; then
    fetch_commit data/repo.git "$url" "$commit" "$ref"
    staging="data/releases/.staging-$commit-$$"
    rm -rf "$staging"
    mkdir -p "$staging"
    git --git-dir=data/repo.git archive "$commit" | tar -x -C "$staging"
    if [ -n "$publish" ]; then
      load_env
      (cd "$staging" && sh -c "$publish") || { rm -rf "$staging"; echo "publish command failed" >&2; exit 1; }
    fi
    mv "$staging" "data/releases/$commit"
  fi
  # rename(2) of a fresh link over the old one: readers see the old release or the new, never neither
  ln -sfn "releases/$commit" data/.current.tmp
  mv -T data/.current.tmp data/current
  touch "data/releases/$commit"
  # keep the newest $keep releases, never the live one
  ls -1t data/releases | tail -n +"$((keep + 1))" | while read -r old; do
    [ "$old" = "$commit" ] || rm -rf "data/releases/$old"
  done
  echo "data at $commit"
  ;;
releases)
  # newest published first (publish-data touches the release it switches to); rollback picks from these
  ls -1t data/releases
  ;;
current-data)
  if [ -L data/current ]; then basename "$(readlink data/current)"; fi
  ;;
start) # COMMAND
  load_env
  stop_service
  cd service
  # own session and process group, so stop reaches every process the service forks
  setsid sh -c 'echo $$ > ../run/service.pid; exec sh -c "$1"' mayfly-service "$1" \
    >>../log/service.log 2>&1 </dev/null &
  n=0
  while [ ! -s ../run/service.pid ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  echo "service started, process group $(cat ../run/service.pid)"
  ;;
stop)
  stop_service
  ;;
destroy)
  stop_service
  cd /
  rm -rf "$ROOT"
  ;;
*)
  echo "unknown step $STEP" >&2
  exit 2
  ;;
esac
