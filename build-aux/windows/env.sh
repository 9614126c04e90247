# Sourced by the scripts of build-aux/windows: where things are.
# STUPENI_SHARED_SOURCES: upstream tarballs that apt cannot serve
#   (default: ../shared/sources beside the repository checkout).
# STUPENI_WIN_CACHE: cache root (default ~/.cache/stupeni-windows).
WIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$WIN_DIR/../.." && pwd)
HOST=x86_64-w64-mingw32
SHARED_SOURCES=${STUPENI_SHARED_SOURCES:-$REPO_DIR/../shared/sources}
CACHE_ROOT=${STUPENI_WIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stupeni-windows}
DOWNLOADS=$CACHE_ROOT/downloads
# The prefix is keyed by what decides its content: the list's entries (not
# their order or comments), the driver and the toolchain files.  A recipe
# change is caught by the per-package stamps.
CACHE_KEY=$( { grep -v '^[[:space:]]*\(#\|$\)' "$WIN_DIR/deps.list" | LC_ALL=C sort
               cat "$WIN_DIR/build-deps.sh" "$WIN_DIR/cross.ini.in" "$WIN_DIR/toolchain.cmake.in"; } \
             | sha256sum | cut -c1-12)
KEY_DIR=$CACHE_ROOT/$CACHE_KEY
PREFIX=$KEY_DIR/prefix
deps_lines () {
  grep -v '^[[:space:]]*\(#\|$\)' "$WIN_DIR/deps.list"
}
# The font faces the program ships and the installer puts into Windows'
# Fonts folder (stage-runtime.sh, stupeni.nsi, wine-env.sh).
WIN_FONT_FACES="DejaVuSans DejaVuSans-Bold DejaVuSans-Oblique DejaVuSans-BoldOblique DejaVuSansMono DejaVuSansMono-Bold"
