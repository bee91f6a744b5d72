"""Empty templates, one per kind, with one example row, as CSV or XLSX, in French or English.

An XLSX template also carries a ``_help`` sheet documenting each column (sheets whose name
starts with ``_`` are never imported).
"""

from __future__ import annotations

import csv
import io

from graph.ingest.spreadsheets.columns import KINDS, TYPES, Kind

FORMATS = ("csv", "xlsx")
LANGUAGES = ("fr", "en")


def template(kind_name: str, *, format: str = "csv", lang: str = "fr") -> bytes:
    """The template of ``kind_name`` as bytes (UTF-8 CSV, or an XLSX workbook)."""
    kind = KINDS[kind_name]
    header = [c.fr if lang == "fr" else c.en for c in kind.columns]
    example = [c.example for c in kind.columns]
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerow(example)
        return out.getvalue().encode("utf-8")
    if format == "xlsx":
        return _xlsx(kind, header, example, lang)
    raise ValueError(f"unknown template format {format!r} (known: {', '.join(FORMATS)})")


def _xlsx(kind: Kind, header: list[str], example: list[str], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = kind.fr if lang == "fr" else kind.en
    sheet.append(header)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column_cells in sheet.columns:
        width = max(len(str(c.value or "")) for c in column_cells)
        sheet.column_dimensions[column_cells[0].column_letter].width = min(max(width, 10), 40)
    # dates and codes stay text: no reformatting of 01/02/2026 or of an INSEE code like 01001
    for row in sheet.iter_rows(min_row=2, max_row=200, max_col=len(header)):
        for cell in row:
            cell.number_format = "@"
    help_sheet = workbook.create_sheet("_aide" if lang == "fr" else "_help")
    help_sheet.append(["column", "required", "type", "description"])
    for column, name in zip(kind.columns, header, strict=True):
        kind_of = column.type + (" (several, separated by |)" if column.multi else "")
        help_sheet.append([name, "yes" if column.required else "", kind_of,
                           f"{column.doc} {TYPES[column.type]}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
