"""Write the bundled example dataset (``graph/samples/data/example/*.ttl``) from the tables in
``example_orgs``, ``example_tools``, ``example_programme``, ``example_usages``,
``example_findings`` and ``example_people``.

The output is committed; a test checks that it equals what this script writes, so edit the
tables and run ``python -m graph.samples.data.build_example``, never the Turtle by hand.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graph.namespaces import (
    CG,
    DCTERMS,
    DPV,
    FOAF,
    ID,
    IGEO,
    ORG,
    OWL,
    PD,
    PROV,
    RDFS,
    SCHEMA,
    SIOC,
    SIOCT,
    WD,
    XSD,
)
from graph.samples.data.example_findings import (
    EXPERIENCES,
    NEEDS,
    PROCEEDINGS,
    PROJECTS,
    RESOURCES,
    USAGE_EFFECTS,
    UsageKey,
)
from graph.samples.data.example_orgs import FICTIONAL_ORGS, ORG_BY_SLUG
from graph.samples.data.example_people import CONSENTS, PEOPLE
from graph.samples.data.example_programme import EVENTS, PROGRAMME, WAVES, Event
from graph.samples.data.example_tools import tool_label, tool_ref
from graph.samples.data.example_usages import USAGES, U
from graph.samples.data.example_writing import (
    fictional_text,
    write_communes,
    write_events,
    write_orgs,
    write_programme,
    write_tools,
)
from graph.samples.data.turtle import TurtleDocument, boolean, date, fr, iri, plain, ref

OUTPUT_DIR = Path(__file__).parent / "example"

PUBLIC_PREFIXES = {
    "cg": CG, "org": ORG, "schema": SCHEMA, "prov": PROV, "dcterms": DCTERMS, "sioc": SIOC,
    "sioct": SIOCT, "igeo": IGEO, "owl": OWL, "wd": WD, "rdfs": RDFS, "xsd": XSD,
}
RESTRICTED_PREFIXES = {
    "cg": CG, "org": ORG, "foaf": FOAF, "schema": SCHEMA, "dpv": DPV, "pd": PD,
    "dcterms": DCTERMS, "xsd": XSD,
}

HEADER = (
    "civicgraph example dataset: {title}",
    "Named graph: https://w3id.org/civicgraph/graph/{graph} ({access}).",
    "Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).",
    "Written by graph/samples/data/build_example.py from its tables: edit those, then run",
    "    python -m graph.samples.data.build_example",
    "Relative IRIs such as <org/vecam> resolve against https://w3id.org/civicgraph/id/.",
)

WAVE_YEARS = tuple(w.year for w in WAVES)


def _header(title: str, graph: str, access: str) -> list[str]:
    return [line.format(title=title, graph=graph, access=access) for line in HEADER]


def _shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


# ------------------------------------------------------------------------------------------
# Usage observations
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Observation:
    """One ``cg:ToolUsage``: a usage row seen in one wave."""

    org: str
    row: U
    year: int
    observed: str
    status: str
    activities: tuple[str, ...]     # Turtle terms
    primary_sources: tuple[str, ...]

    @property
    def slug(self) -> str:
        return usage_slug((self.org, self.row.tool, self.year))


def usage_slug(key: UsageKey) -> str:
    org, tool, year = key
    return f"{org}-{tool.replace('/', '-')}-{year}"


def _seminar(org: str, year: int, kind: str) -> Event:
    candidates = (
        [f"seminaire-convergence-{year}"] if kind == "C"
        else [f"seminaire-sante-{year}", f"seminaire-question-urbaine-{year}"]
    )
    for slug in candidates:
        event = next(e for e in EVENTS if e.slug == slug)
        if org in event.attendees:
            return event
    raise ValueError(f"{org} attended no {kind} seminar in {year}")


def _sources(org: str, index: int, year: int, codes: str) -> list[tuple[str, str, str]]:
    """(activity term, date, primary source term) for each source code."""
    found: list[tuple[str, str, str]] = []
    for code in codes:
        if code == "S":
            start = "2024-01-18" if year == 2024 else "2025-01-16"
            found.append((ref("activity", f"enquete-{year}"), _shift(start, 2 * (index % 20)),
                          plain(f"Questionnaire {year} rempli par l'organisation")))
        elif code == "I":
            start = "2024-05-06" if year == 2024 else "2025-05-07"
            found.append((ref("activity", f"entretiens-{year}"),
                          _shift(start, 2 * (index % 25)), plain(f"Notes d'entretien {year}")))
        elif code in "MC":
            event = _seminar(org, year, code)
            proceedings = PROCEEDINGS.get(event.slug)
            source = (ref("resource", proceedings) if proceedings
                      else plain(f"Notes du {event.label_fr[0].lower()}{event.label_fr[1:]}"))
            found.append((ref("event", event.slug), event.start, source))
        else:
            raise ValueError(f"unknown source code {code!r}")
    return found


def observations() -> Iterator[Observation]:
    """Every usage observation, organisation by organisation, in table order."""
    index_of = {o.slug: i for i, o in enumerate(FICTIONAL_ORGS)}
    for org, rows in USAGES.items():
        for row in rows:
            for year, codes in zip(WAVE_YEARS, (row.src1, row.src2), strict=True):
                if not codes:
                    continue
                sources = _sources(org, index_of[org], year, codes)
                observed = max(day for _, day, _ in sources)
                if row.start > observed:
                    continue
                if row.end and row.end <= observed:
                    status = "abandoned"
                elif year in row.trial:
                    status = "trial"
                else:
                    status = "active"
                yield Observation(org, row, year, observed, status,
                                  tuple(dict.fromkeys(a for a, _, _ in sources)),
                                  tuple(dict.fromkeys(s for _, _, s in sources)))


def write_usages(doc: TurtleDocument, obs: list[Observation]) -> None:
    doc.section("Usage observations (cg:ToolUsage), one per organisation, tool and wave",
                "All invented. An ended usage is 'abandoned' in the first wave observed after",
                "its end date; a usage is recorded in a wave only once it has begun.")
    current = ""
    for o in obs:
        org = ORG_BY_SLUG[o.org]
        if o.org != current:
            doc.comment(f"--- {org.label}")
            current = o.org
        tool = tool_label(o.row.tool)
        practices = o.row.practices.split()
        doc.resource(ref("usage", o.slug), [
            ("a", "cg:ToolUsage"),
            ("rdfs:label", fr(f"{org.label} — {tool} ({o.year})")),
            ("dcterms:description", fictional_text(
                "Observation fictive", "Fictional observation",
                f"usage de {tool} par {org.label}, vague {o.year}.",
                f"{org.label}'s use of {tool}, wave {o.year}.")),
            ("cg:organisation", ref("org", o.org)),
            ("cg:tool", tool_ref(o.row.tool)),
            ("cg:practice", [ref("practice", p) for p in practices]),
            ("schema:startDate", date(o.row.start)),
            ("schema:endDate", date(o.row.end) if o.status == "abandoned" and o.row.end
             else None),
            ("cg:observedOn", date(o.observed)),
            ("cg:status", ref("status", o.status)),
            ("prov:wasGeneratedBy", list(o.activities)),
            ("prov:hadPrimarySource", list(o.primary_sources)),
            ("cg:isFictional", boolean(True)),
        ])


# ------------------------------------------------------------------------------------------
# Needs, experiences, effects, projects, resources
# ------------------------------------------------------------------------------------------

def _term(path: str) -> str:
    kind, slug = path.split("/", 1)
    return ref(kind, slug)


def _usage_row(key: UsageKey, obs: dict[str, Observation]) -> Observation:
    slug = usage_slug(key)
    if slug not in obs:
        raise ValueError(f"no usage observation {slug}")
    return obs[slug]


def write_findings(doc: TurtleDocument, obs: dict[str, Observation]) -> None:
    doc.section("Needs (all invented)")
    for need in NEEDS:
        doc.resource(ref("need", need.slug), [
            ("a", "cg:Need"),
            ("rdfs:label", fr(need.label)),
            ("dcterms:description", fictional_text(
                "Besoin fictif", "Fictional need", need.text_fr, need.text_en)),
            ("cg:expressedBy", [ref("org", o) for o in need.expressed_by]),
            ("cg:concernsPractice", [ref("practice", p) for p in need.practices]),
            ("cg:concernsTool", [tool_ref(t.removeprefix("software/"))
                                 for t in need.tools]),
            ("prov:wasGeneratedBy", _term(need.source)),
            ("cg:observedOn", date(need.observed)),
            ("cg:isFictional", boolean(True)),
        ])
    doc.section("Experience reports (all invented)")
    for exp in EXPERIENCES:
        usage = _usage_row(exp.usage, obs)
        doc.resource(ref("experience", exp.slug), [
            ("a", "cg:ExperienceReport"),
            ("rdfs:label", fr(exp.label)),
            ("dcterms:description", fictional_text(
                "Retour d'expérience fictif", "Fictional experience report", exp.text_fr,
                exp.text_en)),
            ("cg:reportedBy", ref("org", usage.org)),
            ("cg:concernsUsage", ref("usage", usage.slug)),
            ("cg:concernsTool", tool_ref(usage.row.tool)),
            ("cg:concernsPractice", [ref("practice", p) for p in usage.row.practices.split()]),
            ("prov:wasGeneratedBy", _term(exp.source)),
            ("cg:observedOn", date(exp.observed)),
            ("cg:isFictional", boolean(True)),
        ])
    doc.section("Effect observations (all invented)")
    for exp in EXPERIENCES:
        usage = _usage_row(exp.usage, obs)
        for effect in exp.effects:
            doc.resource(ref("effect-observation", f"{exp.slug}-{effect}"), [
                ("a", "cg:EffectObservation"),
                ("rdfs:label", fr(f"{exp.label} — effet « {effect} »")),
                ("dcterms:description", fictional_text(
                    "Effet observé fictif", "Fictional observed effect", exp.text_fr,
                    exp.text_en)),
                ("cg:effect", ref("effect", effect)),
                ("cg:onUsage", ref("usage", usage.slug)),
                ("cg:onExperience", ref("experience", exp.slug)),
                ("prov:wasGeneratedBy", _term(exp.source)),
                ("cg:observedOn", date(exp.observed)),
                ("cg:isFictional", boolean(True)),
            ])
    for eff in USAGE_EFFECTS:
        usage = _usage_row(eff.usage, obs)
        doc.resource(ref("effect-observation", eff.slug), [
            ("a", "cg:EffectObservation"),
            ("rdfs:label",
             fr(f"{ORG_BY_SLUG[usage.org].label} — effet « {eff.effect} »")),
            ("dcterms:description", fictional_text(
                "Effet observé fictif", "Fictional observed effect", eff.text_fr, eff.text_en)),
            ("cg:effect", ref("effect", eff.effect)),
            ("cg:onUsage", ref("usage", usage.slug)),
            ("prov:wasGeneratedBy", _term(eff.source)),
            ("cg:observedOn", date(eff.observed)),
            ("cg:isFictional", boolean(True)),
        ])
    doc.section("Co-design projects (all invented)")
    for project in PROJECTS:
        doc.resource(ref("project", project.slug), [
            ("a", "cg:CoDesignProject"),
            ("rdfs:label", fr(project.label)),
            ("dcterms:description", fictional_text(
                "Projet de co-conception fictif", "Fictional co-design project",
                project.text_fr, project.text_en)),
            ("cg:stage", ref("stage", project.stage)),
            ("cg:involves", [ref("org", o) for o in project.involves]),
            ("cg:answersNeed", [ref("need", n) for n in project.answers]),
            ("cg:workedOnAt", [ref("event", e) for e in project.worked_on_at]),
            ("cg:software", [ref("software", s) for s in project.software]),
            ("schema:startDate", date(project.start)),
            ("cg:partOfProgramme", ref("programme", PROGRAMME)),
            ("cg:isFictional", boolean(True)),
        ])
    doc.section("Shared resources (all invented)")
    for res in RESOURCES:
        doc.resource(ref("resource", res.slug), [
            ("a", "schema:CreativeWork"),
            ("rdfs:label", fr(res.label)),
            ("dcterms:description", fictional_text(
                "Ressource fictive", "Fictional resource", res.text_fr, res.text_en)),
            ("dcterms:type", ref("resource-type", res.rtype)),
            ("dcterms:license", iri(res.licence)),
            ("dcterms:creator", [ref("org", o) for o in res.creators]),
            ("schema:about", [_term(a) for a in res.about]),
            ("dcterms:issued", date(res.issued)),
            ("cg:isFictional", boolean(True)),
        ])


# ------------------------------------------------------------------------------------------
# Restricted graphs
# ------------------------------------------------------------------------------------------

def write_members(doc: TurtleDocument) -> None:
    doc.section("Fictional persons (restricted)",
                "Every person here is invented; the names, e-mail addresses (example.org) and",
                "telephone numbers (a range reserved for fiction) belong to nobody.")
    consented = {c.person for c in CONSENTS}
    for person in PEOPLE:
        doc.resource(ref("person", person.slug), [
            ("a", "foaf:Person"),
            ("foaf:name", plain(person.name)),
            ("foaf:mbox", iri(person.email)),
            ("foaf:phone", iri(person.telephone) if person.phone else None),
            ("cg:publicationConsent", ref("consent", f"{person.slug}-publication")
             if person.number in consented else None),
            ("cg:isFictional", boolean(True)),
        ])
    doc.section("Memberships (restricted)")
    for person in PEOPLE:
        for org, role, start in person.memberships:
            doc.resource(ref("membership", f"{person.slug}-{org}"), [
                ("a", "org:Membership"),
                ("org:member", ref("person", person.slug)),
                ("org:organization", ref("org", org)),
                ("org:role", ref("role", role)),
                ("schema:startDate", date(start)),
                ("cg:isFictional", boolean(True)),
            ])


def write_consent(doc: TurtleDocument) -> None:
    doc.section("Consent records (DPV, restricted)",
                "A person with no record here has not consented to any publication.")
    for consent in CONSENTS:
        person = f"personne-{consent.person:02d}"
        doc.resource(ref("consent", f"{person}-publication"), [
            ("a", "dpv:Consent"),
            ("dpv:hasDataSubject", ref("person", person)),
            ("dpv:hasConsentStatus",
             "dpv:ConsentWithdrawn" if consent.withdrawn else "dpv:ConsentGiven"),
            ("dpv:hasPurpose", "cg:PublicationInCivicgraph"),
            ("dpv:hasPersonalData", list(consent.data)),
            ("cg:givenOn", date(consent.given)),
            ("cg:withdrawnOn", date(consent.withdrawn) if consent.withdrawn else None),
            ("cg:isFictional", boolean(True)),
        ])


# ------------------------------------------------------------------------------------------

def build() -> dict[str, str]:
    """The example dataset's files: ``{file name: Turtle text}``."""
    obs = list(observations())
    by_slug = {o.slug: o for o in obs}
    if len(by_slug) != len(obs):
        raise ValueError("two usage observations share a slug")

    public = TurtleDocument(PUBLIC_PREFIXES, base=ID,
                            header=_header("public part", "example", "public"))
    write_communes(public)
    write_orgs(public)
    write_tools(public)
    write_programme(public)
    write_events(public)
    write_usages(public, obs)
    write_findings(public, by_slug)

    members = TurtleDocument(RESTRICTED_PREFIXES, base=ID, header=_header(
        "fictional members", "example-members", "restricted"))
    write_members(members)
    consent = TurtleDocument(RESTRICTED_PREFIXES, base=ID, header=_header(
        "consent records", "example-consent", "restricted"))
    write_consent(consent)
    return {"example.ttl": public.text(), "members.ttl": members.text(),
            "consent.ttl": consent.text()}


def main(argv: list[str] | None = None) -> int:
    """Write the files into ``graph/samples/data/example/`` (or the directory given)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else OUTPUT_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, text in build().items():
        (target / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
