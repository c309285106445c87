"""The COPY text the importer writes on PostgreSQL reads back as the values it was given: escapes, NULL,
booleans, decimals, dates, times with a zone, text in Chinese; a value of another type goes through
psycopg's own adaptation in the same COPY."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from qiangji.web.excel import copytext

pytestmark = pytest.mark.django_db
STAMP = dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
ROWS = [
    (1, "a\tb\\c\nd\re", None, True, Decimal("55.0"), dt.date(2024, 1, 2), STAMP, "检定证书"),
    (2, "", None, False, Decimal("-1E+2"), None, None, None),
    (3, "\\N", 7, None, Decimal("0.10"), dt.date(1999, 12, 31), STAMP, "末"),
]


def test_the_text_of_a_block() -> None:
    assert copytext.block([(1, "a\tb", None, True), (2, "\\N", 3, False)]) == (
        b"1\ta\\tb\t\\N\tt\n2\t\\\\N\t3\tf\n"
    )
    with pytest.raises(copytext.Unsupported):
        copytext.block([(1, 2.5)])


def test_it_reads_back_as_written() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE copied (i int, s text, n int, b bool, d numeric, day date,"
            " at timestamptz, z text)"
        )
        with cursor.cursor.copy("COPY copied FROM STDIN") as copy:
            copytext.write(copy, ROWS)
        cursor.execute("SELECT * FROM copied ORDER BY i")
        assert [tuple(r) for r in cursor.fetchall()] == ROWS
        cursor.execute("CREATE TEMPORARY TABLE floats (i int, f float8)")
        with cursor.cursor.copy("COPY floats FROM STDIN") as copy:  # a block psycopg adapts row by row
            copytext.write(copy, [(1, 2.5), (2, None)])
        cursor.execute("SELECT * FROM floats ORDER BY i")
        assert cursor.fetchall() == [(1, 2.5), (2, None)]
