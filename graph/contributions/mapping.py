"""One spreadsheet row to RDF statements, with every problem of the row found at once.

Mapping happens in two steps so that a row may name a resource defined further down the file:
``RowMapper.map`` parses the cells, derives the row's stable IRI and records the references it
makes as ``Ref`` placeholders; ``resolve`` then replaces each ``Ref`` by an IRI from the index
(or records a problem on that cell).

Stable IRIs: from the ``id`` column (a slug or a full IRI) when given; otherwise from what the
row is about (an organisation's name, a usage's organisation, tool and date, …), so that
importing the same file twice mints the same IRIs. A row that names something the store already
knows (same Wikidata id, RNA or SIREN number, or name) reuses its IRI instead of minting one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.contributions.columns import CHOICES, Column, Kind
from graph.contributions.references import Index, ReferenceProblem
from graph.contributions.report import Problem
from graph.contributions.values import (
    ValueProblem,
    as_text,
    digest,
    norm,
    parse_bool,
    parse_date,
    parse_email,
    parse_insee,
    parse_phone,
    parse_rna,
    parse_siren,
    parse_spdx,
    parse_url,
    parse_wikidata,
    slugify,
    split_multi,
)
from graph.namespaces import (
    CG,
    DPV,
    FOAF,
    IGEO,
    ORG,
    RDF,
    RDFS,
    SCHEMA,
    WD,
    XSD,
    iri_for,
)
from graph.tabular import CellValue, Row

TYPE = ox.NamedNode(RDF + "type")
_DATE = ox.NamedNode(XSD + "date")
_BOOLEAN = ox.NamedNode(XSD + "boolean")
_NON_FREE = frozenset({"BUSL-1.1", "SSPL-1.0", "Elastic-2.0", "CC-BY-NC-4.0",
                       "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0"})
_COLLABORATIONS = frozenset({"network", "federation"})
_INFORMAL = frozenset({"collective"})


@dataclass(frozen=True)
class Ref:
    """A reference still to resolve: what the cell says and what kinds it may name."""

    kinds: tuple[str, ...]
    text: str
    column: str


Node = ox.NamedNode | Ref
Object = ox.NamedNode | ox.Literal | Ref


@dataclass
class Entry:
    """A mapped row: its statements (possibly with unresolved ``Ref``) and its problems."""

    sheet: str
    row: int
    kind: Kind
    subject: str | None = None
    statements: list[tuple[Node, ox.NamedNode, Object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: resources this row defines, for the index: (index kind, IRI, names, Wikidata ids)
    defines: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)
    #: a key that must be unique within the file, and how to describe a clash
    unique_key: tuple[str, str] | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


def _date_literal(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=_DATE)


class RowMapper:
    """Maps the rows of one sheet of ``kind``."""

    def __init__(self, kind: Kind, sheet: str, columns: dict[int, Column], *, lang: str,
                 base: str, index: Index, activity: str) -> None:
        self.kind = kind
        self.sheet = sheet
        self.columns = columns
        self.lang = lang
        self.base = base
        self.index = index
        self.activity = activity

    # -------------------------------------------------------------------------- helpers

    def iri(self, kind: str, slug: str) -> str:
        return iri_for(kind, slug, self.base)

    def problem(self, entry: Entry, column: Column | None, message: str,
                value: CellValue = None, level: str = "error") -> None:
        text = "" if value is None else as_text_safe(value)
        entry.problems.append(Problem(message, self.sheet, entry.row,
                                      column.en if column else None, text, level))

    def parse(self, entry: Entry, column: Column, parser: Callable[[CellValue], object],
              value: CellValue) -> object:
        try:
            return parser(value)
        except ValueProblem as error:
            self.problem(entry, column, str(error), value)
            return None

    def concept(self, entry: Entry, column: Column, text: str) -> ox.NamedNode | None:
        try:
            return ox.NamedNode(self.index.resolve(("concept:" + column.target[0],), text))
        except ReferenceProblem as error:
            self.problem(entry, column, str(error), text)
            return None

    def choice(self, entry: Entry, column: Column, text: str) -> str | None:
        words = CHOICES[column.target[0]]
        found = words.get(norm(text))
        if found is None:
            allowed = ", ".join(sorted({w for w in words if " " not in w}))
            self.problem(entry, column, f"{text!r} is not one of: {allowed}", text)
        return found

    # ----------------------------------------------------------------------------- rows

    def map(self, row: Row) -> Entry:
        """Parse one row; every problem is recorded, none is raised."""
        entry = Entry(self.sheet, row.number, self.kind)
        cells: dict[str, CellValue] = {}
        for position, column in self.columns.items():
            value = row.values[position] if position < len(row.values) else None
            if value is not None and as_text_safe(value) != "":
                cells[column.key] = value
        for column in self.kind.columns:
            if column.required and column.key in self.present and column.key not in cells:
                self.problem(entry, column, "this column is required and the cell is empty")
        if not entry.valid:
            return entry
        SUBJECTS[self.kind.name](self, entry, cells)
        subject = ox.NamedNode(entry.subject) if entry.subject else None
        for column in self.kind.columns:
            if column.key in cells and column.predicate and subject is not None:
                self.generic(entry, subject, column, cells[column.key])
        return entry

    @property
    def present(self) -> set[str]:
        return {c.key for c in self.columns.values()}

    def generic(self, entry: Entry, subject: ox.NamedNode, column: Column,
                value: CellValue) -> None:
        predicate = ox.NamedNode(column.predicate or "")
        try:
            texts = split_multi(value) if column.multi else [as_text(value)]
        except ValueProblem as error:
            self.problem(entry, column, str(error), value)
            return
        if column.type == "date":
            texts = [value]  # type: ignore[list-item]
        for text in texts:
            obj = self.object(entry, column, text)
            if obj is not None:
                entry.statements.append((subject, predicate, obj))

    def object(self, entry: Entry, column: Column, value: CellValue) -> Object | None:
        kind = column.type
        text = as_text_safe(value)
        if kind in ("text", "source") and not (kind == "source" and text.startswith("http")):
            return ox.Literal(text)
        if kind == "langtext":
            return ox.Literal(text, language=self.lang)
        if kind == "ref":
            return Ref(column.target, text, column.en)
        if kind == "concept":
            return self.concept(entry, column, text)
        if kind == "choice":
            found = self.choice(entry, column, text)
            return ox.NamedNode(found) if found else None
        parsers: dict[str, Callable[[CellValue], object]] = {
            "date": parse_date, "bool": parse_bool, "url": parse_url, "source": parse_url,
            "wikidata": parse_wikidata, "email": parse_email, "phone": parse_phone,
        }
        parsed = self.parse(entry, column, parsers[kind], value)
        if parsed is None:
            return None
        if kind == "date":
            return _date_literal(parsed)  # type: ignore[arg-type]
        if kind == "bool":
            return ox.Literal("true" if parsed else "false", datatype=_BOOLEAN)
        if kind == "wikidata":
            return ox.NamedNode(WD + str(parsed))
        return ox.NamedNode(str(parsed))

    def own_id(self, entry: Entry, cells: dict[str, CellValue], kind: str,
               fallback: str) -> str:
        """The row's IRI: its ``id`` cell (slug or IRI), else ``fallback`` as a slug."""
        given = cells.get("id")
        if given is not None:
            text = as_text_safe(given)
            if text.startswith(("http://", "https://")):
                return text
            return self.iri(kind, slugify(text))
        return self.iri(kind, slugify(fallback))

    def add(self, entry: Entry, subject: str, predicate: str, obj: Object) -> None:
        entry.statements.append((ox.NamedNode(subject), ox.NamedNode(predicate), obj))

    def typed(self, entry: Entry, *classes: str) -> None:
        assert entry.subject is not None
        for cls in classes:
            self.add(entry, entry.subject, RDF + "type", ox.NamedNode(cls))

    def date(self, entry: Entry, cells: dict[str, CellValue], key: str) -> dt.date | None:
        if key not in cells:
            return None
        return self.parse(entry, self.kind.column(key), parse_date, cells[key])  # type: ignore[return-value]

    def check_period(self, entry: Entry, cells: dict[str, CellValue]) -> None:
        start, end = self.date(entry, cells, "start"), self.date(entry, cells, "end")
        if start and end and end < start:
            self.problem(entry, self.kind.column("end"),
                         f"ends ({end}) before it starts ({start})", cells["end"])

    def provenance(self, entry: Entry, cells: dict[str, CellValue]) -> None:
        """Observations without an activity come from the import's own activity."""
        if "activity" not in cells:
            assert entry.subject is not None
            self.add(entry, entry.subject, "http://www.w3.org/ns/prov#wasGeneratedBy",
                     ox.NamedNode(self.activity))

    def commune(self, entry: Entry, cells: dict[str, CellValue]) -> None:
        if "insee" not in cells:
            return
        code = self.parse(entry, self.kind.column("insee"), parse_insee, cells["insee"])
        if code is None or entry.subject is None:
            return
        commune = self.iri("commune", str(code).lower())
        self.add(entry, entry.subject, SCHEMA + "location", ox.NamedNode(commune))
        self.add(entry, commune, RDF + "type", ox.NamedNode(IGEO + "Commune"))
        self.add(entry, commune, IGEO + "codeINSEE", ox.Literal(str(code)))
        departement = str(code)[:3] if str(code).startswith("97") else str(code)[:2]
        self.add(entry, commune, CG + "departement", ox.Literal(departement))
        if "commune" in cells:
            self.add(entry, commune, RDFS + "label", ox.Literal(as_text_safe(cells["commune"])))


def as_text_safe(value: CellValue) -> str:
    """``as_text`` that shows a formula instead of refusing it (for messages)."""
    try:
        return as_text(value)
    except ValueProblem:
        return str(value)


# ------------------------------------------------------------------------- per kind


def _quiet(parser: Callable[[CellValue], str], value: CellValue) -> str | None:
    """``parser(value)``, or None when the cell is empty or wrong (the generic pass reports)."""
    if value is None:
        return None
    try:
        return parser(value)
    except ValueProblem:
        return None


def _organisation(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
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
           index_as: str | None = None) -> Callable[[RowMapper, Entry, dict[str, CellValue]], None]:
    def subject(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
        name = as_text_safe(cells["name"])
        existing = None if "id" in cells else m.index.find((index_as or kind,), [name])
        e.subject = existing or m.own_id(e, cells, kind, name)
        e.unique_key = (kind, e.subject)
        m.typed(e, *classes)
        if period:
            m.check_period(e, cells)
        e.defines.append((index_as or kind, e.subject, [name], []))
    return subject


def _activity(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
    _named("activity", CG + "ObservationActivity", period=True)(m, e, cells)
    if "activity_type" in cells:
        cls = m.choice(e, m.kind.column("activity_type"), as_text_safe(cells["activity_type"]))
        if cls and cls != CG + "ObservationActivity":
            m.typed(e, cls)


def _event(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
    _named("event", SCHEMA + "Event", period=True)(m, e, cells)
    if "event_type" in cells:
        cls = m.choice(e, m.kind.column("event_type"), as_text_safe(cells["event_type"]))
        if cls and cls != SCHEMA + "Event":
            m.typed(e, cls)
            if cls == CG + "Seminar":
                e.defines.append(("activity", e.subject or "", [as_text_safe(cells["name"])], []))
    m.commune(e, cells)


def _tool(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
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
                 clash: str) -> Callable[[RowMapper, Entry, dict[str, CellValue]], None]:
    def subject(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
        e.subject = m.own_id(e, cells, kind, key(cells))
        e.unique_key = (kind, e.subject) if "id" in cells else (kind, e.subject + "\x1f" + clash)
        m.typed(e, cls)
        m.provenance(e, cells)
        e.defines.append((kind, e.subject, [as_text_safe(cells["name"])] if "name" in cells
                          else [], []))
    return subject


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


def _usage(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
    _observation("usage", CG + "ToolUsage", lambda c: _k(c, "organisation", "tool",
                                                          "observed_on"),
                 "same organisation, tool and observation date")(m, e, cells)
    m.check_period(e, cells)


def _effect(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
    if "usage" not in cells and "experience" not in cells:
        m.problem(e, m.kind.column("usage"),
                  "an effect is observed on a usage or an experience: fill one of them")
    _observation("effect-observation", CG + "EffectObservation",
                 lambda c: _k(c, "effect") + "-" + digest(
                     *(norm(as_text_safe(c.get(k))) for k in ("usage", "experience",
                                                              "observed_on")), length=8),
                 "same effect, usage, experience and date")(m, e, cells)


def _member(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
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
          Ref(("org",), as_text_safe(cells["organisation"]), m.kind.column("organisation").en))
    if role is not None:
        m.add(e, membership, ORG + "role", role)
    since = m.date(e, cells, "since")
    if since:
        m.add(e, membership, SCHEMA + "startDate", _date_literal(since))


def _consent(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
    person = as_text_safe(cells["person"])
    given = as_text_safe(cells["given_on"])
    e.subject = m.own_id(e, cells, "consent", "c-" + digest(norm(person), given))
    e.unique_key = ("consent", e.subject)
    m.typed(e, DPV + "Consent")
    m.add(e, e.subject, DPV + "hasPurpose", ox.NamedNode(CG + "PublicationInCivicgraph"))
    e.statements.append((Ref(("person",), person, m.kind.column("person").en),
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


def _attendance(m: RowMapper, e: Entry, cells: dict[str, CellValue]) -> None:
    event = Ref(("event",), as_text_safe(cells["event"]), m.kind.column("event").en)
    org = Ref(("org",), as_text_safe(cells["organisation"]), m.kind.column("organisation").en)
    e.statements.append((event, ox.NamedNode(SCHEMA + "attendee"), org))
    e.unique_key = ("attendance", norm(event.text) + "\x1f" + norm(org.text))


SUBJECTS: dict[str, Callable[[RowMapper, Entry, dict[str, CellValue]], None]] = {
    "organisations": _organisation,
    "activities": _activity,
    "tools": _tool,
    "events": _event,
    "attendance": _attendance,
    "members": _member,
    "usages": _usage,
    "needs": _observation("need", CG + "Need", lambda c: _k(c, "name", "expressed_by"),
                          "same need expressed by the same organisation"),
    "experiences": _observation("experience", CG + "ExperienceReport",
                                lambda c: _k(c, "name", "reported_by"),
                                "same title reported by the same organisation"),
    "effects": _effect,
    "projects": _named("project", CG + "CoDesignProject", SCHEMA + "Project"),
    "consent": _consent,
}


def resolve(entry: Entry, index: Index) -> None:
    """Replace the entry's references by IRIs; a reference that fails is a problem of its cell."""
    triples: list[ox.Triple] = []
    for subject, predicate, obj in entry.statements:
        s = _resolve(entry, index, subject)
        o = _resolve(entry, index, obj) if isinstance(obj, Ref) else obj
        if s is not None and o is not None:
            triples.append(ox.Triple(s, predicate, o))
    entry.triples = triples


def _resolve(entry: Entry, index: Index, node: Node | Object) -> ox.NamedNode | None:
    if not isinstance(node, Ref):
        return node  # type: ignore[return-value]
    try:
        return ox.NamedNode(index.resolve(node.kinds, node.text))
    except ReferenceProblem as error:
        problem = Problem(str(error), entry.sheet, entry.row, node.column, node.text)
        if problem not in entry.problems:
            entry.problems.append(problem)
        return None
