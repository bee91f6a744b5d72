"""The lists a story page shows (who uses a tool, an organisation's tools…), as tables that
render the same way in HTML, in a CSV download and in the page's embedded JSON-LD.

A cell holds the text a reader sees and, when it names a resource, its IRI. The CSV puts
the IRI in a column of its own (``organisation`` then ``organisation_iri``) so that a
spreadsheet keeps both, and every text cell is made spreadsheet-safe: a value starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that
no spreadsheet runs it as a formula (``graph.formulas.safe_cell``).

>>> safe_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> safe_cell("Loomio")
'Loomio'
>>> table = Table("users", "Used by", (Column("organisation", "Organisation"),),
...               ((Cell("VECAM", "https://w3id.org/civicgraph/id/org/vecam"),),))
>>> to_csv(table).splitlines()
['organisation,organisation_iri', 'VECAM,https://w3id.org/civicgraph/id/org/vecam']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.formulas import safe_cell
from graph.queries.catalogue import get_query
from graph.store import Store


@dataclass(frozen=True)
class Cell:
    """What a reader sees in one cell, and the resource it names, if any."""

    text: str
    iri: str | None = None


@dataclass(frozen=True)
class Column:
    """A column: its key (the CSV header, the JSON-LD key) and its heading for the reader."""

    key: str
    label: str
    #: whether the column holds IRIs (the CSV adds a ``{key}_iri`` column)
    linked: bool = True


@dataclass(frozen=True)
class Table:
    """One list of a story page."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: how many rows the whole list has, when ``rows`` holds only its first ones (a page)
    total: int | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.total is None else self.total

    def first(self, count: int | None) -> Table:
        """The first ``count`` rows of the list (all with ``None``), knowing its total."""
        if count is None or len(self.rows) <= count:
            return self
        return Table(self.name, self.title, self.columns, self.rows[:count], len(self.rows))


def to_csv(table: Table) -> str:
    """``table`` as CSV (RFC 4180: CRLF line ends, so that a cell holding a CR or LF is
    quoted), with spreadsheet-safe cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header: list[str] = []
    for column in table.columns:
        header.append(column.key)
        if column.linked:
            header.append(f"{column.key}_iri")
    writer.writerow(header)
    for row in table.rows:
        line: list[str] = []
        for column, cell in zip(table.columns, row, strict=True):
            line.append(safe_cell(cell.text))
            if column.linked:
                line.append(safe_cell(cell.iri or ""))
        writer.writerow(line)
    return out.getvalue()


def to_json_ld(iri: str, tables: Sequence[Table]) -> dict[str, Any]:
    """The tables as schema.org ``ItemList`` nodes about ``iri``; a row is a ``ListItem``
    whose first cell is its item and the other cells its named values."""
    lists: list[dict[str, Any]] = []
    for table in tables:
        items: list[dict[str, Any]] = []
        for position, row in enumerate(table.rows, 1):
            first, *rest = row
            item: dict[str, Any] = {"name": first.text}
            if first.iri:
                item["@id"] = first.iri
            values = []
            for column, cell in zip(table.columns[1:], rest, strict=True):
                if cell.text:
                    value: dict[str, Any] = {"@type": "PropertyValue",
                                             "propertyID": column.key, "value": cell.text}
                    if cell.iri:
                        value["valueReference"] = {"@id": cell.iri}
                    values.append(value)
            if values:
                item["additionalProperty"] = values
            items.append({"@type": "ListItem", "position": position, "item": item})
        lists.append({"@type": "ItemList", "identifier": table.name, "name": table.title,
                      "about": {"@id": iri}, "numberOfItems": len(table),
                      "itemListElement": items})
    return {"@context": "https://schema.org/", "@graph": lists}


Row = dict[str, str]


def query_rows(store: Store, name: str, terms: Mapping[str, ox.NamedNode | ox.Literal]
               ) -> list[Row]:
    """The rows of the catalogue query ``name`` with ``terms`` bound, as variable -> text
    (unbound variables left out), in the query's order."""
    query = get_query(name)
    result = store.query(query.text(store, terms), substitutions=terms)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: term.value for n in names if (term := row[n]) is not None} for row in result]


def iri_cell(row: Row, key: str) -> Cell:
    """The cell naming the resource ``row[key]`` by ``row[key + "Label"]``."""
    iri = row.get(key)
    return Cell(row.get(key + "Label") or (iri or "").rsplit("/", 1)[-1], iri)
