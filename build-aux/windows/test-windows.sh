#!/bin/bash
# `make test-windows`: the Windows build's test suites under Wine.
#   core, protocol, report: the same test programs as on Linux, as .exe;
#         report-cross: one resident PDF from each build, read back with
#         pdftotext on Linux and compared (test-report-cross.sh);
#   sync: test-sync-cross.sh, a Windows device (under Wine) and a Linux
#         device syncing through a native stupeni-server, both backends;
#   gui:  the GTK tests under Wine + Xvfb, as far as they run.
# STUPENI_WIN_GUI=false: without GTK (build.sh), the first four suites only.
# Extra arguments go to meson test (e.g. --suite core).
set -euo pipefail
. "$(dirname "$0")/env.sh"

BUILDDIR=${STUPENI_WIN_BUILDDIR:-$REPO_DIR/build-windows}
NATIVE=${STUPENI_NATIVE_BUILDDIR:-$REPO_DIR/build}

bash "$WIN_DIR/build.sh" --no-installer
. "$WIN_DIR/wine-env.sh"

# GTK's own schemas for the GTK tests.
glib-compile-schemas "$PREFIX/share/glib-2.0/schemas"

# The native server and sync client the sync suite talks to.
sh "$REPO_DIR/build-aux/install-deps.sh"
[ -f "$NATIVE/build.ninja" ] || meson setup "$NATIVE" "$REPO_DIR"
nice -n 10 meson compile -C "$NATIVE" -j 2 src/server/stupeni-server tests/sync/stupeni-sync-cli \
  tests/windows/stupeni-report-pdf
export STUPENI_NATIVE_SERVER=$NATIVE/src/server/stupeni-server
export STUPENI_NATIVE_SYNC_CLI=$NATIVE/tests/sync/stupeni-sync-cli
export STUPENI_NATIVE_REPORT_PDF=$NATIVE/tests/windows/stupeni-report-pdf

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  suites=(--suite core --suite protocol --suite report --suite sync)
  [ "${STUPENI_WIN_GUI:-true}" = true ] && suites+=(--suite gui)
fi
xvfb-run -a -s "-screen 0 1280x1024x24" \
  meson test -C "$BUILDDIR" --print-errorlogs --num-processes 1 --timeout-multiplier 4 "${suites[@]}"
