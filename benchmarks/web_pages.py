"""Server time of the workspace pages at 1,000 and at 1,000,000 persons and acts, 32 clients.

    .venv/bin/python benchmarks/web_pages.py --from 1000000=benchmarks/out/work/upr-1000000-seed1-sqlite
    .venv/bin/python benchmarks/web_pages.py --sizes 1000 --workers 2        # one size, 2 workers
    .venv/bin/python benchmarks/web_pages.py --sizes 1000 --server wsgiref   # the old single process
    KIROK_HOME=… [KIROK_DATABASE_URL=…] .venv/bin/python benchmarks/web_pages.py --access

``--access`` times the queries behind those pages as ``kirok.protection.access.visible`` builds
them (median of 5 after one warm-up) in the workspace the environment names — SQLite or
PostgreSQL, loaded with ``kirok demo-data --size N`` — as a reviewer ``bench`` in the default
compartment (made if missing), and prints each one's query plan: to compare a change of the
filters on both databases.

For each size N, a SQLite workspace of its own in benchmarks/out/work/web-N (kept, so a second
run skips the preparation): either the demo set's records of every type (N persons, N acts, N/3
events and their sources, information, involvements…; ``common.demo_files``) imported with
``kirok import``, or, with ``--from N=PATH``, a copy (``cp -a``) of a workspace already loaded
with that demo set (an import of 1,000,000 takes an hour; the source is only read, and must hold
a file ``.complete``). Then a reviewer account ``bench`` in the default compartment, signed in.
Kirok is served on a free loopback port and ApacheBench (``ab``, Debian's apache2-utils) sends
32 concurrent clients with the session cookie, per page:

* the dashboard (its figures cached per view of the data for a minute, in each worker process:
  the first, cold request is reported on its own);
* an incident page, a person page;
* a filtered list (``/events/?act_type=…`` — keyset paging, no COUNT).

The server (``--server``) is either gunicorn with ``--workers`` worker processes, configured by
the same ``gunicorn_options`` that ``kirok serve --workers N`` uses (the default), or Kirok in
one threaded ``wsgiref`` process (``--server wsgiref``, the earlier measurements: there 32
requests share one interpreter lock). Either way the application is wrapped so that it logs each
request's **server time** inside the process that serves it: wall-clock from the call into
Django to the last byte of the body and the response closed, and the CPU time of that thread.
Both are reported (p50 and p95), beside ab's own latency (which adds the queue of 32 clients
waiting for a free worker). Goals: p95 <= 200 ms and growth p95(1,000,000) / p95(1,000) <= 2.
Results are saved as JSON in benchmarks/out/results/. Note the machine load: other work on the
two shared cores moves these figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

SHELL = r"""
import json
from django.test import Client
from kirok.accounts.services import create_user, password_changed
from kirok.protection.compartments import add_member, default_compartment
from kirok.protection.principal import Principal
from kirok.records.models import Act, Event, Person
user, _ = create_user("bench", "reviewer")
user.set_password("bench password 12345"); user.save(); password_changed(user)
add_member(default_compartment(), user, principal=Principal.console("bench"))
c = Client(); c.force_login(user)
act = Act.objects.order_by("id")[Act.objects.count() // 2]
print(json.dumps({"cookie": c.cookies["kirok_session"].value, "event": str(act.event.uid),
                  "person": str(act.victim.uid if act.victim_id else Person.objects.order_by("id").first().uid),
                  "act_type": act.act_type.code}))
"""


ACCESS_SHELL = r"""
import statistics, time
from django.db import connection
from django.contrib.auth import get_user_model
from kirok.accounts.services import create_user
from kirok.protection import access
from kirok.protection.compartments import add_member, default_compartment
from kirok.protection.principal import Principal
from kirok.records.models import Act, Event, Involvement, Person, PersonName
user = get_user_model().objects.filter(username="bench").first() or create_user("bench", "reviewer")[0]
add_member(default_compartment(), user, principal=Principal.console("bench"))
p = Principal.of(user)
person = Person.objects.order_by("pk")[Person.objects.count() // 2]
event = Event.objects.order_by("pk")[Event.objects.count() // 2]
cases = {
    "one person by id": lambda: access.visible(Person.objects.filter(pk=person.pk), p),
    "25 newest incidents": lambda: access.visible(Event.objects.all(), p).order_by("-pk")[:25],
    "acts of an incident": lambda: access.visible(event.acts.all(), p)[:50],
    "acts suffered by a person": lambda: access.visible(person.acts_suffered.all(), p)[:50],
    "names of a person": lambda: access.visible(PersonName.objects.filter(person=person), p),
    "25 newest involvements": lambda: access.visible(Involvement.objects.all(), p).order_by("-pk")[:25],
    "count of persons": lambda: access.visible(Person.objects.all(), p),
    "count of acts": lambda: access.visible(Act.objects.all(), p),
}
for name, make in cases.items():
    run = (lambda: make().count()) if name.startswith("count") else (lambda: list(make()))
    run()
    times = []
    for _ in range(5):
        started = time.perf_counter(); run(); times.append((time.perf_counter() - started) * 1000)
    print(f"{connection.vendor:10} {name:28} median {statistics.median(times):8.1f} ms")
for name, make in cases.items():
    print(f"-- plan: {name}")
    print(make().explain())
"""


def access_filters() -> None:
    """The access filters' queries in the environment's workspace, timed, with their plans."""
    subprocess.run([common.KIROK, "shell", "-c", ACCESS_SHELL], check=True)


def timed(application: Callable, log_path: str) -> Callable:
    """``application`` wrapped to append each request's path, wall and CPU milliseconds to
    ``log_path`` (one line per request; appends of a short line are atomic, so worker processes
    can share the file)."""
    log = open(log_path, "a", buffering=1)

    def wrapper(environ, start_response):
        started, cpu = time.perf_counter(), time.thread_time()
        result = application(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()  # Django's request_finished: connections closed, as in a real server
        log.write(f"{environ['PATH_INFO']}\t{(time.perf_counter() - started) * 1000:.2f}\t{(time.thread_time() - cpu) * 1000:.2f}\n")
        return [body]

    return wrapper


def serve(port: int, log_path: str, server: str, workers: int) -> None:
    """Kirok's WSGI application, timed, under gunicorn (as ``kirok serve --workers N`` runs it)
    or on one threaded wsgiref server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")
    import django

    django.setup()
    from kirok.records.management.commands.serve import gunicorn_options, kirok_application, run_gunicorn

    if server == "gunicorn":
        options = gunicorn_options(f"127.0.0.1:{port}", workers=workers)
        options["loglevel"] = "warning"
        return run_gunicorn(options, lambda: timed(kirok_application(), log_path))

    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        request_queue_size = 128

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    app = timed(kirok_application(), log_path)
    make_server("127.0.0.1", port, app, server_class=Server, handler_class=Quiet).serve_forever()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every record type of the demo set, as the lead's 1,000,000 template was loaded
# (benchmarks/upr_submission.py), so both sizes have the same shape.
RECORD_TYPES = ("source", "place", "organization", "person", "event", "act", "involvement", "information",
                "biographic_detail", "chain_of_events", "intervention")


def workspace(size: int, seed: int, source: Path | None) -> tuple[Path, dict]:
    """The benchmark's workspace for ``size`` (made once, then kept): imported here, or copied
    from ``source`` (which is never written), then given the signed-in reviewer ``bench``."""
    home = common.OUT / "work" / f"web-{size}"
    env = common.kirok_env(home)
    ready = home / ".web-ready.json"
    if ready.exists():
        return home, json.loads(ready.read_text())
    shutil.rmtree(home, ignore_errors=True)
    if source is not None:
        if not (source / ".complete").exists():
            sys.exit(f"{source} is not complete yet (no .complete file): wait for it")
        common.log(f"copying {source} to {home}")
        subprocess.run(["cp", "-a", str(source), str(home)], check=True)
    else:
        home.mkdir(parents=True)
        folder = common.demo_files(size, seed)[0].parent
        files = [folder / f"{t}.jsonl" for t in RECORD_TYPES if (folder / f"{t}.jsonl").exists()]
        subprocess.run([common.KIROK, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        common.log(f"importing {size:,} persons and acts into {home}")
        started = time.monotonic()
        subprocess.run([common.KIROK, "import", "--no-progress", *map(str, files)], env=env, check=True, stdout=subprocess.DEVNULL)
        common.log(f"imported in {time.monotonic() - started:.0f} s")
    out = subprocess.run([common.KIROK, "shell", "-c", SHELL], env=env, check=True, capture_output=True, text=True).stdout
    info = json.loads(out.strip().splitlines()[-1])
    ready.write_text(json.dumps(info))
    return home, info


def ab(url: str, cookie: str, clients: int, requests: int) -> dict:
    out = subprocess.run(
        ["ab", "-q", "-n", str(requests), "-c", str(clients), "-C", f"kirok_session={cookie}", url],
        check=True, capture_output=True, text=True,
    ).stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    percent = {int(p): int(ms) for p, ms in re.findall(r"^\s+(\d+)%\s+(\d+)", out, re.M)}
    return {"p50_ms": percent[50], "p95_ms": percent[95], "failed": failed + (int(non_2xx.group(1)) if non_2xx else 0)}


def measure(size: int, seed: int, clients: int, requests: int, server_kind: str, workers: int,
            source: Path | None) -> dict:
    home, info = workspace(size, seed, source)
    port = free_port()
    env = common.kirok_env(home)
    log_path = home / "server-times.tsv"
    log_path.unlink(missing_ok=True)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(log_path), "--server", server_kind,
                               "--workers", str(workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(home / "server-errors.log", "w"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if subprocess.run(["curl", "-sf", "-o", "/dev/null", base + "/accounts/sign-in/"]).returncode == 0:
                break
            time.sleep(0.2)
        # Every worker past its first request (imports, URL resolver, templates), so the cold
        # dashboard below times the dashboard's queries, not a worker's start.
        ab(base + "/accounts/sign-in/", info["cookie"], 8, 32)
        pages = {
            "dashboard": "/dashboard/",
            "incident": f"/events/{info['event']}/",
            "person": f"/persons/{info['person']}/",
            "filtered list": f"/events/?act_type={info['act_type']}",
        }
        started = time.monotonic()
        subprocess.run(["curl", "-sf", "-o", "/dev/null", "-b", f"kirok_session={info['cookie']}", base + pages["dashboard"]], check=True)
        cold = (time.monotonic() - started) * 1000
        result = {"size": size, "server": server_kind, "workers": workers if server_kind == "gunicorn" else 1,
                  "clients": clients, "requests": requests, "dashboard_cold_ms": round(cold), "pages": {},
                  "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "load_before": os.getloadavg()}
        for name, path in pages.items():
            ab(base + path, info["cookie"], 4, 20)  # warm the server's caches and connections
            before = len(log_path.read_text().splitlines())
            latency = ab(base + path, info["cookie"], clients, requests)
            rows = [line.split("\t") for line in log_path.read_text().splitlines()[before:]]
            wall = [float(r[1]) for r in rows]
            cpu = [float(r[2]) for r in rows]
            result["pages"][name] = {
                "server_p50_ms": round(percentile(wall, 50), 1), "server_p95_ms": round(percentile(wall, 95), 1),
                "cpu_p50_ms": round(percentile(cpu, 50), 1), "cpu_p95_ms": round(percentile(cpu, 95), 1),
                "ab_p50_ms": latency["p50_ms"], "ab_p95_ms": latency["p95_ms"], "failed": latency["failed"],
            }
            common.log(f"N={size:,} {name}: {result['pages'][name]}")
        result["load_after"] = os.getloadavg()
        result["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,1000000", help="comma-separated numbers of persons (and acts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=640, help="requests per page")
    parser.add_argument("--server", choices=("gunicorn", "wsgiref"), default="gunicorn",
                        help="gunicorn worker processes (as kirok serve --workers N) or one threaded wsgiref process")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn worker processes (default: one per core; on 2 cores 2 beat 4, docs/benchmarks.md)")
    parser.add_argument("--from", dest="sources", action="append", default=[], metavar="N=PATH",
                        help="for size N, copy the loaded workspace PATH instead of importing (repeatable)")
    parser.add_argument("--access", action="store_true", help="time the access filters' queries in $KIROK_HOME, with plans")
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(int(args.serve[0]), args.serve[1], args.server, args.workers)
    if args.access:
        return access_filters()
    if shutil.which("ab") is None:
        sys.exit("ab (ApacheBench) is missing: apt-get install apache2-utils")
    sources = {int(n): Path(path).resolve() for n, path in (item.split("=", 1) for item in args.sources)}
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = [measure(size, args.seed, args.clients, args.requests, args.server, args.workers, sources.get(size))
            for size in sizes]
    small, large = runs[0], runs[-1]
    where = f"gunicorn, {args.workers} workers" if args.server == "gunicorn" else "wsgiref, one process"
    print(f"{where}, {args.clients} clients: server time p50 / p95 (CPU p50 / p95) [ab latency p50 / p95], ms")
    print(f"{'page':<15}" + "".join(f"{'N=' + format(r['size'], ','):>46}" for r in runs) + f"{'growth p95':>12}")
    for name in small["pages"]:
        cells = "".join(
            f"{p['server_p50_ms']:>8} / {p['server_p95_ms']:<7} ({p['cpu_p50_ms']} / {p['cpu_p95_ms']}) [{p['ab_p50_ms']} / {p['ab_p95_ms']}]"
            .rjust(46) for p in (r["pages"][name] for r in runs)
        )
        growth = large["pages"][name]["server_p95_ms"] / max(small["pages"][name]["server_p95_ms"], 0.1)
        print(f"{name:<15}{cells}{growth:>11.2f}x")
    print("dashboard, first request (cold cache): " + ", ".join(f"N={r['size']:,}: {r['dashboard_cold_ms']} ms" for r in runs))
    print("load average before/after: " + "; ".join(f"{r['load_before'][0]:.2f}/{r['load_after'][0]:.2f}" for r in runs))
    results = common.OUT / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"web_pages-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
