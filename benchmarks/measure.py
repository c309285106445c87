"""What the benchmarks print beside their timings on a shared machine: the load average, and the CPU time
a PostgreSQL server spent (read from /proc when the server runs on this machine), since the wall time
waits for the CPU and the client's CPU time leaves out the server's work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f} (1/5/15 min, {os.cpu_count()} cores)"


def process_cpu(pid: int, children: bool = False) -> float | None:
    """User + system CPU seconds of process ``pid`` (with its waited-for children's when ``children``), or
    None when /proc does not show it (another machine, another user)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # after the command's closing parenthesis: state is field 0, utime 11, stime 12, cutime 13, cstime 14
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def backend_cpu(connection: Any) -> float | None:
    """CPU seconds of the PostgreSQL backend serving ``connection`` (a Django connection), None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return process_cpu(int(pid))


def cluster_cpu(data_dir: Path) -> float | None:
    """CPU seconds of a whole PostgreSQL cluster on this machine: the postmaster, the backends that ended
    (counted in the postmaster's children time) and those still running."""
    try:
        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
        kids = [int(p) for p in Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()]
    except (OSError, ValueError):
        return None
    total = process_cpu(postmaster, children=True)
    if total is None:
        return None
    return total + sum(cpu for pid in kids if (cpu := process_cpu(pid)) is not None)


def figure(label: str, walls: list[float], cpus: list[float], target: float | None) -> str:
    """``label: wall median (runs), CPU median, target`` on one line."""
    import statistics

    goal = f"; target ≤ {target:g} s" if target else ""
    runs = " ".join(f"{w:.2f}" for w in walls)
    return (
        f"{label}: median {statistics.median(walls):.2f} s wall (n={len(walls)}: {runs}), "
        f"{statistics.median(cpus):.2f} s CPU{goal}; {load()}"
    )
