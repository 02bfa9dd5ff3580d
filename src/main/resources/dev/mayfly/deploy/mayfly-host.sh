#!/bin/sh
# mayfly's only script on a host. mayfly uploads it to <root>/bin/ and calls
#   sh <root>/bin/mayfly-host.sh <root> <deployment> <registry> <step> [args...]
# with every argument shell-quoted; claim, prepare, check and destroy run this same text with sh -c,
# since the root may not hold it (yet): prepare claims the root, then writes the text it gets as its
# argument to bin/mayfly-host.sh. Read it to see exactly what runs on your machine.
set -eu

ROOT=$1
DEPLOYMENT=$2
REGISTRY=$3
STEP=$4
shift 4
# Who made the root: written first thing when mayfly creates it. mayfly works only in a root whose marker
# names this deployment of this registry, and removes no other.
MARKER=$ROOT/.mayfly-root

owned() {
  [ -d "$ROOT" ] && [ ! -L "$ROOT" ] && [ -f "$MARKER" ] && [ ! -L "$MARKER" ] || return 1
  # read, not $(cat): no process per step. Exactly these two lines (blank lines after them aside).
  {
    IFS= read -r first || [ -n "$first" ]
    IFS= read -r second || [ -n "$second" ]
    [ "$first" = "deployment=$DEPLOYMENT" ] && [ "$second" = "registry=$REGISTRY" ] || return 1
    while IFS= read -r more || [ -n "$more" ]; do [ -z "$more" ] || return 1; done
  } < "$MARKER"
}

# refuse: the root is not this deployment's; say whose it is, touch nothing, exit 3
refuse() {
  if [ -L "$ROOT" ]; then
    why="is a symbolic link"
  elif [ ! -e "$ROOT" ]; then
    why="does not exist"
  elif [ ! -d "$ROOT" ]; then
    why="is not a folder"
  elif [ ! -f "$MARKER" ] || [ -L "$MARKER" ]; then
    why="exists and was not made by mayfly (no .mayfly-root marker)"
  else
    other=$(sed -n 's/^deployment=\([A-Za-z0-9._-]*\)$/\1/p' "$MARKER" | head -n 1)
    why="belongs to another deployment (${other:-unknown}, its .mayfly-root marker says)"
  fi
  echo "root $ROOT $why; mayfly $1 nothing in it" >&2
  exit 3
}

# group_running PGID: a process of the group is still running. kill -0 also counts zombies, and the
# service's processes are orphans whose zombies wait for init to reap them: some inits (containers,
# microVMs) do that only every second or so, which a recycle's switch would wait out as downtime.
group_running() {
  group=$1
  kill -0 "-$group" 2>/dev/null || return 1
  [ -r /proc/self/stat ] || return 0
  for stat in /proc/[0-9]*/stat; do
    IFS= read -r line < "$stat" 2>/dev/null || continue
    # after "PID (COMMAND) ": state, parent, group; COMMAND may hold spaces and parentheses
    set -f
    set -- ${line##*) }
    set +f
    [ "$3" = "$group" ] && [ "$1" != Z ] && return 0
  done
  return 1
}

stop_service() {
  # "kill -SIG -PGID", never "kill -- -PGID": dash (Debian's sh) takes no "--" and would kill nothing
  [ -f run/service.pid ] || return 0
  pgid=$(cat run/service.pid)
  if kill -0 "-$pgid" 2>/dev/null; then
    kill -TERM "-$pgid" 2>/dev/null || true
    n=0
    # short polls: a recycle starts the new service on this port as soon as the old one is gone
    while group_running "$pgid" && [ $n -lt 500 ]; do sleep 0.02; n=$((n + 1)); done
    kill -KILL "-$pgid" 2>/dev/null || true
  fi
  rm -f run/service.pid
}

stop_strays() {
  # a launch killed mid-step leaves its installer or publish command running: end what still works in
  # the root (checked by real path, from outside it, so this script is never among them)
  real_root=$1
  for proc in /proc/[0-9]*; do
    case $(readlink "$proc/cwd" 2>/dev/null) in
      "$real_root" | "$real_root"/*) kill -KILL "${proc#/proc/}" 2>/dev/null || true ;;
    esac
  done
}

# remove_generations KEEP: a recycle builds <base>.r2, .r3… beside <base>; one killed half-way leaves its
# root behind. Ends and removes every such root of this deployment except KEEP; another's is left alone.
remove_generations() {
  base=$ROOT
  case ${ROOT##*.r} in '' | *[!0-9]*) ;; *) base=${ROOT%.r*} ;; esac
  for gen in "$base" "$base".r*; do
    if [ "$gen" != "$base" ]; then
      case ${gen#"$base".r} in '' | *[!0-9]*) continue ;; esac
    fi
    [ "$gen" != "$1" ] && [ -d "$gen" ] && [ ! -L "$gen" ] || continue
    if ! (ROOT=$gen MARKER=$gen/.mayfly-root && owned); then
      echo "left $gen: not this deployment's"
      continue
    fi
    real_gen=$(cd "$gen" && pwd -P)
    (cd "$gen" && stop_service)
    stop_strays "$real_gen"
    rm -rf "$gen"
    echo "removed $gen, a root a recycle left"
  done
}

case "$STEP" in
claim | prepare)
  # mkdir without -p fails if another process made the root meanwhile: then it is not ours either
  if [ -e "$ROOT" ] || [ -L "$ROOT" ]; then
    owned || refuse "touched"
  else
    mkdir -p "$(dirname "$ROOT")"
    if ! mkdir -m 700 "$ROOT"; then
      [ ! -e "$ROOT" ] || refuse "touched"
      exit 1
    fi
    (set -C && printf 'deployment=%s\nregistry=%s\n' "$DEPLOYMENT" "$REGISTRY" > "$MARKER")
  fi
  [ "$STEP" = prepare ] || exit 0
  echo "mayfly: root claimed"
  ;;
destroy)
  if [ ! -e "$ROOT" ] && [ ! -L "$ROOT" ]; then
    echo "root $ROOT is gone already"
    [ "${1:-}" != generations ] || remove_generations ""
    exit 0
  fi
  owned || refuse "removed"
  ;;
remove-generations)
  # the roots checked one by one below; ROOT itself may not exist yet
  remove_generations "$1"
  exit 0
  ;;
*)
  owned || refuse "touched"
  ;;
esac
cd "$ROOT"

load_env() {
  # Parameters arrive through this 0600 file, never on a command line.
  set -a
  . "$ROOT/mayfly.env"
  set +a
}

# The exit code of a step whose git fetch failed: only then may mayfly push a bundle and try again.
FETCH_FAILED=4

# fetch_commit GIT_DIR URL COMMIT REF [new]: make COMMIT present in GIT_DIR, as cheaply as the server
# allows. "new": GIT_DIR was just made by git init, so it cannot have COMMIT yet, and its first fetch
# leaves nothing for automatic maintenance to do (one process fewer each).
fetch_commit() {
  nomaint=
  if [ "${5:-}" = new ]; then
    nomaint="-c maintenance.auto=false"
  # the commit and every object of its tree: a fetch cut short (a full disk) can leave the commit alone
  elif git --git-dir="$1" rev-list --objects --no-walk "$3" >/dev/null 2>&1; then
    return 0
  fi
  # a ref to what arrives: the next fetch tells the server it has it (so only what changed travels),
  # and git's maintenance never prunes it. A fetch of the commit by name that succeeds has brought
  # that very commit (and set the ref, in the same process); a fetch of the ref may not.
  if ! git --git-dir="$1" $nomaint fetch -q --depth 1 "$2" "+$3:refs/mayfly/fetched" 2>/dev/null; then
    git --git-dir="$1" $nomaint fetch -q "$2" "$4" ||
      { echo "cannot fetch $4 from $2" >&2; exit $FETCH_FAILED; }
    if ! git --git-dir="$1" cat-file -e "$3^{commit}" 2>/dev/null; then
      echo "commit $3 is not in $2 (ref $4 moved?)" >&2
      exit $FETCH_FAILED
    fi
    git --git-dir="$1" update-ref refs/mayfly/fetched "$3"
  fi
  # a bundle mayfly pushed here has served its purpose
  case $2 in "$ROOT"/stage/*) rm -f "$2" ;; esac
}

# share_release GIT_DIR COMMIT STAGING: make STAGING the tree of COMMIT by hard-linking the live data
# release's files and writing only the paths that differ; fails (leaving STAGING to the caller) when
# that release cannot be trusted to be its commit's tree file for file. Nothing is ever written into a
# shared file: each path that differs is removed first and extracted as a new file (a new inode).
share_release() {
  prev=$(current_data)
  [ -n "$prev" ] && [ "$prev" != "$2" ] && [ -d "data/releases/$prev" ] || return 1
  # .exact-<c>: written after the release was unpacked with no publish command run in it
  [ -f "data/releases/.exact-$prev" ] || return 1
  # anything written in that release since (a service writing into its data) makes it untrustworthy
  [ -z "$(find "data/releases/$prev" -mindepth 1 -newer "data/releases/.exact-$prev" | head -n 1)" ] ||
    return 1
  changes=$3.changes
  git --git-dir="$1" diff-tree -r -z --no-renames --name-only "$prev" "$2" > "$changes" || return 1
  # export-subst rewrites unchanged files per commit, a changed .gitattributes can change how
  # unchanged paths export: both need the whole tree
  ! tr '\0' '\n' < "$changes" | grep -q '\(^\|/\)\.gitattributes$' || return 1
  git --git-dir="$1" grep -q -e export-subst "$2" -- .gitattributes '*/.gitattributes' 2>/dev/null
  [ $? -eq 1 ] || return 1
  cp -al "data/releases/$prev" "$3" || return 1
  # every changed path goes (so it is written anew), then the folders its removal emptied; a
  # submodule is an empty folder in an export
  (cd "$3" && xargs -0 -r sh -c '
    for p; do
      if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir "$p" || exit 1; else rm -f "$p" || exit 1; fi
      d=${p%/*}; [ "$d" = "$p" ] || rmdir -p "$d" 2>/dev/null || true
    done' sh) < "$changes" || return 1
  git --git-dir="$1" diff-tree -r -z --no-renames --name-only --diff-filter=d "$prev" "$2" > "$changes" ||
    return 1
  # through a file, not a pipe: sh has no pipefail, and a failed archive must fail the release
  xargs -0 -r sh -c 'g=$1 c=$2 s=$3; shift 3
    git --literal-pathspecs --git-dir="$g" archive --format=tar -o "$s.tar" "$c" -- "$@" &&
      tar -x -C "$s" < "$s.tar"' sh "$1" "$2" "$3" < "$changes" || return 1
  rm -f "$changes" "$3.tar"
}

current_data() {
  if [ -L data/current ]; then basename "$(readlink data/current)"; fi
}

# Service releases: service/repo.git holds the git data, service/releases/<name> are exported trees
# (no .git), service/current links to the live one; .installed-<name> marks a release whose installer
# succeeded, the only ones current may point at.
current_service() {
  if [ -L service/current ]; then basename "$(readlink service/current)"; fi
}

switch_service() {
  [ -f "service/releases/.installed-$1" ] || { echo "service release $1 was never installed" >&2; exit 1; }
  # rename(2) of a fresh link over the old one, as for data
  ln -sfn "releases/$1" service/.current.tmp
  mv -T service/.current.tmp service/current
  touch "service/releases/$1"
}

# a root launched before service releases has service/ as a git checkout: it becomes the first release
adopt_checkout() {
  [ -d service/.git ] && [ ! -d service/releases ] || return 0
  old=$(git -C service rev-parse HEAD)
  mkdir service.adopt service.adopt/releases
  mv service "service.adopt/releases/$old"
  mv service.adopt service
  : > "service/releases/.installed-$old"
  ln -sfn "releases/$old" service/current
  echo "adopted the checkout at $old as the first service release"
}

# data_fetch URL COMMIT REF: COMMIT in data/repo.git, unless its release is made already
data_fetch() {
  [ ! -d "data/releases/$2" ] || return 0
  new=
  [ -d data/repo.git ] || { git init -q --bare data/repo.git; new=new; }
  fetch_commit data/repo.git "$1" "$2" "$3" $new
}

# data_release URL COMMIT REF PUBLISH_COMMAND: makes data/releases/COMMIT (fetched, unpacked, the publish
# command run in it) unless it is there: what publish-data switches to, and fetch-data makes ahead
data_release() {
  url=$1 commit=$2 ref=$3 publish=$4
  [ ! -d "data/releases/$commit" ] || return 0
  data_fetch "$url" "$commit" "$ref"
  staging="data/releases/.staging-$commit-$$"
  [ ! -e "$staging" ] || rm -rf "$staging"
  # without a publish command a release is its commit's tree, and shares unchanged files with the
  # live release; a publish command may write into files in place, so its release is a copy
  if [ -n "$publish" ] || ! share_release data/repo.git "$commit" "$staging"; then
    rm -rf "$staging" "$staging.changes" "$staging.tar"
    mkdir -p "$staging"
    git --git-dir=data/repo.git archive "$commit" | tar -x -C "$staging" ||
      { rm -rf "$staging"; echo "cannot unpack $commit into a new release (disk full?)" >&2; exit 1; }
  fi
  if [ -n "$publish" ]; then
    load_env
    (cd "$staging" && sh -c "$publish") || { rm -rf "$staging"; echo "publish command failed" >&2; exit 1; }
  fi
  # -T: if another publish of this commit (one whose connection was lost) got there first, keep its
  # release rather than moving this one inside it
  if mv -T "$staging" "data/releases/$commit" 2>/dev/null; then
    # after the move, so the release's own files are never newer than it (share_release checks)
    if [ -n "$publish" ]; then rm -f "data/releases/.exact-$commit"; else : > "data/releases/.exact-$commit"; fi
  else
    rm -rf "$staging"
    [ -d "data/releases/$commit" ] || { echo "cannot move the new release into data/releases" >&2; exit 1; }
  fi
}

case "$STEP" in
prepare) # SCRIPT_TEXT: this script, put where the other steps run it from (renamed into place)
  mkdir -p bin data/releases log run stage
  if [ $# -gt 0 ]; then
    (umask 077 && printf '%s' "$1" > bin/.mayfly-host.sh.new)
    chmod 700 bin/.mayfly-host.sh.new
    mv -f bin/.mayfly-host.sh.new bin/mayfly-host.sh
  fi
  [ -d service/.git ] || mkdir -p service/releases
  chmod 700 "$ROOT"
  # git bundles pushed by an earlier, interrupted launch (rm only when the glob matched something)
  for f in stage/*.bundle; do [ ! -e "$f" ] || rm -f stage/*.bundle; break; done
  # a publish that died half-way leaves only a hidden staging folder: clear it
  for f in data/releases/.staging-* service/releases/.staging-*; do [ ! -e "$f" ] || rm -rf "$f"; done
  ;;
fetch-service) # URL COMMIT REF RELEASE SERVE: export COMMIT into service/releases/RELEASE
  url=$1 commit=$2 ref=$3 release=$4 serve=$5
  adopt_checkout
  [ -d service/releases ] || mkdir -p service/releases
  [ "$(current_service)" != "$release" ] || { echo "service release $release is live" >&2; exit 1; }
  new=
  [ -d service/repo.git ] || { git init -q --bare service/repo.git; new=new; }
  fetch_commit service/repo.git "$url" "$commit" "$ref" $new
  staging="service/releases/.staging-$release-$$"
  rm -rf "service/releases/$release" "service/releases/.installed-$release" "$staging"
  mkdir -p "$staging"
  git --git-dir=service/repo.git archive "$commit" | tar -x -C "$staging" ||
    { rm -rf "$staging"; echo "cannot unpack $commit into a new release (disk full?)" >&2; exit 1; }
  if [ -n "$serve" ] && [ ! -d "$staging/$serve" ]; then
    rm -rf "$staging"
    echo "service.serve: '$serve' is not a folder in commit $commit" >&2
    exit 1
  fi
  mv -T "$staging" "service/releases/$release"
  echo "service $commit exported to service/releases/$release"
  ;;
install) # RELEASE COMMAND KEEP: run the installer in the release, then make it current
  release=$1 keep=$3
  load_env
  # files: rendered from params at launch, laid over every release before its installer runs
  if [ -d files ]; then
    cp -R files/. "service/releases/$release"/ || { echo "cannot copy files/ into the release" >&2; exit 1; }
  fi
  (cd "service/releases/$release" && MAYFLY_RELEASE="$ROOT/service/releases/$release" sh -c "$2")
  : > "service/releases/.installed-$release"
  switch_service "$release"
  # keep the newest $keep releases, never the live one
  set -- service/releases/*
  if [ $# -gt "$keep" ]; then
    ls -1t service/releases | tail -n +"$((keep + 1))" | while read -r old; do
      [ "$old" = "$release" ] || rm -rf "service/releases/$old" "service/releases/.installed-$old"
    done
  fi
  echo "service release $release installed and current"
  ;;
activate-service) # RELEASE
  switch_service "$1"
  echo "service release $1 is current"
  ;;
service-releases)
  # installed releases, the live one first, then newest switched to first; rollback picks from these
  cur=$(current_service)
  [ -z "$cur" ] || echo "$cur"
  ls -1t service/releases 2>/dev/null | while read -r r; do
    [ "$r" = "$cur" ] || [ ! -f "service/releases/.installed-$r" ] || echo "$r"
  done
  ;;
fetch-data) # URL COMMIT REF PUBLISH_COMMAND: while the installer runs, the data publish-data will switch to:
  # its release made, or with a publish command (which runs after the installer) only its commit fetched
  if [ -n "$4" ]; then data_fetch "$1" "$2" "$3"; else data_release "$1" "$2" "$3" ""; fi
  echo "data $2 fetched ahead"
  ;;
publish-data) # URL COMMIT REF PUBLISH_COMMAND KEEP
  commit=$2 keep=$5
  data_release "$1" "$2" "$3" "$4"
  # rename(2) of a fresh link over the old one: readers see the old release or the new, never neither
  ln -sfn "releases/$commit" data/.current.tmp
  mv -T data/.current.tmp data/current
  touch "data/releases/$commit"
  # keep the newest $keep releases, never the live one (ls and tail only when there are more than that)
  set -- data/releases/*
  if [ $# -gt "$keep" ]; then
    ls -1t data/releases | tail -n +"$((keep + 1))" | while read -r old; do
      [ "$old" = "$commit" ] || rm -rf "data/releases/$old" "data/releases/.exact-$old"
    done
  fi
  echo "data at $commit"
  ;;
releases)
  # newest published first (publish-data touches the release it switches to); rollback picks from these
  ls -1t data/releases
  ;;
current-data)
  current_data
  ;;
start | switch) # [OLD_ROOT] COMMAND
  if [ "$STEP" = switch ]; then
    # a recycle's switch in one call: stop the live root's service (a root of this deployment) and
    # start this root's at once, on the same port, with no round trip between the two
    old=$1
    shift
    (ROOT=$old MARKER=$old/.mayfly-root && { owned || refuse "stopped"; } && cd "$old" && stop_service)
  fi
  load_env
  stop_service
  # in the live release; a root from before service releases runs its checkout
  if [ -e service/current ]; then cd service/current; else cd service; fi
  # own session and process group, so stop reaches every process the service forks. The group's leader
  # prints its id into a pipe that closes as it becomes the service: no polling for a pid file.
  pgid=$(setsid sh -c 'echo $$; exec sh -c "$1" >>"$2" 2>&1 </dev/null' mayfly-service "$1" "$ROOT/log/service.log" \
    2>>"$ROOT/log/service.log" </dev/null &)
  [ -n "$pgid" ] || { echo "the service did not start (see log/service.log)" >&2; exit 1; }
  echo "$pgid" > "$ROOT/run/service.pid"
  echo "service started, process group $pgid"
  ;;
stop)
  stop_service
  ;;
check)
  ;;
destroy)
  stop_service
  real_root=$(pwd -P)
  cd /
  stop_strays "$real_root"
  rm -rf "$ROOT"
  # terminate: also the roots a killed recycle left beside it
  [ "${1:-}" != generations ] || remove_generations ""
  ;;
*)
  echo "unknown step $STEP" >&2
  exit 2
  ;;
esac
