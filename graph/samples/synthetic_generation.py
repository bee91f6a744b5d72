"""The generator behind ``graph.samples.synthetic.generate``: organisations in blocks,
and their data.

Each block of ``BLOCK`` organisations gets a shared space, needs, experience reports and, every
other block, a co-design project and a resource; nothing is kept across blocks. The terms and
pools it draws from are in ``graph.samples.synthetic_vocabulary``.

>>> next(generate(0)).subject.value.startswith("http")
True
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import pyoxigraph as ox

from graph.namespaces import CG, DCTERMS, ID, ORG, SCHEMA, SIOC
from graph.samples.synthetic_vocabulary import (
    _N,
    _RNA,
    _TRUE,
    ATTENDEE,
    DESCRIPTION,
    DROPPED,
    EFFECTS,
    END,
    FICTIONAL,
    FIELDS,
    GENERATED_BY,
    HEALTH_FIELDS,
    HOSTING,
    INTERVIEW_START,
    KINDS,
    LABEL,
    LICENCES,
    OBSERVED,
    ORGANISATION,
    PRACTICE,
    PRACTICE_TOOLS,
    PRACTICES,
    PRIMARY_SOURCE,
    SEMINAR_DAY,
    SHARED_BY,
    SOFTWARE,
    SPACE_SOFTWARE,
    STAGES,
    START,
    STATUS,
    SURVEY_START,
    TOOL,
    WAVE2_ONLY,
    WAVE_YEARS,
    A,
    _communes,
    _concept,
    _date,
    _en,
    _fr,
    _id,
    _p,
    _shared_pool,
)

__all__ = ["BLOCK", "generate"]

#: Organisations per block: spaces are shared within a block, needs answered within it.
BLOCK: Final = 20


# ------------------------------------------------------------------------------------------
# The generator
# ------------------------------------------------------------------------------------------

@dataclass
class _Row:
    """One usage of a tool by an organisation, observed in one or both waves."""

    org: ox.NamedNode
    tool: ox.NamedNode
    software: str
    practice: str
    start: date
    end: date | None = None
    sources: int = 1


def _fixed() -> Iterator[ox.Triple]:
    """The programme-level resources: pool, activities, seminars."""
    yield from _shared_pool()
    for year in WAVE_YEARS:
        wave = _id("wave", str(year))
        for slug, cls, start, days, fr, en in (
            (f"s-enquete-{year}", "Survey", SURVEY_START[year], 45,
             "Enquête synthétique", "Synthetic survey"),
            (f"s-entretiens-{year}", "Interview", INTERVIEW_START[year], 56,
             "Entretiens synthétiques", "Synthetic interviews"),
        ):
            yield from _activity(_id("activity", slug), cls, f"{fr} {year}", f"{en} {year}",
                                 start, start + timedelta(days=days), wave)
        for topic, field, fr in (("sante", "health", "santé"),
                                 ("urbain", "urban-question", "question urbaine")):
            event = _id("event", f"s-seminaire-{topic}-{year}")
            day = SEMINAR_DAY[(year, topic)]
            yield from _activity(event, "Seminar", f"Séminaire synthétique {fr} {year}",
                                 f"Synthetic {field.replace('-', ' ')} seminar {year}", day, day,
                                 wave)
            yield ox.Triple(event, _p(SCHEMA, "about"), _concept("field", field))


def _activity(node: ox.NamedNode, cls: str, fr: str, en: str, start: date, end: date,
              wave: ox.NamedNode) -> Iterator[ox.Triple]:
    yield ox.Triple(node, A, _p(CG, cls))
    yield ox.Triple(node, LABEL, _fr(fr))
    yield ox.Triple(node, LABEL, _en(en))
    yield ox.Triple(node, DESCRIPTION, _fr(f"Activité fictive : {fr}, données synthétiques."))
    yield ox.Triple(node, DESCRIPTION, _en(f"Fictional activity: {en}, synthetic data."))
    yield ox.Triple(node, START, _date(start))
    yield ox.Triple(node, END, _date(end))
    yield ox.Triple(node, _p(CG, "wave"), wave)
    yield ox.Triple(node, FICTIONAL, _TRUE)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
        self.kind_weights = [w for _, _, w in KINDS]
        self.communes = _communes()

    # -- organisations --------------------------------------------------------------------

    def organisation(self, n: int) -> tuple[ox.NamedNode, bool, list[ox.Triple]]:
        rng = self.rng
        node = _id("org", f"s-{n:07d}")
        kind, cls, _ = rng.choices(KINDS, self.kind_weights)[0]
        fields = {rng.choice(FIELDS)}
        if rng.random() < 0.35:
            fields.add(rng.choice(FIELDS))
        if kind == "patients-association":
            fields.add(rng.choice(HEALTH_FIELDS))
        label = f"Organisation synthétique n° {n}"
        triples = [
            ox.Triple(node, A, _p(ORG, cls)),
            ox.Triple(node, LABEL, ox.Literal(label)),
            ox.Triple(node, DESCRIPTION, _fr(f"Organisation fictive : {label}, générée.")),
            ox.Triple(node, DESCRIPTION, _en(f"Fictional organisation: synthetic n° {n}.")),
            ox.Triple(node, _p(ORG, "classification"), _concept("org-kind", kind)),
            *(ox.Triple(node, _p(ORG, "purpose"), _concept("field", f)) for f in sorted(fields)),
            ox.Triple(node, _p(SCHEMA, "location"), _id("commune", rng.choice(self.communes))),
            ox.Triple(node, FICTIONAL, _TRUE),
        ]
        if cls == "FormalOrganization":
            triples.append(ox.Triple(node, _p(ORG, "identifier"),
                                     ox.Literal(f"W{n % 100:02d}9{n:07d}"[:10], datatype=_RNA)))
        return node, bool(fields & set(HEALTH_FIELDS)), triples

    # -- usages ---------------------------------------------------------------------------

    def rows(self, org: ox.NamedNode) -> list[_Row]:
        rng = self.rng
        rows: list[_Row] = []
        for practice in rng.sample(PRACTICES, rng.randint(3, 5)):
            free, commercial = PRACTICE_TOOLS[practice]
            pool = list(free + commercial)
            software = rng.choice(pool)
            start = date(2015, 1, 1) + timedelta(days=rng.randrange(3300))   # up to mid-2024
            row = _Row(org, _id("software", software), software, practice, start,
                       sources=2 if rng.random() < 0.2 else 1)
            if software in WAVE2_ONLY:
                row.start = date(2024, 6, 1) + timedelta(days=rng.randrange(200))
            if software in DROPPED:
                row.start = min(row.start, date(2023, 12, 1))
                row.end = date(2024, 4, 1) + timedelta(days=rng.randrange(250))
            rows.append(row)
            if software in commercial and software not in DROPPED and rng.random() < 0.3:
                # a move to a free tool for the same practice between the waves
                row.end = date(2024, 4, 1) + timedelta(days=rng.randrange(200))
                target = rng.choice([s for s in free if s not in WAVE2_ONLY] or list(free))
                rows.append(_Row(org, _id("software", target), target, practice,
                                 row.end + timedelta(days=1)))
        return rows

    def observations(self, row: _Row, n: int, health: bool,
                     seminars: list[tuple[int, ox.NamedNode]]) -> Iterator[ox.Triple]:
        rng = self.rng
        for year in WAVE_YEARS:
            survey = SURVEY_START[year] + timedelta(days=rng.randrange(40))
            sources = [(_id("activity", f"s-enquete-{year}"), survey,
                        f"Questionnaire synthétique {year}")]
            if row.sources > 1:
                if rng.random() < 0.5:
                    topic = "sante" if health else "urbain"
                    event = _id("event", f"s-seminaire-{topic}-{year}")
                    sources.append((event, SEMINAR_DAY[(year, topic)], f"Séminaire {year}"))
                    seminars.append((year, event))
                else:
                    day = INTERVIEW_START[year] + timedelta(days=rng.randrange(50))
                    sources.append((_id("activity", f"s-entretiens-{year}"), day,
                                    f"Entretien synthétique {year}"))
            observed = max(day for _, day, _ in sources)
            if row.start > observed or (row.end is not None and row.end < SURVEY_START[2024]
                                        and year == 2025):
                continue
            if row.end is not None and row.end <= observed:
                status = "abandoned"
            elif row.software in WAVE2_ONLY and rng.random() < 0.3:
                status = "trial"
            else:
                status = "active"
            tool = row.tool.value.removeprefix(ID).replace("/", "-")
            usage = _id("usage", f"s-{n:07d}-{row.practice}-{tool}-{year}")
            yield ox.Triple(usage, A, _p(CG, "ToolUsage"))
            yield ox.Triple(usage, ORGANISATION, row.org)
            yield ox.Triple(usage, TOOL, row.tool)
            yield ox.Triple(usage, PRACTICE, _concept("practice", row.practice))
            yield ox.Triple(usage, START, _date(row.start))
            if status == "abandoned" and row.end is not None:
                yield ox.Triple(usage, END, _date(row.end))
            yield ox.Triple(usage, OBSERVED, _date(observed))
            yield ox.Triple(usage, STATUS, _concept("status", status))
            for activity, _, source in sources:
                yield ox.Triple(usage, GENERATED_BY, activity)
                yield ox.Triple(usage, PRIMARY_SOURCE, ox.Literal(source))
            yield ox.Triple(usage, FICTIONAL, _TRUE)

    # -- blocks -----------------------------------------------------------------------------

    def block(self, first: int, count: int) -> Iterator[ox.Triple]:
        """Organisations ``first`` .. ``first + count - 1`` and what hangs on them."""
        rng = self.rng
        b = first // BLOCK
        orgs: list[tuple[ox.NamedNode, bool]] = []
        needs: list[ox.NamedNode] = []
        seminars: list[tuple[int, ox.NamedNode]] = []
        # a hosted instance and a space shared by a few organisations of the block
        space_software, sioc_type = SPACE_SOFTWARE[b % len(SPACE_SOFTWARE)]
        instance = _id("instance", f"s-{b:06d}")
        space = _id("space", f"s-{b:06d}")
        sharers = set(rng.sample(range(first, first + count), min(count, 3 + b % 4)))
        for n in range(first, first + count):
            org, health, triples = self.organisation(n)
            yield from triples
            orgs.append((org, health))
            rows = self.rows(org)
            if n in sharers:
                practice = {"sympa": "announcement", "mediawiki": "documentation",
                            "loomio": "consensus-decision", "mattermost": "internal-discussion",
                            "nextcloud": "document-sharing", "etherpad": "minutes-taking"}[
                    space_software]
                rows.append(_Row(org, space, space_software, practice,
                                 date(2020, 1, 1) + timedelta(days=rng.randrange(1400))))
            for row in rows:
                yield from self.observations(row, n, health, seminars)
            if rng.random() < 0.2:
                need = _id("need", f"s-{n:07d}")
                needs.append(need)
                yield from self.need(need, org, rng.choice(PRACTICES))
            if rng.random() < 0.25:
                yield from self.experience(n, org, rows[0])
        for org, _ in orgs[::4]:
            yield ox.Triple(_id("event", f"s-seminaire-urbain-{2024 + b % 2}"), ATTENDEE, org)
        yield from self.instance_and_space(b, instance, space, space_software, sioc_type,
                                           orgs[0][0], sorted(sharers))
        if b % 2 == 0:
            yield from self.project(b, [o for o, _ in orgs[:3]], needs[:2])
            yield from self.resource(b, orgs[-1][0])

    def resource(self, b: int, creator: ox.NamedNode) -> Iterator[ox.Triple]:
        rng = self.rng
        res = _id("resource", f"s-{b:06d}")
        kind = rng.choice(("guide", "method", "report", "tutorial", "video"))
        yield ox.Triple(res, A, _p(SCHEMA, "CreativeWork"))
        yield ox.Triple(res, LABEL, _fr(f"Ressource synthétique n° {b}"))
        yield ox.Triple(res, DESCRIPTION, _fr("Ressource fictive : synthétique."))
        yield ox.Triple(res, DESCRIPTION, _en("Fictional resource: synthetic."))
        yield ox.Triple(res, _p(DCTERMS, "type"), _concept("resource-type", kind))
        yield ox.Triple(res, _p(DCTERMS, "license"), _N(rng.choice(LICENCES)))
        yield ox.Triple(res, _p(DCTERMS, "creator"), creator)
        yield ox.Triple(res, _p(SCHEMA, "about"), _concept("practice", rng.choice(PRACTICES)))
        yield ox.Triple(res, _p(DCTERMS, "issued"),
                        _date(date(2024, 6, 1) + timedelta(days=b % 500)))
        yield ox.Triple(res, FICTIONAL, _TRUE)

    def need(self, need: ox.NamedNode, org: ox.NamedNode, practice: str) -> Iterator[ox.Triple]:
        yield ox.Triple(need, A, _p(CG, "Need"))
        yield ox.Triple(need, LABEL, _fr(f"Besoin synthétique ({practice})"))
        yield ox.Triple(need, DESCRIPTION, _fr("Besoin fictif : données synthétiques."))
        yield ox.Triple(need, DESCRIPTION, _en("Fictional need: synthetic data."))
        yield ox.Triple(need, _p(CG, "expressedBy"), org)
        yield ox.Triple(need, _p(CG, "concernsPractice"), _concept("practice", practice))
        yield ox.Triple(need, GENERATED_BY, _id("activity", "s-enquete-2025"))
        yield ox.Triple(need, FICTIONAL, _TRUE)

    def experience(self, n: int, org: ox.NamedNode, row: _Row) -> Iterator[ox.Triple]:
        rng = self.rng
        exp = _id("experience", f"s-{n:07d}")
        yield ox.Triple(exp, A, _p(CG, "ExperienceReport"))
        yield ox.Triple(exp, LABEL, _fr(f"Retour d'expérience synthétique n° {n}"))
        yield ox.Triple(exp, DESCRIPTION, _fr("Retour d'expérience fictif : synthétique."))
        yield ox.Triple(exp, DESCRIPTION, _en("Fictional experience report: synthetic."))
        yield ox.Triple(exp, _p(CG, "reportedBy"), org)
        yield ox.Triple(exp, _p(CG, "concernsTool"), row.tool)
        yield ox.Triple(exp, _p(CG, "concernsPractice"), _concept("practice", row.practice))
        yield ox.Triple(exp, GENERATED_BY, _id("activity", "s-entretiens-2025"))
        yield ox.Triple(exp, OBSERVED, _date(INTERVIEW_START[2025] + timedelta(days=n % 50)))
        yield ox.Triple(exp, FICTIONAL, _TRUE)
        effect = _id("effect-observation", f"s-{n:07d}")
        yield ox.Triple(effect, A, _p(CG, "EffectObservation"))
        yield ox.Triple(effect, _p(CG, "effect"), _concept("effect", rng.choice(EFFECTS)))
        yield ox.Triple(effect, _p(CG, "onExperience"), exp)
        yield ox.Triple(effect, GENERATED_BY, _id("activity", "s-entretiens-2025"))
        yield ox.Triple(effect, DESCRIPTION, _fr("Effet observé fictif : synthétique."))
        yield ox.Triple(effect, DESCRIPTION, _en("Fictional observed effect: synthetic."))
        yield ox.Triple(effect, FICTIONAL, _TRUE)

    def instance_and_space(self, b: int, instance: ox.NamedNode, space: ox.NamedNode,
                           software: str, sioc_type: str | None, provider: ox.NamedNode,
                           sharers: list[int]) -> Iterator[ox.Triple]:
        sw = _id("software", software)
        yield ox.Triple(instance, A, _p(CG, "HostedInstance"))
        yield ox.Triple(instance, LABEL, ox.Literal(f"Instance synthétique n° {b}"))
        yield ox.Triple(instance, SOFTWARE, sw)
        yield ox.Triple(instance, _p(SCHEMA, "provider"), provider)
        yield ox.Triple(instance, _p(CG, "hostingKind"), _p(CG, HOSTING[b % len(HOSTING)]))
        yield ox.Triple(instance, FICTIONAL, _TRUE)
        yield ox.Triple(space, A, _p(CG, "SharedSpace"))
        if sioc_type:
            yield ox.Triple(space, A, _N(sioc_type))
        yield ox.Triple(space, LABEL, ox.Literal(f"Espace partagé synthétique n° {b}"))
        yield ox.Triple(space, DESCRIPTION, _fr("Espace partagé fictif : synthétique."))
        yield ox.Triple(space, DESCRIPTION, _en("Fictional shared space: synthetic."))
        yield ox.Triple(space, _p(SIOC, "has_host"), instance)
        yield ox.Triple(space, SOFTWARE, sw)
        for n in sharers:
            yield ox.Triple(space, SHARED_BY, _id("org", f"s-{n:07d}"))
        yield ox.Triple(space, FICTIONAL, _TRUE)

    def project(self, b: int, involves: list[ox.NamedNode],
                needs: list[ox.NamedNode]) -> Iterator[ox.Triple]:
        project = _id("project", f"s-{b:06d}")
        yield ox.Triple(project, A, _p(CG, "CoDesignProject"))
        yield ox.Triple(project, LABEL, _fr(f"Projet de co-conception synthétique n° {b}"))
        yield ox.Triple(project, DESCRIPTION, _fr("Projet fictif : synthétique."))
        yield ox.Triple(project, DESCRIPTION, _en("Fictional project: synthetic."))
        yield ox.Triple(project, _p(CG, "stage"), _concept("stage", STAGES[(b // 2) % 4]))
        for org in involves:
            yield ox.Triple(project, _p(CG, "involves"), org)
        for need in needs:
            yield ox.Triple(project, _p(CG, "answersNeed"), need)
        yield ox.Triple(project, _p(CG, "workedOnAt"),
                        _id("event", f"s-seminaire-sante-{2024 + b % 2}"))
        yield ox.Triple(project, SOFTWARE, _id("software", "loomio"))
        yield ox.Triple(project, START, _date(date(2024, 4, 11) + timedelta(days=b % 300)))
        yield ox.Triple(project, FICTIONAL, _TRUE)


def generate(organisations: int, seed: int = 0, *, start: int = 0) -> Iterator[ox.Triple]:
    """Stream a synthetic dataset of ``organisations`` organisations (about 100 triples each),
    numbered from ``start`` (a multiple of ``BLOCK``).

    Deterministic: the same arguments give the same triples in the same order. The IRIs of
    an organisation and of what hangs on it come from its number, whatever the seed: data of
    another seed describes them differently, and conflicts with it (two start dates for one
    usage). Data to load beside ``generate(n, ...)`` starts at or past ``n`` rounded up to a
    multiple of ``BLOCK`` (the fixed resources, the same in both, are shared)."""
    if organisations < 0:
        raise ValueError("organisations must be >= 0")
    if start < 0 or start % BLOCK:
        raise ValueError(f"start must be a multiple of {BLOCK} that is >= 0, not {start}")
    gen = _Generator(seed)
    yield from _fixed()
    for first in range(start, start + organisations, BLOCK):
        yield from gen.block(first, min(BLOCK, start + organisations - first))
