"""The story of a concept, for its page: the tools used for a practice (or a narrower one),
the tools an effect (or a narrower one) was reported on, the tools of a tool category, and
the tools the organisations of a field of action or of a kind of organisation use.

From the catalogue queries ``tools_by_practice``, ``effects_by_tool`` and
``tools_by_concept``, run on the reader's view of the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from graph.namespaces import ID
from graph.publishing.story_tables import Cell, Column, Table, iri_cell, query_rows
from graph.store import Store

TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {"practice": "Tools used for this practice",
           "effect": "Tools this effect was reported on",
           "tool": "Tool", "free": "Free software", "organisations": "Organisations",
           "usages": "Usage observations", "observations": "Observations",
           "true": "yes", "false": "no", "tool-category": "Tools of this category",
           "field": "Tools the organisations of this field use",
           "org-kind": "Tools the organisations of this kind use"},
    "fr": {"practice": "Outils utilisés pour cette pratique",
           "effect": "Outils sur lesquels cet effet a été constaté", "tool": "Outil",
           "free": "Logiciel libre", "organisations": "Organisations",
           "usages": "Observations d'usage", "observations": "Observations",
           "true": "oui", "false": "non", "tool-category": "Outils de cette catégorie",
           "field": "Outils qu'utilisent les organisations de ce champ",
           "org-kind": "Outils qu'utilisent les organisations de ce type"},
}


@dataclass(frozen=True)
class ConceptStory:
    """What the page of a practice or an effect tells."""

    iri: str
    tools: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.tools,)


def concept_story(store: Store, iri: str, *, lang: str = "en") -> ConceptStory | None:
    """The story of the practice or effect ``iri`` in ``lang``; ``None`` for another
    concept (no story to tell)."""
    say = TEXT.get(lang, TEXT["en"])
    node, language = ox.NamedNode(iri), ox.Literal(lang)
    if iri.startswith(ID + "practice/"):
        rows = query_rows(store, "tools_by_practice", {
            "practice": node, "include_abandoned": ox.Literal(False), "lang": language})
        return ConceptStory(iri, Table("tools", say["practice"], (
            Column("tool", say["tool"]), Column("free", say["free"], linked=False),
            Column("organisations", say["organisations"], linked=False),
            Column("usages", say["usages"], linked=False)), tuple(
            (iri_cell(r, "software"), Cell(say.get(r.get("free", ""), "")),
             Cell(r["organisations"]), Cell(r["usages"])) for r in rows)))
    if iri.startswith(ID + "effect/"):
        rows = query_rows(store, "effects_by_tool", {"effect_group": node, "lang": language})
        tools: dict[str, tuple[Cell, int, int]] = {}
        for r in rows:   # one row per tool and narrower effect: summed per tool
            cell, seen, organisations = tools.get(r["software"], (iri_cell(r, "software"), 0, 0))
            tools[r["software"]] = (cell, seen + int(r["observations"]),
                                    max(organisations, int(r["organisations"])))
        return ConceptStory(iri, Table("tools", say["effect"], (
            Column("tool", say["tool"]),
            Column("observations", say["observations"], linked=False),
            Column("organisations", say["organisations"], linked=False)), tuple(
            (cell, Cell(str(seen)), Cell(str(organisations)))
            for cell, seen, organisations in sorted(tools.values(),
                                                    key=lambda t: (-t[1], t[0].text)))))
    scheme = iri[len(ID):].split("/", 1)[0] if iri.startswith(ID) else ""
    if scheme in ("tool-category", "field", "org-kind"):
        rows = query_rows(store, "tools_by_concept", {"concept": node, "lang": language})
        return ConceptStory(iri, Table("tools", say[scheme], (
            Column("tool", say["tool"]),
            Column("organisations", say["organisations"], linked=False),
            Column("usages", say["usages"], linked=False)), tuple(
            (iri_cell(r, "software"), Cell(r["organisations"]), Cell(r["usages"]))
            for r in rows)))
    return None
