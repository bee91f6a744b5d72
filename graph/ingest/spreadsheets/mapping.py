"""One spreadsheet row to RDF statements, with every problem of the row found at once.

Mapping happens in two steps so that a row may name a resource defined further down the file:
``RowMapper.map`` parses the cells, derives the row's stable IRI and records the references it
makes as ``Ref`` placeholders; ``resolve`` (``graph.ingest.spreadsheets.entry``) then replaces each
``Ref`` by an IRI from the index (or records a problem on that cell). What each kind of sheet
makes of its row is in ``graph.ingest.spreadsheets.subjects``.

Stable IRIs: from the ``id`` column (a slug or a full IRI) when given; otherwise from what the
row is about (an organisation's name, a usage's organisation, tool and date, …), so that
importing the same file twice mints the same IRIs. A row that names something the store already
knows (same Wikidata id, RNA or SIREN number, or name) reuses its IRI instead of minting one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyoxigraph as ox

from graph.ingest.report import Problem
from graph.ingest.spreadsheets.columns import CHOICES, Column, Kind
from graph.ingest.spreadsheets.entry import (
    _BOOLEAN,
    Entry,
    Object,
    Ref,
    _date_literal,
    as_text_safe,
)
from graph.ingest.spreadsheets.references import Index, ReferenceProblem
from graph.ingest.spreadsheets.subjects import SUBJECTS
from graph.ingest.spreadsheets.values import (
    ValueProblem,
    as_text,
    checked_iri,
    clip,
    lower_scheme,
    norm,
    parse_bool,
    parse_date,
    parse_email,
    parse_insee,
    parse_phone,
    parse_url,
    parse_wikidata,
    quoted,
    slugify,
    split_multi,
)
from graph.ingest.tabular import CellValue, Row
from graph.namespaces import CG, IGEO, RDF, RDFS, SCHEMA, WD, iri_for

TYPE = ox.NamedNode(RDF + "type")


class RowMapper:
    """Maps the rows of one sheet of ``kind``."""

    def __init__(self, kind: Kind, sheet: str, columns: dict[int, Column], *, lang: str,
                 base: str, index: Index, activity: str) -> None:
        self.kind = kind
        self.sheet = sheet
        self.columns = columns
        self.lang = lang
        self.base = base
        self.index = index
        self.activity = activity

    # -------------------------------------------------------------------------- helpers

    def iri(self, kind: str, slug: str) -> str:
        return iri_for(kind, slug, self.base)

    def header(self, column: Column) -> str:
        """``column``'s header in the language of the sheet's headers: a problem names the
        column as the file does."""
        return column.fr if self.lang == "fr" else column.en

    def problem(self, entry: Entry, column: Column | None, message: str,
                value: CellValue = None, level: str = "error") -> None:
        text = "" if value is None else clip(as_text_safe(value))
        problem = Problem(message, self.sheet, entry.row,
                          self.header(column) if column else None, text, level)
        # a cell read twice (a date by the period check, then by its column) is one problem
        if problem not in entry.problems:
            entry.problems.append(problem)

    def parse(self, entry: Entry, column: Column, parser: Callable[[CellValue], object],
              value: CellValue) -> object:
        try:
            return parser(value)
        except ValueProblem as error:
            self.problem(entry, column, str(error), value)
            return None

    def concept(self, entry: Entry, column: Column, text: str) -> ox.NamedNode | None:
        try:
            return ox.NamedNode(self.index.resolve(("concept:" + column.target[0],), text))
        except ReferenceProblem as error:
            self.problem(entry, column, str(error), text)
            return None

    def choice(self, entry: Entry, column: Column, text: str) -> str | None:
        words = CHOICES[column.target[0]]
        found = words.get(norm(text))
        if found is None:
            allowed = ", ".join(sorted({w for w in words if " " not in w}))
            self.problem(entry, column, f"{quoted(text)} is not one of: {allowed}", text)
        return found

    # ----------------------------------------------------------------------------- rows

    def map(self, row: Row) -> Entry:
        """Parse one row; every problem is recorded, none is raised."""
        entry = Entry(self.sheet, row.number, self.kind)
        cells: dict[str, CellValue] = {}
        for position, column in self.columns.items():
            value = row.values[position] if position < len(row.values) else None
            if value is not None and as_text_safe(value) != "":
                cells[column.key] = value
        for column in self.kind.columns:
            if column.required and column.key in self.present and column.key not in cells:
                self.problem(entry, column, "this column is required and the cell is empty")
        if not entry.valid:
            return entry
        SUBJECTS[self.kind.name](self, entry, cells)
        subject = ox.NamedNode(entry.subject) if entry.subject else None
        for column in self.kind.columns:
            if column.key in cells and column.predicate and subject is not None:
                self.generic(entry, subject, column, cells[column.key])
        return entry

    @property
    def present(self) -> set[str]:
        return {c.key for c in self.columns.values()}

    def generic(self, entry: Entry, subject: ox.NamedNode, column: Column,
                value: CellValue) -> None:
        predicate = ox.NamedNode(column.predicate or "")
        try:
            texts = split_multi(value) if column.multi else [as_text(value)]
        except ValueProblem as error:
            self.problem(entry, column, str(error), value)
            return
        if column.type == "date":
            texts = [value]  # type: ignore[list-item]
        for text in texts:
            obj = self.object(entry, column, text)
            if obj is not None:
                entry.statements.append((subject, predicate, obj))

    def object(self, entry: Entry, column: Column, value: CellValue) -> Object | None:
        kind = column.type
        text = as_text_safe(value)
        if kind in ("text", "source") and not (kind == "source"
                                               and lower_scheme(text).startswith("http")):
            return ox.Literal(text)
        if kind == "langtext":
            return ox.Literal(text, language=self.lang)
        if kind == "ref":
            return Ref(column.target, text, self.header(column))
        if kind == "concept":
            return self.concept(entry, column, text)
        if kind == "choice":
            found = self.choice(entry, column, text)
            return ox.NamedNode(found) if found else None
        parsers: dict[str, Callable[[CellValue], object]] = {
            "date": parse_date, "bool": parse_bool, "url": parse_url, "source": parse_url,
            "wikidata": parse_wikidata, "email": parse_email, "phone": parse_phone,
        }
        parsed = self.parse(entry, column, parsers[kind], value)
        if parsed is None:
            return None
        if kind == "date":
            return _date_literal(parsed)  # type: ignore[arg-type]
        if kind == "bool":
            return ox.Literal("true" if parsed else "false", datatype=_BOOLEAN)
        if kind == "wikidata":
            return ox.NamedNode(WD + str(parsed))
        return ox.NamedNode(str(parsed))

    def own_id(self, entry: Entry, cells: dict[str, CellValue], kind: str,
               fallback: str) -> str:
        """The row's IRI: its ``id`` cell (slug or IRI), else ``fallback`` as a slug."""
        given = cells.get("id")
        if given is not None:
            text = lower_scheme(as_text_safe(given))
            if text.startswith(("http://", "https://")):
                try:
                    return checked_iri(text)
                except ValueProblem as error:   # the row is refused; its IRI is only a name
                    self.problem(entry, self.kind.column("id"), str(error), given)
            return self.iri(kind, slugify(text))
        return self.iri(kind, slugify(fallback))

    def add(self, entry: Entry, subject: str, predicate: str, obj: Object) -> None:
        try:
            node = ox.NamedNode(subject)
        except ValueError as error:   # every cell made an IRI is checked: never a 500 if not
            self.problem(entry, None, f"<{subject}> is not a valid IRI ({error})")
            return
        entry.statements.append((node, ox.NamedNode(predicate), obj))

    def typed(self, entry: Entry, *classes: str) -> None:
        assert entry.subject is not None
        for cls in classes:
            self.add(entry, entry.subject, RDF + "type", ox.NamedNode(cls))

    def date(self, entry: Entry, cells: dict[str, CellValue], key: str) -> dt.date | None:
        if key not in cells:
            return None
        return self.parse(entry, self.kind.column(key), parse_date, cells[key])  # type: ignore[return-value]

    def check_period(self, entry: Entry, cells: dict[str, CellValue]) -> None:
        start, end = self.date(entry, cells, "start"), self.date(entry, cells, "end")
        if start and end and end < start:
            self.problem(entry, self.kind.column("end"),
                         f"ends ({end}) before it starts ({start})", cells["end"])

    def provenance(self, entry: Entry, cells: dict[str, CellValue]) -> None:
        """Observations without an activity come from the import's own activity."""
        if "activity" not in cells:
            assert entry.subject is not None
            self.add(entry, entry.subject, "http://www.w3.org/ns/prov#wasGeneratedBy",
                     ox.NamedNode(self.activity))

    def commune(self, entry: Entry, cells: dict[str, CellValue]) -> None:
        if "insee" not in cells:
            if "commune" in cells:   # a commune is its INSEE code; never dropped unsaid
                self.problem(entry, self.kind.column("commune"),
                             "a commune is stored by its INSEE code: this name alone is left "
                             "out; add the INSEE code column", cells["commune"],
                             level="warning")
            return
        code = self.parse(entry, self.kind.column("insee"), parse_insee, cells["insee"])
        if code is None or entry.subject is None:
            return
        commune = self.iri("commune", str(code).lower())
        self.add(entry, entry.subject, SCHEMA + "location", ox.NamedNode(commune))
        self.add(entry, commune, RDF + "type", ox.NamedNode(IGEO + "Commune"))
        self.add(entry, commune, IGEO + "codeINSEE", ox.Literal(str(code)))
        departement = str(code)[:3] if str(code).startswith("97") else str(code)[:2]
        self.add(entry, commune, CG + "departement", ox.Literal(departement))
        # the shapes give every commune a label: its name, else its INSEE code
        name = as_text_safe(cells["commune"]) if "commune" in cells else str(code)
        self.add(entry, commune, RDFS + "label", ox.Literal(name))
