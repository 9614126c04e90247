#!/bin/bash
# Installs dist/stupeni-<version>-setup.exe silently into a fresh Wine
# prefix, checks the installed tree, starts the installed program on an
# Xvfb display and takes a picture of the screen, then uninstalls and
# checks that the program is gone and the user's data is not.  Prints TAP.
# Usage: test-installer.sh [SETUP.exe] [PICTURE.png]
set -euo pipefail
. "$(dirname "$0")/env.sh"

setup=${1:-$(ls -t "$REPO_DIR"/dist/stupeni-*-setup.exe | head -n 1)}
picture=${2:-$REPO_DIR/dist/installed-first-run.png}
work=$(mktemp -d /tmp/stupeni-installer-XXXXXX)
export WINEPREFIX=$work/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
n=0 failed=0
check () { # description command...
  local what=$1; shift
  n=$((n + 1))
  if "$@"; then echo "ok $n - $what"; else echo "not ok $n - $what"; failed=$((failed + 1)); fi
}

wineboot -i >/dev/null 2>&1 || true
c=$WINEPREFIX/drive_c
inst="$c/Program Files/Stupeni"
t0=$(date +%s)
wine "$setup" /S >/dev/null 2>&1 || true
wineserver -w
echo "# installed in $(( $(date +%s) - t0 )) s"
check "installed into Program Files" test -f "$inst/bin/stupeni.exe"
check "gspawn helpers, gcc runtime and the TLS module inside" \
  test -f "$inst/bin/gspawn-win64-helper.exe" -a -f "$inst/bin/libgcc_s_seh-1.dll" -a -f "$inst/lib/gio/modules/libgioopenssl.dll"
check "compiled schemas, Russian catalogue, fonts, icon" \
  test -f "$inst/share/glib-2.0/schemas/gschemas.compiled" -a -f "$inst/share/locale/ru/LC_MESSAGES/stupeni.mo" \
       -a -f "$inst/share/fonts/dejavu/DejaVuSans.ttf" -a -f "$inst/stupeni.ico"
check "Start-menu entry for all users" test -f "$c/ProgramData/Microsoft/Windows/Start Menu/Programs/Stupeni.lnk"
check "uninstaller registered" bash -c "wine reg query 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Stupeni' /v UninstallString 2>/dev/null | grep -q uninstall.exe"

# Start the installed program as a user would (no LANG: Russian by default).
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 2
(unset LANG LANGUAGE LC_ALL; DISPLAY=$display GSK_RENDERER=cairo \
   wine "C:\\Program Files\\Stupeni\\bin\\stupeni.exe" > "$work/stupeni.log" 2>&1) &
for _ in $(seq 60); do
  sleep 2
  [ -n "$(DISPLAY=$display xwininfo -root -children 2>/dev/null | grep -i 'ступени\|stupeni')" ] && break
done
sleep 5
mkdir -p "$(dirname "$picture")"
import -display "$display" -window root "$picture"
check "the installed program shows a window" bash -c "DISPLAY=$display xwininfo -root -children | grep -qi 'ступени\|stupeni'"
echo "# picture: $picture"
wineserver -k || true
kill "$xvfb" 2>/dev/null || true

# The user's data must survive the uninstaller.
data="$c/users/$(whoami)/AppData/Local/stupeni"
mkdir -p "$data" && echo keep > "$data/marker"
wine "$inst/uninstall.exe" /S >/dev/null 2>&1 || true
wineserver -w
for _ in $(seq 30); do [ -e "$inst/bin" ] || break; sleep 1; done
check "uninstalled: program files gone" test ! -e "$inst/bin/stupeni.exe"
check "uninstalled: Start-menu entry gone" test ! -e "$c/ProgramData/Microsoft/Windows/Start Menu/Programs/Stupeni.lnk"
check "uninstalled: user data kept" test -f "$data/marker"
echo "1..$n"
if [ $failed = 0 ]; then rm -rf "$work"; else echo "# kept $work"; fi
[ $failed = 0 ]
