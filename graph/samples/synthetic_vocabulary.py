"""The words of ``graph.samples.synthetic``: RDF terms, and the pools its data is drawn from.

The software, communes and waves are those of the example dataset, read from it
(``_shared_pool``); the rest are fixed tuples of slugs, dates and weights.

>>> len(PRACTICES) == len(PRACTICE_TOOLS)
True
>>> _id("org", "s-0000001").value.endswith("/org/s-0000001")
True
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files
from typing import Final

import pyoxigraph as ox

from graph.namespaces import (
    CG,
    DCTERMS,
    ID,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SIOCT,
    XSD,
)

_N = ox.NamedNode
_XSD_DATE = _N(XSD + "date")
_XSD_BOOLEAN = _N(XSD + "boolean")
_TRUE = ox.Literal("true", datatype=_XSD_BOOLEAN)
_RNA = _N(CG + "RNA")


def _p(ns: str, local: str) -> ox.NamedNode:
    return _N(ns + local)


A = _p(RDF, "type")
LABEL = _p(RDFS, "label")
DESCRIPTION = _p(DCTERMS, "description")
FICTIONAL = _p(CG, "isFictional")
START, END = _p(SCHEMA, "startDate"), _p(SCHEMA, "endDate")
OBSERVED = _p(CG, "observedOn")
GENERATED_BY = _p(PROV, "wasGeneratedBy")
PRIMARY_SOURCE = _p(PROV, "hadPrimarySource")
ORGANISATION, TOOL, PRACTICE, STATUS = (_p(CG, x) for x in ("organisation", "tool", "practice",
                                                            "status"))
SOFTWARE, SHARED_BY = _p(CG, "software"), _p(CG, "sharedBy")
ATTENDEE = _p(SCHEMA, "attendee")


def _id(kind: str, slug: str) -> ox.NamedNode:
    return _N(f"{ID}{kind}/{slug}")


@cache
def _concept(kind: str, slug: str) -> ox.NamedNode:
    return _id(kind, slug)


@cache
def _date(day: date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=_XSD_DATE)


def _fr(text: str) -> ox.Literal:
    return ox.Literal(text, language="fr")


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


# ------------------------------------------------------------------------------------------
# Pools
# ------------------------------------------------------------------------------------------

#: (org-kind, ORG class): what kinds of organisation are drawn, with weights.
KINDS: Final = (
    ("association", "FormalOrganization", 30), ("patients-association", "FormalOrganization", 8),
    ("tenants-association", "FormalOrganization", 8), ("residents-association",
                                                       "FormalOrganization", 6),
    ("union", "FormalOrganization", 6), ("collective", "Organization", 14),
    ("network", "OrganizationalCollaboration", 5), ("cooperative", "FormalOrganization", 3),
)
#: Leaf or mid fields, grouped by their top concept (for labels and for bridging tools).
FIELDS: Final = (
    "patients-rights", "access-to-care", "mental-health", "health", "housing", "urban-planning",
    "public-space", "mobility", "climate", "food", "free-software", "social-economy",
    "popular-education", "anti-poverty", "citizenship", "culture", "labour",
)
HEALTH_FIELDS: Final = ("patients-rights", "access-to-care", "mental-health", "health")

#: practice -> free tools, commercial tools (software slugs of the example dataset).
PRACTICE_TOOLS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "instant-messaging": (("signal", "mattermost", "rocket-chat"), ("whatsapp", "slack")),
    "internal-discussion": (("mattermost", "discourse", "sympa"), ("slack", "microsoft-teams")),
    "announcement": (("sympa",), ("facebook",)),
    "newsletter": (("sympa",), ("facebook",)),
    "consensus-decision": (("loomio",), ("google-forms",)),
    "voting": (("loomio", "decidim"), ("google-forms",)),
    "deliberation": (("loomio", "discourse"), ("facebook",)),
    "document-co-editing": (("etherpad", "cryptpad", "nextcloud"), ("google-docs",)),
    "minutes-taking": (("etherpad",), ("google-docs",)),
    "documentation": (("mediawiki",), ("google-docs",)),
    "date-polling": (("framadate",), ("doodle",)),
    "event-registration": (("mobilizon", "yakforms"), ("facebook", "google-forms")),
    "petition": (("yakforms", "limesurvey"), ("google-forms",)),
    "document-sharing": (("nextcloud",), ("google-drive",)),
    "task-management": (("wekan",), ("trello",)),
    "video-meeting": (("jitsi-meet", "bigbluebutton"), ("zoom", "microsoft-teams", "skype")),
    "social-media-publishing": (("mastodon", "peertube"), ("facebook",)),
    "participatory-mapping": (("carto-quartier",), ()),
}
PRACTICES: Final = tuple(PRACTICE_TOOLS)
#: Software only ever adopted after the first wave (appear in wave 2).
WAVE2_ONLY: Final = frozenset({"mobilizon", "cryptpad", "decidim", "carto-quartier"})
#: Software always dropped between the waves (abandoned between waves).
DROPPED: Final = frozenset({"skype", "doodle", "trello"})
#: Software that can be hosted (instances) and shared (spaces), with a SIOC type.
SPACE_SOFTWARE: Final = (("sympa", SIOCT + "MailingList"), ("mediawiki", SIOCT + "Wiki"),
                         ("loomio", SIOCT + "MessageBoard"), ("mattermost", None),
                         ("nextcloud", None), ("etherpad", None))
HOSTING: Final = ("ChatonsHosting", "AssociativeHosting", "SelfHosting", "CommercialHosting")
EFFECTS: Final = ("roles-redistributed", "remote-members-included", "participation-broadened",
                  "exclusion-digital-divide", "transparency-increased", "power-concentration",
                  "decision-speed", "platform-dependency", "data-sovereignty", "vendor-lock-in",
                  "information-overload", "time-saved", "volunteer-fatigue", "memory-preserved",
                  "skills-developed")
STAGES: Final = ("idea", "prototype", "tested", "adopted")
LICENCES: Final = ("https://creativecommons.org/licenses/by/4.0/",
                   "https://creativecommons.org/licenses/by-sa/4.0/")

WAVE_YEARS: Final = (2024, 2025)
SURVEY_START: Final = {2024: date(2024, 1, 15), 2025: date(2025, 1, 13)}
INTERVIEW_START: Final = {2024: date(2024, 5, 2), 2025: date(2025, 5, 5)}
SEMINAR_DAY: Final = {(2024, "sante"): date(2024, 4, 11), (2024, "urbain"): date(2024, 3, 14),
                      (2025, "sante"): date(2025, 4, 10), (2025, "urbain"): date(2025, 3, 13)}
_EXAMPLE_KINDS: Final = ("software", "commune", "wave")


@cache
def _shared_pool() -> tuple[ox.Triple, ...]:
    """The example dataset's software, communes and waves, triple for triple."""
    data = files("graph.samples.data").joinpath("example", "example.ttl").read_bytes()
    prefixes = tuple(f"{ID}{kind}/" for kind in _EXAMPLE_KINDS)
    return tuple(t for t in ox.parse(data, format=ox.RdfFormat.TURTLE)
                 if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(prefixes))


@cache
def _communes() -> tuple[str, ...]:
    subjects = {t.subject for t in _shared_pool()}
    return tuple(sorted(s.value.rsplit("/", 1)[1] for s in subjects
                        if isinstance(s, ox.NamedNode) and s.value.startswith(f"{ID}commune/")))
