"""Gunicorn settings for the web container; the numbers can be overridden from the environment."""

import os

bind = "0.0.0.0:8000"
_cores = len(os.sched_getaffinity(0))
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * _cores + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 25  # inside Docker's stop grace period
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files on tmpfs: a container's /tmp may sit on a slow overlay filesystem.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (Docker gives every container its own)
# No runtime control socket (gunicornc): nothing uses it, and $HOME is read-only in the image.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# %(U)s is the path alone. Never %(r)s, %(q)s or %(f)s (request line, query string, referer):
# a visit code must never reach a log, even if a client put one in a URL by mistake.
access_log_format = '%({x-real-ip}i)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# Only the proxy can reach this port (it is not published), so trust its X-Forwarded-* headers.
forwarded_allow_ips = "*"
