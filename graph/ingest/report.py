"""The one report of every write: what was written, what was refused and why.

A problem is placed by sheet, row and column (spreadsheets), by line and column (RDF syntax)
or by node, path and constraint (SHACL shapes, the privacy guard). The same report is printed
by the CLI, returned as JSON by the HTTP routes (200/201/204 when stored, 422 when refused) and
written as CSV (``to_csv``) for people to open next to their spreadsheet.

>>> report = ImportReport(source="survey", filename="s.csv")
>>> report.problems.append(Problem("a tool usage has a practice", sheet="usages", row=3))
>>> report.status, str(report.errors[0])
('refused', "error: sheet 'usages', row 3: a tool usage has a practice")
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.errors import Violation
from graph.formulas import safe_cell

CSV_COLUMNS = ("level", "sheet", "row", "column", "value", "message", "node", "path",
               "constraint")


@dataclass(frozen=True)
class Problem:
    """One problem: ``level`` is "error" (refused) or "warning" (noted only). Shape results
    carry their ``node``, ``path`` and ``constraint``."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str = ""
    level: str = "error"
    node: str | None = None
    path: str | None = None
    constraint: str | None = None

    @classmethod
    def from_violation(cls, violation: Violation, *, sheet: str | None = None,
                       row: int | None = None) -> Problem:
        """A SHACL result (or a privacy finding) as a problem, placed at ``sheet``/``row``
        when the node came from one."""
        return cls(violation.message, sheet=sheet, row=row, value=violation.value or "",
                   level="error" if violation.severity == "Violation" else "warning",
                   node=violation.focus_node, path=violation.path,
                   constraint=violation.constraint)

    @property
    def severity(self) -> str:
        """SHACL's word for the level: "Violation" or "Warning"."""
        return "Violation" if self.level == "error" else "Warning"

    def __str__(self) -> str:
        where = []
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.node is not None:
            where.append(f"node {self.node}" + (f" {self.path}" if self.path else ""))
        place = ", ".join(where) or "file"
        tail = f" [{self.constraint}]" if self.constraint else ""
        return f"{self.level}: {place}: {self.message}{tail}"


@dataclass
class ImportReport:
    """The outcome of one write. ``stored`` is False when nothing was changed; ``unchanged``
    when the same bytes were already stored under the same description."""

    source: str
    filename: str = ""
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_imported: int = 0
    skipped_rows: list[tuple[str, int]] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)   # graph IRI -> triples written
    stored: bool = False
    unchanged: bool = False
    sheets: dict[str, str] = field(default_factory=dict)   # sheet -> kind
    format: str = ""
    sha256: str = ""
    created: list[str] = field(default_factory=list)      # graphs that held nothing before
    seconds: dict[str, float] = field(default_factory=dict)   # per stage

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def changed(self) -> bool:
        return self.stored

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    @property
    def status(self) -> str:
        if self.unchanged:
            return "unchanged"
        return "imported" if self.stored else "refused"

    def refuse(self, violations: list[Violation], *, where: dict[str, tuple[str, int]]
               | None = None) -> None:
        """Add ``violations`` as problems, placed by ``where`` (node -> sheet, row)."""
        for v in violations:
            sheet, row = (where or {}).get(v.focus_node, (None, None))
            self.problems.append(Problem.from_violation(v, sheet=sheet, row=row))

    def summary(self) -> str:
        """One paragraph for a terminal."""
        name = self.filename or self.source
        if self.unchanged:
            return (f"{name}: unchanged since its last import as {self.source!r}; "
                    "nothing to do")
        if not self.stored:
            rows = f" in {self.rows_read} row(s)" if self.rows_read else ""
            return f"{name}: refused, nothing was stored: {len(self.errors)} error(s){rows}"
        graphs = ", ".join(f"<{g}> ({n} triples)" for g, n in self.graphs.items())
        if not self.rows_read:
            return f"{name}: stored into {graphs}"
        text = (f"{name}: imported {self.rows_imported} of {self.rows_read} row(s) as "
                f"{self.source!r} into {graphs}")
        if self.skipped_rows:
            text += f"; left out {len(self.skipped_rows)} invalid row(s), listed in the report"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "source": self.source,
            "file": self.filename,
            "sheets": self.sheets,
            "rows": {"read": self.rows_read, "imported": self.rows_imported,
                     "skipped": len(self.skipped_rows)},
            "skipped": [{"sheet": s, "row": r} for s, r in self.skipped_rows],
            "graphs": self.graphs,
            "errors": [_plain(p) for p in self.errors],
            "warnings": [_plain(p) for p in self.warnings],
        }

    def to_csv(self) -> str:
        """The problems as CSV, one line each, errors first, in sheet and row order; cells a
        spreadsheet would take for formulas are neutralised (``graph.formulas``)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")   # RFC 4180: a CR in a cell is quoted
        writer.writerow(CSV_COLUMNS)
        ordered = sorted(self.problems, key=lambda p: (p.level != "error", p.sheet or "",
                                                       p.row or 0, p.column or "",
                                                       p.node or ""))
        for p in ordered:
            writer.writerow([safe_cell(cell) for cell in (
                p.level, p.sheet or "", p.row or "", p.column or "", p.value, p.message,
                p.node or "", p.path or "", p.constraint or "")])
        skipped = set(self.skipped_rows)
        for sheet, row in sorted(skipped):
            writer.writerow(("skipped", safe_cell(sheet), row, "", "",
                             "row left out (--skip-invalid)", "", "", ""))
        return out.getvalue()


def _plain(problem: Problem) -> dict[str, Any]:
    """A problem as JSON, without the empty placing fields of the other kinds."""
    body = asdict(problem)
    for key in ("node", "path", "constraint"):
        if body[key] is None:
            del body[key]
    return body
