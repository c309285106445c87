"""`qiangji serve --production` end to end: a real waitress process on a free port, over a temporary SQLite
database, configured by its own environment only (as an intranet server would be), behind a TLS proxy that
the requests imitate with ``X-Forwarded-Proto: https``."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qiangji.web.accounts.middleware import DEFAULT_CSP
from qiangji.web.publication.views import FAVICON

START_TIMEOUT_S = 120
#: 60 characters, many distinct: the production settings' rule (at least 50, at least 5 distinct).
SECRET = secrets.token_urlsafe(45)
HTTPS = {"X-Forwarded-Proto": "https"}
ONE_YEAR = 365 * 24 * 3600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    # None of the test run's settings (database, secrets, test-only flags) leak into the server.
    ours = ("QIANGJI_", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_", "DATABASE_URL", "PG")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        QIANGJI_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        QIANGJI_BEHIND_TLS_PROXY="1",
        DATA_DIR=str(data_dir),
    )
    env.update(extra)
    return env


def _qiangji(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "qiangji", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@dataclass(frozen=True)
class Server:
    port: int
    data_dir: Path

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, headers={**HTTPS, **(headers or {})})
            raw = conn.getresponse()
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
        finally:
            conn.close()


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def _wait_until_listening(proc: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the server exited with {proc.returncode}:\n{out}\n{err}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the server did not listen on {port} within {START_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("production")
    result = _qiangji(_env(data_dir), "manage", "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir


@pytest.fixture(scope="module")
def server(migrated: Path) -> Iterator[Server]:
    port = _free_port()
    cmd = [sys.executable, "-m", "qiangji", "serve", "--production", "--port", str(port), "--threads", "2"]
    proc = subprocess.Popen(
        cmd, env=_env(migrated), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_until_listening(proc, port)
        yield Server(port, migrated)
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _assert_security_headers(response: Response) -> None:
    h = response.headers
    assert h["content-security-policy"] == DEFAULT_CSP and "script-src 'self';" in DEFAULT_CSP
    assert h["strict-transport-security"].startswith("max-age=31536000")
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "same-origin"
    assert h["cross-origin-opener-policy"] == "same-origin"
    assert h["cross-origin-resource-policy"] == "same-origin"
    assert "camera=()" in h["permissions-policy"]
    assert "server" not in h  # waitress does not name itself


def test_it_serves_the_leaderboard_with_the_security_headers(server: Server) -> None:
    response = server.request("GET", "/")
    assert response.status == 200
    _assert_security_headers(response)
    html = response.body.decode()
    assert re.search(
        r'<link rel="icon" type="image/svg\+xml" href="/static/publication/favicon\.[0-9a-f]{12}\.svg">', html
    )
    assert "secure" in response.headers["set-cookie"].lower()


def test_it_answers_head_on_the_leaderboard(server: Server) -> None:
    response = server.request("HEAD", "/")
    assert response.status == 200 and response.body == b""
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_it_sends_plain_http_to_https(server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/")  # no X-Forwarded-Proto: as if the proxy were bypassed
        raw = conn.getresponse()
        assert raw.status == 301 and raw.getheader("Location") == f"https://127.0.0.1:{server.port}/"
    finally:
        conn.close()


def test_it_serves_the_api_docs_css_hashed_and_cached_for_long(server: Server) -> None:
    docs = server.request("GET", "/api/v1/docs")  # django-ninja's Swagger UI files, collected with the rest
    assert docs.status == 200
    match = re.search(r'href="(/static/ninja/swagger-ui\.[0-9a-f]{12}\.css)"', docs.body.decode())
    assert match, "the API docs link their stylesheet by its hashed name"
    css = server.request("GET", match.group(1), {"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["content-encoding"] == "gzip"
    cache = css.headers["cache-control"]
    assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= ONE_YEAR  # type: ignore[union-attr]
    _assert_security_headers(css)
    assert "access-control-allow-origin" not in css.headers
    # The same file by its plain name: served, but cached only briefly (its content may change).
    plain = server.request("GET", "/static/ninja/swagger-ui.css")
    assert plain.status == 200 and "immutable" not in plain.headers["cache-control"]
    assert int(re.search(r"max-age=(\d+)", plain.headers["cache-control"]).group(1)) < 3600  # type: ignore[union-attr]


def test_it_answers_favicon_ico_with_the_svg_icon(server: Server) -> None:
    response = server.request("GET", "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.body == FAVICON.read_bytes()
    _assert_security_headers(response)


def test_it_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = _env(tmp_path)
    del env["SECRET_KEY"]
    result = _qiangji(env, "serve", "--production", "--port", str(_free_port()), timeout=60)
    assert result.returncode == 2
    assert "refused, not serving: SECRET_KEY must be set in the environment" in result.stderr


def test_it_refuses_to_start_on_an_empty_database(tmp_path: Path) -> None:
    result = _qiangji(_env(tmp_path), "serve", "--production", "--port", str(_free_port()), timeout=60)
    assert result.returncode == 2
    assert "the database is empty (no migration applied): run `qiangji manage migrate` first" in result.stderr


def test_it_refuses_to_start_with_an_unapplied_migration(migrated: Path, tmp_path: Path) -> None:
    # A copy of the migrated database that "forgets" one migration, as after an upgrade of the code.
    with (
        sqlite3.connect(migrated / "qiangji.sqlite3") as src,
        sqlite3.connect(tmp_path / "qiangji.sqlite3") as dst,
    ):
        src.backup(dst)
        # the last one applied: nothing applied depends on it, so the history stays consistent
        last = "SELECT id, app, name FROM django_migrations ORDER BY id DESC LIMIT 1"
        pk, app, name = dst.execute(last).fetchone()
        assert dst.execute("DELETE FROM django_migrations WHERE id = ?", (pk,)).rowcount == 1
    result = _qiangji(_env(tmp_path), "serve", "--production", "--port", str(_free_port()), timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Back it up (`qiangji backup FILE`)" in result.stderr
    assert f"1 unapplied migration(s): {app}.{name}" in result.stderr
    assert "run `qiangji manage migrate`" in result.stderr
    assert not (tmp_path / "static").exists()  # refused before collecting anything


def test_it_records_the_client_address_the_proxy_forwards(server: Server) -> None:
    # Behind the proxy, REMOTE_ADDR is the client's (from X-Forwarded-For, trusted from 127.0.0.1 only):
    # the audit trail and the login and API throttles count per client, not all as the proxy.
    page = server.request("GET", "/accounts/login/")
    cookie = re.search(r"csrftoken=([^;]+)", page.headers["set-cookie"]).group(1)  # type: ignore[union-attr]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode()).group(1)  # type: ignore[union-attr]
    origin = f"https://127.0.0.1:{server.port}"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        body = f"csrfmiddlewaretoken={token}&username=nobody-{SECRET[:6]}&password=wrong-password-xyz"
        conn.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                **HTTPS,
                "X-Forwarded-For": "10.9.8.7",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "Origin": origin,
                "Referer": f"{origin}/accounts/login/",
            },
        )
        assert conn.getresponse().status == 200  # the form again, with the error
    finally:
        conn.close()
    with sqlite3.connect(server.data_dir / "qiangji.sqlite3") as db:
        rows = db.execute(
            "SELECT ip FROM accounts_loginfailure WHERE username = ?", (f"nobody-{SECRET[:6]}",)
        ).fetchall()
    assert rows == [("10.9.8.7",)]
