"""How the certificate audit's statements run (audit.py builds them): in a transaction with the settings
PostgreSQL needs for them, streamed in batches, and — for a whole province's year — side by side, each on a
connection of its own while the caller reads the one before."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction
from django.db.backends.utils import CursorWrapper

FETCH = 5_000  # rows per round trip: the audit streams, it never holds a period's failures at once


def stream(cursor: CursorWrapper) -> Iterator[Sequence[Any]]:
    while rows := cursor.fetchmany(FETCH):
        yield from rows


#: PostgreSQL's memory per sort or hash of an audit statement. The default 4 MB spilled a year's joins of
#: certificates and cited standards (a million of each) to temporary files in 16 batches, and TR-3's sort to
#: an 80 MB external merge; 64 MB keeps them in memory (a few such nodes per statement; four statements at
#: once when side by side).
WORK_MEM = "64MB"


@contextmanager
def cursor(using: str, server_side: bool = False) -> Iterator[CursorWrapper]:
    """A cursor in a transaction; on PostgreSQL without JIT compilation for it, which the planner's cost
    estimates of the correlated look-ups trigger and which cost more than the scans themselves (0.85 s of
    1.6 s for TR-3 over 100,000 certificates), and with :data:`WORK_MEM`. ``server_side``: a cursor that
    the server fills as it is read, planned for reading every row (not the first few, as a cursor is by
    default)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as settings:
                settings.execute("SET LOCAL jit = off")
                settings.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                settings.execute("SET LOCAL cursor_tuple_fraction = 1")
        with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
            yield cursor


class Pump(threading.Thread):
    """One statement run on a connection of its own (this thread's), its rows handed over in batches
    through a short queue: the database works on the next statements while the caller reads this one."""

    def __init__(self, sql: str, params: list[Any], using: str) -> None:
        super().__init__(name="certificate audit", daemon=True)
        self.sql, self.params, self.using = sql, params, using
        self.batches: queue.Queue[Sequence[Sequence[Any]] | BaseException | None] = queue.Queue(maxsize=4)
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            with cursor(self.using, server_side=True) as rows_cursor:
                rows_cursor.execute(self.sql, self.params)
                while not self.stop.is_set() and (rows := rows_cursor.fetchmany(FETCH)):
                    self._put(rows)
            self._put(None)
        except BaseException as exc:  # handed to the reader, which raises it in its own thread
            self._put(exc)
        finally:
            connections[self.using].close()

    def _put(self, item: Sequence[Sequence[Any]] | BaseException | None) -> None:
        while not self.stop.is_set():
            try:
                self.batches.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def rows(self) -> Iterator[Sequence[Any]]:
        while (item := self.batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield from item


@contextmanager
def at_once(statements: Sequence[tuple[str, list[Any]]], using: str) -> Iterator[list[Pump]]:
    """Each statement started on a :class:`Pump`; on leaving, every pump stopped and joined (a reader
    that stops early leaves no statement or connection behind)."""
    pumps = [Pump(sql, params, using) for sql, params in statements]
    for pump in pumps:
        pump.start()
    try:
        yield pumps
    finally:
        for pump in pumps:
            pump.stop.set()
        for pump in pumps:
            pump.join()
