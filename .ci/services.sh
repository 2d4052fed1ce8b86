#!/usr/bin/env bash
# Makes PostgreSQL and Redis reachable on 127.0.0.1 (starts them if installed and
# down, installs them with apt if absent) and installs Debian's Chromium for the
# browser tests. Safe to run again.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if [ "${1:-}" = "--python-venv" ]; then
  echo "installing python3.11-venv"; apt_install python3.11-venv
  exit 0
fi

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing PostgreSQL"; apt_install postgresql
  fi
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  conf="/etc/postgresql/$version/main/pg_hba.conf"
  # Trust local TCP connections as the tests expect (a fresh install uses scram).
  if ! grep -q "setdesk-trust" "$conf" 2>/dev/null; then
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust # setdesk-trust\nhost all all ::1/128 trust # setdesk-trust' "$conf" || true
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; }
fi

if ! redis_up; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing Redis"; apt_install redis-server
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { echo "Redis is not reachable on 127.0.0.1:6379"; exit 1; }
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium (Debian) for the browser tests"
  apt_install chromium || echo "warning: chromium could not be installed; e2e tests will be skipped"
fi
echo "services: PostgreSQL and Redis reachable"
