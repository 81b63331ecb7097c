"""A list of proposal lines read straight into the API's JSON values (issue 17: 10.000 lines
within 3× of a raw select of the same rows).

``shown_rows`` makes a ``.values(*PROPOSAL_LINE_VALUES)`` query yield each row as
``ProposalLineOutput`` shows it, from the values the database driver gives: each column's
converters of the database (``compiler.get_converters``) and then the field's own
``to_representation`` (``plans._converter``), composed once per query instead of Django's
converting of every row and then ``proposal_lines_shown``. On SQLite, where the driver gives
floats for decimals and naive moments in UTC (or texts), three column kinds take a shorter way
that gives the same value: a decimal quantized once (the column's and the field's places and
digits are the same, so the second quantize of the old way changed nothing), a moment made
aware in UTC and shown in the current time zone, a date shown as it is (a text read by
``fromisoformat``, as Django's own parsers first do). A text or a number that a field gives
back as it is (``str``, ``int``) is taken as the driver gives it. Anything else (an unusual
value, another database) goes the whole way. The same JSON, field by field
(api/tests/test_line_list_rows.py compares them)."""

from __future__ import annotations

import datetime
import decimal
import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.db.models import QuerySet
from django.db.models.query import BaseIterable
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from kehoach.core.backends.sqlite3.operations import _FIFTEEN

from .plans import PROPOSAL_LINE_VALUES, _columns, _converter

Convert = Callable[[Any], Any]


def _whole_way(db_converters: list[Any], expression: Any, connection: Any, api: Convert) -> Convert:
    """The old way: the database's converters in turn, then the field's."""

    def convert(value: Any) -> Any:
        for db_convert in db_converters:
            value = db_convert(value, expression, connection)
        return None if value is None else api(value)

    return convert


def _sqlite_decimal(column: Any, field: Any, whole: Convert) -> Convert:
    if (
        type(field) is not serializers.DecimalField
        or field.decimal_places != column.decimal_places
        or field.max_digits != column.max_digits
        or field.rounding is not None
        or not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        or field.localize
        or field.normalize_output
        or decimal.getcontext().rounding != decimal.ROUND_HALF_EVEN  # the column's rounding
        or not 0 <= column.decimal_places <= 6  # where ``str`` writes no exponent
    ):
        return whole
    quantum = decimal.Decimal(1).scaleb(-column.decimal_places)
    context = decimal.Context(prec=column.max_digits)
    create = _FIFTEEN.create_decimal_from_float

    def convert(value: Any) -> Any:
        kind = type(value)
        if kind is float or kind is int:
            number = create(value)
            if number.is_finite():
                try:  # places ≤ 6: ``str`` writes the quantized number as ``:f`` does
                    return str(number.quantize(quantum, context=context))
                except decimal.DecimalException:
                    pass
        return whole(value)

    return convert


def _sqlite_moment(field: Any, connection: Any, whole: Convert) -> Convert:
    if (
        type(field) is not serializers.DateTimeField
        or str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() != ISO_8601
        or getattr(field, "timezone", None) is not None
        or connection.timezone is not datetime.UTC
    ):
        return whole
    zone = timezone.get_current_timezone()
    utc = datetime.UTC
    parse = datetime.datetime.fromisoformat

    def convert(value: Any) -> Any:
        if type(value) is datetime.datetime:  # the driver's converter of declared types
            moment = value
        elif type(value) is str:
            try:
                moment = parse(value)
            except ValueError:
                return whole(value)
        else:
            return whole(value)
        if moment.tzinfo is not None:
            return whole(value)
        text = moment.replace(tzinfo=utc).astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _sqlite_date(field: Any, whole: Convert) -> Convert:
    if (
        type(field) is not serializers.DateField
        or str(getattr(field, "format", api_settings.DATE_FORMAT)).lower() != ISO_8601
    ):
        return whole
    parse = datetime.date.fromisoformat

    def convert(value: Any) -> Any:
        if type(value) is datetime.date:  # the driver's converter of declared types
            return value.isoformat()
        if type(value) is not str:
            return whole(value)
        try:
            return parse(value).isoformat()
        except ValueError:
            return whole(value)

    return convert


_COLUMNS = functools.cache(_columns)
"""The fields of ``ProposalLineOutput`` (made from the model, the same in every request)."""


def _column_converters(compiler: Any, connection: Any) -> list[Convert | None]:
    """Each column's way from the driver's value to the API's; ``None`` where the driver's
    value is already the API's (a text or a number the field gives back as it is)."""
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    db_converters = compiler.get_converters(fields)
    found: list[Convert | None] = []
    for index, (expression, column) in enumerate(zip(fields, _COLUMNS(), strict=True)):
        field = column.field
        api = _converter(field)
        chain, target = db_converters.get(index, ([], expression))
        model_field = getattr(expression, "output_field", None)
        if not chain and (
            (api is str and isinstance(model_field, models.CharField | models.TextField))
            or (api is int and isinstance(model_field, models.IntegerField))
        ):
            found.append(None)  # the driver's text or number, as the field gives it back
            continue
        whole = _whole_way(chain, target, connection, api) if chain else api
        if connection.vendor == "sqlite" and settings.USE_TZ:
            if isinstance(model_field, models.DecimalField):
                whole = _sqlite_decimal(model_field, field, whole)
            elif isinstance(model_field, models.DateTimeField):
                whole = _sqlite_moment(field, connection, whole)
            elif isinstance(model_field, models.DateField):
                whole = _sqlite_date(field, whole)
        found.append(whole)
    return found


class _ShownRows(BaseIterable):
    """Each row of a ``.values(*PROPOSAL_LINE_VALUES)`` query as the API shows it."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        queryset = self.queryset
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        connection = connections[queryset.db]
        names = [column.name for column in _COLUMNS()]
        assert list(query.values_select) == list(PROPOSAL_LINE_VALUES)
        assert not query.extra_select and not query.annotation_select
        results = compiler.execute_sql(
            MULTI, chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
        )
        converters = _column_converters(compiler, connection)
        converted = [
            (index, names[index], convert)
            for index, convert in enumerate(converters)
            if convert is not None
        ]
        for rows in results:
            for row in rows:
                shown = dict(zip(names, row, strict=True))
                for index, name, convert in converted:
                    value = row[index]
                    if value is not None:
                        shown[name] = convert(value)
                yield shown


def shown_rows(lines: QuerySet[Any]) -> QuerySet[Any]:
    """``lines`` read as the API shows them: an iterable of dicts, ``ProposalLineOutput``'s
    data of each line."""
    rows = lines.values(*PROPOSAL_LINE_VALUES)
    rows._iterable_class = _ShownRows
    return rows
