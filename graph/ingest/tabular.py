"""Reading spreadsheets: CSV and XLSX files as tables of cell values.

A file becomes one ``Table`` per sheet (a CSV file is one sheet named after the file). Row
numbers are those a person sees in a spreadsheet program: the header is row 1, the first data
row is row 2, and blank rows keep their number but are not returned.

Decisions, so that what is imported is exactly what the person sees:

- CSV must be UTF-8, with or without a byte-order mark. Anything else is refused with the row
  of the first undecodable byte and, when the bytes read as Windows-1252 or Latin-1 (what Excel
  writes on Windows by default), that suggestion.
- The CSV delimiter is taken from the header row: ``,``, ``;`` (French Excel) or a tab.
- A quoted cell must close: one left open (a file cut short, a quote forgotten) is refused
  with its row, rather than read as one cell holding the rest of the file.
- XLSX formula cells are not evaluated and their cached results are not trusted (a file saved
  by a script has none, and a stale one would be imported silently): each formula cell comes
  back as a ``Formula`` value, which the importer reports as an error of that cell.
- Sheets whose name starts with ``_`` (the templates' ``_help`` sheet) are not data.
- Legacy ``.xls`` and OpenDocument ``.ods`` files are refused with the way to convert them.
- Bounds, so that a small upload cannot take the server's memory or time: a workbook may
  unpack to ``MAX_UNPACKED`` bytes (a zip bomb is refused before any sheet is read, from the
  sizes its archive declares, which the zip reader then enforces), a sheet may hold
  ``MAX_ROWS`` data rows and an XLSX header span ``MAX_COLUMNS`` columns; a cell past the
  header is kept apart (``Row.beyond``), never padded to.
- Every row and column of an XLSX sheet is read, whatever the ``<dimension>`` it declares.

>>> tables = read_table(b"name;commune\\nVECAM;Paris\\n", "orgs.csv")
>>> tables[0].header, tables[0].rows[0].values
(('name', 'commune'), ('VECAM', 'Paris'))
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final, TypeAlias
from xml.etree.ElementTree import ParseError

from graph.errors import SpreadsheetError

#: the extensions ``read_table`` accepts
FORMATS = ("csv", "xlsx")

#: bytes an XLSX workbook may unpack to (its XML parts, summed)
MAX_UNPACKED: Final = 256 * 1024 * 1024
#: data rows a sheet (or a CSV file) may hold
MAX_ROWS: Final = 100_000
#: columns an XLSX sheet's header may span (LibreOffice's limit until 7.4; the templates use
#: at most 17): a cell past the header is kept apart, so that is the widest a row is read
MAX_COLUMNS: Final = 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_LINE_BREAK = re.compile(r"\r\n?|\n")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and .doc)


@dataclass(frozen=True)
class Formula:
    """An XLSX cell holding a formula (never evaluated)."""

    text: str

    def __str__(self) -> str:
        return self.text


CellValue: TypeAlias = str | int | float | bool | dt.date | dt.datetime | Formula | None


@dataclass(frozen=True)
class Row:
    """One non-blank data row: its number in the sheet and its values, aligned with the header."""

    number: int
    values: tuple[CellValue, ...]
    #: filled cells past the header's last column, as (position from 0, value): kept apart, so
    #: that a cell far to the right does not make a row thousands of cells wide
    beyond: tuple[tuple[int, CellValue], ...] = ()


@dataclass(frozen=True)
class Table:
    """One sheet: its name, its header (as written) and its non-blank data rows."""

    name: str
    header: tuple[str, ...]
    rows: list[Row]
    header_row: int = 1


def read_table(data: bytes, filename: str) -> list[Table]:
    """The tables in ``data``, a CSV or XLSX file called ``filename``; raises ``SpreadsheetError``
    for an empty, undecodable or unsupported file."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if not data.strip():
        raise SpreadsheetError("the file is empty", source=filename)
    if data.startswith(_OLE_MAGIC) or suffix == "xls":
        raise SpreadsheetError(
            "this is a legacy Excel 97-2003 .xls file; save it as .xlsx "
            "(File › Save as › Excel workbook) or as CSV UTF-8", source=filename)
    if suffix in ("ods", "fods"):
        raise SpreadsheetError(
            "OpenDocument spreadsheets are not read; save it as .xlsx or as CSV UTF-8",
            source=filename)
    if data.startswith(_ZIP_MAGIC):
        if suffix not in ("xlsx", "xlsm", ""):
            raise SpreadsheetError(
                f"the file is a zip archive (an .xlsx workbook?) but is named .{suffix}",
                source=filename)
        tables = _read_xlsx(data, filename)
    elif suffix in ("xlsx", "xlsm"):
        raise SpreadsheetError("the file is named .xlsx but is not an Excel workbook",
                               source=filename)
    elif suffix in ("csv", "txt", "tsv", ""):
        tables = [_read_csv(data, filename)]
    else:
        raise SpreadsheetError(
            f"unknown spreadsheet format .{suffix} (known: {', '.join(FORMATS)})",
            source=filename)
    if not tables:
        raise SpreadsheetError("the file has no sheet with a header row", source=filename)
    return tables


# ------------------------------------------------------------------------------------ CSV


def _read_csv(data: bytes, filename: str) -> Table:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError(
            "the file is encoded in UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8'",
            source=filename)
    body = data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _encoding_error(body, error, filename) from None
    # the header row ends at the first line break of any kind: Excel for Mac ends lines with
    # a lone CR, and a file's later rows must not vote on its delimiter
    first_line = _LINE_BREAK.split(text, maxsplit=1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    # the lines of the record being read: the reader takes one line at a time, no more
    pending: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            pending.append(line)
            yield line

    # strict: a quoted cell never closed is an error, not the rest of the file in one cell
    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            pending.clear()
    except csv.Error as error:
        row = len(records) + 1   # the record that failed, as a spreadsheet numbers it
        if "unexpected end of data" in str(error):
            raise SpreadsheetError(
                "a quoted cell opened on this row is never closed (a missing '\"', or a "
                "file cut short): nothing after it can be read", source=filename,
                row=row) from None
        if "field larger than field limit" in str(error):
            raise _long_cell(records, "".join(pending), delimiter, filename) from None
        raise SpreadsheetError(f"the CSV does not parse: {error}", source=filename,
                               row=row) from None
    header_index = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise SpreadsheetError("the file is empty", source=filename)
    header = tuple(c.strip() for c in records[header_index])
    _check_rows(len(records) - header_index - 1, filename, None,
                header_index + 2 + MAX_ROWS)
    width = len(header)
    rows = [
        Row(number, tuple(c.strip() or None for c in record[:width]),
            tuple((i, c.strip()) for i, c in enumerate(record[width:], start=width) if c.strip()))
        for number, record in enumerate(records[header_index + 1:], start=header_index + 2)
        if any(c.strip() for c in record)
    ]
    return Table(PurePath(filename).stem, header, rows, header_row=header_index + 1)


def _long_cell(records: list[list[str]], text: str, delimiter: str,
               filename: str) -> SpreadsheetError:
    """The refusal of a cell longer than the csv module reads, ``text`` being the lines of
    its record read so far."""
    position = _long_position(text, delimiter, csv.field_size_limit())
    header = next((r for r in records if any(c.strip() for c in r)), [])
    name = header[position].strip() if position < len(header) else ""
    column = f"column {name!r}" if name else f"column {position + 1}"
    return SpreadsheetError(
        f"the cell in {column} is longer than {csv.field_size_limit():,} characters, more than "
        "a CSV cell may hold (a spreadsheet cell holds at most 32,767): shorten it",
        source=filename, row=len(records) + 1)


def _long_position(text: str, delimiter: str, limit: int) -> int:
    """The position of the first cell of ``text`` longer than ``limit``, else of its last:
    cells end at delimiters outside quotes (the reader is strict: a quote opens or closes a
    quoted cell, or doubles one)."""
    position, start, inside = 0, 0, False
    for match in re.finditer(f'["\r\n{re.escape(delimiter)}]', text):
        if match.group() == '"':
            inside = not inside
        elif not inside:
            if match.start() - start > limit or match.group() != delimiter:
                return position
            position, start = position + 1, match.end()
    return position


def _encoding_error(body: bytes, error: UnicodeDecodeError, filename: str) -> SpreadsheetError:
    prefix = body[:error.start]
    line = len(_LINE_BREAK.findall(prefix.decode("utf-8", "replace"))) + 1
    # The record number can differ from the line when a quoted cell spans lines.
    try:
        row = len(list(csv.reader(io.StringIO(prefix.decode("utf-8"), newline=""))))
    except (UnicodeDecodeError, csv.Error):
        row = line
    row = max(row, 1)
    bad = body[error.start:error.start + 4].hex(" ")
    suggestion = ""
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1 (ISO-8859-1)")):
        try:
            sample = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        word = _word_around(sample, len(body[:error.start].decode("utf-8", "replace")))
        suggestion = (f"; it looks like {name}{f' ({word!r})' if word else ''}: save it as "
                      f"'CSV UTF-8' or convert it with `iconv -f {encoding.upper()} -t UTF-8`")
        break
    return SpreadsheetError(
        f"the file is not UTF-8: undecodable bytes {bad} on line {line}{suggestion}",
        source=filename, row=row)


def _word_around(text: str, position: int) -> str:
    start = position
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in ",;\t":
        start -= 1
    end = position
    while end < len(text) and not text[end].isspace() and text[end] not in ",;\t":
        end += 1
    return text[start:end][:40]


# ----------------------------------------------------------------------------------- XLSX


#: what openpyxl raises for a part it cannot read: malformed XML, entities past expat's
#: limits, a part larger than declared, and any cell it cannot decode (a shared-string index
#: out of range, ``t="n"`` holding letters, a bad date, a row or cell reference that is not
#: one); its cell decoding raises builtin errors, not its own
_UNREADABLE: Final = (ParseError, zipfile.BadZipFile, ValueError, LookupError, TypeError,
                      AttributeError, ArithmeticError)


def _read_xlsx(data: bytes, filename: str) -> list[Table]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        _check_unpacked(data, filename)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, OSError, *_UNREADABLE) as error:
        raise SpreadsheetError(f"the workbook cannot be read: {error}", source=filename) from None
    try:
        tables = []
        for sheet in workbook.worksheets:
            if sheet.title.startswith("_"):
                continue
            try:
                table = _read_sheet(sheet, filename)
            except _UNREADABLE as error:
                raise _unreadable_sheet(sheet, error, filename) from None
            if table is not None:
                tables.append(table)
        return tables
    finally:
        workbook.close()


def _unreadable_sheet(sheet: object, error: Exception, filename: str) -> SpreadsheetError:
    """The refusal of a sheet openpyxl failed to read, naming the cell when it can be found."""
    row, what = _failing_cell(sheet)
    detail = str(error) or type(error).__name__
    if isinstance(error, IndexError):
        detail = f"it refers to an entry that does not exist ({detail})"
    return SpreadsheetError(
        f"the workbook cannot be read{f' ({what})' if what else ''}: {detail}",
        source=filename, sheet=str(getattr(sheet, "title", "")), row=row)


def _failing_cell(sheet: object) -> tuple[int | None, str | None]:
    """The row number and a description of the first cell of ``sheet`` that openpyxl cannot
    read, read again row by row with its own parser; (None, None) when it cannot be told
    (that parser is openpyxl's private one: should it change, the refusal names no cell)."""
    try:
        from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser
        from openpyxl.xml.functions import iterparse

        workbook = sheet.parent  # type: ignore[attr-defined]
        with sheet._get_source() as source:  # type: ignore[attr-defined]
            parser = WorkSheetParser(source, sheet._shared_strings,  # type: ignore[attr-defined]
                                     epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            for _event, element in iterparse(source):
                if element.tag != ROW_TAG:
                    continue
                before = parser.row_counter
                try:
                    parser.parse_row(element)
                except _UNREADABLE:
                    return _failing_in_row(parser, element, before)
                element.clear()
    except (*_UNREADABLE, OSError, ImportError):
        pass
    return None, None


def _failing_in_row(parser: Any, element: Any, before: int) -> tuple[int | None, str | None]:
    reference = element.get("r")
    if reference is not None and parser.row_counter == before:   # its own number is bad
        return None, f"the row after row {before} is numbered {reference!r}"
    for position, cell in enumerate(element, start=1):
        try:
            parser.parse_cell(cell)
        except _UNREADABLE:
            name = cell.get("r")
            what = f"cell {name}" if name else f"cell {position} of the row"
            return parser.row_counter, what
    return parser.row_counter, None


def _check_unpacked(data: bytes, filename: str) -> None:
    """Refuse a workbook whose parts unpack to more than ``MAX_UNPACKED`` bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED:
        largest = max(parts, key=lambda part: part.file_size)
        raise SpreadsheetError(
            f"the workbook unpacks to {total / 2**20:,.0f} MiB ({largest.filename}: "
            f"{largest.file_size / 2**20:,.0f} MiB), more than the {MAX_UNPACKED / 2**20:,.0f}"
            " MiB allowed; split it into smaller files or save it as CSV UTF-8",
            source=filename)


def _check_rows(count: int, filename: str, sheet: str | None, row: int) -> None:
    if count > MAX_ROWS:
        raise SpreadsheetError(
            f"more than {MAX_ROWS:,} data rows; split the file into smaller ones",
            source=filename, sheet=sheet, row=row)


def _read_sheet(sheet: object, filename: str) -> Table | None:
    title = str(sheet.title)  # type: ignore[attr-defined]
    header: tuple[str, ...] | None = None
    header_row = 0
    rows: list[Row] = []
    for number, filled in _filled_rows(sheet):
        if header is None:
            last = max(filled)
            if last >= MAX_COLUMNS:
                raise SpreadsheetError(
                    f"the header row has a cell in column {column_letters(last)}: a sheet may have "
                    f"{MAX_COLUMNS:,} columns (A to {column_letters(MAX_COLUMNS - 1)})",
                    source=filename, sheet=title, row=number)
            header = tuple(str(filled.get(i, "")).strip() for i in range(last + 1))
            header_row = number
            continue
        _check_rows(len(rows) + 1, filename, title, number)
        width = min(len(header), max(filled) + 1)
        rows.append(Row(number, tuple(filled.get(i) for i in range(width)), tuple(
            (i, value) for i, value in sorted(filled.items()) if i >= len(header))))
    if header is None:
        return None
    return Table(title, header, rows, header_row=header_row)


def _filled_rows(sheet: object) -> Iterator[tuple[int, dict[int, CellValue]]]:
    """The number and the filled cells (by position from 0) of each row of ``sheet`` that has
    one. Read with the parser read-only openpyxl uses, but not as its worksheet does: that
    reads no row or column past the <dimension> a workbook declares, which may be stale (a
    script appended rows, a file cut down by hand), and pads every row to its widest, which
    one cell far to the right makes thousands of cells wide. Excel and LibreOffice read every
    cell whatever the dimension."""
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent  # type: ignore[attr-defined]
    with sheet._get_source() as source:  # type: ignore[attr-defined]
        parser = WorkSheetParser(source, sheet._shared_strings,  # type: ignore[attr-defined]
                                 data_only=False, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            filled: dict[int, CellValue] = {
                cell["column"] - 1: value for cell in cells
                if (value := _cell_value(cell["value"], cell["data_type"])) is not None}
            if filled:
                yield number, filled


def column_letters(position: int) -> str:
    """The spreadsheet letters of the column at ``position`` (from 0): A, …, Z, AA, …

    >>> column_letters(0), column_letters(27), column_letters(16383)
    ('A', 'AB', 'XFD')
    """
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell_value(value: object, data_type: str) -> CellValue:
    if data_type == "f":
        text = getattr(value, "text", value)  # ArrayFormula keeps its formula in .text
        return Formula(str(text))
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value  # type: ignore[return-value]


def iter_cells(table: Table) -> Iterator[tuple[int, str, CellValue]]:
    """Every (row number, header, value) of ``table``; handy in tests and reports."""
    for row in table.rows:
        for name, value in zip(table.header, row.values, strict=False):
            yield row.number, name, value
