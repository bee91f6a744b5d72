"""Contributions from spreadsheets: templates, column definitions, row mapping and import."""

from graph.contributions.importing import import_spreadsheet
from graph.contributions.report import ImportReport, Problem

__all__ = ["ImportReport", "Problem", "import_spreadsheet"]
