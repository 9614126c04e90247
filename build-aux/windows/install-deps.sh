#!/bin/sh
# Debian packages the Windows cross-build, its tests under Wine and the
# installer need, on top of build-aux/install-deps.sh (the Linux build:
# the sync tests run a native stupeni-server).  Kept apart so that
# `make test` on Linux installs nothing more.
set -eu

PACKAGES="mingw-w64 libz-mingw-w64-dev wine wine64 nsis meson ninja-build
  pkg-config dpkg-dev autoconf automake libtool gettext autopoint sassc tcl
  cmake python3 xz-utils bzip2 fonts-dejavu-core hicolor-icon-theme
  librsvg2-bin icoutils publicsuffix xvfb xauth x11-utils imagemagick poppler-utils"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
