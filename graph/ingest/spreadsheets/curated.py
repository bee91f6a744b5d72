"""The curated table of common cooperation tools (``graph/samples/data/tools.csv``).

The table is a ``tools`` sheet like any other. A reference to a tool that neither the store nor
the imported file knows is looked up here; when it matches, the tool's description (and that of
the software an instance runs) joins the import, so that "Loomio" or "Framapad" resolve on an
empty store, with their Wikidata ids, licences and hosting.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from graph.ingest.spreadsheets.columns import KINDS
from graph.ingest.spreadsheets.entry import Entry, resolve
from graph.ingest.spreadsheets.mapping import RowMapper
from graph.ingest.spreadsheets.references import Index, index_concept_files
from graph.ingest.tabular import read_table

TOOLS_FILE = "tools.csv"


@dataclass(frozen=True)
class CuratedTools:
    """The mapped rows of the curated table, by IRI, and an index to find them."""

    entries: dict[str, Entry]
    index: Index


def tools_csv() -> bytes:
    """The bytes of the curated tools table."""
    return resources.files("graph.samples.data").joinpath(TOOLS_FILE).read_bytes()


@cache
def curated_tools(base: str) -> CuratedTools:
    """The curated tools with IRIs under ``base`` (mapped once per base, then cached)."""
    table = read_table(tools_csv(), TOOLS_FILE)[0]
    kind = KINDS["tools"]
    columns = {i: c for i, h in enumerate(table.header) if (c := kind.column_for(h))}
    index = Index()
    index_concept_files(index)
    mapper = RowMapper(kind, table.name, columns, lang="en", base=base, index=index,
                       activity="")
    entries = [mapper.map(row) for row in table.rows]
    for entry in entries:
        for defined_kind, iri, names, wikidata in entry.defines:
            index.add(defined_kind, iri, names, wikidata)
    for entry in entries:
        resolve(entry, index)
        if not entry.valid:
            raise ValueError(f"{TOOLS_FILE} row {entry.row}: {entry.problems[0]}")
    return CuratedTools({e.subject: e for e in entries if e.subject}, index)
