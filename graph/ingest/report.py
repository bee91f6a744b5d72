"""What an import says back: every problem with its sheet, row and column, and what was stored.

The same report is printed by the CLI, returned as JSON by the HTTP route and written as CSV
(``write_csv``) for people to open next to their spreadsheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any

CSV_COLUMNS = ("level", "sheet", "row", "column", "value", "message")


@dataclass(frozen=True)
class Problem:
    """One problem: ``level`` is "error" (the row is refused) or "warning" (noted only)."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str = ""
    level: str = "error"

    def __str__(self) -> str:
        where = []
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        place = ", ".join(where) or "file"
        return f"{self.level}: {place}: {self.message}"


@dataclass
class ImportReport:
    """The outcome of one import. ``stored`` is False when nothing was changed."""

    source: str
    filename: str
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_imported: int = 0
    skipped_rows: list[tuple[str, int]] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)   # graph IRI -> triples stored
    stored: bool = False
    unchanged: bool = False
    sheets: dict[str, str] = field(default_factory=dict)   # sheet -> kind

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def status(self) -> str:
        if self.unchanged:
            return "unchanged"
        return "imported" if self.stored else "refused"

    def summary(self) -> str:
        """One paragraph for a terminal."""
        if self.unchanged:
            return (f"{self.filename}: unchanged since its last import as {self.source!r}; "
                    "nothing to do")
        if not self.stored:
            return (f"{self.filename}: refused, nothing was stored: {len(self.errors)} error(s) "
                    f"in {self.rows_read} row(s)")
        graphs = ", ".join(f"<{g}> ({n} triples)" for g, n in self.graphs.items())
        text = (f"{self.filename}: imported {self.rows_imported} of {self.rows_read} row(s) as "
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
            "errors": [asdict(p) for p in self.errors],
            "warnings": [asdict(p) for p in self.warnings],
        }

    def to_csv(self) -> str:
        """The problems as CSV, one line each, errors first, in sheet and row order."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        ordered = sorted(self.problems, key=lambda p: (p.level != "error", p.sheet or "",
                                                       p.row or 0, p.column or ""))
        for p in ordered:
            writer.writerow((p.level, p.sheet or "", p.row or "", p.column or "", p.value,
                             p.message))
        skipped = set(self.skipped_rows)
        for sheet, row in sorted(skipped):
            writer.writerow(("skipped", sheet, row, "", "", "row left out (--skip-invalid)"))
        return out.getvalue()
