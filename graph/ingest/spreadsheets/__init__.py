"""Contributions from spreadsheets: templates, column definitions, row mapping and import."""

from graph.ingest.report import ImportReport, Problem
from graph.ingest.spreadsheets.importing import import_spreadsheet

__all__ = ["ImportReport", "Problem", "import_spreadsheet"]
