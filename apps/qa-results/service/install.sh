#!/bin/sh
# qa-results installer. Run from the service checkout:  ./install.sh --title TITLE
# It writes site.properties (read by Server.java) and checks that Java is there.
# Nothing else: no packages, no compilation, no services.
set -eu

usage() { echo "usage: ./install.sh --title TITLE" >&2; exit 2; }

title=
have_title=no
while [ $# -gt 0 ]; do
  case $1 in
    --title) [ $# -ge 2 ] || usage; title=$2; have_title=yes; shift 2 ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[ "$have_title" = yes ] || usage

cd "$(dirname "$0")"

# Server.java runs straight from source, so a JDK 17 or newer is all it needs.
command -v java >/dev/null 2>&1 || { echo "java not found on PATH" >&2; exit 1; }
java -version 2>&1 | head -n 1

# The title's raw bytes after "title=", then one newline: Server.java reads
# everything after "title=" to the end of the file, minus that newline, so
# quotes, $(...), backslashes and newlines all come back unchanged.
# Written to a temp file and renamed, so a crash never leaves half a file.
printf 'title=%s\n' "$title" > site.properties.tmp
mv -f site.properties.tmp site.properties
echo "wrote $(pwd)/site.properties"
