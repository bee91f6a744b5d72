"""Importing a spreadsheet: read, map, check everything, then replace the source's graphs.

``import_spreadsheet`` never raises for bad input: it returns an ``ImportReport`` listing every
problem (file, sheet, row, column; node and constraint for the shapes). The rows are checked
cell by cell, then their graphs go through the write path (``graph.ingest.writing``): the core
shapes, the public-profile shapes and the privacy guard, then one transaction. Nothing is
written when any row fails, unless ``skip_invalid`` is set, in which case the invalid rows
(and the rows that depend on them) are left out and listed. Only store failures raise
(``StoreError``).

One import is one source: its public rows go to ``…/graph/contrib/{slug}`` and its restricted
rows (members, consent) to ``…/graph/restricted/contrib/{slug}`` (``targets``: no two sources
share them), each replaced whole, with its provenance in the meta graph. Importing the same
bytes again under the same source changes nothing; importing a corrected file replaces what
that source said before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from graph.errors import InputError, ShapeViolation, SpreadsheetError
from graph.formulas import is_formula
from graph.ingest import checking, writing
from graph.ingest.provenance import Provenance, describe
from graph.ingest.report import ImportReport, Problem
from graph.ingest.spreadsheets.clashes import check_rows
from graph.ingest.spreadsheets.columns import KINDS, ORDER, Column, Kind, detect_kind
from graph.ingest.spreadsheets.curated import curated_tools
from graph.ingest.spreadsheets.entry import Entry, Ref, resolve
from graph.ingest.spreadsheets.mapping import RowMapper
from graph.ingest.spreadsheets.references import Index, index_concepts, index_store
from graph.ingest.spreadsheets.targets import Target, target_in
from graph.ingest.spreadsheets.values import (
    SHOWN,
    ValueProblem,
    clip,
    norm,
    parse_licence,
    parse_source,
    quoted,
)
from graph.ingest.tabular import Table, column_letters, read_table
from graph.namespaces import (
    CG,
    DCTERMS,
    DEFAULT_BASE,
    META_GRAPH,
    RDF,
    RDFS,
)
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.privacy.persons import refresh_public_view
from graph.store import Store

_TOOL_KINDS = frozenset({"software", "instance", "space"})
#: the kinds of sheet whose rows may describe a resource already stored, found by its name
#: (``mapping``: ``index.find``), and the kinds looked up; the rows of the other kinds
#: (observations, memberships, consent) always mint their own IRIs
_FOUND_BY_NAME: dict[str, set[str]] = {
    "organisations": {"org"}, "activities": {"activity"}, "tools": set(_TOOL_KINDS),
    "events": {"event", "activity"}, "projects": {"project"},
}


@dataclass
class Sheet:
    """A table with its kind and the position of each known column."""

    table: Table
    kind: Kind
    columns: dict[int, Column]
    lang: str
    entries: list[Entry] = field(default_factory=list)


def import_spreadsheet(
    store: Store, data: bytes, filename: str, *, source: str, licence: str | None = None,
    imported_by: str = "civicgraph", skip_invalid: bool = False, kind: str | None = None,
    base: str = DEFAULT_BASE, now: dt.datetime | None = None, threshold: int = 5,
) -> ImportReport:
    """Import ``data`` (CSV or XLSX bytes named ``filename``) as ``source``; see the module.
    ``threshold`` is the smallest membership count published when the public view of persons
    is recomputed (after an import of members or consent). The report is bounded: see
    ``bounded``."""
    report = ImportReport(source=source, filename=filename)
    try:
        _import(store, data, filename, report, source=source, licence=licence,
                imported_by=imported_by, skip_invalid=skip_invalid, kind=kind, base=base,
                now=now, threshold=threshold)
    finally:
        bounded(report)
    return report


def _import(
    store: Store, data: bytes, filename: str, report: ImportReport, *, source: str,
    licence: str | None, imported_by: str, skip_invalid: bool, kind: str | None, base: str,
    now: dt.datetime | None, threshold: int,
) -> ImportReport:
    if not source.strip():
        report.problems.append(Problem("--source is required: name where the data comes from"))
        return report
    try:   # the licence is an IRI (an SPDX id becomes its spdx.org IRI); the source is bounded
        source = report.source = parse_source(source)   # and normalised (``targets``)
        licence = parse_licence(licence) if licence is not None else None
    except ValueProblem as error:
        report.source = source[:200]
        report.problems.append(Problem(str(error)))
        return report
    started = time.perf_counter()
    try:
        target = target_in(store, source, base)
    except InputError as error:
        report.problems.append(Problem(str(error)))
        return report
    sha256 = hashlib.sha256(data).hexdigest()
    report.sha256 = sha256
    sheets = _sheets(data, filename, kind, report)
    if sheets is None:
        return report
    entries = map_sheets(store, sheets, target, base, report)
    report.rows_read = sum(not getattr(e, "extra", False) for e in entries)
    check_rows(entries, report)
    report.seconds["parse"] = time.perf_counter() - started
    if report.errors and not skip_invalid:
        return report
    kept = [e for e in entries if e.valid]
    report.skipped_rows = [(e.sheet, e.row) for e in entries if not e.valid]
    report.rows_imported = sum(not getattr(e, "extra", False) for e in kept)
    if not kept:
        report.problems.append(Problem("no valid row to import; nothing was stored"))
        return report
    if not target.stale and _unchanged(store, target, sha256, source, licence,
                                       any(e.kind.restricted for e in kept)):
        report.unchanged = True
        return report
    where = {e.subject: (e.sheet, e.row) for e in kept if e.subject}
    with writing.WRITE_LOCK:
        started = time.perf_counter()
        contents = _shaped(store, kept, target, source, report, where, skip_invalid)
        report.seconds["validate"] = time.perf_counter() - started
        if contents is None:
            return report
        # an import of restricted rows only (members, consent) leaves no public trace: no
        # empty public graph, and so no public description naming its source or file
        for graph in (target.restricted, target.public):
            if not contents[graph] and graph not in store.graphs():
                del contents[graph]
        stale = dict(target.stale)
        moment = now or dt.datetime.now(dt.UTC)
        common = Provenance(source=source, imported_by=imported_by,
                            title=f"{source} ({filename})", licence=licence, sha256=sha256,
                            moment=moment)
        provenance = {graph: replace(common, access=stale.get(graph, "restricted" if graph ==
                                     target.restricted else "public")) for graph in contents}
        # one transaction for the source's graphs, whose shapes were checked above
        written = writing.replace(store, contents, provenance, source=filename,
                                  validate=False, public=(target.public,))
        for graph in stale:   # and dropped, their descriptions with them
            store.drop_graph(graph)
    report.seconds["write"] = written.seconds["write"]
    report.graphs = {graph: len(triples) for graph, triples in contents.items()
                     if graph not in stale}
    report.created = [graph for graph in written.created if graph not in stale]
    report.stored = True
    report.problems += [Problem(f"<{graph}> held an earlier import of this source: it was "
                                "dropped", level="warning") for graph in stale]
    if target.restricted in report.graphs or "restricted" in stale.values():
        # consent may have changed: the public view follows at once
        refresh_public_view(store, threshold=threshold, now=moment)
    return report


def _shaped(store: Store, kept: list[Entry], target: Target, source: str,
            report: ImportReport, where: dict[str, tuple[str, int]],
            skip_invalid: bool) -> dict[str, list[ox.Triple]] | None:
    """The graphs of the kept rows once they pass the shapes and the privacy guard (the
    write path's checks), each refused node placed at its sheet and row; with
    ``skip_invalid``, the rows of refused nodes are left out and the rest checked again.
    None (with the problems in ``report``) when refused."""
    for attempt in (1, 2):
        public, restricted = _split(kept, target, source)
        # the source's graphs outside its target (``targets``) are emptied by the same write
        contents = {target.public: public, target.restricted: restricted,
                    **{graph: [] for graph, _ in target.stale}}
        try:
            warnings = checking.check(store, contents, source=source,
                                     public={*checking.public_targets(store), target.public})
        except ShapeViolation as refused:
            bad = {v.focus_node for v in refused.violations}
            if not skip_invalid or attempt == 2 or not bad & where.keys():
                report.refuse(list(refused.violations), where=where)
                return None
            report.refuse([replace(v, severity="Warning") for v in refused.violations],
                          where=where)
            dropped = [e for e in kept if e.subject in bad]
            report.skipped_rows += [(e.sheet, e.row) for e in dropped]
            kept = [e for e in kept if e.subject not in bad]
            report.rows_imported = sum(not getattr(e, "extra", False) for e in kept)
            continue
        report.refuse(warnings, where=where)
        return contents
    return None


def _sheets(data: bytes, filename: str, kind: str | None,
            report: ImportReport) -> list[Sheet] | None:
    try:
        tables = read_table(data, filename)
    except SpreadsheetError as error:
        report.problems.append(Problem(error.message, error.sheet, error.row))
        return None
    if kind and kind not in KINDS:   # never ignored: the report would blame the sheets
        report.problems.append(Problem(
            f"unknown kind {kind!r}: give one of {', '.join(ORDER)}", None, None))
        return None
    sheets = []
    for table in tables:
        found = KINDS.get(kind) if kind else detect_kind(table.name, table.header)
        if found is None:
            report.problems.append(Problem(
                "cannot tell what this sheet describes: name the sheet after its kind "
                f"({', '.join(ORDER)}) or use the template's headers", table.name,
                table.header_row))
            continue
        sheet = _columns(table, found, report)
        _flag_formulas(table, report)
        _flag_headerless(table, report)
        if sheet is not None:
            sheets.append(sheet)
            report.sheets[table.name] = found.name
    if not sheets or report.errors:
        return None
    return sheets


def _flag_headerless(table: Table, report: ImportReport) -> None:
    """A warning for each filled cell under an empty header or past the last header: it
    belongs to no column, and is not imported."""
    for row in table.rows:
        for position, value in [*enumerate(row.values), *row.beyond]:
            if value is not None and not (position < len(table.header)
                                          and table.header[position]):
                letter = column_letters(position)
                report.problems.append(Problem(
                    "this cell has no column header: its value is not imported; give the "
                    "column a header, or empty the cell", table.name, row.number, letter,
                    clip(str(value)), level="warning"))


def _flag_formulas(table: Table, report: ImportReport) -> None:
    """A warning for each cell a spreadsheet would read as a formula (``graph.formulas``):
    it is stored as the text it is, and neutralised in every CSV written back."""
    for row in table.rows:
        for header, value in zip(table.header, row.values, strict=False):
            if isinstance(value, str) and is_formula(value):
                report.problems.append(Problem(
                    "begins like a spreadsheet formula (=, +, -, @, tab or CR): stored as "
                    "text, written back with a leading ' in CSV", table.name, row.number,
                    header, clip(value), level="warning"))


def _columns(table: Table, kind: Kind, report: ImportReport) -> Sheet | None:
    columns: dict[int, Column] = {}
    fr = en = 0
    seen: dict[str, str] = {}
    for position, header in enumerate(table.header):
        if not header:
            continue
        column = kind.column_for(header)
        if column is None:
            report.problems.append(Problem(
                f"unknown column for {kind.name}, ignored", table.name, table.header_row,
                clip(header), level="warning"))
            continue
        if column.key in seen:
            report.problems.append(Problem(
                f"the column appears twice (also as {quoted(seen[column.key])})", table.name,
                table.header_row, clip(header)))
            continue
        seen[column.key] = header
        columns[position] = column
        fr += norm(header) == norm(column.fr) != norm(column.en)
        en += norm(header) == norm(column.en) != norm(column.fr)
    missing = [c for c in kind.columns if c.required and c.key not in seen]
    for column in missing:   # named as the sheet's other headers are, French or English
        report.problems.append(Problem(
            f"required column missing (header {column.en!r} or {column.fr!r})", table.name,
            table.header_row, column.fr if fr > en else column.en))
    if not table.rows:
        report.problems.append(Problem("the sheet has a header but no data row", table.name,
                                       table.header_row))
    if missing or not table.rows:
        return None
    return Sheet(table, kind, columns, "fr" if fr > en else "en")


def map_sheets(store: Store, sheets: list[Sheet], target: Target, base: str,
               report: ImportReport) -> list[Entry]:
    """Map every row of ``sheets``, resolving references against the store and the file."""
    index = Index()
    index_store(index, store, kinds_named(sheets))
    index_concepts(index, store)
    order = {name: position for position, name in enumerate(ORDER)}
    entries: list[Entry] = []
    for sheet in sorted(sheets, key=lambda s: order[s.kind.name]):
        mapper = RowMapper(sheet.kind, sheet.table.name, sheet.columns, lang=sheet.lang,
                           base=base, index=index, activity=target.activity)
        for row in sheet.table.rows:
            entry = mapper.map(row)
            for kind, iri, names, wikidata in entry.defines:
                index.add(kind, iri, names, wikidata)
            entries.append(entry)
    extra = _curated(entries, index, base)
    for entry in entries:
        resolve(entry, index)
    entries.extend(extra)
    return entries


def kinds_named(sheets: list[Sheet]) -> set[str]:
    """The kinds of resource the rows of ``sheets`` may refer to, or find already stored
    under the name they give (the only ones read from the store)."""
    kinds: set[str] = set()
    for sheet in sheets:
        kinds |= _FOUND_BY_NAME.get(sheet.kind.name, set())
        for column in sheet.columns.values():
            if column.type == "ref":
                kinds.update(column.target)
    return kinds


def _curated(entries: list[Entry], index: Index, base: str) -> list[Entry]:
    """Tools named in the file that neither the store nor the file knows, but the curated
    table does: their description (and the software they run) joins the import."""
    table = curated_tools(base)
    pending: list[str] = []
    for entry in entries:
        for part in (p for s in entry.statements for p in (s[0], s[2])):
            if (isinstance(part, Ref) and _TOOL_KINDS & set(part.kinds)
                    and index.find(part.kinds, [part.text]) is None
                    and (iri := table.index.find(part.kinds, [part.text])) is not None):
                pending.append(iri)
    added: dict[str, Entry] = {}
    while pending:
        iri = pending.pop()
        if iri in added:
            continue
        if index.known(iri):
            # the store has it already: the table's other names ("Jitsi") still lead to it
            for kind, defined, names, wikidata in table.entries[iri].defines:
                index.add(kind, defined, names, wikidata)
            continue
        definition = added[iri] = table.entries[iri]
        for kind, defined, names, wikidata in definition.defines:
            index.add(kind, defined, names, wikidata)
        pending.extend(t.object.value for t in definition.triples
                       if isinstance(t.object, ox.NamedNode) and t.object.value in table.entries)
    return [_as_extra(e) for e in added.values()]


def _as_extra(entry: Entry) -> Entry:
    extra = Entry(sheet="(curated tools table)", row=entry.row, kind=entry.kind,
                  subject=entry.subject, triples=list(entry.triples))
    extra.extra = True  # type: ignore[attr-defined]
    return extra


def _split(entries: list[Entry], target: Target,
           source: str) -> tuple[list[ox.Triple], list[ox.Triple]]:
    public: dict[ox.Triple, None] = {}
    restricted: dict[ox.Triple, None] = {}
    for entry in entries:
        into = restricted if entry.kind.restricted else public
        for triple in entry.triples:
            into[triple] = None
    activity = ox.NamedNode(target.activity)
    if any(t.object == activity for t in public):
        public[ox.Triple(activity, ox.NamedNode(RDF + "type"),
                         ox.NamedNode(CG + "ObservationActivity"))] = None
        public[ox.Triple(activity, ox.NamedNode(RDFS + "label"), ox.Literal(source))] = None
    return list(public), list(restricted)


def metadata(graph: str, *, title: str, source: str, licence: str | None, imported_by: str,
             access: str, triples: int, sha256: str, moment: dt.datetime) -> list[ox.Triple]:
    """The description of ``graph`` in the meta graph (``graph.ingest.provenance``);
    ``access`` is "Public" or "Restricted"."""
    return describe(graph, Provenance(
        source=source, imported_by=imported_by, title=title, licence=licence,
        access="public" if access == "Public" else "restricted", sha256=sha256,
        moment=moment), triples)


def _unchanged(store: Store, target: Target, sha256: str, source: str, licence: str | None,
               has_restricted: bool) -> bool:
    """Whether the same bytes were already imported under the same source and licence."""
    graphs = [target.public] + ([target.restricted] if has_restricted else [])
    for graph in graphs:
        result = store.query(
            f"""SELECT ?sha ?licence WHERE {{ GRAPH ?meta {{
                  <{graph}> <{CG}sha256> ?sha ; <{DCTERMS}source> ?source .
                  OPTIONAL {{ <{graph}> <{DCTERMS}license> ?licence }} }}
                # outside GRAPH: a filter inside it sees only its group, not the bound ?wanted
                FILTER(STR(?source) = ?wanted)
                VALUES ?meta {{ <{META_GRAPH}> <{RESTRICTED_META_GRAPH}> }} }}""",
            substitutions={"wanted": ox.Literal(source)})
        assert isinstance(result, ox.QuerySolutions)
        rows = list(result)
        if len(rows) != 1 or rows[0]["sha"].value != sha256:
            return False
        stored = rows[0]["licence"]
        if (stored.value if stored is not None else None) != licence:
            return False
    return True



#: problems of one kind a report lists; past them, one line says how many more there are
LISTED = 100
#: characters of a problem's message a report keeps, and of its value (``clip``'s own)
_MESSAGE_MAX = 2000
_VALUE_MAX = SHOWN + len("… (1,000,000,000 characters)")
#: what varies between problems of one kind: the values they quote, IRIs, numbers
_VARYING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|<[^>]*>|\d[\d,]*")


def bounded(report: ImportReport) -> None:
    """Bound ``report``, whatever the file: each value is cut to ``SHOWN`` characters (a
    shape's message may quote a literal whole), and of each kind of problem (its level and
    message, the values it quotes aside) the first ``LISTED`` are kept, then one problem
    says how many more there were."""
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Problem] = {}
    kept: list[Problem] = []
    for problem in report.problems:
        key = (problem.level, _VARYING.sub("…", problem.message))
        counts[key] += 1
        first.setdefault(key, problem)
        if counts[key] <= LISTED:
            message = problem.message
            if len(message) > _MESSAGE_MAX:
                message = f"{message[:_MESSAGE_MAX]}… ({len(message):,} characters)"
            value = problem.value   # one cut where the problem was found is left as it is
            value = value if len(value) <= _VALUE_MAX else clip(value)
            kept.append(replace(problem, message=message, value=value))
    for key, count in counts.items():
        if count > LISTED:
            like = first[key]
            kept.append(Problem(
                f"{count - LISTED:,} more {like.level}s like {clip(like.message)!r} (sheet "
                f"{like.sheet!r}, row {like.row}) are not listed: {count:,} in all",
                like.sheet, level=like.level))
    report.problems = kept
