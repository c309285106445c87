"""The certificate audit TR-1…TR-8 as set-based queries: one SQL statement per rule
(docs/domain.md#traceability).

:mod:`qiangji.web.registry.traceability` states the rules per certificate over ORM objects; this module
asks the database the same questions for every certificate of a date range (optionally one institution) at
once, and only the failing rows come back: ``(certificate, rule, field, message parameters)``. The rules,
their as-of boundaries (models/base.py) and their messages are the same — a test compares both on every
demo certificate and at the boundaries, on SQLite and PostgreSQL.

Every statement has the same few parameters (the first and last day, the institution, a whitespace set),
whatever the number of certificates, and filters on ``(institution, verified_on)`` so that an index — or, on
a partitioned PostgreSQL table, the year's partition — bounds what it reads. The SQL is the common subset
of SQLite and PostgreSQL except three small fragments (:class:`_Dialect`): stripping whitespace, reading a
JSON list and the month number of a date.

Two simplifications of the per-certificate code are documented rather than hidden: when a verifier holds
several registrations of the same level starting the same day, the lowest id is taken (the Python rule
takes whichever the database listed first); and "whitespace" is Python's ``str.isspace`` set.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import operator
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections

from qiangji.web.registry import audit_statements as running
from qiangji.web.registry.models import (
    Institution,
    InstitutionMVItem,
    InstrumentCertificate,
    MeasurementStandard,
    MVCatalogueItem,
    PreviousAssessment,
    ProfessionalItemMapping,
    Regulation,
    RMRegistration,
    Staff,
    StandardInstrument,
    VerificationCertificate,
)
from qiangji.web.registry.traceability import MESSAGES, Issue

RULES = ("TR-1", "TR-2", "TR-3", "TR-4", "TR-5", "TR-6", "TR-7", "TR-8")
#: Pseudo-rule of indicator C4.1: a data element missing (record number, cited standard, environment).
ELEMENTS = "elements"
WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


@dataclass(frozen=True)
class Scope:
    """Certificates verified from ``start`` to ``end`` (both inclusive), of one institution or all; with
    ``sample_size`` > 0, only the seeded sample of :func:`sample_rank` (at most that many certificates per
    institution and mandatory-verification item)."""

    start: dt.date
    end: dt.date
    institution_id: int | None = None
    sample_size: int = 0
    seed: int = 0


@dataclass(frozen=True)
class Failure:
    """One broken rule of one certificate, as :class:`Issue` says it, with the certificate's keys."""

    certificate_id: int
    cert_no: str
    institution_id: int
    issue: Issue


# --- the sampling protocol --------------------------------------------------------------------------------
MODULUS = 2**31


def sample_rank(certificate_id: int, seed: int) -> int:
    """The draw order of a certificate: a 31-bit integer hash of its id and the seed (multiply by an odd
    constant, xor-shift, three rounds, all modulo 2³¹ so that SQLite and PostgreSQL compute it exactly in
    64-bit integers). Sampling protocol: within each institution and mandatory-verification item
    (certificates without an item form one group), the certificates of the period are taken in
    increasing rank (then id) and the first ``sample_size`` are drawn. Same seed and registry → same
    sample, on any database.

    >>> sample_rank(1, 0), sample_rank(2, 0)
    (713603338, 1538960694)
    """
    x = (certificate_id + seed) % MODULUS
    for multiplier, shift in ROUNDS:
        x = x * multiplier % MODULUS
        x ^= x >> shift
    return x


ROUNDS = ((2146121005, 15), (1150534795, 13), (2146121005, 16))


def _ranked_sql(source: str) -> str:
    """``source`` (a ``SELECT`` of id, institution_id, mv_item_id) with :func:`sample_rank` as ``h``, one
    step per nested select so each step names its input once (``a ^ b`` is ``(a | b) - (a & b)``: SQLite
    has no XOR; the modulo is written ``%%``, which both drivers read as ``%``); one parameter, the seed."""
    keys = "id, institution_id, mv_item_id"
    sql = f"SELECT {keys}, (CAST(id AS bigint) + %s) %% {MODULUS} AS h FROM ({source}) k0"
    for n, (multiplier, shift) in enumerate(ROUNDS, start=1):
        sql = f"SELECT {keys}, h * {multiplier} %% {MODULUS} AS h FROM ({sql}) m{n}"
        sql = f"SELECT {keys}, (h | (h >> {shift})) - (h & (h >> {shift})) AS h FROM ({sql}) x{n}"
    return sql


# --- the SQL ----------------------------------------------------------------------------------------------
class _Dialect:
    """The three fragments SQLite and PostgreSQL spell differently."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def trimmed(self, expr: str) -> str:
        """``expr`` with Python's whitespace stripped at both ends (``str.strip()``); one parameter."""
        return f"btrim({expr}, %s)" if self.postgres else f"trim({expr}, %s)"

    def json_items(self, expr: str) -> str:
        """A one-column table ``j(v)`` of the strings of a JSON list."""
        if self.postgres:
            return f"jsonb_array_elements_text({expr}) AS j(v)"
        return f"(SELECT value AS v FROM json_each({expr})) AS j"

    def json_length(self, expr: str) -> str:
        return f"jsonb_array_length({expr})" if self.postgres else f"json_array_length({expr})"

    def months(self, expr: str) -> str:
        """Year · 12 + month of a date: calendar months compared without date arithmetic (TR-6)."""
        if self.postgres:
            year, month = f"EXTRACT(YEAR FROM {expr})", f"EXTRACT(MONTH FROM {expr})"
            return f"(CAST({year} AS integer) * 12 + CAST({month} AS integer))"
        return f"(CAST(substr({expr}, 1, 4) AS integer) * 12 + CAST(substr({expr}, 6, 2) AS integer))"

    def fence(self) -> str:
        """Ends a sub-select that the planner must not merge into the outer one (which would compute its
        flag columns twice, in the outer filter and the outer select list): an OFFSET does that on
        both."""
        return "OFFSET 0" if self.postgres else "LIMIT -1 OFFSET 0"

    def next_day(self, expr: str) -> str:
        """The day after the date ``expr``."""
        return f"({expr} + 1)" if self.postgres else f"date({expr}, '+1 day')"

    def no_standard(self) -> str:
        """A certificate ``c`` of the row rules' pass cites no standard. PostgreSQL: no row in the pass's
        ``cited`` join (the scope's certificates that cite one), since its planner made NOT EXISTS inside
        the flag's CASE a hash of the whole link table — 0.5 s for one institution's 5,000 certificates of
        a million. SQLite: NOT EXISTS, one index probe per certificate (the join's repeated scope, with a
        sample's nested selects, overflows SQLite's parser)."""
        return "cited.id IS NULL" if self.postgres else NO_STANDARD

    def day(self, expr: str) -> str:
        if self.postgres:
            return f"CAST(EXTRACT(DAY FROM {expr}) AS integer)"
        return f"CAST(substr({expr}, 9, 2) AS integer)"


def _t(model: Any) -> str:
    return str(model._meta.db_table)


CERT, STD, PREV = _t(VerificationCertificate), _t(MeasurementStandard), _t(PreviousAssessment)
LINK = _t(VerificationCertificate.standards.through)
INSTR, INSTR_CERT, REG = _t(StandardInstrument), _t(InstrumentCertificate), _t(Regulation)
RM, STAFF, ITEM, AUTH = _t(RMRegistration), _t(Staff), _t(MVCatalogueItem), _t(InstitutionMVItem)
MAP = _t(ProfessionalItemMapping)
KEYS = "c.id, c.cert_no, c.institution_id"


def _where(scope: Scope, alias: str = "c") -> tuple[str, list[Any]]:
    """The scope's filter on ``c``; the institution first, as in the (institution, verified_on) index."""
    sql = f"{alias}.verified_on >= %s AND {alias}.verified_on <= %s"
    params: list[Any] = [scope.start, scope.end]
    if scope.institution_id is not None:
        sql, params = f"{alias}.institution_id = %s AND {sql}", [scope.institution_id, *params]
    if scope.sample_size > 0:
        inner, inner_params = _where(Scope(scope.start, scope.end, scope.institution_id), "s")
        source = f"SELECT s.id, s.institution_id, s.mv_item_id FROM {CERT} s WHERE {inner}"
        drawn = f"""SELECT d.id FROM (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY institution_id, mv_item_id ORDER BY h, id) AS draw
            FROM ({_ranked_sql(source)}) r) d WHERE d.draw <= %s"""
        sql += f" AND {alias}.id IN ({drawn})"
        params += [scope.seed, *inner_params, scope.sample_size]
    return sql, params


# A standard is valid on day D when in use on D (sealed or withdrawn only from status_since on) and an
# assessment certificate — the current one or an archived one — covers D, both ends inclusive.
STANDARD_VALID = f"""(
    (s.status = 'in_use' OR (s.status_since IS NOT NULL AND s.status_since > c.verified_on))
    AND (
        (s.assessment_issued_on IS NOT NULL AND s.assessment_expires_on IS NOT NULL
         AND s.assessment_issued_on <= c.verified_on AND c.verified_on <= s.assessment_expires_on)
        OR EXISTS (SELECT 1 FROM {PREV} p WHERE p.standard_id = s.id
                   AND p.issued_on <= c.verified_on AND c.verified_on <= p.expires_on)
    ))"""
NO_STANDARD = f"NOT EXISTS (SELECT 1 FROM {LINK} m WHERE m.verificationcertificate_id = c.id)"


def _pieces(d: _Dialect, table: str, keys: str, start: str, end: str) -> str:
    """The days of each ``keys`` group of ``table``'s rows (valid from ``start`` to ``end``, both inclusive,
    ``end`` NULL: open) cut where any row of the group starts or ends: ``(keys, start, stop)``, ``stop``
    exclusive, NULL for the last piece. Within a piece every row of the group is valid on all days or on
    none, so what holds on its first day holds on each of its days: a rule asked once per piece (a few
    thousand) joins the certificates by key and date range, where asking it per certificate was a look-up
    per certificate (a million)."""
    ends = f"SELECT {keys}, {d.next_day(end)} AS d FROM {table} WHERE {end} IS NOT NULL"
    bounds = f"SELECT {keys}, {start} AS d FROM {table} UNION {ends}"
    return f"""SELECT {keys}, d AS start, LEAD(d) OVER (PARTITION BY {keys} ORDER BY d) AS stop
        FROM ({bounds}) b"""


def _in_piece(alias: str, day: str) -> str:
    return f"{alias}.start <= {day} AND ({alias}.stop IS NULL OR {day} < {alias}.stop)"


def _tr1(d: _Dialect, where: str) -> str:
    return f"""
        SELECT {KEYS}, NULL FROM {CERT} c WHERE {where} AND {NO_STANDARD}
        UNION ALL
        SELECT {KEYS}, s.name FROM {CERT} c
        JOIN {LINK} m ON m.verificationcertificate_id = c.id JOIN {STD} s ON s.id = m.measurementstandard_id
        WHERE {where} AND NOT {STANDARD_VALID}"""


def _tr2(d: _Dialect, where: str) -> str:
    return f"""
        SELECT {KEYS}, i.name FROM {CERT} c
        JOIN {LINK} m ON m.verificationcertificate_id = c.id
        JOIN {INSTR} i ON i.standard_id = m.measurementstandard_id
        WHERE {where} AND NOT EXISTS (
            SELECT 1 FROM {INSTR_CERT} ic WHERE ic.instrument_id = i.id
            AND ic.valid_from <= c.verified_on AND c.verified_on <= ic.valid_to)"""


def _tr3(d: _Dialect, where: str) -> str:
    # The registration TR-3 reads: the valid one of the highest level (1 before 2), then the latest; found
    # once per certificate (materialised: inlined, the planners evaluate it once per use). Whether it
    # covers the item is asked once per distinct (registration, item) pair, not per certificate.
    # The registration is chosen once per piece of a verifier's registrations (_pieces), not per certificate.
    chosen = f"""(SELECT r.id FROM {RM} r WHERE r.staff_id = k.staff_id
        AND r.valid_from <= k.start AND k.start <= r.valid_to
        ORDER BY r.level, r.valid_from DESC, r.id LIMIT 1)"""
    pieces = _pieces(d, RM, "staff_id", "valid_from", "valid_to")
    # The item rule of registry/items.py: the exact name, or a row of the mapping table (stored stripped).
    covered = f"""EXISTS (SELECT 1 FROM {d.json_items("r.professional_items")}
        WHERE {d.trimmed("j.v")} IN ({d.trimmed("item.level2_name")}, {d.trimmed("item.level1_name")})
        OR EXISTS (SELECT 1 FROM {MAP} mp WHERE mp.catalogue_item_id = item.id
                   AND mp.registration_item = {d.trimmed("j.v")}))"""
    return f"""
        WITH k AS MATERIALIZED (
            SELECT e.staff_id, e.start, e.stop, e.reg_id FROM (
                SELECT k.staff_id, k.start, k.stop, {chosen} AS reg_id FROM ({pieces}) k) e
            WHERE e.reg_id IS NOT NULL
        ), y AS MATERIALIZED (
            SELECT {KEYS}, c.mv_item_id, c.verifier_id, c.checker_id, c.approver_id, k.reg_id
            FROM {CERT} c LEFT JOIN k ON k.staff_id = c.verifier_id AND {_in_piece("k", "c.verified_on")}
            WHERE {where}
        ), p AS MATERIALIZED (
            SELECT q.reg_id, q.mv_item_id,
                CASE WHEN {d.json_length("r.professional_items")} > 0 AND NOT {covered}
                     THEN 1 ELSE 0 END AS uncovered
            FROM (SELECT DISTINCT reg_id, mv_item_id FROM y
                  WHERE reg_id IS NOT NULL AND mv_item_id IS NOT NULL) q
            JOIN {RM} r ON r.id = q.reg_id JOIN {ITEM} item ON item.id = q.mv_item_id
        ), t AS MATERIALIZED (
            SELECT y.id, y.cert_no, y.institution_id,
                CASE WHEN y.reg_id IS NULL THEN 1 ELSE 0 END AS unregistered,
                COALESCE(p.uncovered, 0) AS uncovered,
                CASE WHEN y.verifier_id = y.checker_id OR y.checker_id = y.approver_id
                     OR y.verifier_id = y.approver_id THEN 1 ELSE 0 END AS same,
                CASE WHEN a.is_authorised_signatory THEN 0 ELSE 1 END AS unsigned
            FROM y JOIN {STAFF} a ON a.id = y.approver_id
            LEFT JOIN p ON p.reg_id = y.reg_id AND p.mv_item_id = y.mv_item_id
        )
        SELECT * FROM t WHERE unregistered + uncovered + same + unsigned > 0"""


# --- the rules a certificate's own row and its regulation answer, in one pass ---------------------------
@dataclass(frozen=True)
class Flag:
    """One way a certificate fails ``rule`` that its row, its regulation and a look-up by key show:
    reported on ``field`` with the message ``key`` (traceability.MESSAGES; none for ELEMENTS)."""

    rule: str
    field: str
    key: str
    sql: Callable[[_Dialect], str]


def _interval(d: _Dialect) -> str:
    # valid_until > add_months(verified_on, n) (clamped to the month's end) is, without date arithmetic:
    # a later calendar month than n months on, or that very month and a later day of the month.
    u, v, n = d.months("c.valid_until"), d.months("c.verified_on"), "g.max_interval_months"
    return f"""g.max_interval_months > 0 AND c.valid_until IS NOT NULL AND ({u} > {v} + {n}
        OR ({u} = {v} + {n} AND {d.day("c.valid_until")} > {d.day("c.verified_on")}))"""


def _authorised(d: _Dialect) -> str:
    """TR-8's pieces (:func:`_pieces`) of each institution's authorisations of an item during which one of
    them is in effect: at most one per certificate."""
    keys = "institution_id, item_id"
    return f"""SELECT k.institution_id, k.item_id, k.start, k.stop
        FROM ({_pieces(d, AUTH, keys, "authorised_from", "authorised_to")}) k
        WHERE EXISTS (SELECT 1 FROM {AUTH} a WHERE a.institution_id = k.institution_id
            AND a.item_id = k.item_id AND a.authorised_from <= k.start
            AND (a.authorised_to IS NULL OR k.start <= a.authorised_to))"""


ENVIRONMENT = "c.temperature_c IS NOT NULL AND c.humidity_pct IS NOT NULL"
IN_FORCE = (
    "{g}.effective_from <= c.verified_on AND ({g}.superseded_on IS NULL OR c.verified_on < {g}.superseded_on)"
)
FLAGS = (
    Flag("TR-4", "regulation", "superseded", lambda d: f"NOT ({IN_FORCE.format(g='g')})"),
    Flag("TR-5", "temperature_c", "no_environment", lambda d: f"NOT ({ENVIRONMENT})"),
    Flag("TR-5", "temperature_c", "temperature", lambda d: f"""{ENVIRONMENT} AND (
        (g.temperature_min_c IS NOT NULL AND c.temperature_c < g.temperature_min_c)
        OR (g.temperature_max_c IS NOT NULL AND c.temperature_c > g.temperature_max_c))"""),
    Flag("TR-5", "humidity_pct", "humidity", lambda d: f"""{ENVIRONMENT}
        AND g.humidity_max_pct IS NOT NULL AND c.humidity_pct > g.humidity_max_pct"""),
    Flag("TR-6", "valid_until", "interval", _interval),
    Flag("TR-7", "record_no", "no_record", lambda d: f"{d.trimmed('c.record_no')} = ''"),
    # auth: the pieces of the institution's authorisation of the item that some authorisation covers
    Flag("TR-8", "mv_item", "out_of_scope", lambda d: "c.mv_item_id IS NOT NULL AND auth.item_id IS NULL"),
    # Indicator C4.1's data elements (no rule of their own: no message): record, environment, standard.
    Flag(ELEMENTS, "", "", lambda d: f"""{d.trimmed("c.record_no")} = ''
        OR c.temperature_c IS NULL OR c.humidity_pct IS NULL OR {d.no_standard()}"""),
)  # fmt: skip
ROW_RULES = ("TR-4", "TR-5", "TR-6", "TR-7", "TR-8", ELEMENTS)
#: Columns of a row-rules statement before its flags: the keys, the cited edition, the current edition
#: (TR-4's message; only looked up for a certificate citing one not in force) and the interval (TR-6's).
ROW_HEAD = 6


def _row_rules(rules: Sequence[str]) -> Callable[[_Dialect, str], str]:
    """The statement of the row rules in ``rules``: one scan of the certificates joined to their
    regulation, a 0/1 column per :class:`Flag` of those rules, only rows with a flag set."""
    flags = [f for f in FLAGS if f.rule in rules]

    def sql(d: _Dialect, where: str) -> str:
        columns = ", ".join(f"CASE WHEN {f.sql(d)} THEN 1 ELSE 0 END AS f{k}" for k, f in enumerate(flags))
        current = "NULL"
        if "TR-4" in rules:
            current = f"""CASE WHEN t.f0 = 1 THEN (SELECT g2.code FROM {REG} g2
                WHERE g2.kind = t.kind AND g2.number = t.number AND {IN_FORCE.format(g="g2")}
                ORDER BY g2.year DESC LIMIT 1) END"""
            current = current.replace("c.verified_on", "t.verified_on")
        names = [f"t.f{k}" for k in range(len(flags))]
        joined = f"{CERT} c JOIN {REG} g ON g.id = c.regulation_id"
        if ELEMENTS in rules and d.postgres:  # the certificates of the scope citing a standard (_Dialect)
            joined += f""" LEFT JOIN (SELECT DISTINCT c.id FROM {CERT} c
                JOIN {LINK} m ON m.verificationcertificate_id = c.id WHERE {where}) cited
                ON cited.id = c.id"""
        if "TR-8" in rules:
            joined += f""" LEFT JOIN ({_authorised(d)}) auth ON auth.institution_id = c.institution_id
                AND auth.item_id = c.mv_item_id AND {_in_piece("auth", "c.verified_on")}"""
        return f"""
            SELECT t.id, t.cert_no, t.institution_id, t.code, {current}, t.max_interval_months,
                {", ".join(names)}
            FROM (SELECT {KEYS}, c.verified_on, g.kind, g.number, g.code, g.max_interval_months, {columns}
                  FROM {joined} WHERE {where} {d.fence()}) t
            WHERE {" + ".join(names)} > 0"""

    return sql


QUERIES: dict[str, Callable[[_Dialect, str], str]] = {
    "TR-1": _tr1, "TR-2": _tr2, "TR-3": _tr3, **{rule: _row_rules((rule,)) for rule in ROW_RULES},
}  # fmt: skip


def rule_sql(rule: str, scope: Scope, using: str = "default") -> tuple[str, list[Any]]:
    """The statement of ``rule`` over ``scope`` and its parameters (a handful, never one per certificate)."""
    where, params = _where(scope)
    sql = QUERIES[rule](_Dialect(connections[using].vendor), where)
    return sql, _layout(sql, where, params)


def _layout(sql: str, where: str, params: list[Any]) -> list[Any]:
    """Parameters in the order their ``%s`` appear: the scope's at each ``where``, WHITESPACE elsewhere
    (the only other parameter, one per :meth:`_Dialect.trimmed`)."""
    out: list[Any] = []
    rest = sql
    while (at_param := rest.find("%s")) != -1:
        at_where = rest.find(where)
        if at_where != -1 and at_where <= at_param:
            out += params
            rest = rest[at_where + len(where) :]
        else:
            out.append(WHITESPACE)
            rest = rest[at_param + 2 :]
    return out


# --- failing rows → issues ---------------------------------------------------------------------------------
#: One failure as plain values: (certificate id, number, institution id, rule, field, message).
Row = tuple[int, str, int, str, str, str]
SIGNATORIES = (
    ("verifier", "unregistered"), ("verifier", "not_registered_item"), ("checker", "same_person"),
    ("approver", "not_signatory"),
)  # fmt: skip


class _Messages:
    """traceability.MESSAGES in the active language, each distinct (key, parameters) translated once: a
    year's hundreds of thousands of failures repeat a few dozen messages."""

    def __init__(self) -> None:
        self.done: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    def __call__(self, key: str, **params: Any) -> str:
        k = (key, tuple(sorted(params.items())))
        text = self.done.get(k)
        if text is None:
            text = self.done[k] = str(MESSAGES[key] % params) if params else str(MESSAGES[key])
        return text


def _issues(group: tuple[str, ...], row: Sequence[Any], say: _Messages) -> Iterator[tuple[str, str, str]]:
    """(rule, field, message) of each issue one result row of ``group``'s statement stands for, in the
    order traceability.py lists them."""
    rule, extra = group[0], row[3:]
    if rule == "TR-1":
        name = extra[0]
        yield rule, "standards", say("no_standards") if name is None else say("standard_invalid", name=name)
    elif rule == "TR-2":
        yield rule, "standards", say("instrument_invalid", name=extra[0])
    elif rule == "TR-3":
        yield from (
            (rule, field, say(key)) for (field, key), on in zip(SIGNATORIES, extra, strict=True) if on
        )
    else:
        cited, current, months = row[3:ROW_HEAD]
        for f, on in zip([f for f in FLAGS if f.rule in group], row[ROW_HEAD:], strict=True):
            if not on or f.rule == ELEMENTS:
                continue
            if f.key == "superseded":
                yield f.rule, f.field, say(f.key, cited=cited, current=current or "—")
            else:
                yield f.rule, f.field, say(f.key, months=months) if f.key == "interval" else say(f.key)


def _groups(rules: Sequence[str]) -> list[tuple[str, ...]]:
    """One statement per rule that joins its own tables (TR-1, TR-2, TR-3), one for all the row rules."""
    groups: list[tuple[str, ...]] = [(r,) for r in rules if r not in ROW_RULES]
    rows = tuple(r for r in rules if r in ROW_RULES)
    return [*groups, rows] if rows else groups


def _statement(group: tuple[str, ...], scope: Scope, using: str) -> tuple[str, list[Any]]:
    where, params = _where(scope)
    build = QUERIES[group[0]] if len(group) == 1 else _row_rules(group)
    sql = build(_Dialect(connections[using].vendor), where)
    return sql, _layout(sql, where, params)


def side_by_side(scope: Scope, groups: Sequence[tuple[str, ...]], using: str) -> bool:
    """Whether the statements run at once, each on a connection of its own: on PostgreSQL, for a scope of
    every institution (a year of a province: the statements take seconds each, and on two cores running
    them together with the reading of their rows took a third off the audit), and only outside a
    transaction — other connections would not see what the caller's transaction wrote."""
    connection = connections[using]
    return (
        len(groups) > 1
        and scope.institution_id is None
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def _results(
    scope: Scope, groups: Sequence[tuple[str, ...]], using: str
) -> Iterator[tuple[tuple[str, ...], Iterator[Sequence[Any]]]]:
    """Each group with the rows of its statement by certificate id, in the order of ``groups``; each
    group's rows must be read before the next group is asked for."""
    statements = []
    for group in groups:
        sql, params = _statement(group, scope, using)
        statements.append((f"SELECT * FROM ({sql}) q ORDER BY 1", params))
    if side_by_side(scope, groups, using):
        with running.at_once(statements, using) as pumps:
            yield from zip(groups, (pump.rows() for pump in pumps), strict=True)
        return
    for group, (sql, params) in zip(groups, statements, strict=True):
        with running.cursor(using) as cursor:
            cursor.execute(sql, params)
            yield group, running.stream(cursor)


def failure_rows(scope: Scope, rules: Sequence[str] = RULES, using: str = "default") -> Iterator[Row]:
    """Every failure of ``rules`` over ``scope`` as plain rows, streamed: TR-1, TR-2, TR-3 one statement
    each, then TR-4…TR-8 in one pass over the certificates; each statement by certificate id (run at once
    when :func:`side_by_side`). No object per row and each message translated once, so a year's audit
    costs what the database costs."""
    say = _Messages()
    for group, rows in _results(scope, _groups(rules), using):
        for row in rows:
            for rule, field_name, message in _issues(group, row, say):
                yield row[0], row[1], row[2], rule, field_name, message


def rule_failures(rule: str, scope: Scope, using: str = "default") -> Iterator[Failure]:
    """The failures of one TR rule over ``scope``, streamed, ordered by certificate id."""
    for cert_id, cert_no, inst_id, rule_, field_name, message in failure_rows(scope, (rule,), using):
        yield Failure(cert_id, cert_no, inst_id, Issue(rule_, field_name, message))


def failures(scope: Scope, using: str = "default") -> Iterator[Failure]:
    """Every failure of every rule over ``scope`` (:func:`failure_rows` as :class:`Failure` objects)."""
    for cert_id, cert_no, inst_id, rule, field_name, message in failure_rows(scope, RULES, using):
        yield Failure(cert_id, cert_no, inst_id, Issue(rule, field_name, message))


def failing_certificates(
    scope: Scope, rules: Sequence[str] = (*RULES, ELEMENTS), using: str = "default"
) -> Iterator[tuple[int, str, int, frozenset[str]]]:
    """``(certificate id, number, institution id, rules it breaks)`` of each certificate failing any of
    ``rules`` (ELEMENTS included): the rules' own statements (the row rules' single pass with a bit per
    rule) joined with ``UNION ALL`` and grouped by certificate, so only failing certificates come back;
    when :func:`side_by_side`, each statement on its own connection and their rows merged by id."""
    bits = {rule: 1 << k for k, rule in enumerate(rules)}
    groups = _groups(rules)
    parts = []
    for n, group in enumerate(groups):
        sql, params = _statement(group, scope, using)
        if len(group) == 1 and group[0] not in ROW_RULES:
            bit = str(bits[group[0]])
        else:
            flags = [f for f in FLAGS if f.rule in group]
            bit = " + ".join(
                f"CASE WHEN {' + '.join(f'q{n}.f{k}' for k, f in enumerate(flags) if f.rule == rule)} > 0 "
                f"THEN {bits[rule]} ELSE 0 END"
                for rule in group
            )
        parts.append((f"SELECT id, cert_no, institution_id, {bit} AS bit FROM ({sql}) q{n}", params))
    for cert_id, cert_no, inst_id, mask in _masks(parts, side_by_side(scope, groups, using), using):
        yield cert_id, cert_no, inst_id, frozenset(r for r, bit in bits.items() if mask & bit)


def _masks(
    parts: list[tuple[str, list[Any]]], at_once: bool, using: str
) -> Iterator[tuple[int, str, int, int]]:
    """``(id, number, institution, the bits of every part's rows of that certificate or-ed)`` by id:
    one statement that groups the parts' ``UNION ALL``, or (``at_once``) each part on its own connection
    by id, merged here."""
    if not at_once:
        union = " UNION ALL ".join(sql for sql, _params in parts)
        grouped = f"""SELECT id, cert_no, institution_id, SUM(DISTINCT bit) FROM ({union}) u
            GROUP BY id, cert_no, institution_id ORDER BY id"""
        with running.cursor(using) as cursor:
            cursor.execute(grouped, [p for _sql, params in parts for p in params])
            for cert_id, cert_no, inst_id, mask in running.stream(cursor):
                yield cert_id, cert_no, inst_id, int(mask)
        return
    statements = [(f"SELECT * FROM ({sql}) p ORDER BY 1", params) for sql, params in parts]
    with running.at_once(statements, using) as pumps:
        merged = heapq.merge(*(pump.rows() for pump in pumps), key=lambda row: row[0])
        for cert_id, rows in itertools.groupby(merged, key=lambda row: row[0]):
            group = list(rows)  # one certificate's rows: a few
            mask = functools.reduce(operator.or_, (int(row[3]) for row in group))
            yield cert_id, group[0][1], group[0][2], mask


def drawn_certificates(scope: Scope, using: str = "default") -> Iterator[tuple[int, str]]:
    """``(institution id, certificate number)`` of every certificate in ``scope`` (the drawn sample when
    ``scope.sample_size`` > 0), by institution and number: what a sampled run stores in its snapshot."""
    where, params = _where(scope)
    sql = f"SELECT c.institution_id, c.cert_no FROM {CERT} c WHERE {where} ORDER BY 1, 2"
    with running.cursor(using) as cursor:
        cursor.execute(sql, params)
        yield from ((int(inst_id), str(cert_no)) for inst_id, cert_no in running.stream(cursor))


def certificates_checked(scope: Scope, using: str = "default") -> dict[int, int]:
    """Number of certificates in ``scope`` per institution id (the audit's denominator)."""
    where, params = _where(scope)
    sql = f"SELECT c.institution_id, COUNT(*) FROM {CERT} c WHERE {where} GROUP BY c.institution_id"
    with running.cursor(using) as cursor:
        cursor.execute(sql, params)
        return {inst: int(n) for inst, n in cursor.fetchall()}


def institution_codes() -> dict[int, str]:
    return dict(Institution.objects.values_list("pk", "code"))
