"""Damaged or hand-written XLSX sheets (graph/ingest/tabular.py): a cell openpyxl cannot
decode is a refusal naming the sheet and the cell, and a stale ``<dimension>`` hides nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from graph.errors import SpreadsheetError
from graph.ingest.spreadsheets import import_spreadsheet
from graph.ingest.tabular import MAX_COLUMNS, read_table
from tests.support.stores import memory_store, quads

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def text(reference: str, value: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def workbook(rows: str, dimension: str = "A1:C2") -> bytes:
    """A one-sheet workbook named ``organisations`` whose sheetData is ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "organisations"
    sheet.append(["id", "name", "kind"])
    out = io.BytesIO()
    book.save(out)
    xml = (f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
           f"<sheetData>{rows}</sheetData></worksheet>")
    rewritten = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(rewritten, "w") as target:
        for part in source.infolist():
            data = xml.encode() if part.filename == SHEET else source.read(part)
            target.writestr(part, data)
    return rewritten.getvalue()


HEADER = f'<row r="1">{text("A1", "id")}{text("B1", "name")}{text("C1", "kind")}</row>'


def one_row(cell: str, row: str = 'r="2"') -> bytes:
    return workbook(HEADER + f'<row {row}>{text("A2", "m1")}{cell}'
                    f'{text("C2", "association")}</row>')


@pytest.mark.parametrize(("data", "where"), [
    (one_row('<c r="B2" t="s"><v>999</v></c>'), "cell B2"),      # no such shared string
    (one_row('<c r="B2" t="n"><v>abc</v></c>'), "cell B2"),      # a number of letters
    (one_row('<c r="B2" t="d"><v>not-a-date</v></c>'), "cell B2"),
    (one_row('<c r="B2" t="b"><v>yes</v></c>'), "cell B2"),
    (one_row('<c r="!!" t="n"><v>1</v></c>'), "cell !!"),
    (one_row('<c r="ZZZZZ2" t="n"><v>1</v></c>'), "cell ZZZZZ2"),
    (one_row('<c r="B2" t="n"><v>1</v></c>', row='r="abc"'), "numbered 'abc'"),
])
def test_an_undecodable_cell_is_refused_with_its_sheet_and_cell(data: bytes,
                                                                 where: str) -> None:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, "orgs.xlsx")
    assert caught.value.sheet == "organisations"
    assert "the workbook cannot be read" in caught.value.message
    assert where in caught.value.message


def test_an_undecodable_cell_is_a_report_not_an_exception() -> None:
    store = memory_store()
    report = import_spreadsheet(store, one_row('<c r="B2" t="s"><v>999</v></c>'),
                                "orgs.xlsx", source="damaged")
    assert not report.stored
    [problem] = report.errors
    assert (problem.sheet, problem.row) == ("organisations", 2)
    assert "cell B2" in problem.message
    assert not quads(store)


@pytest.mark.parametrize("dimension", ["A1:C2", "A1"])
def test_rows_and_columns_past_a_stale_dimension_are_read(dimension: str) -> None:
    rows = HEADER.replace("</row>", text("D1", "description") + "</row>") + "".join(
        f'<row r="{n}">{text(f"A{n}", f"m{n}")}{text(f"B{n}", "M")}'
        f'{text(f"C{n}", "association")}{text(f"D{n}", f"d{n}")}</row>' for n in (2, 3, 4))
    [table] = read_table(workbook(rows, dimension), "orgs.xlsx")
    assert table.header == ("id", "name", "kind", "description")
    assert [(r.number, r.values[-1]) for r in table.rows] == [(2, "d2"), (3, "d3"), (4, "d4")]



def test_a_cell_far_to_the_right_is_kept_apart_not_padded_to() -> None:
    rows = HEADER + "".join(f'<row r="{n}">{text(f"A{n}", f"m{n}")}{text(f"B{n}", "M")}'
                            f'{text(f"XFD{n}", "far")}</row>' for n in range(2, 2002))
    [table] = read_table(workbook(rows), "orgs.xlsx")
    assert len(table.rows) == 2000
    assert all(len(row.values) == 3 and row.beyond == ((16383, "far"),) for row in table.rows)


def test_a_header_wider_than_the_bound_is_refused_naming_its_cell() -> None:
    rows = f'<row r="1">{text("A1", "id")}{text("AMK1", "wide")}</row>'
    rows += f'<row r="2">{text("A2", "m1")}</row>'
    with pytest.raises(SpreadsheetError) as caught:
        read_table(workbook(rows), "orgs.xlsx")
    assert (caught.value.sheet, caught.value.row) == ("organisations", 1)
    assert "column AMK" in caught.value.message and f"{MAX_COLUMNS:,} columns" in (
        caught.value.message)
