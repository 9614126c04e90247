#!/bin/sh
# Installs the packages built by `make deb` on this machine, runs both
# programs from them and purges them again (make test-deb; root; not part of
# `make test`):
#   sh build-aux/test-deb.sh [DEBDIR]
# 1. apt-get install ./stupeni_*.deb ./stupeni-server_*.deb
# 2. the packaged unit: systemd-analyze verify, security --offline (<= 2.0)
# 3. stupeni-server from the package, as the user stupeni, with the packaged
#    /etc/stupeni/stupeni-server.conf and an openssl certificate at its
#    tls_certificate/tls_key paths: init, center add, serve on a free
#    loopback port; GET /v1/info over TLS checked against the certificate
# 4. stupeni from the package under Xvfb: still running after 8 s, a picture
#    of its first window in DEBDIR/test-deb-first-window.png
# 5. apt-get purge of both, of the dependencies the install pulled in, and of
#    what the test made (certificate, state, the user stupeni when it did not
#    exist before), so that the machine is as it was.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
debdir=${1:-"$top/build-deb"}
case "$debdir" in /*) ;; *) debdir="$top/$debdir" ;; esac
conf=/etc/stupeni/stupeni-server.conf
apt_opts="-y -q --no-install-recommends -o DPkg::Lock::Timeout=600"
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" -eq 0 ] || { echo "test-deb: run as root (it installs packages)" >&2; exit 1; }
desktop_deb=$(ls "$debdir"/stupeni_*.deb)
server_deb=$(ls "$debdir"/stupeni-server_*.deb)
for p in stupeni stupeni-server; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    echo "test-deb: $p is installed already; not touching it" >&2
    exit 1
  fi
done

work=$(mktemp -d /tmp/stupeni-test-deb.XXXXXX)
had_user=no; getent passwd stupeni >/dev/null && had_user=yes
had_state=no; [ -e /var/lib/stupeni-server ] && had_state=yes
had_etc=no; [ -e /etc/stupeni ] && had_etc=yes
dpkg-query -W -f='${Package}\n' | sort > "$work/before"
server_pid=""
gui_pid=""

cleanup () {
  status=$?
  set +e
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$gui_pid" ] && kill "$gui_pid" 2>/dev/null
  wait 2>/dev/null
  echo "== purge"
  apt-get purge $apt_opts stupeni stupeni-server >/dev/null
  dpkg-query -W -f='${Package}\n' | sort > "$work/after"
  pulled=$(comm -13 "$work/before" "$work/after" | tr '\n' ' ')
  if [ -n "$pulled" ]; then
    echo "purging what the install pulled in: $pulled"
    # shellcheck disable=SC2086
    apt-get purge $apt_opts $pulled >/dev/null
  fi
  rm -rf /etc/stupeni/tls
  [ "$had_etc" = no ] && rm -rf /etc/stupeni
  [ "$had_state" = no ] && rm -rf /var/lib/stupeni-server
  if [ "$had_user" = no ] && getent passwd stupeni >/dev/null; then
    userdel stupeni
    getent group stupeni >/dev/null && groupdel stupeni
  fi
  dpkg-query -W -f='${Package}\n' | sort > "$work/after"
  if ! cmp -s "$work/before" "$work/after"; then
    echo "test-deb: the installed packages differ from before:" >&2
    diff "$work/before" "$work/after" >&2
    status=1
  fi
  rm -rf "$work"
  if [ $status -eq 0 ]; then echo "test-deb: PASS"; else echo "test-deb: FAIL" >&2; fi
  exit $status
}
trap cleanup EXIT INT TERM

echo "== apt-get install $desktop_deb $server_deb"
# shellcheck disable=SC2086
apt-get install $apt_opts "$desktop_deb" "$server_deb"

echo "== what the packages set up"
id stupeni
stat -c '%U:%G %a %n' /etc/stupeni "$conf" /var/lib/stupeni-server
[ "$(stat -c '%U %a' "$conf")" = "stupeni 600" ]
[ "$(stat -c '%U %a' /var/lib/stupeni-server)" = "stupeni 700" ]
dpkg-query -W -f='${Conffiles}\n' stupeni-server | grep -q " $conf "
unit=/lib/systemd/system/stupeni-server.service
test -f "$unit"
for size in 16 24 32 48 64 128 256 512; do
  test -s /usr/share/icons/hicolor/${size}x${size}/apps/org.stupeni.Stupeni.png
done
desktop-file-validate /usr/share/applications/org.stupeni.Stupeni.desktop
appstreamcli validate --no-net /usr/share/metainfo/org.stupeni.Stupeni.metainfo.xml
# The schema is compiled by libglib2.0-0's dpkg trigger.
gsettings list-keys org.stupeni.Stupeni >/dev/null

echo "== the unit"
systemd-analyze verify "$unit"
systemd-analyze security --offline=true "$unit" | tail -n 1 | tee "$work/security"
score=$(sed -n 's/.*stupeni-server.service: \([0-9.]*\).*/\1/p' "$work/security")
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' ||
  { echo "exposure $score is above 2.0" >&2; exit 1; }

echo "== stupeni-server from the package"
mkdir -p /etc/stupeni/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout /etc/stupeni/tls/privkey.pem -out /etc/stupeni/tls/fullchain.pem 2>/dev/null
chown -R root:stupeni /etc/stupeni/tls
chmod 0750 /etc/stupeni/tls
chmod 0640 /etc/stupeni/tls/privkey.pem /etc/stupeni/tls/fullchain.pem
as_stupeni="runuser -u stupeni -- /usr/bin/stupeni-server --config $conf"
$as_stupeni init --admin-password 'test-deb-пароль'
grep -q '^admin_password=\$argon2id' "$conf"
$as_stupeni center add "Центр test-deb" | grep '^enrollment_code: ' > /dev/null
$as_stupeni serve --port 0 > "$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's|^listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/server.log")
  [ -n "$port" ] && break
  sleep 0.2
done
cat "$work/server.log"
[ -n "$port" ] || { echo "the server did not start" >&2; exit 1; }
info=$(curl -sS --fail --cacert /etc/stupeni/tls/fullchain.pem "https://127.0.0.1:$port/v1/info")
echo "GET /v1/info: $info"
echo "$info" | grep -q '"protocol":1'
curl -sS --fail -o /dev/null --cacert /etc/stupeni/tls/fullchain.pem \
  -u "admin:test-deb-пароль" "https://127.0.0.1:$port/admin/summary.csv"
stat -c '%U:%G %a %n' /var/lib/stupeni-server/*
[ "$(stat -c %U /var/lib/stupeni-server/server.db)" = stupeni ]
kill "$server_pid"; wait "$server_pid" || true; server_pid=""

echo "== stupeni from the package under Xvfb"
mkdir -p "$work/home"
picture="$debdir/test-deb-first-window.png"
rm -f "$picture"
env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=ru_RU.UTF-8 GSETTINGS_BACKEND=memory \
  NO_AT_BRIDGE=1 XDG_RUNTIME_DIR="$work" \
  xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- sh -c '
    /usr/bin/stupeni > "$0/gui.log" 2>&1 &
    pid=$!
    sleep 8
    kill -0 $pid || { echo "stupeni exited:"; cat "$0/gui.log"; exit 1; }
    import -window root "$1"
    kill $pid' "$work" "$picture"
cat "$work/gui.log" 2>/dev/null || true
test -s "$picture"
echo "picture of the first window: $picture"
