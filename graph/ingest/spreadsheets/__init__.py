"""Contributions from spreadsheets: templates, column definitions, row mapping and import."""

from graph.ingest.spreadsheets.importing import import_spreadsheet
from graph.ingest.report import ImportReport, Problem

__all__ = ["ImportReport", "Problem", "import_spreadsheet"]
