#!/bin/bash
# Cross-builds the libraries of deps.list for 64-bit Windows into a prefix
# under the cache: ~/.cache/stupeni-windows/<key>/prefix, <key> a hash of
# deps.list, this script and the toolchain files.  Each package has a stamp
# (the hash of its line, its recipe and the stamp before it) and a log; a
# package whose stamp matches is not rebuilt, so a second run costs nothing
# and an interrupted run resumes at the package it was building.
#
# Usage: build-deps.sh            build what is missing
#        build-deps.sh --prefix   print the prefix and exit
#        build-deps.sh --upto N   stop after package N
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ "${1:-}" = "--prefix" ]; then echo "$PREFIX"; exit 0; fi
upto=""
if [ "${1:-}" = "--upto" ]; then upto=$2; fi

JOBS=${STUPENI_WIN_JOBS:-2}
STAMPS=$KEY_DIR/stamps
LOGS=$KEY_DIR/logs
SRCROOT=$KEY_DIR/src
mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/include" "$PREFIX/bin" "$STAMPS" "$LOGS" "$SRCROOT"

exec 9>"$KEY_DIR/.lock"
if ! flock -n 9; then
  echo "build-deps: another build holds $KEY_DIR/.lock; waiting" >&2
  flock 9
fi

sed "s|@PREFIX@|$PREFIX|g" "$WIN_DIR/cross.ini.in" > "$KEY_DIR/cross.ini"
sed "s|@PREFIX@|$PREFIX|g" "$WIN_DIR/toolchain.cmake.in" > "$KEY_DIR/toolchain.cmake"
CROSS_FILE=$KEY_DIR/cross.ini
TOOLCHAIN_FILE=$KEY_DIR/toolchain.cmake

# The environment every recipe sees.
export PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig:$PREFIX/share/pkgconfig:/usr/$HOST/lib/pkgconfig"
unset PKG_CONFIG_PATH
export CPPFLAGS="-I$PREFIX/include"
export LDFLAGS="-L$PREFIX/lib"
export CFLAGS="-O2 -g0"
export CXXFLAGS="-O2 -g0"
export LC_ALL=C.UTF-8

# Helpers for the recipes.  Each recipe runs in a fresh copy of its sources.
unpack () { # tarball: leaves the shell in the top directory
  local dir=$SRCROOT/$name
  rm -rf "$dir"; mkdir -p "$dir"
  tar -xf "$1" -C "$dir"
  local top
  top=$(find "$dir" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  cd "$top"
}
w_meson () { # meson options...
  meson setup _build --cross-file "$CROSS_FILE" --prefix "$PREFIX" --libdir lib \
    --buildtype release --default-library shared --wrap-mode nodownload \
    -Db_ndebug=if-release "$@"
  ninja -C _build -j "$JOBS"
  meson install -C _build --no-rebuild
}
w_configure () { # configure options...
  ./configure --host=$HOST --build="$(gcc -dumpmachine)" --prefix="$PREFIX" \
    --enable-shared --disable-static "$@"
  make -j "$JOBS"
  make install
}
w_cmake () { # cmake options...
  cmake -S . -B _build -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN_FILE" \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_BUILD_TYPE=Release "$@"
  ninja -C _build -j "$JOBS"
  ninja -C _build install
}

"$WIN_DIR/fetch-sources.sh"

prev="start"
total_start=$(date +%s)
built=0
while read -r name srcver file sha fbfile fbsha; do
  recipe=$WIN_DIR/recipes/$name.sh
  [ -f "$recipe" ] || { echo "build-deps: no recipe $recipe" >&2; exit 1; }
  tarball=$DOWNLOADS/$file
  [ -f "$tarball" ] || tarball=$DOWNLOADS/$fbfile
  stamp=$( { echo "$prev"; echo "$name $srcver $file $sha $fbfile $fbsha"; cat "$recipe"; } \
             | sha256sum | cut -c1-64)
  if [ -f "$STAMPS/$name" ] && [ "$(cat "$STAMPS/$name")" = "$stamp" ]; then
    prev=$stamp
    [ "$name" = "$upto" ] && break
    continue
  fi
  rm -f "$STAMPS/$name"
  echo "build-deps: $name ($srcver) ... log: $LOGS/$name.log"
  t0=$(date +%s)
  if ! ( set -euxo pipefail
         export name tarball
         . "$recipe" ) >"$LOGS/$name.log" 2>&1 </dev/null; then
    echo "build-deps: $name FAILED after $(( $(date +%s) - t0 )) s; last lines of $LOGS/$name.log:" >&2
    tail -n 30 "$LOGS/$name.log" >&2
    exit 1
  fi
  t=$(( $(date +%s) - t0 ))
  echo "$stamp" > "$STAMPS/$name"
  echo "$name $t" >> "$KEY_DIR/times.txt"
  echo "build-deps: $name built in $t s"
  rm -rf "${SRCROOT:?}/$name"
  built=$((built + 1))
  prev=$stamp
  [ "$name" = "$upto" ] && break
done < <(deps_lines)

echo "build-deps: prefix $PREFIX ready ($built built, $(( $(date +%s) - total_start )) s)"
