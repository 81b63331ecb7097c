"""gunicorn in production (docs/deploy.md): `gunicorn -c config/gunicorn.conf.py`.

Every value can be changed from the environment, so one file serves a laptop, a test and a
server. gunicorn also reads GUNICORN_CMD_ARGS; a command-line option wins over this file.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


wsgi_app = "config.wsgi:application"

# Behind the reverse proxy, on the loopback interface (or a Unix socket: unix:/run/kehoach.sock).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: a request is CPU work in Python (templates, spreadsheets) and a database
# round trip, so processes, not threads, use the cores. (2 × cores) + 1 keeps every core busy
# while some workers wait on PostgreSQL. WEB_CONCURRENCY (gunicorn's own name) overrides.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# A request that takes longer than this is killed and answered 502 by the proxy. The heavy work
# (province exports, open-data files, documents, large import confirmations) runs in the task
# worker (`manage.py db_worker`), not in a request; 120 s leaves room for a first PDF of a
# large plan rendered in the request.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# The proxy keeps connections to clients; to gunicorn it opens one per request.
keepalive = 2

# A worker is replaced after this many requests (with jitter, so that they do not all restart
# at once): memory a long-lived process accumulates (a large workbook's peak) is given back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load the application before forking: workers share its memory pages and a broken
# configuration stops the master at once instead of every worker in a loop. Connections to
# the database are opened per worker, after the fork (Django opens them on first use).
preload_app = True

# Request limits: gunicorn refuses over-long request lines and headers itself; the body limit
# is the proxy's (client_max_body_size, docs/deploy.md) and Django's.
limit_request_line = 8190
limit_request_fields = 100

# The proxy on this machine sets X-Forwarded-For / X-Forwarded-Proto; trust it only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log to standard output (journald or the container's log) with the time taken in
# microseconds (%(D)s); GUNICORN_ACCESS_LOG=/path/file writes a file, "" turns it off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = True
proc_name = "kehoach"

# The workers' heartbeat files in memory (/dev/shm) when it exists, never on a slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def pre_fork(server: object, worker: object) -> None:
    """No database connection crosses a fork: if loading the application opened one in the
    master, it is closed before each worker starts (each worker opens its own)."""
    from django.db import connections

    connections.close_all()
