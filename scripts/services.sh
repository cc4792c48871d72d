#!/usr/bin/env bash
# Locate PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); start the local ones if they are down.
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "starting PostgreSQL …"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if ! redis_up && command -v redis-server >/dev/null 2>&1; then
  echo "starting Redis …"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi
pg_up && echo "PostgreSQL: up" || echo "PostgreSQL: NOT reachable on 127.0.0.1:5432"
redis_up && echo "Redis: up" || echo "Redis: NOT reachable on 127.0.0.1:6379"
