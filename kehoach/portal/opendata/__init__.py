"""Open data: the published plans, the decisions on the village proposals and the progress of the
works, per commune or per province and plan year, as CSV, XLSX and JSON.

A dataset knows its fields (name, meaning, type) and yields its rows — plain dictionaries keyed
by field name — from the portal's selectors, so a file holds exactly what the public pages
show: the snapshot of each plan's latest published version, and the latest progress report of
each of its works. Formatters write the rows:

- CSV: UTF-8 with a byte-order mark (so that Excel reads the Vietnamese), comma-separated, one
  header row of field names; numbers with a dot for decimals, dates ``YYYY-MM-DD``;
- XLSX: the same columns, numbers as numbers, dates as dates shown ``yyyy-mm-dd``, and a second
  sheet with the data dictionary; written by xlsxwriter in constant-memory mode, so a
  province's file is written row by row;
- JSON: ``{"dataset", "unit", "year", ..., "fields", "rows": [...]}``, numbers as numbers,
  dates as ISO text, lists of amounts by source as lists.

CSV and JSON are streamed; rows are produced batch by batch (``selectors.published_in``).
Money is in million VND everywhere. Labels (decisions, statuses) are always in Vietnamese.
"""

from .datasets import DATASETS, Dataset, Field, Scope, dictionary
from .formats import CONTENT_TYPES, FORMATS, csv_chunks, json_chunks, plain, xlsx_tempfile

__all__ = [
    "CONTENT_TYPES",
    "DATASETS",
    "FORMATS",
    "Dataset",
    "Field",
    "Scope",
    "csv_chunks",
    "dictionary",
    "json_chunks",
    "plain",
    "xlsx_tempfile",
]
