"""The whole set of maps as static files, for publishing on any static host.

``write_site(table, out)`` writes, per language, ``{lang}/index.html`` (the gallery),
``{lang}/{map}.html`` and ``{lang}/tools/{slug}.html`` (standalone map documents),
``{lang}/{map}.svg`` thumbnails and the exports of each gallery map, and the shared
``assets/`` (vis-network from pyvis, civicgraph's map script and style). Nodes link to their
IRIs. Nothing in the output refers to another site except those IRIs and the licence.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from visualisations import maps
from visualisations.export import FORMATS, export
from visualisations.filters import Filters
from visualisations.render import _ENV, asset_files, build_view, render_html, render_svg
from visualisations.table import UsageTable


@dataclass
class Written:
    """What ``write_site`` wrote."""

    files: int = 0
    size: int = 0
    largest: tuple[str, int] = ("", 0)

    def add(self, path: Path, data: bytes | str) -> None:
        body = data.encode("utf-8") if isinstance(data, str) else data
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.files += 1
        self.size += len(body)
        if path.suffix == ".html" and len(body) > self.largest[1]:
            self.largest = (str(path), len(body))


def _link(iri: str) -> str | None:
    return iri if iri.startswith(("https://", "http://")) else None


def write_site(table: UsageTable, out: Path, *, langs: Sequence[str] = ("fr", "en"),
               budget: int = 1500, tools: bool = True,
               progress: Callable[[str], None] | None = None) -> Written:
    """Write the static site into ``out`` (created if needed)."""
    written = Written()
    for name, source in asset_files().items():
        written.add(out / "assets" / name, source.read_bytes())
    index = maps.tool_index(table)
    built = {spec.name: maps.build(table, spec.name, Filters(), budget=budget)
             for spec in maps.GALLERY}
    for spec in maps.GALLERY:
        for format in FORMATS:
            written.add(out / "data" / f"{spec.name}{FORMATS[format][0]}",
                        export(built[spec.name].graph, format))
    tool_maps = {sw: maps.build(table, "tool", Filters(), budget=budget, software=sw)
                 for sw, _, _ in index} if tools else {}
    generated = dt.date.today().isoformat()
    for lang in langs:
        folder = out / lang
        cards = []
        for spec in maps.GALLERY:
            view = build_view(built[spec.name], title=spec.title[lang], lang=lang,
                              label=table.label, link=_link,
                              description=spec.description[lang])
            written.add(folder / f"{spec.name}.html",
                        render_html(view, assets="../assets", home="index.html"))
            written.add(folder / f"{spec.name}.svg", render_svg(view))
            cards.append({
                "file": f"{spec.name}.html", "thumbnail": f"{spec.name}.svg",
                "title": spec.title[lang], "description": spec.description[lang],
                "alt": ("Aperçu : " if lang == "fr" else "Preview: ") + spec.title[lang],
                "exports": [(f, f"../data/{spec.name}{FORMATS[f][0]}") for f in FORMATS]})
            if progress:
                progress(f"{lang}/{spec.name}.html")
        for software, label_en, _ in index if tools else []:
            label = table.label(software, lang)
            title = (f"{label} : qui l'utilise, pour quoi" if lang == "fr"
                     else f"{label_en}: who uses it, for what")
            view = build_view(tool_maps[software], title=title, lang=lang, label=table.label,
                              link=_link)
            slug = software.rstrip("/").rsplit("/", 1)[-1]
            written.add(folder / "tools" / f"{slug}.html",
                        render_html(view, assets="../../assets", home="../index.html"))
        others = [other for other in langs if other != lang]
        written.add(folder / "index.html", _ENV.get_template("index.html").render(
            lang=lang, cards=cards, other=others[0] if others else None,
            tools=[(sw.rsplit("/", 1)[-1], table.label(sw, lang), n) for sw, _, n in index]
            if tools else [],
            licence_url="https://creativecommons.org/licenses/by/4.0/", generated=generated))
    if langs:
        written.add(out / "index.html", _redirect(langs[0]))
    return written


def _redirect(lang: str) -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url={lang}/index.html">'
            f'<title>civicgraph</title></head><body><a href="{lang}/index.html">civicgraph</a>'
            f'</body></html>')


def clean(out: Path) -> None:
    """Remove what a previous ``write_site`` wrote in ``out`` (only its own folders)."""
    for name in ("assets", "data", "fr", "en", "index.html"):
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
