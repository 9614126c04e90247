#!/bin/sh
# The packaged unit under a real systemd (make test-deb-systemd; root; needs
# systemd-container; not part of `make test`):
#   sh build-aux/test-deb-systemd.sh [DEBDIR]
# This machine's root file system is booted in a systemd-nspawn container
# through an overlay (writes go to a temporary directory and vanish after),
# with a private network (loopback only).  In it: apt-get install of both
# packages, a certificate, `init` as the user stupeni, `systemctl start
# stupeni-server`, then through the sandboxed service: GET /v1/info over
# TLS, an enrollment (a write to its SQLite state, which must be 0600 and
# owned by stupeni), the admin summary (argon2id); then the same against
# PostgreSQL over its Unix socket (peer authentication) when the container
# runs a cluster; a reinstall (an upgrade for dpkg) restarts the running
# service, removing the package stops it.  The kernel's seccomp log is checked for a kill (SIGSYS)
# of stupeni-server.
# STUPENI_TEST_DROPIN, when set, is written as a drop-in of the unit before it
# starts (to see the test fail, e.g. '[Service]\nSystemCallFilter=~@resources').
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
debdir=${1:-"$top/build-deb"}
case "$debdir" in /*) ;; *) debdir="$top/$debdir" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "test-deb-systemd: run as root" >&2; exit 1; }
command -v systemd-nspawn >/dev/null || { echo "test-deb-systemd: needs systemd-container" >&2; exit 1; }

tmp=$(mktemp -d /tmp/stupeni-nspawn.XXXXXX)
root="$tmp/root"
mkdir -p "$tmp/upper" "$tmp/work" "$root"
nspawn_pid=""
cleanup () {
  status=$?
  set +e
  if [ -n "$nspawn_pid" ]; then
    kill "$nspawn_pid" 2>/dev/null
    wait "$nspawn_pid" 2>/dev/null
  fi
  mountpoint -q "$root" && umount "$root"
  rm -rf "$tmp"
  if [ $status -eq 0 ]; then echo "test-deb-systemd: PASS"; else echo "test-deb-systemd: FAIL" >&2; fi
  exit $status
}
trap cleanup EXIT INT TERM

mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/upper,workdir=$tmp/work" "$root"
mkdir -p "$root/root/debs"
# A Docker-made image forbids maintainer scripts to start services
# (policy-rc.d exits 101); a booted Debian has no such file.  Removed in the
# overlay only.
rm -f "$root/usr/sbin/policy-rc.d"
cp "$debdir"/stupeni_*.deb "$debdir"/stupeni-server_*.deb "$root/root/debs/"
seccomp_before=$(dmesg 2>/dev/null | grep -c 'type=1326.*comm="stupeni-server"' || true)

systemd-nspawn -q -D "$root" --register=no --keep-unit --private-network \
  --uuid="$(tr -d '-' < /proc/sys/kernel/random/uuid)" --link-journal=no \
  --machine=stupeni-test --boot > "$tmp/boot.log" 2>&1 &
nspawn_pid=$!
init_pid=""
for _ in $(seq 100); do
  init_pid=$(pgrep -P "$nspawn_pid" -x systemd || true)
  [ -n "$init_pid" ] && break
  sleep 0.2
done
[ -n "$init_pid" ] || { cat "$tmp/boot.log"; exit 1; }
in_ct () { nsenter -t "$init_pid" -a -- "$@"; }
for _ in $(seq 120); do
  state=$(in_ct systemctl is-system-running 2>/dev/null || true)
  case "$state" in running|degraded) break ;; esac
  sleep 0.5
done
echo "container: $state"

in_ct sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /root/debs/*.deb' > "$tmp/apt.log" 2>&1 ||
  { cat "$tmp/apt.log"; exit 1; }
in_ct systemctl cat stupeni-server.service > /dev/null
if [ -n "${STUPENI_TEST_DROPIN:-}" ]; then
  mkdir -p "$root/etc/systemd/system/stupeni-server.service.d"
  printf '%b\n' "$STUPENI_TEST_DROPIN" > "$root/etc/systemd/system/stupeni-server.service.d/test.conf"
  in_ct systemctl daemon-reload
fi
in_ct systemctl is-enabled stupeni-server.service || true
if ! in_ct sh -eu -c '
  conf=/etc/stupeni/stupeni-server.conf
  install -d -m 0750 -o root -g stupeni /etc/stupeni/tls
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout /etc/stupeni/tls/privkey.pem -out /etc/stupeni/tls/fullchain.pem 2>/dev/null
  chgrp stupeni /etc/stupeni/tls/*.pem; chmod 0640 /etc/stupeni/tls/*.pem
  runuser -u stupeni -- stupeni-server --config $conf init --admin-password test-пароль > /dev/null
  # The service itself makes its database.
  rm -f /var/lib/stupeni-server/server.db*
  systemctl start stupeni-server
  for i in $(seq 50); do
    curl -s --cacert /etc/stupeni/tls/fullchain.pem https://127.0.0.1:8443/v1/info > /tmp/info 2>/dev/null && break
    sleep 0.2
  done
  echo "GET /v1/info: $(cat /tmp/info)"
  grep -q "\"protocol\":1" /tmp/info
  enroll () {
    code=$(runuser -u stupeni -- stupeni-server --config $conf center add "$1" | sed -n "s/^enrollment_code: //p")
    curl -sS --fail --cacert /etc/stupeni/tls/fullchain.pem -H "Content-Type: application/json" \
      -d "{\"code\":\"$code\",\"device_name\":\"test\"}" https://127.0.0.1:8443/v1/enroll | grep -q "\"token\""
    runuser -u stupeni -- stupeni-server --config $conf device list | grep -q "	$1	test	"
  }
  enroll "Центр SQLite"
  curl -sS --fail -o /dev/null --cacert /etc/stupeni/tls/fullchain.pem -u a:test-пароль \
    https://127.0.0.1:8443/admin/summary.csv
  stat -c "%U:%G %a %n" /var/lib/stupeni-server/server.db*
  [ "$(stat -c "%U %a" /var/lib/stupeni-server/server.db)" = "stupeni 600" ]
  systemctl is-active stupeni-server
  echo "SQLite: enrolled through the service, summary 200"
  if systemctl is-active -q postgresql; then
    runuser -u postgres -- createuser stupeni
    runuser -u postgres -- createdb --owner=stupeni stupeni
    sed -i "s|^database=.*|database=host=/run/postgresql dbname=stupeni user=stupeni|" $conf
    systemctl restart stupeni-server
    sleep 2
    enroll "Центр PostgreSQL"
    systemctl is-active stupeni-server
    echo "PostgreSQL: enrolled through the service"
  fi
  # An upgrade (a reinstall is one for dpkg) restarts the running server;
  # removing the package stops it.
  before=$(systemctl show --property=MainPID --value stupeni-server)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /root/debs/stupeni-server_*.deb > /dev/null
  after=$(systemctl show --property=MainPID --value stupeni-server)
  systemctl is-active stupeni-server
  echo "MainPID before $before, after $after"
  [ "$after" != 0 ] && [ "$after" != "$before" ]
  echo "reinstall: restarted (MainPID $before -> $after)"
  journalctl -u stupeni-server --no-pager | tail -n 4
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -q stupeni-server > /dev/null
  ! systemctl is-active -q stupeni-server
  echo "remove: stopped ($(systemctl is-active stupeni-server || true))"
'; then
  in_ct journalctl -u stupeni-server --no-pager | tail -n 8
  dmesg 2>/dev/null | grep 'type=1326.*comm="stupeni-server"' | tail -n 3
  exit 1
fi
seccomp_after=$(dmesg 2>/dev/null | grep -c 'type=1326.*comm="stupeni-server"' || true)
if [ "$seccomp_after" != "$seccomp_before" ]; then
  dmesg | grep 'type=1326.*comm="stupeni-server"' | tail -n 3
  echo "stupeni-server was killed by its system call filter" >&2
  exit 1
fi
