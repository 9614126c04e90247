#!/bin/bash
# Installs dist/stupeni-<version>-setup.exe silently into a fresh Wine
# prefix that has none of this machine's fonts (as a bare Windows has no
# DejaVu), checks the installed tree and the fonts it installed, has the
# installed stupeni.exe write a demo center's resident report
# (--demo-report) and compares its text with the Linux build's, starts the installed program on an Xvfb display and takes a picture of
# the screen, then uninstalls and checks that the program is gone and the
# user's data is not.  Prints TAP.
# Usage: test-installer.sh [SETUP.exe] [PICTURE.png]
#   STUPENI_LINUX_PROGRAM: the Linux build's stupeni, whose --demo-report
#   text the installed program's must equal (build/src/stupeni)
set -euo pipefail
. "$(dirname "$0")/env.sh"

setup=${1:-$(ls -t "$REPO_DIR"/dist/stupeni-*-setup.exe | head -n 1)}
picture=${2:-$REPO_DIR/dist/installed-first-run.png}
linux_stupeni=${STUPENI_LINUX_PROGRAM:-$REPO_DIR/build/src/stupeni}
work=$(mktemp -d /tmp/stupeni-installer-XXXXXX)
export WINEPREFIX=$work/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# Wine lists every fontconfig font as a Windows font: show it none.
mkdir -p "$work/nofonts"
cat > "$work/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$work/nofonts</dir><cachedir>$work/fccache</cachedir></fontconfig>
CONF
export FONTCONFIG_FILE=$work/fonts.conf
n=0 failed=0
check () { # description command...
  local what=$1; shift
  n=$((n + 1))
  if "$@"; then echo "ok $n - $what"; else echo "not ok $n - $what"; failed=$((failed + 1)); fi
}

wineboot -i >/dev/null 2>&1 || true
c=$WINEPREFIX/drive_c
inst="$c/Program Files/Stupeni"
t0=$(date +%s.%N)
wine "$setup" /S >/dev/null 2>&1 || true
wineserver -w
echo "# installed in $(echo "$(date +%s.%N) - $t0" | bc) s (load average $(cut -d" " -f1-3 /proc/loadavg))"
check "installed into Program Files" test -f "$inst/bin/stupeni.exe"
check "gspawn helpers, gcc runtime and the TLS module inside" \
  test -f "$inst/bin/gspawn-win64-helper.exe" -a -f "$inst/bin/libgcc_s_seh-1.dll" -a -f "$inst/lib/gio/modules/libgioopenssl.dll"
check "compiled schemas, Russian catalogue, fonts, icon" \
  test -f "$inst/share/glib-2.0/schemas/gschemas.compiled" -a -f "$inst/share/locale/ru/LC_MESSAGES/stupeni.mo" \
       -a -f "$inst/share/fonts/dejavu/DejaVuSans.ttf" -a -f "$inst/stupeni.ico"
check "Start-menu entry for all users" test -f "$c/ProgramData/Microsoft/Windows/Start Menu/Programs/Stupeni.lnk"
check "desktop entry for all users" test -f "$c/users/Public/Desktop/Stupeni.lnk"
check "DejaVu Sans installed into Windows' Fonts folder" \
  bash -c "test -f '$c/windows/Fonts/DejaVuSans.ttf' && wine reg query 'HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Fonts' /v 'DejaVu Sans (TrueType)' 2>/dev/null | grep -q DejaVuSans.ttf"
check "uninstaller registered" bash -c "wine reg query 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Stupeni' /v UninstallString 2>/dev/null | grep -q uninstall.exe"

# The installed program itself writes a demo center's first resident's
# report (stupeni --demo-report: no window), with its own catalogue and the
# fonts the installer put into Windows; the text must be the Linux build's.
t1=$(date +%s.%N)
(unset LANG LANGUAGE LC_ALL; wine "C:\\Program Files\\Stupeni\\bin\\stupeni.exe" \
   --database "$(winepath -w "$work/demo.db")" --demo-report "$(winepath -w "$work/demo.pdf")" \
   --demo-seed 1 > "$work/report.log" 2>&1) && rc=0 || rc=$?
echo "# demo center (300 residents) and report in $(echo "$(date +%s.%N) - $t1" | bc) s, exit status $rc"
sed 's/^/# /' "$work/report.log"
pdftotext -layout -enc UTF-8 "$work/demo.pdf" "$work/demo.txt" 2>/dev/null || true
check "stupeni.exe --demo-report: exit status 0, PDF written" test "$rc" = 0 -a -s "$work/demo.pdf"
check "pdftotext reads the demo center's name" grep -qF 'Демо-центр «Ступени»' "$work/demo.txt"
check "Russian report labels (the installed catalogue)" \
  bash -c "grep -qF 'Личное дело: краткая выписка' '$work/demo.txt' && grep -qF 'Дата рождения' '$work/demo.txt' && ! grep -qF 'Birth date' '$work/demo.txt'"
check "DejaVu Sans embedded (the installed font)" bash -c "pdffonts '$work/demo.pdf' | grep -q DejaVuSans"
pdffonts "$work/demo.pdf" 2>/dev/null | sed 's/^/# /' || true
cp "$work/demo.pdf" "$(dirname "$picture")/installed-demo-report.pdf" 2>/dev/null || true
# The Linux build's program on the same seed: the same lines.
if [ -x "$linux_stupeni" ]; then
  # With this machine's fonts (the prefix's empty fontconfig would leave
  # the Linux PDF without text).
  env -u FONTCONFIG_FILE STUPENI_LANG=ru STUPENI_LOCALEDIR="$(dirname "$(dirname "$linux_stupeni")")/po" \
    "$linux_stupeni" --database "$work/linux.db" --demo-report "$work/linux.pdf" --demo-seed 1 >/dev/null
  pdftotext -layout -enc UTF-8 "$work/linux.pdf" "$work/linux.txt"
  check "same text as the Linux build's ($(wc -l < "$work/linux.txt") lines)" diff -u "$work/linux.txt" "$work/demo.txt"
else
  echo "# no Linux build's $linux_stupeni: text not compared"
fi

# Start the installed program as a user would (no LANG: Russian by default).
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 2
t1=$(date +%s.%N)
(unset LANG LANGUAGE LC_ALL; DISPLAY=$display GSK_RENDERER=cairo \
   wine "C:\\Program Files\\Stupeni\\bin\\stupeni.exe" > "$work/stupeni.log" 2>&1) &
for _ in $(seq 240); do
  sleep 0.5
  [ -n "$(DISPLAY=$display xwininfo -root -children 2>/dev/null | grep -i 'ступени\|stupeni')" ] && break
done
echo "# first window after $(echo "$(date +%s.%N) - $t1" | bc) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
# The title comes first; the content is drawn a while later (the screen
# stays black until then).
mkdir -p "$(dirname "$picture")"
for _ in $(seq 120); do
  import -display "$display" -window root "$picture"
  [ "$(identify -format '%[fx:mean>0.1]' "$picture")" = 1 ] && break
  sleep 1
done
echo "# first window drawn after $(echo "$(date +%s.%N) - $t1" | bc) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
sleep 2
import -display "$display" -window root "$picture"
check "the installed program shows a window" bash -c "DISPLAY=$display xwininfo -root -children | grep -qi 'ступени\|stupeni'"
check "the window is drawn (the picture is not black)" test "$(identify -format '%[fx:mean>0.1]' "$picture")" = 1
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
check "uninstalled: desktop entry gone" test ! -e "$c/users/Public/Desktop/Stupeni.lnk"
check "uninstalled: user data kept" test -f "$data/marker"
echo "1..$n"
if [ $failed = 0 ]; then rm -rf "$work"; else echo "# kept $work"; fi
[ $failed = 0 ]
