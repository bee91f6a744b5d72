"""Checks across the rows of one import: duplicates, rows that make the same IRI, and rows
that depend on refused rows. Each finding is a problem of the row it refuses."""

from __future__ import annotations

import pyoxigraph as ox

from graph.ingest.report import ImportReport, Problem
from graph.ingest.spreadsheets.entry import Entry
from graph.ingest.spreadsheets.values import clip


def check_rows(entries: list[Entry], report: ImportReport) -> None:
    """Duplicates, rows that make the same IRI and rows that depend on invalid rows; then
    collect every problem into ``report``."""
    first: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if entry.unique_key is None:
            continue
        other = first.setdefault(entry.unique_key, entry)
        if other is not entry:
            _kind, key = entry.unique_key
            clash = key.split("\x1f", 1)[1] if "\x1f" in key else f"identifier <{key}>"
            clash = clip(clash)
            entry.problems.append(Problem(
                f"duplicate: {clash} as row {other.row} of sheet {other.sheet!r}; give each row "
                "its own id, or merge the rows", entry.sheet, entry.row,
                "id" if "\x1f" not in key else None))
    _same_iri(entries)
    _cascade(entries)
    for entry in entries:
        if getattr(entry, "extra", False):
            continue
        report.problems.extend(entry.problems)


def _same_iri(entries: list[Entry]) -> None:
    """Rows without an id that are not duplicates but whose cells make the same IRI (a slug
    keeps 24 characters of each cell): one would silently merge into the other."""
    minted: dict[str, Entry] = {}
    for entry in entries:
        if not entry.unique_parts or entry.subject is None or not entry.valid:
            continue
        other = minted.setdefault(entry.subject, entry)
        if other is not entry:
            entry.problems.append(Problem(
                f"row {other.row} of sheet {other.sheet!r} makes the same IRI "
                f"<{entry.subject}> for another {entry.kind.iri_kind}: give one of them its own id",
                entry.sheet, entry.row, "id"))


def _cascade(entries: list[Entry]) -> None:
    """Rows that name a resource defined only by invalid rows are invalid too."""
    changed = True
    while changed:
        defined: dict[str, list[Entry]] = {}
        for entry in entries:
            if entry.subject:
                defined.setdefault(entry.subject, []).append(entry)
        broken = {iri: rows for iri, rows in defined.items() if not any(e.valid for e in rows)}
        changed = False
        for entry in entries:
            if not entry.valid:
                continue
            nodes = {n.value for t in entry.triples for n in (t.subject, t.object)
                     if isinstance(n, ox.NamedNode)} - {entry.subject}
            for iri in sorted(nodes & broken.keys()):
                origin = broken[iri][0]
                entry.problems.append(Problem(
                    f"refers to <{iri}>, defined on row {origin.row} of sheet "
                    f"{origin.sheet!r}, which has errors", entry.sheet, entry.row))
                changed = True
