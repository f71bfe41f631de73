"""gunicorn settings of thanhhoa_kpi: ``gunicorn -c deploy/gunicorn.conf.py`` (``make serve``).

Every value has a ``GUNICORN_*`` environment variable; the defaults suit one host of the
province's deployment behind nginx (docs/deployment.md).

Restarts without dropping a request:
- ``kill -HUP <master pid>`` after a release: new workers start with the new code (the
  application is not preloaded, so each worker imports it afresh) and the old ones finish
  their requests (``graceful_timeout``) before they stop;
- ``kill -TERM <master pid>`` stops the same way; ``kill -TTIN``/``-TTOU`` add or remove
  a worker by hand.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise SystemExit(f"{name} must not be negative, got {raw!r}")
    return value


def _cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "thanhhoa_kpi.wsgi:application"
proc_name = "thanhhoa_kpi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers, 2 x cores + 1 (a request waits on MariaDB about as long as it
# computes), capped: each worker holds its own database connection and about 100-150 MiB.
workers = _int("GUNICORN_WORKERS", 0) or min(2 * _cores() + 1, _int("GUNICORN_MAX_WORKERS", 9))
# GUNICORN_THREADS > 1 switches to threaded workers (more connections, less memory).
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request still running after `timeout` seconds is killed and logged (long work, such as
# imports, month opening and exports, runs on RQ, not in a request). On a restart or stop,
# requests in progress get `graceful_timeout` seconds to finish.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # nginx reuses its connections to gunicorn

# Recycle each worker after about this many requests (staggered by the jitter), so that a
# slow leak in a library never grows a worker without bound. 0 turns it off. A new worker
# imports the application again (about a second of CPU) and starts with empty caches, so
# recycling must be rare: at 2,000 (the earlier value) and 160 requests a second, the
# load bench saw every worker restart within the same few seconds once a minute, and the
# queue behind them doubled the slowest requests (bench/RESULTS.md, 2026-12-06 23:35).
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 5000)

# Bounded request heads (no one needs a 8 KB URL here).
limit_request_line = 8190
limit_request_fields = 100

# The heartbeat files on tmpfs: a slow disk must not make the master kill healthy workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn's control socket (`gunicornc`) is off unless GUNICORN_CONTROL_SOCKET names a
# path: its default, one per user, would be shared by two servers on one host.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Only nginx on this host may set X-Forwarded-Proto (Django reads it in production).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# One access line per request on stdout (or GUNICORN_ACCESS_LOG): client and forwarded
# address, user (empty: Django authenticates), time, request, status, bytes, milliseconds,
# referrer, agent. Errors and worker restarts go to stderr (or GUNICORN_ERROR_LOG).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s fwd=%({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
