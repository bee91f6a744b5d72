"""CSV files as spreadsheet programs write them (graph/ingest/tabular.py): line endings, and
cells too long to read."""

from __future__ import annotations

import pytest

from graph.errors import SpreadsheetError
from graph.ingest.tabular import read_table


@pytest.mark.parametrize("eol", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_delimiter_is_the_header_rows_whatever_the_line_endings(eol: str,
                                                                     delimiter: str) -> None:
    # the later rows hold more of every other delimiter than the header holds of its own
    other = "".join(d for d in ";,\t" if d != delimiter) * 5
    rows = [delimiter.join(["id", "name"]), delimiter.join(["a", f'"x{other}"']),
            delimiter.join(["b", f'"y{other}"'])]
    [table] = read_table(eol.join(rows).encode() + eol.encode(), "orgs.csv")
    assert table.header == ("id", "name")
    assert [(r.number, r.values[0]) for r in table.rows] == [(2, "a"), (3, "b")]


def test_an_undecodable_byte_is_placed_on_its_line_with_lone_cr_endings() -> None:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(b"id;name\rA;x\rB;Soci\xe9t\xe9\r", "orgs.csv")
    assert "on line 3" in caught.value.message
    assert caught.value.row == 3


LONG = "A" * 200_000


@pytest.mark.parametrize(("data", "row", "column"), [
    (f"id,name,kind\nx,{LONG},association\n", 2, "column 'name'"),
    (f"id;name;kind\r\nx;y;association\r\nz;w;{LONG}\r\n", 3, "column 'kind'"),
    # quoted, holding delimiters, quotes and line breaks
    (f'id,note,kind\nx,"a, ""b""\n{LONG},\n c",association\n', 2, "column 'note'"),
    (f"id,{LONG}\n", 1, "column 2"),
])
def test_a_cell_too_long_to_read_is_refused_naming_its_column(data: str, row: int,
                                                               column: str) -> None:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data.encode(), "orgs.csv")
    assert caught.value.row == row
    assert f"the cell in {column} is longer than" in caught.value.message
