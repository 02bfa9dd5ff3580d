#!/bin/sh
# qa-results installer. Run from the service checkout:  ./install.sh --title TITLE
# It checks that a JDK is there, compiles Server.java into classes/ and writes
# site.properties (read by the server). Nothing else: no packages, no services.
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

# Java 17 or newer with its compiler is all it needs: javac, or the jdk.compiler module that a JRE
# may carry without the javac command (Debian's openjdk-17-jre-headless, the docker host image's).
command -v java >/dev/null 2>&1 || { echo "java not found on PATH" >&2; exit 1; }
if command -v javac >/dev/null 2>&1; then
  javac() { command javac "$@"; }
elif java --list-modules 2>/dev/null | grep -q '^jdk\.compiler@'; then
  javac() { java -m jdk.compiler/com.sun.tools.javac.Main "$@"; }
else
  echo "no Java compiler: javac is not on PATH and this java has no jdk.compiler module (install a JDK 17+)" >&2
  exit 1
fi
java -version 2>&1 | head -n 1

# Compiled now, not at every start (java Server.java compiles in memory each time: seconds): a start
# then only boots the JVM, which is what a client waits for while mayfly restarts or recycles it.
rm -rf classes
javac -d classes Server.java
echo "compiled Server.java into $(pwd)/classes"

# The title's raw bytes after "title=", then one newline: Server.java reads
# everything after "title=" to the end of the file, minus that newline, so
# quotes, $(...), backslashes and newlines all come back unchanged.
# Written to a temp file and renamed, so a crash never leaves half a file.
printf 'title=%s\n' "$title" > site.properties.tmp
mv -f site.properties.tmp site.properties
echo "wrote $(pwd)/site.properties"
