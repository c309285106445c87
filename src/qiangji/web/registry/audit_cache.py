"""C3/C4 per institution, recomputed only for the institutions whose audited data changed (issue 16 point 5).

The certificate audit of a year of a province reads millions of rows; the year overview must answer within
seconds after a data change. An institution's C3/C4 values depend only on its own registry rows (its
certificates of the period and their cited standards, its staff and registrations, standards, archived
assessments, instruments and their certificates, authorised items) and on two shared tables (regulations,
the catalogue). So they are kept per institution under a *fingerprint* of exactly those rows, and after a
change only the institutions whose fingerprint moved are audited again (one institution: a few
thousand certificates, through the (institution, verified_on) index).

The fingerprint of a set of rows is ``(COUNT(*), SUM(id), MAX(updated_at))``, one query for every
institution at once. It changes on every insert and delete (the count, and the id sum, since ids are never
reused: PostgreSQL sequences, SQLite AUTOINCREMENT) and on every update, as long as the update sets
``updated_at`` — every save through the ORM does (``auto_now``) and so does the bulk importer
(excel/bulk.py sets it before ``bulk_update``). The certificate–standard links have no timestamp and are
only inserted and deleted, so their count and id sum suffice. What it cannot see is what the rest of the
code base does not do: ``QuerySet.update()`` on these tables, or a clock going backwards.

An institution's fingerprint holds its certificates and their links; the tables every institution reads
(regulations, the catalogue and its item mapping); its *own* rows of the registry tables a certificate
reaches (staff and their registrations, standards with their archived assessments, instruments and their
certificates, authorised items); and the own rows of every other institution whose staff or standards its
certificates of the period name (:func:`neighbours`; the forms and imports refuse another institution's
signatories, but no database constraint does, and a certificate may cite a standard kept elsewhere). So a
change to one county's staff or standards audits that county again, not the province — at a million
certificates, a second instead of the whole year's audit.

Entries live in the ``audit`` cache (settings.CACHES: files under ``DATA_DIR``, shared by the server and
the worker); the key holds the period, the sampling settings and a digest of the audit's code, so a new
version of the rules never reads an old entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.core.cache import caches
from django.db import connection

from qiangji.web.indicators import Derived, SampleRule
from qiangji.web.registry import audit
from qiangji.web.registry.models import Institution
from qiangji.web.registry.samples import SAMPLE_RULES, Period, certificate_samples, sample_scope

TIMEOUT = 30 * 24 * 3600
Fingerprint = tuple[Any, ...]
Rates = dict[str, Derived | None]

SIGNATORIES = ("verifier", "checker", "approver")
LINKS = f"{audit.LINK} x JOIN {audit.CERT} c ON c.id = x.verificationcertificate_id"
#: Read by every institution's audit alike.
SHARED = (audit.REG, audit.ITEM, audit.MAP)
#: The registry rows an institution's audit reads that belong to one institution: ``SELECT`` of (its
#: institution, id, updated_at) from each table.
_BY_STAFF = f"JOIN {audit.STAFF} s ON s.id = x.staff_id"
_BY_STANDARD = f"JOIN {audit.STD} s ON s.id = x.standard_id"
OWN = {
    audit.STAFF: f"SELECT x.institution_id, x.id, x.updated_at FROM {audit.STAFF} x",
    audit.RM: f"SELECT s.institution_id, x.id, x.updated_at FROM {audit.RM} x {_BY_STAFF}",
    audit.AUTH: f"SELECT x.institution_id, x.id, x.updated_at FROM {audit.AUTH} x",
    audit.STD: f"SELECT x.institution_id, x.id, x.updated_at FROM {audit.STD} x",
    audit.PREV: f"SELECT s.institution_id, x.id, x.updated_at FROM {audit.PREV} x {_BY_STANDARD}",
    audit.INSTR: f"SELECT s.institution_id, x.id, x.updated_at FROM {audit.INSTR} x {_BY_STANDARD}",
    audit.INSTR_CERT: f"""SELECT s.institution_id, x.id, x.updated_at FROM {audit.INSTR_CERT} x
        JOIN {audit.INSTR} i ON i.id = x.instrument_id JOIN {audit.STD} s ON s.id = i.standard_id""",
}


@cache
def code_digest() -> str:
    """The audit's code (rules, statements, indicator definitions): a new version never reads old entries."""
    here = Path(__file__).resolve().parent
    files = [here / name for name in ("audit.py", "traceability.py", "samples.py")]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


def fingerprints(period: Period) -> dict[int, Fingerprint]:
    """Institution id → the fingerprint of every row its C3/C4 in ``period`` read (module docstring)."""
    certificates = _grouped(f"{audit.CERT} c", "c", "MAX(c.updated_at)", period)
    links = _links(period)
    shared, own = _shared(), _own()
    insts = certificates.keys() | links.keys()
    near = neighbours(period, {i: (certificates.get(i), links.get(i)) for i in insts})
    return {
        inst: (
            certificates.get(inst), links.get(inst), shared, own.get(inst),
            tuple((other, own.get(other)) for other in near[inst]),
        )
        for inst in insts
    }  # fmt: skip


def _grouped(source: str, row: str, stamp: str, period: Period) -> dict[int, tuple[str, ...]]:
    sql = f"""SELECT c.institution_id, COUNT(*), SUM({row}.id), {stamp} FROM {source}
        WHERE c.verified_on >= %s AND c.verified_on <= %s GROUP BY c.institution_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.start, period.end])
        return {int(inst): tuple(map(str, values)) for inst, *values in cursor.fetchall()}


def _links(period: Period) -> dict[int, tuple[str, ...]]:
    """Per institution, the links of its certificates: recounted (a join over every link of the period)
    only when the links of the whole table changed since the last count, which a certificate's own
    change without new links does not do."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(id) FROM {audit.LINK}")
        whole = tuple(map(str, cursor.fetchone() or ()))
    key = f"qiangji:c34-links:{period.pk}:{period.start}:{period.end}"
    held = caches["audit"].get(key)
    if held is not None and held[0] == whole:
        return dict(held[1])
    per_inst = _grouped(LINKS, "x", "NULL", period)
    caches["audit"].set(key, (whole, per_inst), TIMEOUT)
    return per_inst


def _shared() -> tuple[tuple[str, ...], ...]:
    parts = [f"SELECT '{t}', COUNT(*), SUM(x.id), MAX(x.updated_at) FROM {t} x" for t in SHARED]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted(tuple(map(str, row)) for row in cursor.fetchall()))


def _own() -> dict[int, tuple[tuple[str, ...], ...]]:
    """Institution id → the fingerprint of its own rows of each :data:`OWN` table (one query)."""
    parts = [
        f"SELECT '{t}', o.institution_id, COUNT(*), SUM(o.id), MAX(o.updated_at) FROM ({sql}) o"
        " GROUP BY o.institution_id"
        for t, sql in OWN.items()
    ]
    out: dict[int, list[tuple[str, ...]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        for table, inst, *values in cursor.fetchall():
            out.setdefault(int(inst), []).append((str(table), *map(str, values)))
    return {inst: tuple(sorted(rows)) for inst, rows in out.items()}


def _owners() -> str:
    """A digest of which institution each member of staff and each standard belongs to (a few thousand
    rows; exact, so a row that moves to another institution is seen)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in (audit.STAFF, audit.STD):
            cursor.execute(f"SELECT id, institution_id FROM {table} ORDER BY id")
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def neighbours(period: Period, held: dict[int, Fingerprint]) -> dict[int, tuple[int, ...]]:
    """Institution id → the other institutions whose staff (as a signatory) or standards (cited) its
    certificates of ``period`` name, sorted. Kept per institution under ``held`` (its certificates' and
    links' fingerprints) and :func:`_owners`; asked again only for the institutions whose entry moved, in
    one query over their certificates (through the (institution, verified_on) index)."""
    store, owners = caches["audit"], _owners()
    keys = {inst: f"qiangji:c34-near:{period.pk}:{period.start}:{period.end}:{inst}" for inst in held}
    found = store.get_many(list(keys.values()))
    out: dict[int, tuple[int, ...]] = {}
    stale = []
    for inst, key in keys.items():
        entry = found.get(key)
        if entry is not None and entry[0] == (held[inst], owners):
            out[inst] = entry[1]
        else:
            stale.append(inst)
    if stale:
        fresh = _named_institutions(period, None if len(stale) == len(held) else stale)
        out.update({i: fresh.get(i, ()) for i in stale})
        store.set_many({keys[i]: ((held[i], owners), out[i]) for i in stale}, TIMEOUT)
    return out


def _named_institutions(period: Period, insts: list[int] | None) -> dict[int, tuple[int, ...]]:
    """:func:`neighbours` asked of the database for ``insts`` (None: every institution)."""
    scope, params = "c.verified_on >= %s AND c.verified_on <= %s", [period.start, period.end]
    if insts is not None:
        scope += f" AND c.institution_id IN ({', '.join(['%s'] * len(insts))})"
        params += insts
    signatories = " UNION ".join(
        f"""SELECT c.institution_id, s.institution_id FROM {audit.CERT} c JOIN {audit.STAFF} s
            ON s.id = c.{role}_id WHERE {scope} AND s.institution_id <> c.institution_id"""
        for role in SIGNATORIES
    )
    cited = f"""SELECT c.institution_id, s.institution_id FROM {LINKS} JOIN {audit.STD} s
        ON s.id = x.measurementstandard_id WHERE {scope} AND s.institution_id <> c.institution_id"""
    out: dict[int, set[int]] = {inst: set() for inst in insts or ()}
    with connection.cursor() as cursor:
        cursor.execute(f"{signatories} UNION {cited}", params * (len(SIGNATORIES) + 1))
        for inst, other in cursor.fetchall():
            out.setdefault(int(inst), set()).add(int(other))
    return {inst: tuple(sorted(others)) for inst, others in out.items()}


def _key(period: Period, inst_id: int) -> str:
    probe = sample_scope([Institution(pk=inst_id)], period)
    return f"qiangji:c34:{code_digest()}:{period.pk}:{probe.sample_size}:{probe.seed}:{inst_id}"


def certificate_rates(insts: Sequence[Institution], period: Period) -> dict[int, Rates]:
    """C3/C4 of each institution in ``period`` (samples.SAMPLE_RULES codes → Derived), from the cache where
    the institution's fingerprint is unchanged, audited afresh for the others."""
    store = caches["audit"]
    prints = fingerprints(period)
    keys = {i.pk: _key(period, i.pk) for i in insts}
    held = store.get_many(list(keys.values()))
    out: dict[int, Rates] = {}
    stale = []
    for inst in insts:
        entry = held.get(keys[inst.pk])
        if entry is not None and entry[0] == prints.get(inst.pk):
            out[inst.pk] = entry[1]
        else:
            stale.append(inst)
    if stale:
        fresh = _audit(stale, period)
        store.set_many({keys[pk]: (prints.get(pk), rates) for pk, rates in fresh.items()}, TIMEOUT)
        out.update(fresh)
    return out


def _audit(insts: Sequence[Institution], period: Period) -> dict[int, Rates]:
    """The audit of ``insts``: one institution through the (institution, verified_on) index, several in
    one pass over the period (a fixed number of statements, whatever their number)."""
    samples = certificate_samples(insts, period)
    return {pk: {code: s.rate(rule) for code, rule in SAMPLE_RULES.items()} for pk, s in samples.items()}


class CachedSample:
    """An institution's C3/C4 rates from the cache, answering as its audited sample would
    (:meth:`qiangji.web.registry.samples.Sample.rate`)."""

    def __init__(self, rates: Rates) -> None:
        self._by_rule = {SAMPLE_RULES[code]: value for code, value in rates.items()}

    def rate(self, rule: SampleRule) -> Derived | None:
        return self._by_rule[rule]


def cached_samples(insts: Sequence[Institution], period: Period) -> dict[int, CachedSample]:
    """The indicator registry's sampler: :func:`certificate_rates`, audited again only where data changed."""
    return {pk: CachedSample(rates) for pk, rates in certificate_rates(insts, period).items()}
