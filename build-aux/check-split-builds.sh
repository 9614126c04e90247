#!/bin/sh
# Proves that the desktop-only and the server-only builds need nothing of
# the other side (make check-split; not part of `make test`):
#   sh build-aux/check-split-builds.sh [WORKDIR]      (default build-split)
#
# pkg-config sees an overlay (PKG_CONFIG_LIBDIR) of the system's .pc files
# without the other side's libraries, as on a machine where they are not
# installed:
# 1. default options, libpq hidden: configure fails and names -Dserver=false;
#    gtk4 hidden: it fails and names -Ddesktop=false.
# 2. desktop-only with the flatpak's options (-Ddesktop=true -Dserver=false
#    -Dtests=false -Dbenchmarks=false), libpq.pc hidden: configures, builds,
#    installs into a DESTDIR with no server file; the binary does not link
#    libpq; the installed desktop file and metainfo validate; the installed
#    program starts under Xvfb (when xvfb-run is there) and is still
#    running after 5 s.
# 3. server-only (-Ddesktop=false -Dserver=true -Dtests=false
#    -Dbenchmarks=false), GTK 4, libadwaita, cairo, pango and zstd hidden:
#    configures, builds, installs the server, its unit, sysusers and
#    tmpfiles files and nothing of the desktop; the binary links no GTK;
#    `stupeni-server --help` runs.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-"$top/build-split"}
case "$work" in /*) ;; *) work="$top/$work" ;; esac
rm -rf "$work"
mkdir -p "$work"

# overlay NAME PATTERN...: a pkg-config directory without the .pc files
# matching the patterns.
overlay () {
  dir="$work/pc-$1"
  shift
  mkdir -p "$dir"
  for d in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
    [ -d "$d" ] || continue
    for pc in "$d"/*.pc; do
      [ -e "$pc" ] || continue
      name=$(basename "$pc")
      [ -e "$dir/$name" ] && continue
      hide=no
      for pattern in "$@"; do
        case "$name" in $pattern) hide=yes ;; esac
      done
      [ "$hide" = yes ] || ln -s "$pc" "$dir/$name"
    done
  done
  echo "$dir"
}

no_libpq=$(overlay no-libpq 'libpq.pc')
no_gtk=$(overlay no-gtk 'gtk4*.pc' 'libadwaita-1.pc' 'cairo*.pc' 'pango*.pc' 'libzstd.pc')
test ! -e "$no_libpq/libpq.pc"
test -e "$no_libpq/gtk4.pc"
test ! -e "$no_gtk/gtk4.pc"
test -e "$no_gtk/libpq.pc"

setup () {
  libdir=$1
  shift
  PKG_CONFIG_LIBDIR=$libdir PKG_CONFIG_PATH='' nice -n 10 meson setup "$@"
}

echo "== 1. a missing dependency names the option that leaves it out"
if setup "$no_libpq" "$work/default-no-libpq" "$top" > "$work/default-no-libpq.log" 2>&1; then
  echo "configured with libpq hidden and -Dserver=true" >&2; exit 1
fi
grep 'ERROR' "$work/default-no-libpq.log"
grep -q 'ERROR: .*libpq .*-Dserver=false' "$work/default-no-libpq.log"
if setup "$no_gtk" "$work/default-no-gtk" "$top" > "$work/default-no-gtk.log" 2>&1; then
  echo "configured with gtk4 hidden and -Ddesktop=true" >&2; exit 1
fi
grep 'ERROR' "$work/default-no-gtk.log"
grep -q 'ERROR: .*gtk4 .*-Ddesktop=false' "$work/default-no-gtk.log"

echo "== 2. desktop only (the flatpak's options), libpq hidden"
setup "$no_libpq" "$work/desktop" "$top" --prefix=/usr --buildtype=release \
  -Ddesktop=true -Dserver=false -Dtests=false -Dbenchmarks=false > "$work/desktop.log"
nice -n 10 meson compile -C "$work/desktop" -j 2 > "$work/desktop-compile.log"
DESTDIR="$work/desktop-root" meson install -C "$work/desktop" --no-rebuild > "$work/desktop-install.log"
root="$work/desktop-root"
test -x "$root/usr/bin/stupeni"
test ! -e "$root/usr/bin/stupeni-server"
test -z "$(find "$root" -name 'stupeni-server*' -o -name 'sysusers.d' -o -name 'tmpfiles.d' -o -path '*systemd*')"
! readelf -d "$root/usr/bin/stupeni" | grep -q 'libpq'
test -s "$root/usr/share/icons/hicolor/128x128/apps/org.stupeni.Stupeni.png"
desktop-file-validate "$root/usr/share/applications/org.stupeni.Stupeni.desktop"
appstreamcli validate --no-net "$root/usr/share/metainfo/org.stupeni.Stupeni.metainfo.xml"
glib-compile-schemas "$root/usr/share/glib-2.0/schemas"
find "$root" -type f | sed "s|^$root||" | sort
if command -v xvfb-run >/dev/null 2>&1; then
  mkdir -p "$work/home"
  env HOME="$work/home" XDG_DATA_HOME="$work/home/data" GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 \
    GSETTINGS_SCHEMA_DIR="$root/usr/share/glib-2.0/schemas" STUPENI_LOCALEDIR="$root/usr/share/locale" \
    xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- sh -c '
      "$0" > "$1" 2>&1 &
      pid=$!
      sleep 5
      if ! kill -0 $pid; then echo "the desktop-only stupeni exited:"; cat "$1"; exit 1; fi
      kill $pid' "$root/usr/bin/stupeni" "$work/desktop-run.log"
  echo "the installed desktop-only program ran 5 s under Xvfb"
fi

echo "== 3. server only, GTK 4 / libadwaita / cairo / pango / zstd hidden"
setup "$no_gtk" "$work/server" "$top" --prefix=/usr --buildtype=release \
  -Ddesktop=false -Dserver=true -Dtests=false -Dbenchmarks=false > "$work/server.log"
nice -n 10 meson compile -C "$work/server" -j 2 > "$work/server-compile.log"
DESTDIR="$work/server-root" meson install -C "$work/server" --no-rebuild > "$work/server-install.log"
root="$work/server-root"
test -x "$root/usr/bin/stupeni-server"
test ! -e "$root/usr/bin/stupeni"
test -f "$root/usr/lib/systemd/system/stupeni-server.service"
test -f "$root/usr/lib/sysusers.d/stupeni-server.conf"
test -f "$root/usr/lib/tmpfiles.d/stupeni-server.conf"
test -z "$(find "$root" -name 'org.stupeni.Stupeni*')"
! readelf -d "$root/usr/bin/stupeni-server" | grep -E -q 'libgtk|libadwaita|libcairo|libpango'
readelf -d "$root/usr/bin/stupeni-server" | grep -q 'libpq'
"$root/usr/bin/stupeni-server" --help > /dev/null
find "$root" -type f | sed "s|^$root||" | sort

echo "check-split-builds: PASS"
