#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 for the test suite, and
# Chromium (browser tests) and gettext (the translation checks) are there:
# start them if installed and stopped, install them (Debian packages) if absent.
set -euo pipefail

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
PG_PASSWORD="${PG_PASSWORD:-postgres}"

say() { echo "ensure-services: $*" >&2; }

missing=()
command -v psql >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql postgresql-client)
command -v redis-server >/dev/null || missing+=(redis-server)
# The browser tests drive Debian's Chromium through its chromedriver.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# axe-core (the accessibility checks) comes from the npm registry: `npm ci`.
command -v npm >/dev/null || missing+=(nodejs npm)
# A CJK font, so the browser tests' screenshots of the Chinese interface show its characters.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
# makemessages (scripts/messages.sh refresh, and the test that nothing is left out of the .po).
command -v xgettext >/dev/null && command -v msgmerge >/dev/null || missing+=(gettext)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  say "$name did not come up"; return 1
}

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "starting PostgreSQL"
  for version in $(ls /etc/postgresql 2>/dev/null); do
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
fi
# A freshly installed cluster asks for a password on TCP: give postgres one.
if ! PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -U postgres -d postgres -qAtc 'select 1' >/dev/null 2>&1; then
  say "setting the postgres role's password for TCP logins"
  $SUDO -u postgres psql -qc "ALTER USER postgres PASSWORD '$PG_PASSWORD'" \
    || su postgres -c "psql -qc \"ALTER USER postgres PASSWORD '$PG_PASSWORD'\""
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  say "starting Redis"
  redis_dir="${REDIS_DIR:-/var/lib/redis}"
  $SUDO mkdir -p "$redis_dir"
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 \
    --appendonly yes --dir "$redis_dir" --logfile "$redis_dir/waybrief-test.log"
  wait_for Redis sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
fi
say "PostgreSQL and Redis are up"
