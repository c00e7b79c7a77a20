"""`kirok serve`: Django's development server, or Kirok's WSGI application under gunicorn.

With no option it runs Django's `runserver` on 127.0.0.1:8000, as `make demo` expects: one
process, fine for one person trying Kirok. With ``--workers N`` it runs ``kirok.config.wsgi``
under gunicorn with N worker processes, which is how a server for several people should run:
one Python process serves one request at a time on one core (the interpreter lock), so 32
people's requests in one process mostly wait for each other (docs/benchmarks.md, section Web).
Static files are served by WhiteNoise (a middleware in the app) in both modes, DEBUG on or off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# The access log leaves out the query string: a search (`/search/?q=…`) or a filter can carry a
# name, and protected values are never logged. %(M)s is the request's time in milliseconds.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

WSGIApp = Callable[..., Any]


def gunicorn_options(bind: str, *, workers: int, threads: int = 1, timeout: int = 120,
                     max_requests: int = 0, access_log: str | None = None) -> dict[str, Any]:
    """gunicorn's settings for Kirok, shared by `kirok serve` and benchmarks/web_pages.py so that
    the benchmark measures the server a deployment runs.

    Workers are forked before the application is loaded (no ``preload_app``), so no process
    shares a database connection or a SQLite handle with another. ``max_requests`` (with jitter,
    so workers do not restart together) bounds what a long-lived worker may accumulate.
    """
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 2,
        "max_requests": max_requests,
        "max_requests_jitter": max_requests // 10,
        "preload_app": False,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "kirok",
        # Proxy headers are Django's business (KIROK_BEHIND_PROXY): gunicorn should not rewrite
        # the scheme from a header that a client could send.
        "forwarded_allow_ips": "",
        # gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two Kirok
        # servers (or a test beside a server) would take it from each other. Signals suffice.
        "control_socket_disable": True,
    }
    return options


def run_gunicorn(options: dict[str, Any], load: Callable[[], WSGIApp]) -> None:
    """Run gunicorn's arbiter in this process with ``options``; each worker calls ``load`` after
    it is forked to get the WSGI application it serves."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class KirokGunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return load()

    # The management command may have opened a connection (system checks); a forked worker must
    # not inherit it.
    connections.close_all()
    KirokGunicorn(prog="kirok serve").run()


def kirok_application() -> WSGIApp:
    """Kirok's WSGI application (kirok.config.wsgi), imported inside the worker."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")
    from kirok.config.wsgi import application

    return application


class Command(BaseCommand):
    help = ("Serve Kirok on http://127.0.0.1:8000: Django's development server, or with --workers N "
            "Kirok's WSGI application under gunicorn with N worker processes (for a server).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help="address and port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=0,
                            help="serve under gunicorn with this many worker processes "
                                 "(about 2 per core; without it: Django's development server)")
        parser.add_argument("--threads", type=int, default=1,
                            help="threads per worker (gunicorn's gthread worker when more than 1)")
        parser.add_argument("--timeout", type=int, default=120,
                            help="seconds a request may take before its worker is restarted (default 120)")
        parser.add_argument("--max-requests", type=int, default=0,
                            help="restart a worker after this many requests (0: never)")
        parser.add_argument("--access-log", default=None, metavar="FILE",
                            help="write an access log ('-' for standard output); paths only, no query strings")

    def handle(self, *args: Any, addrport: str, workers: int, threads: int, timeout: int,
               max_requests: int, access_log: str | None, **options: Any) -> None:
        if not workers:
            if (threads, timeout, max_requests, access_log) != (1, 120, 0, None):
                raise CommandError("--threads, --timeout, --max-requests and --access-log need --workers N")
            call_command("runserver", addrport, use_reloader=False)
            return
        for name, value, least in (("--workers", workers, 1), ("--threads", threads, 1),
                                   ("--timeout", timeout, 1), ("--max-requests", max_requests, 0)):
            if value < least:
                raise CommandError(f"{name} must be at least {least}, not {value}")
        bind = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        run_gunicorn(gunicorn_options(bind, workers=workers, threads=threads, timeout=timeout,
                                      max_requests=max_requests, access_log=access_log),
                     kirok_application)
