#!/bin/bash
# `make windows`: the dependency prefix (cached), the cross-build of the
# desktop program, a staged install tree with the GTK runtime pieces, and
# dist/stupeni-<version>-setup.exe.
#   STUPENI_WIN_BUILDDIR  build directory (default build-windows)
#   STUPENI_WIN_GUI=false  only the libraries below GTK and the program's
#                          layers without its window (-Dgui=false): the core,
#                          protocol, report and sync suites, no installer
#   build.sh [--no-installer]   stop after the cross-build (make test-windows)
set -euo pipefail
. "$(dirname "$0")/env.sh"

BUILDDIR=${STUPENI_WIN_BUILDDIR:-$REPO_DIR/build-windows}
NICE="nice -n ${STUPENI_WIN_NICE:-15}"
GUI=${STUPENI_WIN_GUI:-true}

t0=$(date +%s)
if [ "$GUI" = true ]; then
  $NICE "$WIN_DIR/build-deps.sh"
else
  # What src/core, src/report and src/sync link (and what they need).
  $NICE "$WIN_DIR/build-deps.sh" glib json-glib sqlite3 libsodium zstd pango libsoup glib-networking
fi
t_deps=$(date +%s)

if [ ! -f "$BUILDDIR/build.ninja" ]; then
  meson setup "$BUILDDIR" "$REPO_DIR" --cross-file "$KEY_DIR/cross.ini" \
    --prefix /stupeni --bindir bin --datadir share --localedir share/locale \
    --buildtype release -Db_ndebug=false -Dgui="$GUI" \
    -Dserver=false -Dbenchmarks=false -Dpostgresql_tests=false
else
  meson configure "$BUILDDIR" -Dgui="$GUI"
fi
$NICE meson compile -C "$BUILDDIR" -j "${STUPENI_WIN_JOBS:-2}"
t_build=$(date +%s)
echo "windows: dependencies $((t_deps - t0)) s, program $((t_build - t_deps)) s"
[ "${1:-}" = "--no-installer" ] || [ "$GUI" != true ] && exit 0

version=$(meson introspect --projectinfo "$BUILDDIR" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
stage_root=$BUILDDIR/stage
stage=$stage_root/stupeni
rm -rf "$stage_root"
meson install -C "$BUILDDIR" --destdir "$stage_root" --no-rebuild --strip >/dev/null
"$WIN_DIR/stage-runtime.sh" "$stage"

mkdir -p "$REPO_DIR/dist"
out=$REPO_DIR/dist/stupeni-$version-setup.exe
makensis -V2 -DVERSION="$version" -DSTAGE="$stage" -DOUTFILE="$out" \
  -DICON="$WIN_DIR/stupeni.ico" "$WIN_DIR/stupeni.nsi"
t_end=$(date +%s)
echo "windows: $out ($(du -h "$out" | cut -f1)); total $((t_end - t0)) s"
