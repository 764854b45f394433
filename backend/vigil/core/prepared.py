"""Statements kept compiled: a queryset built and compiled to SQL once per connection, its
values bound at each run.

Building a queryset (filters, joins, subqueries) and compiling it costs more CPU than the
database spends answering a read of one row by its key. A read the API makes on every write
(a record with its site and the user's role there) is the same statement every time but for
a few values: `Prepared` keeps that statement, and each call only binds the values and turns
the rows into model instances, as the ORM would.

    RECORD = Prepared(lambda: Visit.objects.select_related("site").filter(pk=Param("pk", UUIDField())))
    visits = RECORD.records(pk=visit_id)

Each `Param(name, field)` is a value bound when the statement runs, prepared for the database
by `field` (so a malformed id raises ValidationError, as a filter would). The queryset's
`prefetch_related` lookups are followed after the read. The compiled statement is kept per
thread, for the connection it was compiled on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model, QuerySet, prefetch_related_objects
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)


class Param(Expression):
    """A named value of a prepared statement, bound at each run (see the module)."""

    def __init__(self, name: str, field: Field[Any, Any]) -> None:
        super().__init__(output_field=field)
        self.name = name

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        # One placeholder, whose parameter is the Param itself until `bind` gives its value.
        return "%s", [self]


def bind(
    params: Sequence[Any], values: Mapping[str, Any], connection: BaseDatabaseWrapper
) -> list[Any]:
    """A compiled statement's parameters with each Param's value from `values`, as its field
    stores it (a UUID as hex text and a datetime as UTC text on SQLite)."""
    return [
        p.output_field.get_db_prep_value(values[p.name], connection, prepared=False)
        if isinstance(p, Param)
        else p
        for p in params
    ]


class _Compiled:
    """One queryset compiled for one connection: its SQL, parameters and row layout."""

    def __init__(self, queryset: QuerySet[Any], connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = self.compiler.as_sql()
        self.params: tuple[Any, ...] = tuple(params)
        self.names = {p.name for p in self.params if isinstance(p, Param)}
        self.prefetch = tuple(queryset._prefetch_related_lookups)  # type: ignore[attr-defined]
        self.models = queryset._iterable_class is ModelIterable
        if self.models:
            select, info = self.compiler.select, self.compiler.klass_info
            assert info is not None
            fields = info["select_fields"]
            self.model: type[Model] = info["model"]
            self.span = slice(fields[0], fields[-1] + 1)
            self.init_list = [column[0].target.attname for column in select[self.span]]
            self.populators = get_related_populators(info, select, queryset.db)
            self.annotations = dict(self.compiler.annotation_col_map or {})

    def bind(self, values: Mapping[str, Any]) -> list[Any]:
        if set(values) != self.names:
            raise TypeError(f"the statement takes {sorted(self.names)}, not {sorted(values)}")
        return bind(self.params, values, self.connection)

    def rows(self, values: Mapping[str, Any]) -> list[Sequence[Any]]:
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, self.bind(values))
            fetched = cursor.fetchall()
        return list(self.compiler.results_iter(results=[fetched]))

    def instances(self, rows: list[Sequence[Any]]) -> list[Any]:
        """Model instances from rows, as the ORM's ModelIterable makes them."""
        alias = self.connection.alias
        records = []
        for row in rows:
            record = self.model.from_db(alias, self.init_list, row[self.span])
            for populator in self.populators:
                populator.populate(row, record)
            for name, position in self.annotations.items():
                setattr(record, name, row[position])
            records.append(record)
        if self.prefetch and records:
            prefetch_related_objects(records, *self.prefetch)
        return records


class Prepared(Generic[M]):
    """A read whose queryset `build` makes is compiled once per thread and connection."""

    def __init__(self, build: Callable[[], QuerySet[M, Any]], *, using: str = "default") -> None:
        self._build = build
        self._using = using
        self._kept = threading.local()

    def _compiled(self) -> _Compiled:
        connection = connections[self._using]
        compiled: _Compiled | None = getattr(self._kept, "compiled", None)
        if compiled is None or compiled.connection is not connection:
            compiled = self._kept.compiled = _Compiled(self._build(), connection)
        return compiled

    def records(self, **values: Any) -> list[M]:
        """The model instances the statement reads with `values` bound."""
        compiled = self._compiled()
        if not compiled.models:
            raise TypeError("records() reads a queryset of model instances; use rows()")
        return compiled.instances(compiled.rows(values))

    def rows(self, **values: Any) -> list[Sequence[Any]]:
        """The rows (of a `values_list` queryset) the statement reads with `values` bound."""
        return self._compiled().rows(values)
