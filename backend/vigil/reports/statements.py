"""Statements compiled once, their values bound at each execution.

Building a queryset and compiling it (resolving every expression, Q object, Case and
subquery) costs more Python than running it does for a site-day's few hundred rows. A report's
statements are the same for every site-day but for a handful of values (the site, the span's
bounds, the year...): each is built from the ORM once per process and database, with those
values as `Param`s (core/prepared.py), then executed with the values of the scope at hand. What is
cached is the SQL text, never a result.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from vigil.core.prepared import bind

Values = Mapping[str, Any]


@dataclass(frozen=True)
class Statement:
    """SQL with its parameters, some of them `Param`s; `columns` names the columns of its rows,
    and `converters` turns a column's raw value into Python (the ORM's own converters, such as
    SQLite's text datetimes)."""

    sql: str
    params: tuple[Any, ...]
    columns: tuple[str, ...] = ()
    converters: tuple[tuple[int, list[Any], Any], ...] = ()

    @classmethod
    def of(cls, queryset: QuerySet[Any, Any]) -> Statement:
        """A `values()` queryset (or a union of them) compiled, its rows named by its values."""
        query = queryset.query
        compiler = query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        selected = compiler.get_converters([expression for expression, _, _ in compiler.select])
        return cls(
            sql=sql,
            params=tuple(params),
            columns=(*query.extra_select, *query.values_select, *query.annotation_select),
            converters=tuple((at, convs, expr) for at, (convs, expr) in selected.items()),
        )

    def within(self, template: str) -> Statement:
        """This statement as `{inner}` of a hand-written one (its rows read by position)."""
        return Statement(sql=template.format(inner=self.sql), params=self.params)

    def execute(self, values: Values) -> list[tuple[Any, ...]]:
        params = bind(self.params, values, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for raw in rows:
            row = list(raw)
            for at, convs, expression in self.converters:
                for convert in convs:
                    row[at] = convert(row[at], expression, connection)
            converted.append(tuple(row))
        return converted

    def rows(self, values: Values) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.execute(values)]


def prepared(build: Callable[..., Statement]) -> Callable[..., Statement]:
    """`build` called once per database vendor and arguments (the shape of a scope: never its
    values), its statement kept for the process."""
    cached = lru_cache(maxsize=32)(lambda vendor, *args: build(*args))

    def statement(*args: Hashable) -> Statement:
        return cached(connection.vendor, *args)

    statement.__doc__ = build.__doc__
    return statement
