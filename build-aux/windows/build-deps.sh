#!/bin/bash
# Cross-builds the libraries of deps.list for 64-bit Windows into a prefix
# under the cache: ~/.cache/stupeni-windows/<key>/prefix, <key> a hash of
# deps.list, this script and the toolchain files.  Each package has a stamp
# (the hash of its line, its recipe and the stamps of the packages it
# needs) and a log; a package whose stamp matches is not rebuilt, so a
# second run costs nothing and an interrupted run resumes where it stopped.
# Packages whose needs are built go two at a time (STUPENI_WIN_PARALLEL):
# most of a cold build is single-threaded configure scripts.
#
# Usage: build-deps.sh              build what is missing
#        build-deps.sh NAME...      build these (and what they need)
#        build-deps.sh --prefix     print the prefix and exit
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ "${1:-}" = "--prefix" ]; then echo "$PREFIX"; exit 0; fi

JOBS=${STUPENI_WIN_JOBS:-2}
PARALLEL=${STUPENI_WIN_PARALLEL:-2}
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

declare -A line_of=() needs_of=() stamp_of=() state=()
order=()
while read -r name srcver file sha fbfile fbsha needs; do
  order+=("$name")
  line_of[$name]="$name $srcver $file $sha $fbfile $fbsha $needs"
  needs_of[$name]=${needs//,/ }
  [ "${needs_of[$name]}" = "-" ] && needs_of[$name]=""
  [ -f "$WIN_DIR/recipes/$name.sh" ] || { echo "build-deps: no recipe recipes/$name.sh" >&2; exit 1; }
done < <(deps_lines)

# The stamp a package must have: its line, its recipe, its needs' stamps.
compute_stamp () {
  local name=$1 n
  { echo "${line_of[$name]}"; cat "$WIN_DIR/recipes/$name.sh"
    for n in ${needs_of[$name]}; do echo "$n ${stamp_of[$n]}"; done; } | sha256sum | cut -c1-64
}
for name in "${order[@]}"; do
  for n in ${needs_of[$name]}; do
    [ -n "${stamp_of[$n]:-}" ] || { echo "build-deps: $name needs $n, listed later or not at all" >&2; exit 1; }
  done
  stamp_of[$name]=$(compute_stamp "$name")
done

# What to build: everything, or the named packages and what they need.
declare -A wanted=()
want () { local n; [ -n "${wanted[$1]:-}" ] && return; wanted[$1]=1; for n in ${needs_of[$1]}; do want "$n"; done; }
if [ $# -gt 0 ]; then for n in "$@"; do [ -n "${line_of[$n]:-}" ] || { echo "unknown package $n" >&2; exit 1; }; want "$n"; done
else for n in "${order[@]}"; do wanted[$n]=1; done; fi

for name in "${order[@]}"; do
  if [ -f "$STAMPS/$name" ] && [ "$(cat "$STAMPS/$name")" = "${stamp_of[$name]}" ]; then
    state[$name]=done
  else
    state[$name]=todo
  fi
done

build_one () { # name: runs in the background; the stamp is written last
  local name=$1 t0 t file fbfile tarball rc
  read -r _ _ file _ fbfile _ _ <<<"${line_of[$name]}"
  tarball=$DOWNLOADS/$file
  [ -f "$tarball" ] || tarball=$DOWNLOADS/$fbfile
  rm -f "$STAMPS/$name"
  t0=$(date +%s)
  # Not inside an `if`: there bash would ignore set -e in the recipe and
  # only its last command would count.
  set +e
  ( set -euxo pipefail
    export name tarball
    . "$WIN_DIR/recipes/$name.sh" ) >"$LOGS/$name.log" 2>&1 </dev/null
  rc=$?
  set -e
  if [ $rc = 0 ]; then
    t=$(( $(date +%s) - t0 ))
    echo "${stamp_of[$name]}" > "$STAMPS/$name"
    echo "$name $t" >> "$KEY_DIR/times.txt"
    echo "build-deps: $name built in $t s"
    rm -rf "${SRCROOT:?}/$name"
  else
    echo "build-deps: $name FAILED after $(( $(date +%s) - t0 )) s; last lines of $LOGS/$name.log:" >&2
    tail -n 30 "$LOGS/$name.log" >&2
    return 1
  fi
}

total_start=$(date +%s)
built=0 failed=0
declare -A pid_of=()
while :; do
  # Start what can start.
  running=${#pid_of[@]}
  for name in "${order[@]}"; do
    [ "$running" -lt "$PARALLEL" ] || break
    [ -n "${wanted[$name]:-}" ] && [ "${state[$name]}" = todo ] || continue
    ready=1
    for n in ${needs_of[$name]}; do [ "${state[$n]}" = done ] || ready=0; done
    [ $ready = 1 ] || continue
    [ $failed = 0 ] || break
    echo "build-deps: $name ... log: $LOGS/$name.log"
    build_one "$name" &
    pid_of[$name]=$!
    state[$name]=running
    running=$((running + 1))
  done
  [ ${#pid_of[@]} -gt 0 ] || break
  # Wait for one to end.
  rc=0
  ended=""
  wait -n -p ended || rc=$?
  for name in "${!pid_of[@]}"; do
    if [ "${pid_of[$name]}" = "$ended" ]; then
      if [ $rc = 0 ]; then state[$name]=done; built=$((built + 1))
      else state[$name]=failed; failed=$((failed + 1)); fi
      unset "pid_of[$name]"
    fi
  done
done

if [ $failed -gt 0 ]; then
  echo "build-deps: $failed package(s) failed; rerun to resume" >&2
  exit 1
fi
for name in "${order[@]}"; do
  if [ -n "${wanted[$name]:-}" ] && [ "${state[$name]}" != done ]; then
    echo "build-deps: $name was not built" >&2; exit 1
  fi
done
echo "build-deps: prefix $PREFIX ready ($built built, $(( $(date +%s) - total_start )) s)"
