"""`kirok serve --workers N`: an operator starts Kirok under gunicorn on a workspace, a browser
gets the sign-in page and its stylesheet and script (WhiteNoise, DEBUG off), the access log
names the paths but never a query string (a search can carry a name), and the operator stops
the server with SIGTERM, which ends it and its workers cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.cli import KIROK, copy_workspace, kirok

pytestmark = pytest.mark.sqlite_workspace


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers["Content-Type"], response.read()


def wait_until_up(url: str, server: subprocess.Popen, within: float = 120) -> None:
    """Poll until the server answers; fail with its output if it dies first."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"kirok serve exited with {server.returncode}:\n{server.stdout.read()}")
        try:
            get(url)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"kirok serve did not answer {url} within {within} s")


def worker_pids(master: int) -> set[int]:
    """The gunicorn workers: the children of the master process."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(pid) for pid in children.read_text().split()}


def test_serve_with_workers_answers_pages_and_static_files_and_stops_cleanly(workspace_template, tmp_path):
    home = copy_workspace(workspace_template, tmp_path / "home")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KIROK_DATABASE_URL", "KIROK_DEBUG")}
    env["KIROK_HOME"] = str(home)
    access_log = tmp_path / "access.log"
    server = subprocess.Popen([*KIROK, "serve", f"127.0.0.1:{port}", "--workers", "2", "--access-log", str(access_log)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/accounts/sign-in/", server)
        status, content_type, body = get(base + "/accounts/sign-in/?next=/search/%3Fq%3DKim-Canary")
        assert status == 200 and content_type.startswith("text/html")
        assert b'name="username"' in body
        status, content_type, body = get(base + "/static/web/kirok.css")
        assert status == 200 and content_type.startswith("text/css")
        assert body == (Path(__file__).resolve().parents[2] / "kirok/web/static/web/kirok.css").read_bytes()
        status, content_type, _body = get(base + "/static/web/kirok.js")
        assert status == 200 and content_type.startswith("text/javascript")
        # The first worker to boot answers; the second may still be forking on a busy machine.
        deadline = time.monotonic() + 30
        while len(worker_pids(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = worker_pids(server.pid)
        assert len(workers) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert "Booting worker" in output and "Shutting down: Master" in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    logged = access_log.read_text()
    assert '"GET /accounts/sign-in/ HTTP/1.1" 200' in logged and '"GET /static/web/kirok.css HTTP/1.1" 200' in logged
    assert "Canary" not in logged and "next=" not in logged


def test_server_options_without_workers_are_refused(tmp_path):
    result = kirok("serve", "--threads", "4", home=tmp_path / "home", check=False)
    assert result.returncode != 0
    assert "need --workers N" in result.stderr


def test_a_worker_count_below_one_is_refused(tmp_path):
    result = kirok("serve", "--workers", "-1", home=tmp_path / "home", check=False)
    assert result.returncode != 0
    assert "--workers must be at least 1" in result.stderr
