"""The story of a tool, for its page: who uses it (for which practices, with what status,
since when, in which observation waves), the effects reported, what it replaced and what
replaced it, its hosted instances and shared spaces.

Each list comes from a catalogue query (``tool_usages``, ``effects_by_tool``,
``tool_migrations``, ``tool_instances``) run on the reader's view of the store, so a page
shows only what its reader may see. A tool is a software (its usages include those of its
instances and spaces), or an instance or a space itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from graph.publishing.story_tables import Cell, Column, Row, Table, iri_cell, query_rows
from graph.store import Store

#: Headings, by language.
TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {"users": "Used by", "organisation": "Organisation", "practices": "Practices",
           "status": "Status", "period": "Period of use", "waves": "Observation waves",
           "through": "Through", "effects": "Effects reported", "effect": "Effect",
           "observations": "Observations", "organisations": "Organisations",
           "replaced": "Replaced", "replaced_by": "Replaced by", "tool": "Tool",
           "practice": "Practice", "until": "Old use until", "since": "New use since",
           "migrations": "Switches to and from this tool",
           "instances": "Hosted instances and shared spaces", "place": "Instance or space",
           "kind": "Kind", "host": "Hosted by", "shared_by": "Shared by",
           "usages": "Usage observations", "instance": "hosted instance",
           "space": "shared space", "direction": "Change"},
    "fr": {"users": "Utilisé par", "organisation": "Organisation", "practices": "Pratiques",
           "status": "Statut", "period": "Période d'usage", "waves": "Vagues d'observation",
           "through": "Par", "effects": "Effets constatés", "effect": "Effet",
           "observations": "Observations", "organisations": "Organisations",
           "replaced": "A remplacé", "replaced_by": "Remplacé par", "tool": "Outil",
           "practice": "Pratique", "until": "Ancien usage jusqu'au",
           "since": "Nouvel usage depuis", "migrations": "Changements d'outil",
           "instances": "Instances hébergées et espaces partagés",
           "place": "Instance ou espace", "kind": "Type", "host": "Hébergé par",
           "shared_by": "Partagé par", "usages": "Observations d'usage",
           "instance": "instance hébergée", "space": "espace partagé",
           "direction": "Changement"},
}


def words(lang: str) -> dict[str, str]:
    """The headings in ``lang`` (English for any other language)."""
    return TEXT.get(lang, TEXT["en"])


@dataclass(frozen=True)
class ToolStory:
    """What the page of a tool tells, list by list."""

    iri: str
    users: Table
    effects: Table
    migrations: Table
    instances: Table
    #: where the tool's own map is (its slug), for a software
    map_slug: str | None

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.users, self.effects, self.migrations, self.instances)

    @property
    def organisations(self) -> int:
        """How many organisations use (or used) the tool (all, even when the page lists
        only the first ones)."""
        return len(self.users)


def period(starts: list[str], ends: list[str], ongoing: bool) -> str:
    """``2021-03-01 – 2024-06-30``, or ``2021-03-01 –`` while in use.

    >>> period(["2022-01-01", "2021-03-01"], [], True)
    '2021-03-01 –'
    >>> period([], ["2024-06-30"], False)
    '… – 2024-06-30'
    """
    start = min(starts) if starts else "…"
    end = "" if ongoing or not ends else max(ends)
    return f"{start} – {end}".rstrip()


def _users(rows: list[Row], tool: str, say: dict[str, str]) -> Table:
    """One row per organisation: its practices, its latest status, its period, its waves
    and, when it uses the tool through an instance or a space, which."""
    by_organisation: dict[str, list[Row]] = {}
    for row in rows:
        by_organisation.setdefault(row["organisation"], []).append(row)
    lines = []
    for usages in by_organisation.values():
        latest = max(usages, key=lambda r: (r.get("observed", ""), r.get("usage", "")))
        practices = sorted({(r.get("practiceLabel", ""), r["practice"])
                            for r in usages if "practice" in r})
        waves = sorted({(r.get("waveLabel", ""), r["wave"]) for r in usages if "wave" in r})
        through = sorted({(r.get("usedLabel", ""), r["used"]) for r in usages
                          if r.get("used") != tool})
        ongoing = not latest.get("status", "").endswith("/abandoned")
        lines.append((
            iri_cell(latest, "organisation"),
            Cell(", ".join(label for label, _ in practices)),
            iri_cell(latest, "status") if "status" in latest else Cell(""),
            Cell(period([r["start"] for r in usages if "start" in r],
                        [r["end"] for r in usages if "end" in r]
                        or [latest.get("observed", "…")], ongoing)),
            Cell(", ".join(label.rsplit(" ", 1)[-1] for label, _ in waves)),
            Cell(", ".join(label for label, _ in through)),
        ))
    return Table("users", say["users"], (
        Column("organisation", say["organisation"]),
        Column("practices", say["practices"], linked=False),
        Column("status", say["status"]),
        Column("period", say["period"], linked=False),
        Column("waves", say["waves"], linked=False),
        Column("through", say["through"], linked=False)), tuple(lines))


#: organisations a tool's page lists (the CSV download has them all)
PAGE_USERS: Final = 50


def tool_story(store: Store, iri: str, *, lang: str = "en",
               users_shown: int | None = None) -> ToolStory:
    """The story of the tool ``iri`` as ``store`` shows it, in ``lang``; with
    ``users_shown``, only the first that many users (by name), and their total."""
    say = words(lang)
    terms: dict[str, ox.NamedNode | ox.Literal] = {"tool": ox.NamedNode(iri),
                                                  "lang": ox.Literal(lang)}
    users = _users(query_rows(store, "tool_usages", terms), iri, say).first(users_shown)
    effects = Table("effects", say["effects"], (
        Column("effect", say["effect"]),
        Column("observations", say["observations"], linked=False),
        Column("organisations", say["organisations"], linked=False)), tuple(
        (iri_cell(r, "effect"), Cell(r["observations"]), Cell(r["organisations"]))
        for r in query_rows(store, "effects_by_tool", terms)))
    migrations = Table("migrations", say["migrations"], (
        Column("direction", say["direction"], linked=False),
        Column("tool", say["tool"]),
        Column("organisation", say["organisation"]),
        Column("practice", say["practice"]),
        Column("until", say["until"], linked=False),
        Column("since", say["since"], linked=False)), tuple(
        (Cell(say[r["direction"]]), iri_cell(r, "other"), iri_cell(r, "organisation"),
         iri_cell(r, "practice"), Cell(r.get("oldUntil", "")), Cell(r.get("newSince", "")))
        for r in query_rows(store, "tool_migrations", terms)))
    instances = Table("instances", say["instances"], (
        Column("place", say["place"]),
        Column("kind", say["kind"], linked=False),
        Column("host", say["host"]),
        Column("shared_by", say["shared_by"], linked=False),
        Column("usages", say["usages"], linked=False)), tuple(
        (iri_cell(r, "place"), Cell(say[r["kind"]]),
         iri_cell(r, "host") if "host" in r else Cell(""),
         Cell(r["sharedBy"] if r["kind"] == "space" else ""), Cell(r["usages"]))
        for r in query_rows(store, "tool_instances", terms)))
    slug = iri.rstrip("/").rsplit("/", 1)[-1] if "/id/software/" in iri else None
    return ToolStory(iri, users, effects, migrations, instances, slug)
