"""Which story a resource's page tells, by the kind in its IRI (``/id/{kind}/{slug}``):
a tool's (software, hosted instance, shared space), an organisation's, a concept's (practice,
effect, tool category, field of action, kind of organisation); other resources have none.

>>> story_kind("https://w3id.org/civicgraph/id/software/loomio")
'tool'
>>> story_kind("https://w3id.org/civicgraph/id/commune/75056") is None
True
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from graph.publishing.concept_story import ConceptStory, concept_story
from graph.publishing.organisation_story import OrganisationStory, organisation_story
from graph.publishing.story_tables import Table
from graph.publishing.tool_story import PAGE_USERS, ToolStory, tool_story
from graph.store import Store

Story = ToolStory | OrganisationStory | ConceptStory

#: The kind segment of an IRI -> the story its page tells.
KINDS: Final = {"software": "tool", "instance": "tool", "space": "tool",
                "org": "organisation", "practice": "concept", "effect": "concept",
                "tool-category": "concept", "field": "concept", "org-kind": "concept"}


def story_kind(iri: str) -> str | None:
    """The kind of story of ``iri``'s page, or ``None``."""
    parts = iri.rstrip("/").split("/")
    return KINDS.get(parts[-2]) if len(parts) >= 2 and "/id/" in iri else None


def story_of(store: Store, iri: str, *, lang: str = "en",
             today: dt.date | None = None, page: bool = False) -> Story | None:
    """The story of ``iri`` as ``store`` shows it, in ``lang``; ``None`` if it has none.
    With ``page``, the long lists hold only their first rows (``Table.total`` counts all)."""
    kind = story_kind(iri)
    if kind == "tool":
        return tool_story(store, iri, lang=lang, users_shown=PAGE_USERS if page else None)
    if kind == "organisation":
        return organisation_story(store, iri, lang=lang, today=today)
    if kind == "concept":
        return concept_story(store, iri, lang=lang)
    return None


def story_table(story: Story | None, name: str) -> Table | None:
    """The list called ``name`` of ``story``, if it has one."""
    return next((t for t in story.tables if t.name == name), None) if story else None
