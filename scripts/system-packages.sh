#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Usage: scripts/system-packages.sh [--services] [--browser] [--galera]
# --galera: what scripts/galera.sh needs (Galera 4, rsync for state transfer, HAProxy).
set -euo pipefail

pkgs=(python3-venv python3-dev build-essential pkg-config libmariadb-dev gettext tzdata
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
      fonts-liberation2 fonts-dejavu-core poppler-utils mariadb-client)
for arg in "$@"; do
  case "$arg" in
    --services) pkgs+=(mariadb-server redis-server redis-tools) ;;
    --browser) pkgs+=(chromium) ;;
    --galera) pkgs+=(mariadb-server galera-4 rsync lsof haproxy) ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A pyenv or other non-Debian python already carries its headers and venv.
if command -v python3 >/dev/null && python3 -c "import venv, sysconfig, os; assert os.path.exists(sysconfig.get_paths()['include'] + '/Python.h')" 2>/dev/null; then
  missing=("${missing[@]/python3-venv/}"); missing=("${missing[@]/python3-dev/}")
fi
filtered=()
for p in "${missing[@]}"; do [ -n "$p" ] && filtered+=("$p"); done
if ((${#filtered[@]})); then
  echo "Cài gói Debian còn thiếu: ${filtered[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}" >/dev/null
fi
