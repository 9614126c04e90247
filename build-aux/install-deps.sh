#!/bin/sh
# Installs the Debian packages Stupeni needs to build, run and test;
# with --deb also what `make deb` and `make test-deb` need, with --fuzz what
# `make fuzz` needs.
# Uses sudo when not root; does nothing when everything is already there.
set -eu

PACKAGES="build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev
  libjson-glib-dev libsqlite3-dev sqlite3 libsodium-dev libpq-dev libzstd-dev
  postgresql postgresql-contrib libcairo2-dev libpango1.0-dev
  xvfb xauth dbus dbus-x11 poppler-utils desktop-file-utils appstream
  fonts-dejavu-core imagemagick openssl locales python3 librsvg2-bin
  libreoffice-calc-nogui"

# Debian packaging (make deb, make test-deb) and the flatpak manifest check.
if [ "${1:-}" = "--deb" ]; then
  PACKAGES="$PACKAGES dpkg-dev debhelper lintian curl systemd-container flatpak-builder"
fi

# The libFuzzer targets (make fuzz): clang and its runtime (libFuzzer,
# ASan, UBSan); the normal build does not need them.
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES="$PACKAGES clang libclang-rt-dev"
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
else
  SUDO="sudo"
fi

# The Russian locale, so that the program and its tests run in Russian.
ensure_locale () {
  if ! locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
    if [ -f /etc/locale.gen ]; then
      $SUDO sed -i 's/^# *\(ru_RU.UTF-8 UTF-8\)/\1/' /etc/locale.gen
      grep -q '^ru_RU.UTF-8 UTF-8' /etc/locale.gen || echo 'ru_RU.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
      $SUDO locale-gen >/dev/null
    fi
  fi
}

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  ensure_locale
  exit 0
fi

echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
ensure_locale
