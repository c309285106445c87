"""Set-based import of one sheet: the same rules and messages as the row-by-row import, at database speed.

The row-by-row import (:class:`qiangji.web.excel.importer.SheetImport`) ran about 27 statements per row:
lookups, ``full_clean``'s existence and constraint queries, a savepoint, the insert, the many-to-many links
and the audit signal. Here a sheet is imported in passes:

1. every plain column is parsed once per *distinct* value (:func:`~qiangji.web.excel.rows.read_cell`, the
   function the row reader uses), and every lookup once per distinct combination of its cells, answered from
   tables loaded once into memory (:class:`~qiangji.web.excel.lookups.Index`);
2. the stored rows of the sheet's natural keys are fetched in one query (and their many-to-many links in a
   few); each row is then validated as ``full_clean`` would: field rules once per distinct value, the
   model's ``clean()``, check constraints evaluated in Python, uniqueness against the file and the store;
3. if the sheet is clean, new rows are written with ``bulk_create``, changed rows with ``bulk_update``, the
   links with one ``bulk_create`` of the through table, in batches.

Unchanged rows are not written at all (importing the same file twice changes nothing). Changed rows get one
audit event each with the values before and after (written in bulk); new rows are recorded by the import's
own record (the kept file and its SHA-256, :class:`~qiangji.web.excel.models.ImportBatch`), not one event
per row. If the database still refuses a batch (a rule only it knows), the caller re-runs the sheet row by
row, whose messages name the row.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models
from django.db.models import CheckConstraint, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _

from qiangji.web.accounts import audit
from qiangji.web.accounts.context import current
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.excel import cells as c
from qiangji.web.excel import copytext
from qiangji.web.excel.lookups import Index, Unsupported, condition_holds, referenced
from qiangji.web.excel.reader import Header
from qiangji.web.excel.rows import RowReader, read_cell
from qiangji.web.excel.spec import Column, Kind, TableSpec

BATCH = 2000
Progress = Callable[[float], None]


def supports(spec: TableSpec) -> bool:
    """Tables whose rows refer to rows of the same sheet (a regulation superseded by a later edition) keep
    the row-by-row import: such a lookup must see the rows saved before it."""
    return not any(f.is_relation and f.related_model is spec.model for f in spec.model._meta.get_fields())


def _tag(raw: Any) -> tuple[Any, ...]:
    """A dictionary key for a cell that keeps apart what ``==`` does not (``Unreadable("#N/A")`` vs text,
    ``1`` vs ``True`` vs ``1.0``)."""
    return (type(raw), raw) if raw == raw else (type(raw), "nan")


class Rows:
    """The sheet's non-empty data rows as columns of raw cells."""

    def __init__(self, frame: Any, header: Header) -> None:
        self.columns = list(header.columns)
        block = frame.iloc[header.data_start :, [header.columns[col] for col in self.columns]]
        raw = [block.iloc[:, i].tolist() for i in range(len(self.columns))]
        blank = [_blank_mask(values) for values in raw]
        keep = [i for i in range(len(block)) if not all(b[i] for b in blank)] if blank else []
        self.excel_rows = [header.data_start + i + 1 for i in keep]
        self.cells = {col: [values[i] for i in keep] for col, values in zip(self.columns, raw, strict=True)}

    def __len__(self) -> int:
        return len(self.excel_rows)


def _blank_mask(values: list[Any]) -> list[bool]:
    memo: dict[tuple[Any, ...], bool] = {}
    out = []
    for v in values:
        key = _tag(v)
        if key not in memo:
            memo[key] = c.is_blank(v)
        out.append(memo[key])
    return out


class BulkSheet:
    """One sheet, set-based; fills ``problems`` (row problems in row order) and ``counts``."""

    def __init__(
        self, spec: TableSpec, header: Header, frame: Any, progress: Progress, rows: Rows | None = None
    ) -> None:
        self.spec, self.header, self.model = spec, header, spec.model
        self.rows = rows if rows is not None else Rows(frame, header)
        self.progress = progress
        self.index = Index()
        self.problems: list[tuple[Any, ...]] = []
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.validator = Validator(spec)

    # --- reading ---------------------------------------------------------------------------------
    def readers(self) -> list[RowReader]:
        n, spec = len(self.rows), self.spec
        readers = [
            RowReader(spec, {}, self.header, r, self.index) for r in self.rows.excel_rows
        ]  # cells filled below
        for col in self.rows.columns:
            values = self.rows.cells[col]
            for reader, raw in zip(readers, values, strict=True):
                reader.cells[col] = raw
            if spec.kind_of(col) not in (Kind.REF, Kind.REFS):
                self.read_plain(col, values, readers)
        for target in dict.fromkeys(col.target for col in self.rows.columns if col.lookup):
            self.read_target(target, readers)
        self.progress(0.3 if n else 1.0)
        return readers

    def read_plain(self, column: Column, values: list[Any], readers: list[RowReader]) -> None:
        memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        target = column.target
        for reader, raw in zip(readers, values, strict=True):
            key = _tag(raw)
            outcome = memo.get(key)
            if outcome is None:
                outcome = memo[key] = read_cell(self.spec, column, raw)
            if outcome[0] == "set":
                reader.values[target] = outcome[1]
            elif outcome[0] == "error":
                reader.errors.append((column, outcome[1], outcome[2]))
                reader.failed.add(target)

    def read_target(self, target: str, readers: list[RowReader]) -> None:
        """A lookup, resolved once per distinct combination of the cells it reads."""
        columns = [
            col
            for col in self.rows.columns
            if col.target == target or any(p.startswith(f"{target}.") for p in col.also)
        ]
        many = self.spec.model_field(target).many_to_many
        memo: dict[tuple[Any, ...], RowReader] = {}
        for reader in readers:
            cells = {col: reader.cells[col] for col in columns}
            key = tuple(_tag(v) for v in cells.values())
            done = memo.get(key)
            if done is None:
                done = memo[key] = RowReader(self.spec, cells, self.header, 0, self.index)
                if many:
                    done.read_list(target)
                else:
                    done.read_ref(target)
            reader.errors.extend(done.errors)
            if target in done.failed:
                reader.failed.add(target)
            if target in done.refs:
                reader.refs[target] = done.refs[target]
            if target in done.lists:
                reader.lists[target] = list(done.lists[target])

    # --- the import ------------------------------------------------------------------------------
    def run(self) -> None:
        readers = self.readers()
        stored = Stored(self.spec, readers)
        plan = Plan()
        seen: dict[tuple[Any, ...], int] = {}
        for i, reader in enumerate(readers):
            self.row(reader, seen, stored, plan)
            if i % 10000 == 9999:
                self.progress(0.3 + 0.4 * i / len(readers))
        self.validator.unique_sets(readers, plan)
        plan.diff_links(self.spec, stored)
        errors = False
        for reader in readers:
            errors = errors or bool(reader.errors)
            self.problems.extend(reader.problems())
        self.counts = plan.counts()
        if not errors:
            plan.write(self.spec, stored, self.progress)

    def row(self, reader: RowReader, seen: dict[tuple[Any, ...], int], stored: Stored, plan: Plan) -> None:
        key = reader.key()
        obj = None
        if key is not None:
            first = seen.setdefault(key, reader.excel_row)
            if first != reader.excel_row:
                reader.key_error(_("与第%(row)s行重复（同一文件内键值重复：%(key)s）") % {
                    "row": first, "key": reader.key_text()})  # fmt: skip
                earlier = plan.by_key.get(
                    key
                )  # as stored by the earlier row (the row-by-row import saved it)
                obj = copy.copy(earlier) if earlier is not None else None
                if obj is not None:
                    obj._state = copy.copy(earlier._state)  # type: ignore[union-attr]
            if obj is None:
                obj = stored.get(key)
        if obj is None:
            obj = self.model()
        for name, value in (reader.values | reader.refs).items():
            setattr(obj, name, value)
        self.validator.validate(reader, obj)
        if not reader.errors:
            plan.add(reader, obj, key, stored)


class Stored:
    """The stored rows of the sheet's natural keys (one query) and their many-to-many links."""

    def __init__(self, spec: TableSpec, readers: list[RowReader]) -> None:
        self.spec, self.model = spec, spec.model
        self.fields = [f for f in self.model._meta.concrete_fields]
        self.attnames = [f.attname for f in self.fields]
        self.key_attnames = [self.model._meta.get_field(n).attname for n in spec.key]
        keys = {k for r in readers if (k := r.key()) is not None}
        self.values: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.before: dict[Any, dict[str, Any]] = {}
        if keys:
            self.load(keys)

    def load(self, keys: set[tuple[Any, ...]]) -> None:
        wanted = {tuple(getattr(v, "pk", v) for v in key) for key in keys}
        first = {k[0] for k in wanted}
        rows = self.model._base_manager.order_by()
        if len(first) <= 500:  # e.g. the few institutions of a certificate file: no scan of the others
            rows = rows.filter(**{f"{self.key_attnames[0]}__in": first})
        positions = [self.attnames.index(a) for a in self.key_attnames]
        for values in rows.values_list(*self.attnames):
            key = tuple(values[p] for p in positions)
            if key in wanted:
                self.values[key] = values

    def assign_pks(self, objs: list[models.Model]) -> None:
        """The keys the database gave rows just inserted, found by their natural keys (one query)."""
        keys = {tuple(getattr(o, a) for a in self.key_attnames): o for o in objs}
        first = {k[0] for k in keys}
        rows = self.model._base_manager.order_by()
        if len(first) <= 500:
            rows = rows.filter(**{f"{self.key_attnames[0]}__in": first})
        for pk, *key in rows.values_list("pk", *self.key_attnames):
            obj = keys.get(tuple(key))
            if obj is not None and obj.pk is None:
                obj.pk = pk
                obj._state.adding = False

    def get(self, key: tuple[Any, ...]) -> models.Model | None:
        values = self.values.get(tuple(getattr(v, "pk", v) for v in key))
        if values is None:
            return None
        obj = self.model.from_db(None, self.attnames, values)
        self.before[obj.pk] = snapshot(obj)
        return obj

    def links(self, name: str, pks: list[Any]) -> dict[Any, set[Any]]:
        """pk → linked pks of the many-to-many ``name``, for stored rows ``pks`` (a few queries)."""
        f = self.model._meta.get_field(name)
        through = f.remote_field.through
        own, other = f.m2m_field_name(), f.m2m_reverse_field_name()
        found: dict[Any, set[Any]] = {pk: set() for pk in pks}
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            rows = through.objects.filter(**{f"{own}__in": chunk}).values_list(own, other)
            for pk, linked in rows:
                found[pk].add(linked)
        return found


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's stored content as the row-by-row import compares it (timestamps and pk left out)."""
    skip = {"created_at", "updated_at", obj._meta.pk.attname}
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


class Plan:
    """What the sheet will write: new rows, changed rows (with their changed fields) and link lists."""

    def __init__(self) -> None:
        self.created: list[models.Model] = []
        self.updated: list[models.Model] = []
        self.unchanged = 0
        self.changed_fields: set[str] = set()
        self.lists: dict[int, dict[str, list[Any]]] = {}  # id(obj) → lists given in the file
        self.by_key: dict[tuple[Any, ...], models.Model] = {}
        self.existing: list[tuple[models.Model, dict[str, list[Any]]]] = []
        self.link_changes: dict[str, tuple[list[Any], list[tuple[Any, Any]]]] = {}
        self.link_events: list[AuditEvent] = []

    def add(self, reader: RowReader, obj: models.Model, key: Any, stored: Stored) -> None:
        if key is not None:
            self.by_key[key] = obj
        if reader.lists:
            self.lists[id(obj)] = reader.lists
        if obj._state.adding:
            self.created.append(obj)
            return
        before = stored.before.get(obj.pk)
        after = snapshot(obj)
        changed = {k for k in after if before is None or after[k] != before.get(k)}
        if reader.lists:
            self.existing.append((obj, reader.lists))
        if changed:
            self.changed_fields |= changed
            self.updated.append(obj)
        else:
            self.unchanged += 1

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": self.unchanged}

    def write(self, spec: TableSpec, stored: Stored, progress: Progress) -> None:
        model = spec.model
        if self.created:
            insert_rows(model, self.created)
            stored.assign_pks(self.created)
        progress(0.85)
        if self.updated:
            self.write_updates(model, stored)
        self.link_created(spec)
        for name, (gone, new) in self.link_changes.items():
            _drop_links(model, name, gone)
            _add_links(model, name, new)
        AuditEvent.objects.bulk_create(self.link_events, batch_size=500)
        progress(1.0)

    def write_updates(self, model: Any, stored: Stored) -> None:
        names = {model._meta.get_field(a).name for a in self.changed_fields}
        if _has(model, "updated_at"):  # bulk_update skips auto_now: the row-by-row save set it
            now = timezone.now()
            for obj in self.updated:
                obj.updated_at = now  # type: ignore[attr-defined]
            names.add("updated_at")
        if names:
            model.objects.bulk_update(self.updated, sorted(names), batch_size=BATCH)
        audit.record_bulk(AuditEvent.Action.UPDATE, self.updated, before=self.audit_before(stored))

    def audit_before(self, stored: Stored) -> dict[Any, dict[str, Any]]:
        before = {}
        for obj in self.updated:
            values = stored.values.get(tuple(getattr(obj, a) for a in stored.key_attnames))
            if values is not None:
                before[obj.pk] = audit.snapshot(stored.model.from_db(None, stored.attnames, values))
        return before

    def link_created(self, spec: TableSpec) -> None:
        links: dict[str, list[tuple[Any, Any]]] = {}
        for obj in self.created:
            for name, objs in self.lists.get(id(obj), {}).items():
                links.setdefault(name, []).extend((obj.pk, o.pk) for o in objs)
        for name, pairs in links.items():
            _add_links(spec.model, name, pairs)

    def diff_links(self, spec: TableSpec, stored: Stored) -> None:
        """Links of stored rows whose lists differ: to replace, with one M2M audit event per row and field
        (linked pks before and after). Such a row counts as updated, as the row-by-row import saved it."""
        moved: dict[int, models.Model] = {}
        for name in sorted({n for _obj, lists in self.existing for n in lists}):
            rows = [(o, lists[name]) for o, lists in self.existing if name in lists]
            have = stored.links(name, [o.pk for o, _l in rows])
            gone: list[Any] = []
            new: list[tuple[Any, Any]] = []
            for obj, objs in rows:
                want = {o.pk for o in objs}
                if want == have[obj.pk]:
                    continue
                moved[id(obj)] = obj
                gone.append(obj.pk)
                new.extend((obj.pk, pk) for pk in sorted(want))
                self.link_events.append(_m2m_event(obj, name, sorted(have[obj.pk]), sorted(want)))
            self.link_changes[name] = (gone, new)
        listed = {id(o) for o in self.updated}
        for key, obj in moved.items():
            if key not in listed:
                self.updated.append(obj)
                self.unchanged -= 1


def _has(model: Any, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _add_links(model: Any, name: str, pairs: list[tuple[Any, Any]]) -> None:
    f = model._meta.get_field(name)
    through = f.remote_field.through
    columns = [through._meta.get_field(n).column for n in (f.m2m_field_name(), f.m2m_reverse_field_name())]
    _write(through._meta.db_table, columns, list(dict.fromkeys(pairs)))


def insert_rows(model: Any, objs: list[models.Model]) -> None:
    """INSERT ``objs`` as ``bulk_create`` would (timestamps set, values converted by each field) but with
    each field's conversion done once per distinct value, and COPY on PostgreSQL."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    columns = []
    for f in fields:
        memo: dict[tuple[Any, Any], Any] = {}
        prep = partial(f.get_db_prep_save, connection=connection)
        values = []
        for obj in objs:
            raw = getattr(obj, f.attname)
            try:
                key = (type(raw), raw)
                done = memo[key] if key in memo else memo.setdefault(key, prep(raw))
            except TypeError:  # unhashable (a JSON list): converted each time
                done = prep(raw)
            values.append(done)
        columns.append(values)
    _write(model._meta.db_table, [f.column for f in fields], list(zip(*columns, strict=True)))


def _write(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY runs on the driver's own cursor: its errors are made Django's (IntegrityError) as execute's
            # are, so that a refused row (a number taken meanwhile) lets the importer fall back to row by row.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy,
            ):
                copytext.write(copy, rows)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})"
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start : start + 50_000])


def _drop_links(model: Any, name: str, pks: list[Any]) -> None:
    f = model._meta.get_field(name)
    through = f.remote_field.through
    for start in range(0, len(pks), 500):
        through.objects.filter(**{f"{f.m2m_field_name()}__in": pks[start : start + 500]}).delete()


def _m2m_event(obj: models.Model, name: str, before: list[Any], after: list[Any]) -> AuditEvent:
    actor = current()
    return AuditEvent(
        action=AuditEvent.Action.M2M, app_label=obj._meta.app_label, model=obj._meta.model_name,
        object_id=str(obj.pk), object_repr=str(obj)[:200], actor_id=actor.user_id, actor=actor.username,
        source=actor.source, ip=actor.ip, request_id=actor.request_id,
        before={name: before}, after={name: after}, changed=[name],
    )  # fmt: skip


def _as_stored(f: Any, value: Any) -> Any:
    """A decimal as the database gives it back ("55" → 55.0 in a one-place column), so that the audit's
    before and after of an unchanged value compare equal."""
    if isinstance(f, models.DecimalField) and isinstance(value, Decimal) and value.is_finite():
        try:
            return value.quantize(Decimal(1).scaleb(-f.decimal_places))
        except InvalidOperation:
            return value
    return value


class Validator:
    """``full_clean`` as the row reader calls it, without a query per row (module docstring)."""

    def __init__(self, spec: TableSpec) -> None:
        self.spec, self.model = spec, spec.model
        meta = self.model._meta
        self.never = {f.name for f in meta.get_fields() if f.many_to_many or not getattr(f, "editable", True)}
        self.fields = [f for f in meta.concrete_fields if f.name not in self.never and not f.generated]
        self.memo: dict[tuple[Any, ...], tuple[bool, Any]] = {}
        key = {meta.get_field(n).name for n in spec.key}
        self.checks = [k for k in meta.constraints if isinstance(k, CheckConstraint)]
        self.uniques = [
            k for k in meta.constraints if isinstance(k, UniqueConstraint) and set(k.fields) - key
        ]
        self.overlapping = [  # unique sets that are the natural key: an upsert can never break them
            k for k in meta.constraints if isinstance(k, UniqueConstraint) and not set(k.fields) - key
        ]

    def validate(self, reader: RowReader, obj: models.Model) -> None:
        exclude = self.never | reader.failed
        errors: dict[str, Any] = {}
        self.clean_fields(obj, exclude, errors)
        if not reader.errors:
            try:
                obj.clean()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            exclude = exclude | {n for n in errors if n != NON_FIELD_ERRORS}
            self.constraints(obj, exclude, errors)
        if errors:
            reader.add_validation_error(ValidationError(errors))
        if reader.errors:
            return
        for check in self.spec.checks:
            for name, message in check(obj, reader.lists).items():
                reader.error(reader.column_of(name), reader.value_of(name), str(message))
        for warn in self.spec.warnings:
            for name, message in warn(obj):
                reader.warns.append((reader.column_of(name), reader.value_of(name), str(message)))
        reader.exclude = exclude  # type: ignore[attr-defined]

    def clean_fields(self, obj: models.Model, exclude: set[str], errors: dict[str, Any]) -> None:
        for f in self.fields:
            if f.name in exclude:
                continue
            raw = getattr(obj, f.attname)
            if f.blank and raw in f.empty_values:
                continue
            if f.is_relation and raw is not None:
                continue  # resolved from stored rows: the existence query of ForeignKey.validate holds
            try:
                key = (f.attname, type(raw), raw)
                hash(key)
            except TypeError:
                key = (f.attname, type(raw), repr(raw))
            done = self.memo.get(key)
            if done is None:
                try:
                    done = self.memo[key] = (True, _as_stored(f, f.clean(raw, obj)))
                except ValidationError as exc:
                    done = self.memo[key] = (False, exc.error_list)
            if done[0]:
                setattr(obj, f.attname, done[1])
            else:
                errors[f.name] = done[1]

    def constraints(self, obj: models.Model, exclude: set[str], errors: dict[str, Any]) -> None:
        for constraint in self.checks:
            if referenced(constraint.condition) & exclude:  # type: ignore[arg-type]
                continue
            try:
                holds = condition_holds(constraint.condition, obj)  # type: ignore[arg-type]
            except Unsupported:
                try:
                    constraint.validate(self.model, obj, exclude=exclude)
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
                continue
            if holds is False:
                message = ValidationError(
                    constraint.get_violation_error_message(), code=constraint.violation_error_code
                )
                errors.setdefault(NON_FIELD_ERRORS, []).extend(message.error_list)

    def unique_sets(self, readers: list[RowReader], plan: Plan) -> None:
        """Unique constraints other than the natural key, against the file and the stored rows, reported on
        the later row as the row-by-row import (which had saved the earlier one) did."""
        for constraint in self.uniques:
            self.unique(constraint, readers, plan)

    def unique(self, constraint: UniqueConstraint, readers: list[RowReader], plan: Plan) -> None:
        fields = [self.model._meta.get_field(n) for n in constraint.fields]
        attnames = [f.attname for f in fields]
        stored_rows = self.model._base_manager.order_by()
        if constraint.condition is not None:
            stored_rows = stored_rows.filter(constraint.condition)
        taken = {tuple(v[1:]): v[0] for v in stored_rows.values_list("pk", *attnames)}
        objs = {id(o): o for o in [*plan.created, *plan.updated]}
        for o, _lists in plan.existing:
            objs[id(o)] = o
        for reader in readers:
            obj = plan.by_key.get(reader.key() or ())
            if obj is None or getattr(reader, "exclude", None) is None or id(obj) not in objs:
                continue
            if {f.name for f in fields} & reader.exclude:  # type: ignore[attr-defined]
                continue
            if constraint.condition is not None and condition_holds(constraint.condition, obj) is not True:
                continue
            value = tuple(getattr(obj, a) for a in attnames)
            if any(v is None for v in value):
                continue
            owner = taken.setdefault(value, obj.pk if obj.pk is not None else id(obj))
            if owner != (obj.pk if obj.pk is not None else id(obj)):
                reader.add_validation_error(self.unique_error(constraint, obj))

    def unique_error(self, constraint: UniqueConstraint, obj: models.Model) -> ValidationError:
        if constraint.condition is None and constraint.violation_error_message == (
            constraint.default_violation_error_message
        ):
            message = obj.unique_error_message(self.model, constraint.fields)
            return ValidationError(message, code=message.code)
        return ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


__all__ = ["BulkSheet", "connection", "supports"]
