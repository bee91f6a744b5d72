"""Reading CSV and XLSX files (graph/tabular.py), with real files from spreadsheets/."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.errors import SpreadsheetError
from graph.tabular import Formula, read_table

FILES = Path(__file__).parent / "spreadsheets"


def xlsx(*rows: list[object], title: str = "usages") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data", [
    b"name,commune\nVECAM,Paris\n",
    b"\xef\xbb\xbfname,commune\r\nVECAM,Paris\r\n",        # BOM and CRLF (Excel's CSV UTF-8)
    b"name;commune\nVECAM;Paris\n",                         # French Excel
    b"name\tcommune\nVECAM\tParis\n",
])
def test_csv_dialects(data: bytes) -> None:
    [table] = read_table(data, "orgs.csv")
    assert table.header == ("name", "commune")
    assert [(r.number, r.values) for r in table.rows] == [(2, ("VECAM", "Paris"))]


def test_csv_rows_keep_their_spreadsheet_numbers() -> None:
    [table] = read_table(b'name,note\nA,"two\nlines"\n\n,\nB,x\n', "t.csv")
    assert [r.number for r in table.rows] == [2, 5]
    assert table.rows[0].values == ("A", "two\nlines")


def test_non_utf8_csv_is_refused_with_row_and_suggestion() -> None:
    data = (FILES / "windows1252.csv").read_bytes()
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, "windows1252.csv")
    assert caught.value.row == 2
    assert "Windows-1252" in str(caught.value) and "Société" in str(caught.value)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.csv", "empty"),
    (b"  \n\n", "blank.csv", "empty"),
    (b"\xff\xfen\x00a\x00", "u16.csv", "UTF-16"),
    (b"\xd0\xcf\x11\xe0rest", "old.xls", ".xls"),
    (b"whatever", "sheet.ods", "OpenDocument"),
    (b"not a zip", "fake.xlsx", "not an Excel workbook"),
    (b"a,b\n", "notes.pdf", "unknown spreadsheet format"),
])
def test_unreadable_files_are_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        read_table(data, name)


def test_xlsx_typed_values_and_blank_rows() -> None:
    data = xlsx(["organisation", "observed on", "n"], ["VECAM", dt.date(2026, 3, 14), 3],
                [None, None, None], ["AITEC", "2026-03-15", None])
    [table] = read_table(data, "u.xlsx")
    assert [r.number for r in table.rows] == [2, 4]
    assert table.rows[0].values == ("VECAM", dt.datetime(2026, 3, 14), 3)


def test_xlsx_formulas_are_returned_as_formulas_not_values() -> None:
    [table] = read_table((FILES / "formula.xlsx").read_bytes(), "formula.xlsx")
    assert table.rows[1].values[4] == Formula("=TODAY()")


def test_xlsx_help_sheets_are_skipped() -> None:
    tables = read_table((FILES / "survey_workbook.xlsx").read_bytes(), "survey.xlsx")
    assert [t.name for t in tables] == ["organisations", "usages", "membres", "consentement"]
