"""Organisations placed by commune: the read-model of ``/maps/geography``. Pure: the usage
table, filters and the commune list in, places out.

An organisation is placed at its commune (``schema:location`` with an INSEE code); a commune
without a known position (under 1,000 inhabitants in GeoNames) is drawn at its
département's centre and flagged ``approximate``; organisations without a commune are
counted apart.

>>> from visualisations.table import Usage, UsageTable
>>> t = UsageTable(usages=[Usage("u1", "o1", "s1", "s1")], org_commune={"o1": "93048"})
>>> [(p.code, p.name, p.organisations) for p in geography(t).places]
[('93048', 'Montreuil', ('o1',))]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from visualisations.columns import columns, select_mask
from visualisations.filters import Filters
from visualisations.places import Commune, communes, outlines
from visualisations.table import UsageTable


@dataclass(frozen=True)
class Place:
    """The organisations of one commune, and where to draw them (SVG units)."""

    code: str
    name: str
    departement: str
    x: float
    y: float
    approximate: bool
    organisations: tuple[str, ...]


@dataclass
class Geography:
    places: list[Place] = field(default_factory=list)
    unplaced: tuple[str, ...] = ()   # organisations without a known commune

    @property
    def organisations(self) -> int:
        return sum(len(p.organisations) for p in self.places)


def geography(table: UsageTable, filters: Filters | None = None,
              known: dict[str, Commune] | None = None) -> Geography:
    """The organisations with a usage that passes ``filters``, by commune (``known``: the
    communes by INSEE code, default the shipped list), the biggest places first."""
    known = communes() if known is None else known
    centres = {code: d["centre"] for code, d in outlines()["departements"].items()}
    cols = columns(table)
    chosen = select_mask(table, filters).index
    orgs = sorted(cols.orgs[o] for o in np.unique(cols.org[chosen]))
    by_commune: dict[str, list[str]] = {}
    unplaced: list[str] = []
    for org in orgs:
        code = table.org_commune.get(org)
        commune = known.get(code) if code else None
        if commune is None or (commune.position is None
                               and commune.departement not in centres):
            unplaced.append(org)
        else:
            by_commune.setdefault(commune.code, []).append(org)
    places = []
    for code, members in by_commune.items():
        commune = known[code]
        x, y = commune.position or centres[commune.departement]
        places.append(Place(code, commune.name, commune.departement, float(x), float(y),
                            commune.position is None, tuple(members)))
    places.sort(key=lambda p: (-len(p.organisations), p.name, p.code))
    return Geography(places, tuple(unplaced))


def geography_payload(found: Geography, table: UsageTable, lang: str,
                      link: Callable[[str], str | None]) -> dict[str, Any]:
    """What the browser draws: each place with its organisations' names, links and fields
    (text only: the page's script sets it as text)."""
    def field_of(org: str) -> str | None:
        fields = table.org_fields.get(org, ())
        return table.label(table.top(fields[0]), lang) if fields else None

    return {"lang": lang, "places": [
        {"code": p.code, "name": p.name, "dep": p.departement, "x": p.x, "y": p.y,
         "approximate": p.approximate,
         "organisations": [{"name": table.label(o, lang), "url": link(o), "field": field_of(o)}
                           for o in p.organisations]}
        for p in found.places]}


def asset_files() -> dict[str, Path]:
    """The files the geography page loads, by the name it loads them under: Leaflet and
    its marker clusters (see ``places/NOTICE.md``), the outlines, and our script."""
    here = Path(__file__).parent
    vendor = here / "static" / "vendor"
    return {"geomap.js": here / "static" / "geomap.js",
            "departements.json": here / "places" / "departements.json",
            **{path.name: path for path in sorted(vendor.iterdir())}}
