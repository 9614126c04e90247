#!/bin/sh
# Builds the Debian packages stupeni and stupeni-server from this tree:
#   sh build-aux/build-deb.sh [OUTDIR]      (make deb; OUTDIR: build-deb)
# The tree (tracked and untracked files that .gitignore does not exclude)
# is copied to OUTDIR/stupeni-VERSION and built there with
# `dpkg-buildpackage -us -uc -b`, so the .deb files land in OUTDIR and the
# tree stays clean.  Then lintian checks them (errors fail the build).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$top/build-deb"}
case "$out" in /*) ;; *) out="$top/$out" ;; esac
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src="$out/stupeni-$version"

rm -rf "$out"
mkdir -p "$src"
cd "$top"
if [ -d .git ] || git rev-parse --git-dir >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$src"
else
  tar --exclude='./build*' --exclude=./_build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

cd "$src"
nice -n 10 dpkg-buildpackage -us -uc -b -j2
cd "$out"
ls -l ./*.deb
# --fail-on error: warnings are listed in notes, errors stop `make deb`.
lintian --fail-on error --info --display-info ./*.changes
