"""The story of an organisation, for its page: its tools over time (a table and a small
timeline drawn on the server), the practices they serve, its needs, experience reports and
co-design projects.

The lists come from the catalogue queries ``organisation_usages`` and
``organisation_contributions`` run on the reader's view of the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from graph.publishing.story_tables import Cell, Column, Row, Table, iri_cell, query_rows
from graph.publishing.tool_story import period
from graph.store import Store

TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {"tools": "Tools over time", "tool": "Tool", "through": "Through",
           "practices": "Practices", "status": "Status", "period": "Period of use",
           "waves": "Observation waves", "practice": "Practice", "used_with": "Tools",
           "practices_table": "Practices", "needs": "Needs expressed", "need": "Need",
           "about": "About", "date": "Date", "experiences": "Experience reports",
           "experience": "Experience", "projects": "Co-design projects",
           "project": "Project"},
    "fr": {"tools": "Outils au fil du temps", "tool": "Outil", "through": "Par",
           "practices": "Pratiques", "status": "Statut", "period": "Période d'usage",
           "waves": "Vagues d'observation", "practice": "Pratique", "used_with": "Outils",
           "practices_table": "Pratiques", "needs": "Besoins exprimés", "need": "Besoin",
           "about": "Sujet", "date": "Date", "experiences": "Retours d'expérience",
           "experience": "Retour d'expérience", "projects": "Projets de co-conception",
           "project": "Projet"},
}


@dataclass(frozen=True)
class Bar:
    """One tool on the timeline: where its use starts and ends, as fractions of the width."""

    label: str
    iri: str
    start: float
    end: float
    status: str
    period: str


@dataclass(frozen=True)
class Timeline:
    """The tools of an organisation over the years its usages cover."""

    bars: tuple[Bar, ...]
    #: (year, its position as a fraction of the width)
    ticks: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class OrganisationStory:
    """What the page of an organisation tells, list by list."""

    iri: str
    tools: Table
    practices: Table
    needs: Table
    experiences: Table
    projects: Table
    timeline: Timeline | None

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.tools, self.practices, self.needs, self.experiences, self.projects)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def timeline(spans: list[tuple[str, str, dt.date, dt.date, str, str]]) -> Timeline | None:
    """The timeline of (label, IRI, start, end, status, period) spans; ``None`` if none.

    >>> t = timeline([("Loomio", "x", dt.date(2022, 1, 1), dt.date(2024, 1, 1), "active", "")])
    >>> [year for year, _ in t.ticks], t.bars[0].start, round(t.bars[0].end, 2)
    ([2022, 2023, 2024], 0.0, 0.67)
    """
    if not spans:
        return None
    first = dt.date(min(s[2] for s in spans).year, 1, 1)
    last = dt.date(max(s[3] for s in spans).year + 1, 1, 1)
    width = (last - first).days

    def at(day: dt.date) -> float:
        return (day - first).days / width

    bars = tuple(Bar(label, iri, at(start), max(at(end), at(start) + 0.01), status, text)
                 for label, iri, start, end, status, text in spans)
    ticks = tuple((year, at(dt.date(year, 1, 1))) for year in range(first.year, last.year))
    return Timeline(bars, ticks)


def _tools(rows: list[Row], say: dict[str, str], today: dt.date
           ) -> tuple[Table, Timeline | None]:
    by_software: dict[str, list[Row]] = {}
    for row in rows:
        by_software.setdefault(row["software"], []).append(row)
    lines, spans = [], []
    for software, usages in by_software.items():
        latest = max(usages, key=lambda r: (r.get("observed", ""), r.get("usage", "")))
        ongoing = not latest.get("status", "").endswith("/abandoned")
        starts = [r["start"] for r in usages if "start" in r]
        ends = [r["end"] for r in usages if "end" in r] or [latest.get("observed", "…")]
        text = period(starts, ends, ongoing)
        practices = sorted({r.get("practiceLabel", "") for r in usages if "practice" in r})
        waves = sorted({r.get("waveLabel", "").rsplit(" ", 1)[-1] for r in usages
                        if "wave" in r})
        through = sorted({r.get("usedLabel", "") for r in usages if r.get("used") != software})
        lines.append((iri_cell(latest, "software"), Cell(", ".join(through)),
                      Cell(", ".join(practices)),
                      iri_cell(latest, "status") if "status" in latest else Cell(""),
                      Cell(text), Cell(", ".join(waves))))
        start = _date(min(starts)) if starts else _date(min(r.get("observed", "")
                                                          for r in usages))
        end = today if ongoing else _date(max(ends))
        if start is not None and end is not None:
            spans.append((latest.get("softwareLabel", software), software, start,
                          max(start, end), latest.get("status", "").rsplit("/", 1)[-1], text))
    table = Table("tools", say["tools"], (
        Column("tool", say["tool"]), Column("through", say["through"], linked=False),
        Column("practices", say["practices"], linked=False), Column("status", say["status"]),
        Column("period", say["period"], linked=False),
        Column("waves", say["waves"], linked=False)), tuple(lines))
    return table, timeline(spans)


def _practices(rows: list[Row], say: dict[str, str]) -> Table:
    tools: dict[str, tuple[Cell, set[str]]] = {}
    for row in rows:
        if "practice" in row:
            _, names = tools.setdefault(row["practice"], (iri_cell(row, "practice"), set()))
            names.add(row.get("softwareLabel", ""))
    return Table("practices", say["practices_table"], (
        Column("practice", say["practice"]), Column("tools", say["used_with"], linked=False)),
        tuple((cell, Cell(", ".join(sorted(names))))
              for cell, names in sorted(tools.values(), key=lambda t: t[0].text)))


def organisation_story(store: Store, iri: str, *, lang: str = "en",
                       today: dt.date | None = None) -> OrganisationStory:
    """The story of the organisation ``iri`` as ``store`` shows it, in ``lang``; usages
    still in force run on the timeline to ``today``."""
    say = TEXT.get(lang, TEXT["en"])
    terms: dict[str, ox.NamedNode | ox.Literal] = {"organisation": ox.NamedNode(iri),
                                                  "lang": ox.Literal(lang)}
    usages = query_rows(store, "organisation_usages", terms)
    tools, drawn = _tools(usages, say, today or dt.date.today())
    contributions = query_rows(store, "organisation_contributions", terms)

    def listed(kind: str, title: str) -> Table:
        return Table(f"{kind}s", say[title], (
            Column(kind, say[kind]), Column("about", say["about"]),
            Column("date", say["date"], linked=False)), tuple(
            (iri_cell(r, "item"), iri_cell(r, "about") if "about" in r else Cell(""),
             Cell(r.get("date", ""))) for r in contributions if r["kind"] == kind))

    return OrganisationStory(iri, tools, _practices(usages, say), listed("need", "needs"),
                             listed("experience", "experiences"),
                             listed("project", "projects"), drawn)
