"""What each kind of sheet makes of its row: the subject's IRI, its types, and the checks that
span several cells (an organisation's identifiers, a tool's licence, a consent's dates, …).

``SUBJECTS`` maps a sheet kind's name to its rule; ``RowMapper.map`` calls it before the
generic pass over the columns.

>>> _k({"name": "Réunion du 3", "expressed_by": "Vecam"}, "name", "expressed_by")
'reunion-du-3-vecam'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

import pyoxigraph as ox

from graph.ingest.spreadsheets.columns import CHOICES, Column, Kind
from graph.ingest.spreadsheets.entry import (
    _BOOLEAN,
    Entry,
    Object,
    Ref,
    _date_literal,
    as_text_safe,
)
from graph.ingest.spreadsheets.references import Index
from graph.ingest.spreadsheets.values import (
    ValueProblem,
    digest,
    norm,
    parse_date,
    parse_phone,
    parse_rna,
    parse_siren,
    parse_spdx,
    parse_wikidata,
    slugify,
    split_multi,
)
from graph.ingest.tabular import CellValue
from graph.namespaces import CG, DPV, FOAF, ORG, RDF, SCHEMA


class Mapper(Protocol):
    """What a rule needs of the row mapper (``graph.ingest.spreadsheets.mapping.RowMapper``);
    declared here so that the rules do not import the mapper that calls them."""

    kind: Kind
    index: Index

    def iri(self, kind: str, slug: str) -> str: ...

    def header(self, column: Column) -> str: ...

    def problem(self, entry: Entry, column: Column | None, message: str,
                value: CellValue = None, level: str = "error") -> None: ...

    def parse(self, entry: Entry, column: Column, parser: Callable[[CellValue], object],
              value: CellValue) -> object: ...

    def concept(self, entry: Entry, column: Column, text: str) -> ox.NamedNode | None: ...

    def choice(self, entry: Entry, column: Column, text: str) -> str | None: ...

    def own_id(self, entry: Entry, cells: dict[str, CellValue], kind: str,
               fallback: str) -> str: ...

    def add(self, entry: Entry, subject: str, predicate: str, obj: Object) -> None: ...

    def typed(self, entry: Entry, *classes: str) -> None: ...

    def date(self, entry: Entry, cells: dict[str, CellValue], key: str) -> dt.date | None: ...

    def check_period(self, entry: Entry, cells: dict[str, CellValue]) -> None: ...

    def provenance(self, entry: Entry, cells: dict[str, CellValue]) -> None: ...

    def commune(self, entry: Entry, cells: dict[str, CellValue]) -> None: ...

_NON_FREE = frozenset({"BUSL-1.1", "SSPL-1.0", "Elastic-2.0", "CC-BY-NC-4.0",
                       "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0"})
_COLLABORATIONS = frozenset({"network", "federation"})
_INFORMAL = frozenset({"collective"})

def _quiet(parser: Callable[[CellValue], str], value: CellValue) -> str | None:
    """``parser(value)``, or None when the cell is empty or wrong (the generic pass reports)."""
    if value is None:
        return None
    try:
        return parser(value)
    except ValueProblem:
        return None


def _organisation(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    name = as_text_safe(cells["name"])
    keys: list[str] = []
    wikidata = []
    if (q := _quiet(parse_wikidata, cells.get("wikidata"))) is not None:
        wikidata.append(q)
        keys.append(q)
    rna = siren = None
    if "rna" in cells:
        rna = m.parse(e, m.kind.column("rna"), parse_rna, cells["rna"])
    if "siren" in cells:
        siren = m.parse(e, m.kind.column("siren"), parse_siren, cells["siren"])
    keys += [str(k) for k in (rna, siren) if k] + [name]
    existing = None if "id" in cells else m.index.find(("org",), keys)
    e.subject = existing or m.own_id(e, cells, "org", name)
    e.unique_key = ("org", e.subject)
    kind_slug = ""
    if "org_kind" in cells:
        concept = m.concept(e, m.kind.column("org_kind"), as_text_safe(cells["org_kind"]))
        kind_slug = concept.value.rsplit("/", 1)[-1] if concept else ""
    cls = (ORG + "OrganizationalCollaboration" if kind_slug in _COLLABORATIONS
           else ORG + "Organization" if kind_slug in _INFORMAL or not kind_slug
           else ORG + "FormalOrganization")
    m.typed(e, ORG + "Organization", cls)
    for value, datatype in ((rna, CG + "RNA"), (siren, CG + "SIREN")):
        if value:
            m.add(e, e.subject, ORG + "identifier",
                  ox.Literal(str(value), datatype=ox.NamedNode(datatype)))
    m.commune(e, cells)
    e.defines.append(("org", e.subject, [name] + [str(k) for k in (rna, siren) if k], wikidata))


def _named(kind: str, *classes: str, period: bool = False,
           index_as: str | None = None) -> Callable[[Mapper, Entry, dict[str, CellValue]], None]:
    def subject(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
        name = as_text_safe(cells["name"])
        existing = None if "id" in cells else m.index.find((index_as or kind,), [name])
        e.subject = existing or m.own_id(e, cells, kind, name)
        e.unique_key = (kind, e.subject)
        m.typed(e, *classes)
        if period:
            m.check_period(e, cells)
        e.defines.append((index_as or kind, e.subject, [name], []))
    return subject


def _activity(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    _named("activity", CG + "ObservationActivity", period=True)(m, e, cells)
    if "activity_type" in cells:
        cls = m.choice(e, m.kind.column("activity_type"), as_text_safe(cells["activity_type"]))
        if cls and cls != CG + "ObservationActivity":
            m.typed(e, cls)


def _event(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    _named("event", SCHEMA + "Event", period=True)(m, e, cells)
    if "event_type" in cells:
        cls = m.choice(e, m.kind.column("event_type"), as_text_safe(cells["event_type"]))
        if cls and cls != SCHEMA + "Event":
            m.typed(e, cls)
            if cls == CG + "Seminar":
                e.defines.append(("activity", e.subject or "", [as_text_safe(cells["name"])], []))
    m.commune(e, cells)


def _tool(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    level = "software"
    if "level" in cells:
        level = m.choice(e, m.kind.column("level"), as_text_safe(cells["level"])) or "software"
    name = as_text_safe(cells["name"])
    aliases = split_multi(cells["aliases"]) if "aliases" in cells else []
    wikidata = []
    if (q := _quiet(parse_wikidata, cells.get("wikidata"))) is not None:
        wikidata.append(q)
    existing = None if "id" in cells else m.index.find((level,), [*wikidata, name, *aliases])
    e.subject = existing or m.own_id(e, cells, level, name)
    e.unique_key = ("tool", e.subject)
    classes = {"software": SCHEMA + "SoftwareApplication", "instance": CG + "HostedInstance",
               "space": CG + "SharedSpace"}
    m.typed(e, classes[level])
    if level == "space" and "space_type" in cells:
        cls = m.choice(e, m.kind.column("space_type"), as_text_safe(cells["space_type"]))
        if cls:
            m.typed(e, cls)
    if level in ("instance", "space") and "software" not in cells:
        m.problem(e, m.kind.column("software"),
                  f"a{'n' if level == 'instance' else ''} {level} needs the software it runs on")
    if "licence" in cells:
        column = m.kind.column("licence")
        try:
            spdx = parse_spdx(cells["licence"])
        except ValueProblem as error:
            m.problem(e, column, str(error), cells["licence"])
        else:
            licence = f"https://spdx.org/licenses/{spdx}" if spdx else CG + "proprietaryLicence"
            m.add(e, e.subject, SCHEMA + "license", ox.NamedNode(licence))
            if "free_software" not in cells and level == "software":
                free = spdx is not None and spdx not in _NON_FREE
                m.add(e, e.subject, CG + "isFreeSoftware",
                      ox.Literal("true" if free else "false", datatype=_BOOLEAN))
    e.defines.append((level, e.subject, [name, *aliases, *(
        [as_text_safe(cells["framalibre"])] if "framalibre" in cells else [])], wikidata))


def _observation(kind: str, cls: str, key: Callable[[dict[str, CellValue]], str],
                 clash: str, unique: tuple[str, ...],
                 ) -> Callable[[Mapper, Entry, dict[str, CellValue]], None]:
    """The rule of an observation, whose IRI is ``key`` of its cells unless it has an id; two
    rows without an id are one observation when their ``unique`` cells say the same (the
    references once resolved: an organisation's IRI, id or name is one organisation)."""
    def subject(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
        e.subject = m.own_id(e, cells, kind, key(cells))
        if "id" in cells:
            e.unique_key = (kind, e.subject)
        else:
            e.unique_key = (kind, "\x1f" + clash)
            e.unique_parts = [_unique_part(m, cells, name) for name in unique]
        m.typed(e, cls)
        m.provenance(e, cells)
        e.defines.append((kind, e.subject, [as_text_safe(cells["name"])] if "name" in cells
                          else [], []))
    return subject


def _unique_part(m: Mapper, cells: dict[str, CellValue], key: str) -> str | tuple[Ref, ...]:
    """What the cell ``key`` says, for telling duplicate rows: its references (resolved with
    the rest of the row, ``entry.resolve``), its date in ISO form, else its normalised text."""
    if key not in cells:
        return ""
    column, value = m.kind.column(key), cells[key]
    if column.type in ("ref", "concept"):
        try:
            texts = split_multi(value) if column.multi else [as_text_safe(value)]
        except ValueProblem:   # a formula: refused by the generic pass
            texts = [as_text_safe(value)]
        kinds = column.target if column.type == "ref" else ("concept:" + column.target[0],)
        return tuple(Ref(kinds, text, m.header(column)) for text in texts)
    if column.type == "date" and (day := _quiet(lambda v: parse_date(v).isoformat(), value)):
        return day
    return norm(as_text_safe(value))


def _k(cells: dict[str, CellValue], *keys: str) -> str:
    """A readable key from some cells (dates in ISO form), for IRIs minted without an id."""
    parts = []
    for key in keys:
        if key not in cells:
            continue
        value = cells[key]
        if key == "observed_on" and (day := _quiet(lambda v: parse_date(v).isoformat(), value)):
            parts.append(day)
        else:
            parts.append(slugify(as_text_safe(value))[:24].strip("-"))
    return "-".join(parts)


def _usage(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    _observation("usage", CG + "ToolUsage", lambda c: _k(c, "organisation", "tool",
                                                          "observed_on"),
                 "same organisation, tool and observation date",
                 ("organisation", "tool", "observed_on"))(m, e, cells)
    m.check_period(e, cells)


def _effect(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    if "usage" not in cells and "experience" not in cells:
        m.problem(e, m.kind.column("usage"),
                  "an effect is observed on a usage or an experience: fill one of them")
    _observation("effect-observation", CG + "EffectObservation",
                 lambda c: _k(c, "effect") + "-" + digest(
                     *(norm(as_text_safe(c.get(k))) for k in ("usage", "experience",
                                                              "observed_on")), length=8),
                 "same effect, usage, experience and date",
                 ("effect", "usage", "experience", "observed_on"))(m, e, cells)


def _member(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    name = as_text_safe(cells["name"])
    email = norm(as_text_safe(cells.get("email")))
    # A person's IRI never spells their name: it is published with their consent only.
    person = (m.own_id(e, cells, "person", "") if "id" in cells
              else m.iri("person", "p-" + digest(norm(name), email)))
    e.subject = person
    m.typed(e, FOAF + "Person")
    if "phone" in cells and (tel := m.parse(e, m.kind.column("phone"), parse_phone,
                                            cells["phone"])):
        m.add(e, person, FOAF + "phone", ox.NamedNode(str(tel)))
    names = [name] + ([as_text_safe(cells["email"])] if "email" in cells else [])
    names += [as_text_safe(cells["id"])] if "id" in cells else []
    e.defines.append(("person", person, names, []))
    membership_keys = ("organisation", "role", "since")
    if "organisation" not in cells:
        for key in membership_keys[1:]:
            if key in cells:
                m.problem(e, m.kind.column(key), "a role or date needs the organisation")
        return
    role_text = as_text_safe(cells.get("role")) or "member"
    role = m.concept(e, m.kind.column("role"), role_text)
    membership = m.iri("membership", person.rsplit("/", 1)[-1] + "-" + digest(
        norm(as_text_safe(cells["organisation"])), norm(role_text), length=8))
    e.unique_key = ("membership", membership)
    m.add(e, membership, RDF + "type", ox.NamedNode(ORG + "Membership"))
    m.add(e, membership, ORG + "member", ox.NamedNode(person))
    m.add(e, membership, ORG + "organization",
          Ref(("org",), as_text_safe(cells["organisation"]),
              m.header(m.kind.column("organisation"))))
    if role is not None:
        m.add(e, membership, ORG + "role", role)
    since = m.date(e, cells, "since")
    if since:
        m.add(e, membership, SCHEMA + "startDate", _date_literal(since))


def _consent(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    person = as_text_safe(cells["person"])
    given = as_text_safe(cells["given_on"])
    e.subject = m.own_id(e, cells, "consent", "c-" + digest(norm(person), given))
    e.unique_key = ("consent", e.subject)
    m.typed(e, DPV + "Consent")
    m.add(e, e.subject, DPV + "hasPurpose", ox.NamedNode(CG + "PublicationInCivicgraph"))
    e.statements.append((Ref(("person",), person, m.header(m.kind.column("person"))),
                         ox.NamedNode(CG + "publicationConsent"), ox.NamedNode(e.subject)))
    status = CHOICES["consent_status"].get(norm(as_text_safe(cells["status"])))
    withdrawn = "withdrawn_on" in cells
    if status == DPV + "ConsentGiven" and withdrawn:
        m.problem(e, m.kind.column("withdrawn_on"),
                  "a consent withdrawn on a date has the status withdrawn / retiré",
                  cells["withdrawn_on"])
    if status == DPV + "ConsentWithdrawn" and not withdrawn:
        m.problem(e, m.kind.column("withdrawn_on"), "a withdrawn consent needs its date")
    given_on, withdrawn_on = m.date(e, cells, "given_on"), m.date(e, cells, "withdrawn_on")
    if given_on and withdrawn_on and withdrawn_on < given_on:
        m.problem(e, m.kind.column("withdrawn_on"),
                  f"withdrawn ({withdrawn_on}) before it was given ({given_on})",
                  cells["withdrawn_on"])


def _attendance(m: Mapper, e: Entry, cells: dict[str, CellValue]) -> None:
    event = Ref(("event",), as_text_safe(cells["event"]), m.header(m.kind.column("event")))
    org = Ref(("org",), as_text_safe(cells["organisation"]),
              m.header(m.kind.column("organisation")))
    e.statements.append((event, ox.NamedNode(SCHEMA + "attendee"), org))
    e.unique_key = ("attendance", norm(event.text) + "\x1f" + norm(org.text))


SUBJECTS: dict[str, Callable[[Mapper, Entry, dict[str, CellValue]], None]] = {
    "organisations": _organisation,
    "activities": _activity,
    "tools": _tool,
    "events": _event,
    "attendance": _attendance,
    "members": _member,
    "usages": _usage,
    "needs": _observation("need", CG + "Need", lambda c: _k(c, "name", "expressed_by"),
                          "same need expressed by the same organisation",
                          ("name", "expressed_by")),
    "experiences": _observation("experience", CG + "ExperienceReport",
                                lambda c: _k(c, "name", "reported_by"),
                                "same title reported by the same organisation",
                                ("name", "reported_by")),
    "effects": _effect,
    "projects": _named("project", CG + "CoDesignProject", SCHEMA + "Project"),
    "consent": _consent,
}
