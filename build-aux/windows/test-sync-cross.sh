#!/bin/bash
# One center, two computers: a Linux device (the native build) and a
# Windows device (the Windows build under Wine) enroll with one Linux
# stupeni-server on loopback, edit the same residents, sync, and must end
# with identical records.  Runs for each backend of the server (SQLite;
# PostgreSQL when its binaries are installed).  Prints TAP.
# Usage: test-sync-cross.sh STUPENI_SERVER LINUX_SYNC_CLI WINDOWS_SYNC_CLI.exe [sqlite] [postgresql]
#    or: test-sync-cross.sh WINDOWS_SYNC_CLI.exe   (with STUPENI_NATIVE_SERVER and
#        STUPENI_NATIVE_SYNC_CLI in the environment, as make test-windows sets them)
set -euo pipefail

if [ $# -eq 1 ]; then
  if [ -z "${STUPENI_NATIVE_SERVER:-}" ] || [ ! -x "${STUPENI_NATIVE_SERVER:-}" ]; then
    echo "1..0 # SKIP no native stupeni-server (STUPENI_NATIVE_SERVER)"; exit 0
  fi
  set -- "$STUPENI_NATIVE_SERVER" "$STUPENI_NATIVE_SYNC_CLI" "$1"
fi
server_bin=$1 linux_cli=$2 windows_cli=$3
shift 3
backends=${*:-sqlite postgresql}
export WINEDEBUG=${WINEDEBUG:--all}
pg_bin=$(pg_config --bindir 2>/dev/null || true)

n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip () { n=$((n + 1)); echo "ok $n # SKIP $*"; }

linux () { "$linux_cli" "$@"; }
windows () {
  if [[ "$windows_cli" == *.exe ]]; then wine "$windows_cli" "$@" | tr -d '\r'
  else "$windows_cli" "$@"; fi   # a native stand-in, to test this script
}

run_backend () {
  local backend=$1 dir pgdir="" database port fp url out center code_a code_b pid
  dir=$(mktemp -d /tmp/stupeni-cross-XXXXXX)
  if [ "$backend" = postgresql ]; then
    if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
      skip "postgresql: no PostgreSQL binaries"; rm -rf "$dir"; return 0
    fi
    pgdir=$(mktemp -d /tmp/stupeni-cross-pg-XXXXXX)
    local as_pg=""
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pgdir"; as_pg="runuser -u postgres --"; fi
    $as_pg "$pg_bin/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
    $as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -o "-k $pgdir -c listen_addresses='' -F" -w start >/dev/null
    database="host=$pgdir dbname=postgres user=postgres"
  else
    database="sqlite:$dir/state/server.db"
  fi
  printf '[server]\nlisten=127.0.0.1\nport=0\nstate_dir=%s/state\ndatabase=%s\nmax_pull_limit=50\nenroll_attempts_per_minute=100000\n' \
    "$dir" "$database" > "$dir/server.conf"
  "$server_bin" --config "$dir/server.conf" init --dev --admin-password "admin-пароль" >/dev/null
  "$server_bin" --config "$dir/server.conf" serve --dev --port 0 > "$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -qs '^listening on https://127.0.0.1:' "$dir/serve.log" && break; sleep 0.1; done
  port=$(sed -n 's|^listening on https://127.0.0.1:\([0-9]*\).*|\1|p' "$dir/serve.log")
  fp=$(sed -n 's|^certificate sha256 fingerprint ||p' "$dir/serve.log")
  url=https://127.0.0.1:$port

  out=$("$server_bin" --config "$dir/server.conf" center add "Центр «Ступени»")
  center=$(sed -n 's/^center_id: //p' <<<"$out")
  code_a=$(sed -n 's/^enrollment_code: //p' <<<"$out")
  code_b=$("$server_bin" --config "$dir/server.conf" center code "$center" | sed -n 's/^enrollment_code: //p')

  local A=$dir/linux.db B=$dir/windows.db R1 R2
  R1=0190a000-0000-7000-8000-000000000001
  R2=0190a000-0000-7000-8000-000000000002
  local steps_ok=1
  {
    linux "$A" enroll "$url" "$code_a" "пароль центра" "$fp" &&
    windows "$B" enroll "$url" "$code_b" "пароль центра" "$fp" &&
    linux "$A" write residents "$R1" surname "Иванов" name "Пётр" phone "+79001112233" &&
    linux "$A" sync &&
    windows "$B" sync &&
    windows "$B" write residents "$R1" surname "Иванов-Виндоус" &&
    windows "$B" write residents "$R2" surname "Смирнова" name "Анна" actual_address "Пермь, ул. Ленина, 1" &&
    windows "$B" sync &&
    linux "$A" sync &&
    linux "$A" write residents "$R2" phone "+79990000000" &&
    windows "$B" write residents "$R1" name "Пётр Ильич" &&
    linux "$A" sync && windows "$B" sync && linux "$A" sync
  } > "$dir/steps.log" 2>&1 || steps_ok=0
  if [ $steps_ok = 1 ]; then ok "$backend: enroll, edit and sync on Linux and on Windows"
  else not_ok "$backend: enroll, edit and sync on Linux and on Windows"; sed 's/^/# /' "$dir/steps.log"; fi

  local q="SELECT id, surname, name, phone, actual_address, deleted FROM residents ORDER BY id;"
  local qa qb
  qa=$(sqlite3 -readonly "$A" "$q" 2>&1 || true)
  qb=$(sqlite3 -readonly "$B" "$q" 2>&1 || true)
  if [ -n "$qa" ] && [ "$qa" = "$qb" ] && grep -q "Иванов-Виндоус|Пётр Ильич|+79001112233" <<<"$qa" &&
     grep -q "Смирнова|Анна|+79990000000|Пермь, ул. Ленина, 1" <<<"$qa"; then
    ok "$backend: both computers hold the same residents, edits from each side present"
  else
    not_ok "$backend: residents differ"; echo "# linux:";  sed 's/^/#   /' <<<"$qa"; echo "# windows:"; sed 's/^/#   /' <<<"$qb"
  fi
  local va vb
  va=$(sqlite3 -readonly "$A" "SELECT * FROM field_versions ORDER BY 1,2,3;" 2>&1 || true)
  vb=$(sqlite3 -readonly "$B" "SELECT * FROM field_versions ORDER BY 1,2,3;" 2>&1 || true)
  if [ -n "$va" ] && [ "$va" = "$vb" ]; then ok "$backend: same field versions on both"
  else not_ok "$backend: field versions differ"; fi
  local pa pb
  pa=$(sqlite3 -readonly "$A" "SELECT count(*) FROM outbox;") pb=$(sqlite3 -readonly "$B" "SELECT count(*) FROM outbox;")
  if [ "$pa" = 0 ] && [ "$pb" = 0 ]; then ok "$backend: nothing left to send"; else not_ok "$backend: outbox $pa/$pb"; fi

  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  if [ -n "$pgdir" ]; then
    local as_pg=""; [ "$(id -u)" -eq 0 ] && as_pg="runuser -u postgres --"
    $as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
  if [ $failed = 0 ]; then rm -rf "$dir"; else echo "# kept $dir"; fi
}

for b in $backends; do run_backend "$b"; done
echo "1..$n"
[ $failed = 0 ]
