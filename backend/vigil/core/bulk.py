"""Set-based inserts of many rows at once, without building a model instance per row (an
import's chunk of thousands of records).

On PostgreSQL the rows go in one `INSERT … SELECT FROM unnest(…)`, a parameter per column
holding that column's values as an array; elsewhere (SQLite in development and tests) in
multi-row `INSERT … VALUES` statements. Either way, with `skip_conflicts_on` (the fields of
one unique constraint: the id, or a code digest) a row whose values are already stored there
is skipped (`ON CONFLICT (…) DO NOTHING`): a rerun writes nothing twice, and any other unique
constraint broken still raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.subqueries import InsertQuery
from django.utils import timezone

Row = Mapping[str, Any]


class AnyOf(In):  # type: ignore[type-arg]
    """`field__any_of=[…]`: `IN` for thousands of values (an import's chunk of ids or digests),
    sent on PostgreSQL as one array parameter (`= ANY(%s)`) rather than one placeholder per
    value, which Django and psycopg each take milliseconds to expand. Elsewhere, `IN`."""

    lookup_name = "any_of"

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in self.rhs]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)  # a relation's lookups are its own


def insert_rows(
    model: type[models.Model], rows: Sequence[Row], *, skip_conflicts_on: Sequence[str] = ()
) -> int:
    """Insert `rows` (each a mapping of field attname → Python value; fields left out take
    their default, `auto_now(_add)` fields the current time) into `model`'s table, in the
    current transaction. Returns how many rows were inserted."""
    if not rows:
        return 0
    meta = model._meta
    fields = [
        f
        for f in meta.concrete_fields
        if not (isinstance(f, models.AutoField | models.BigAutoField) and f.attname not in rows[0])
    ]
    now = timezone.now()
    constant: dict[str, Any] = {}
    per_row: dict[str, models.Field[Any, Any]] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constant[f.attname] = now
        elif f.has_default() and callable(f.default):
            per_row[f.attname] = f
        else:
            constant[f.attname] = f.get_default()  # "" for a text field without one
    names = [f.attname for f in fields]

    def values(row: Row) -> list[Any]:
        return [
            row[n] if n in row else per_row[n].get_default() if n in per_row else constant[n]
            for n in names
        ]

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    conflict = ""
    if skip_conflicts_on:
        by_name = {f.name: f for f in meta.concrete_fields}
        unique = ", ".join(quote(by_name[n].column) for n in skip_conflicts_on)
        conflict = f" ON CONFLICT ({unique}) DO NOTHING"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _unnest_insert(fields, [values(r) for r in rows], table, columns, conflict)
        return _values_insert(fields, [values(r) for r in rows], table, columns, conflict)


def _unnest_insert(
    fields: list[models.Field[Any, Any]],
    rows: list[list[Any]],
    table: str,
    columns: str,
    conflict: str,
) -> int:
    """One statement whatever the number of rows: a parameter per column, each an array of
    that column's values. No temporary table (the application's role may not create one)."""
    arrays: list[list[Any]] = [list(column) for column in zip(*rows, strict=True)]
    for i, f in enumerate(fields):
        if isinstance(f, models.JSONField):
            arrays[i] = [json.dumps(v, cls=f.encoder) for v in arrays[i]]
    casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    # Names from the model's meta, quoted; the values go as parameters.
    insert = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({casts}){conflict}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, arrays)
        inserted: int = cursor.rowcount
    return inserted


def _values_insert(
    fields: list[models.Field[Any, Any]],
    rows: list[list[Any]],
    table: str,
    columns: str,
    conflict: str,
) -> int:
    per_statement = max(1, (connection.features.max_query_params or 999) // len(fields))
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [
                f.get_db_prep_save(value, connection)
                for row in chunk
                for f, value in zip(fields, row, strict=True)
            ]
            marks = ", ".join([row_marks] * len(chunk))
            insert = f"INSERT INTO {table} ({columns}) VALUES {marks}{conflict}"  # noqa: S608
            cursor.execute(insert, params)
            inserted += cursor.rowcount
    return inserted


def insert_together(*groups: Sequence[models.Model]) -> None:
    """Insert the new rows of one write, of several tables (each group the rows of one model),
    in one round trip where the database allows it.

    On PostgreSQL it is one statement: every group but the last an `INSERT` inside `WITH`
    (a data-modifying CTE, run once whether read or not), the last the statement itself. The
    rows must not need an id back from the database (their primary key is set, or nothing
    reads it: on PostgreSQL an auto-increment id stays None). Call it inside the write's
    transaction. Foreign keys between the groups are checked at commit (Django's constraints are
    deferred), so a record and its child rows go together. Elsewhere one `bulk_create` a group.
    Either way the instances end as a save leaves them (`_state.adding` False).
    """
    present = [group for group in map(list, groups) if group]
    for group in present:
        if len({row.pk is None for row in group}) > 1:
            raise ValueError("insert_together: a group's rows all have an id, or none does")
    if connection.vendor != "postgresql" or len(present) < 2:
        for group in present:
            type(group[0])._default_manager.bulk_create(group)
        return
    statements: list[str] = []
    params: list[Any] = []
    for group in present:
        model = type(group[0])
        query = InsertQuery(model)
        query.insert_values(
            [
                f
                for f in model._meta.concrete_fields
                if not f.generated and not (f.primary_key and group[0].pk is None)
            ],
            group,
        )
        ((sql, values),) = query.get_compiler(connection=connection).as_sql()
        statements.append(sql)
        params.extend(values)
    *first, last = statements
    ctes = ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(first))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} {last}", params)
    for group in present:
        for row in group:
            row._state.adding = False
            row._state.db = connection.alias
