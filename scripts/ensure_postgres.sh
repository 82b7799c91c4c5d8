#!/usr/bin/env bash
# Make sure a PostgreSQL server answers at $PGHOST:$PGPORT (default 127.0.0.1:5432) for $PGUSER
# (default postgres). If it is local and stopped, start it; if it is missing and we are root on
# Debian, install it from Debian's packages and allow trust authentication on loopback (a test
# machine only). Otherwise say what to set and fail: the PostgreSQL tests never skip.
set -euo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
user=${PGUSER:-postgres}
say() { echo "[postgres] $*" >&2; }

answers() {
    if command -v psql >/dev/null 2>&1; then
        psql -h "$host" -p "$port" -U "$user" -d postgres -Atc "select 1" >/dev/null 2>&1
    else
        python3 - "$host" "$port" "$user" <<'PY' >/dev/null 2>&1
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
PY
    fi
}

answers && exit 0
case "$host" in 127.0.0.1|localhost|::1) ;; *)
    say "cannot reach PostgreSQL at $host:$port as $user; check PGHOST/PGPORT/PGUSER/PGPASSWORD"; exit 1;;
esac

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "PostgreSQL is not installed: installing it from Debian's packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql >/dev/null
    else
        say "no PostgreSQL server at $host:$port and cannot install one (needs root and apt-get)."
        say "Install PostgreSQL 15+ or point PGHOST/PGPORT/PGUSER/PGPASSWORD at a server, then re-run."
        exit 1
    fi
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_isready -h "$host" -p "$port" -q 2>/dev/null; then
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 30); do
    pg_isready -h "$host" -p "$port" -q 2>/dev/null && break
    sleep 1
done
if ! answers && [ "$(id -u)" = 0 ]; then
    say "allowing trust authentication on loopback for this test machine"
    hba=$(su postgres -c "psql -Atc 'show hba_file'")
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    sleep 1
fi
if ! answers; then
    say "PostgreSQL at $host:$port does not accept $user; set PGUSER/PGPASSWORD"
    exit 1
fi
say "PostgreSQL at $host:$port is ready"
