#!/bin/bash
# Fetches the source tarballs of deps.list into the download cache, checking
# sha256.  First `apt-get source --download-only` (a deb-src entry for
# Debian 12 is added when apt has none); when the archive does not serve a
# package, the same upstream release from $STUPENI_SHARED_SOURCES.
# Usage: fetch-sources.sh [NAME...]
set -euo pipefail
. "$(dirname "$0")/env.sh"

ensure_deb_src () {
  local known
  known=$(apt-cache showsrc glib2.0 2>/dev/null || true)
  if grep -q '^Package:' <<<"$known"; then
    return 0
  fi
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "fetch: adding a deb-src entry for bookworm"
  $sudo tee /etc/apt/sources.list.d/stupeni-windows-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $sudo apt-get update -q >/dev/null
}

sha_ok () { # file expected
  [ -f "$1" ] && { [ "$2" = "-" ] || [ "$(sha256sum < "$1" | cut -c1-64)" = "$2" ]; }
}

mkdir -p "$DOWNLOADS"
want=" $* "
apt_ready=0
deps_lines | while read -r name srcver file sha fbfile fbsha _needs; do
  if [ $# -gt 0 ] && [[ "$want" != *" $name "* ]]; then continue; fi
  if sha_ok "$DOWNLOADS/$file" "$sha" && [ "$sha" != "-" ]; then continue; fi
  if [ "$fbfile" != "-" ] && sha_ok "$DOWNLOADS/$fbfile" "$fbsha"; then continue; fi
  if [ $apt_ready = 0 ]; then ensure_deb_src; apt_ready=1; fi
  tmp=$(mktemp -d "$DOWNLOADS/.apt.XXXXXX")
  chmod 755 "$tmp"
  echo "fetch: $name ($srcver)"
  # The debian part may be missing on the mirror (404): only the upstream
  # tarball is used, so a partial download is fine when it is there.
  (cd "$tmp" && apt-get source --download-only -q "$srcver" >apt.log 2>&1) || true
  if [ -f "$tmp/$file" ] && sha_ok "$tmp/$file" "$sha"; then
    mv "$tmp/$file" "$DOWNLOADS/$file"
  elif [ "$fbfile" != "-" ] && [ -f "$SHARED_SOURCES/$fbfile" ]; then
    echo "fetch: $name: apt did not serve it, using $SHARED_SOURCES/$fbfile"
    cp "$SHARED_SOURCES/$fbfile" "$DOWNLOADS/$fbfile.part"
    if ! sha_ok "$DOWNLOADS/$fbfile.part" "$fbsha"; then
      echo "fetch: $name: sha256 of $fbfile does not match deps.list" >&2; exit 1
    fi
    mv "$DOWNLOADS/$fbfile.part" "$DOWNLOADS/$fbfile"
  else
    echo "fetch: $name: no source (apt said:)" >&2
    grep -E '^(E|Err):' "$tmp/apt.log" >&2 || true
    if [ -f "$tmp/$file" ]; then echo "fetch: $name: sha256 of $file does not match deps.list" >&2; fi
    exit 1
  fi
  rm -rf "$tmp"
done
