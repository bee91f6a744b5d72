"""Reading CSV and XLSX files (graph/ingest/tabular.py), with real files from spreadsheets/."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import graph.ingest.tabular
from graph.errors import SpreadsheetError
from graph.ingest.tabular import Formula, read_table

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


def zip_bomb(unpacked: int) -> bytes:
    """A real workbook with one more part of ``unpacked`` zero bytes (deflated to almost
    nothing)."""
    out = io.BytesIO(xlsx(["organisation"], ["VECAM"]))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/media/padding.bin", "w") as part:
        chunk = bytes(1 << 20)
        for _ in range(unpacked >> 20):
            part.write(chunk)
    return out.getvalue()


def test_a_workbook_that_unpacks_past_the_bound_is_refused_before_it_is_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph.ingest.tabular, "MAX_UNPACKED", 4 << 20)
    assert read_table(zip_bomb(2 << 20), "small.xlsx")[0].rows[0].values == ("VECAM",)
    bomb = zip_bomb(8 << 20)
    assert len(bomb) < 64 << 10
    with pytest.raises(SpreadsheetError, match=r"unpacks to 8 MiB \(xl/media/padding.bin: 8 "
                                               r"MiB\), more than the 4 MiB allowed"):
        read_table(bomb, "bomb.xlsx")


def sheet(kind: str, rows: int) -> bytes:
    names = [f"org {n}" for n in range(rows)]
    if kind == "csv":
        return "\n".join(["organisation", *names, ""]).encode()
    return xlsx(["organisation"], *([name] for name in names))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_sheet_past_the_row_bound_is_refused_with_the_row(
        monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setattr(graph.ingest.tabular, "MAX_ROWS", 3)
    assert len(read_table(sheet(kind, 3), f"three.{kind}")[0].rows) == 3
    with pytest.raises(SpreadsheetError, match="more than 3 data rows") as refused:
        read_table(sheet(kind, 4), f"four.{kind}")
    assert refused.value.row == 5


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml",
                                  "xl/styles.xml", "[Content_Types].xml"])
def test_a_workbook_nesting_its_xml_deep_is_read_or_refused_cleanly(part: str) -> None:
    """Deep nesting inside any XML part of a workbook: the XML reader under openpyxl
    (ElementTree on expat) builds and frees it without recursion, so it costs time in
    proportion to its size like any content (the unpacked size is bounded), never a crash."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "organisations"
    sheet.append(["label", "kind"])
    sheet.append(["Alpha", "association"])
    plain = io.BytesIO()
    workbook.save(plain)
    deep = b"<x>" * 100_000 + b"</x>" * 100_000
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                start = data.index(b"?>") + 2 if b"?>" in data else 0
                root_end = data.index(b">", start) + 1
                data = data[:root_end] + deep + data[root_end:]
            target.writestr(info, data)
    try:
        tables = read_table(crafted.getvalue(), "deep.xlsx")
    except SpreadsheetError as error:
        assert "deep.xlsx" in str(error)
    else:   # the nesting is ignored as an unknown element, the data read
        assert [row.values for table in tables for row in table.rows] == [("Alpha",
                                                                          "association")]
