"""Benchmark: the public leaderboard under a crowd, on the production server (waitress), this machine.

Sets up the demo into a fresh data directory (``qiangji demo --no-serve``: 15 final publications), starts
``qiangji serve --production`` on a free loopback port, warms each URL once (the first request builds the
page body into the shared page cache), then runs ``wrk`` (Debian package ``wrk``: a C load generator,
on this same machine) with ``--connections`` concurrent clients for ``--seconds`` each, ``--repeat``
times, against the leaderboard and a scorecard; plus the bulletin PDF, first request and cached.

Prints requests per second and the 50/95/99 % latencies (medians over the repeats) against the targets
of issue 17: the leaderboard under 32 concurrent clients ≥ 200 req/s with p95 ≤ 150 ms, and the bulletin
served from the cache after its first request. Only loopback traffic; every run is bounded in time.

    .venv/bin/python benchmarks/bench_leaderboard.py [--connections 32] [--seconds 10] [--repeat 3]
        [--data-dir DIR]

``--data-dir`` serves a demo set up there before (``qiangji demo --no-serve --data-dir DIR``) instead of a
fresh one: two code versions can then be measured one after the other on the same data (PYTHONPATH).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RPS, TARGET_P95_MS = 200.0, 150.0
SECRET = "bench-" + "x" * 60
#: wrk's Lua hook: print the request rate and latency percentiles (microseconds) in one parsable line.
WRK_SCRIPT = """
wrk.headers["X-Forwarded-Proto"] = "https"
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT %d %d %.1f %.1f %.1f %.1f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    summary.requests / secs, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, 2 cores)"


def _env(data_dir: Path) -> dict[str, str]:
    ours = ("QIANGJI_", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_", "DATABASE_URL", "PG")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        QIANGJI_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        QIANGJI_BEHIND_TLS_PROXY="1",
        DATA_DIR=str(data_dir),
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        raw = conn.getresponse()
        return raw.status, raw.read(), time.perf_counter() - started
    finally:
        conn.close()


def _wait(proc: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}: {proc.communicate()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start within 120 s")


def _wrk(port: int, path: str, connections: int, seconds: int, script: Path) -> list[float]:
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    out = subprocess.run(
        [*cmd, "-s", str(script), f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return [float(v) for v in line.split()[1:]]


def _report(name: str, rows: list[list[float]], target: bool) -> None:
    requests, errors = sum(r[0] for r in rows), sum(r[1] for r in rows)
    rps = statistics.median(r[2] for r in rows)
    p50, p95, p99 = (statistics.median(r[i] for r in rows) / 1000 for i in (3, 4, 5))
    spread = " ".join(f"{r[2]:.0f}" for r in rows)
    verdict = ""
    if target:
        ok = rps >= TARGET_RPS and p95 <= TARGET_P95_MS
        verdict = (
            f"  target ≥ {TARGET_RPS:.0f} req/s, p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if ok else 'NOT met'}"
        )
    print(
        f"{name}: {rps:.0f} req/s (runs: {spread}), p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
        f"{requests:.0f} requests, {errors:.0f} errors{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    parser.add_argument("--data-dir", type=Path, help="a demo set up there before (else a fresh one)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench installs it as root)")
    with tempfile.TemporaryDirectory(prefix="qiangji-bench-") as tmp:
        data_dir, script = args.data_dir or Path(tmp), Path(tmp) / "report.lua"
        script.write_text(WRK_SCRIPT)
        env = _env(data_dir)
        if args.data_dir is None:
            print(f"setting up the demo in a fresh data directory … ({load()})", flush=True)
            subprocess.run([sys.executable, "-m", "qiangji", "demo", "--no-serve", "--data-dir", tmp],
                           env=env, capture_output=True, check=True, timeout=900)  # fmt: skip
        port = _free_port()
        cmd = [sys.executable, "-m", "qiangji", "serve", "--production", "--port", str(port)]
        proc = subprocess.Popen([*cmd, "--threads", str(args.threads)], env=env, text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            _wait(proc, port)
            _run(port, args, script)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _run(port: int, args: argparse.Namespace, script: Path) -> None:
    pages = {"leaderboard /": "/", "scorecard /rankings/2025Q4/JJ-MI/": "/rankings/2025Q4/JJ-MI/"}
    for path in pages.values():
        status, _body, first = _get(port, path)
        assert status == 200, (path, status)
        print(f"first request {path}: {first * 1000:.0f} ms (builds the cached body)")
    print(f"{args.connections} concurrent clients, {args.seconds} s × {args.repeat}, waitress "
          f"{args.threads} threads — {load()}")  # fmt: skip
    for name, path in pages.items():
        rows = [_wrk(port, path, args.connections, args.seconds, script) for _ in range(args.repeat)]
        _report(name, rows, target=path == "/")
    bulletin = "/rankings/2025Q4/bulletin.pdf"
    _status, pdf, first = _get(port, bulletin)
    again = statistics.median(_get(port, bulletin)[2] for _ in range(5))
    size, first_ms, again_ms = len(pdf) / 1024, first * 1000, again * 1000
    print(f"bulletin PDF ({size:.0f} KiB): first {first_ms:.0f} ms, cached {again_ms:.1f} ms (median of 5)"
          " — target: served from the cache after the first request")  # fmt: skip
    print(load())


if __name__ == "__main__":
    main()
