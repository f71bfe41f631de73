#!/usr/bin/env bash
# Makes sure MariaDB and Redis answer on 127.0.0.1 (installing and starting them when
# absent), loads MariaDB's time-zone tables, and writes var/db.env with a DATABASE_URL
# whose user may create the test databases.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var

db_host=${DB_HOST:-127.0.0.1}
db_port=${DB_PORT:-3306}
db_name=${DB_NAME:-thanhhoa_kpi}

redis_only=0
[ "${1:-}" = "--redis-only" ] && redis_only=1

mariadb_up() { mariadb-admin -h "$db_host" -P "$db_port" -uroot ping >/dev/null 2>&1 || mariadb-admin ping >/dev/null 2>&1; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if ! redis_up; then
  command -v redis-server >/dev/null 2>&1 || scripts/system-packages.sh --services
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/kpi.log
  for _ in $(seq 1 40); do redis_up && break; sleep 0.25; done
fi
if [ "$redis_only" = 1 ]; then
  echo "Redis sẵn sàng."
  exit 0
fi

if ! command -v mariadbd >/dev/null 2>&1 && ! [ -x /usr/sbin/mariadbd ] && ! mariadb_up; then
  scripts/system-packages.sh --services
fi
if ! mariadb_up; then
  install -d -o mysql -g mysql /run/mysqld
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 120); do mariadb_up && break; sleep 0.25; done
fi

# Root over TCP with an empty password (as on the project's machines); otherwise create
# an application user through the local socket.
if mariadb -h "$db_host" -P "$db_port" -uroot -e "SELECT 1" >/dev/null 2>&1; then
  sql() { mariadb -h "$db_host" -P "$db_port" -uroot "$@"; }
  url="mysql://root@$db_host:$db_port/$db_name"
else
  sql() { mariadb -uroot "$@"; }
  sql <<SQL
CREATE USER IF NOT EXISTS 'kpi'@'127.0.0.1' IDENTIFIED BY 'kpi-local';
CREATE USER IF NOT EXISTS 'kpi'@'localhost' IDENTIFIED BY 'kpi-local';
GRANT ALL PRIVILEGES ON \`$db_name\`.* TO 'kpi'@'127.0.0.1', 'kpi'@'localhost';
GRANT ALL PRIVILEGES ON \`test\\_$db_name%\`.* TO 'kpi'@'127.0.0.1', 'kpi'@'localhost';
SQL
  url="mysql://kpi:kpi-local@$db_host:$db_port/$db_name"
fi
if [ "$(sql -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" = "0" ]; then
  mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | sql mysql
fi
sql -e "CREATE DATABASE IF NOT EXISTS \`$db_name\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
echo "DATABASE_URL=$url" > var/db.env
echo "MariaDB và Redis sẵn sàng ($url)."
