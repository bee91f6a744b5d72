"""The spreadsheet kinds and their columns: the contract between a template and the graph.

Each kind is a sheet; each column has an English and a French header (either is accepted, in
any case, with or without accents, spaces or underscores), a type, and the property it fills.
The column tables of ``docs/spreadsheets.md`` are generated from these definitions
(``columns_markdown``; ``tests/test_docs.py`` checks them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.ingest.spreadsheets.values import norm
from graph.namespaces import CG, DCTERMS, DPV, FOAF, ORG, OWL, PD, PROV, RDFS, SCHEMA, SIOCT

#: Column types: how a cell is read and what it becomes (documented in docs/spreadsheets.md).
TYPES = {
    "id": "identifier: a slug (`vecam`) or a full IRI; left empty, one is derived",
    "text": "text",
    "langtext": "text, tagged with the language of the headers (@fr or @en)",
    "date": "date, `YYYY-MM-DD` or `DD/MM/YYYY` (or a date cell)",
    "bool": "yes / no (oui / non)",
    "url": "web address (`https://…`)",
    "ref": "reference: an IRI, an identifier, a Wikidata id or a name (FR or EN), matched "
           "without case or accents",
    "concept": "concept of a civicgraph scheme: its identifier or its FR/EN label",
    "choice": "one of the listed words (FR or EN)",
    "wikidata": "Wikidata item id (`Q1234`) or its URL",
    "licence": "SPDX licence id (`AGPL-3.0-only`) or `proprietary` / `propriétaire`",
    "insee": "INSEE commune code (`93048`)",
    "rna": "RNA number (`W751234567`)",
    "siren": "SIREN number (nine digits)",
    "email": "e-mail address",
    "phone": "telephone number",
    "source": "web address or free text",
}

#: The words accepted in ``choice`` columns (keys are normalised with ``norm``).
CHOICES: dict[str, dict[str, str]] = {
    "level": {"software": "software", "logiciel": "software", "instance": "instance",
              "hosted instance": "instance", "instance hebergee": "instance",
              "space": "space", "shared space": "space", "espace": "space",
              "espace partage": "space"},
    "hosting": {"chatons": CG + "ChatonsHosting", "commercial": CG + "CommercialHosting",
                "commerciale": CG + "CommercialHosting", "self": CG + "SelfHosting",
                "self hosting": CG + "SelfHosting", "auto hebergement": CG + "SelfHosting",
                "associative": CG + "AssociativeHosting", "associatif": CG + "AssociativeHosting",
                "associative hosting": CG + "AssociativeHosting",
                "hebergement associatif": CG + "AssociativeHosting"},
    "space_type": {"mailing list": SIOCT + "MailingList",
                   "liste de diffusion": SIOCT + "MailingList",
                   "wiki": SIOCT + "Wiki", "forum": SIOCT + "MessageBoard",
                   "chat": SIOCT + "ChatChannel", "salon": SIOCT + "ChatChannel"},
    "event_type": {"seminar": CG + "Seminar", "seminaire": CG + "Seminar",
                   "public day": CG + "PublicDay", "journee publique": CG + "PublicDay",
                   "workshop": CG + "Workshop", "atelier": CG + "Workshop",
                   "event": SCHEMA + "Event", "evenement": SCHEMA + "Event"},
    "activity_type": {"survey": CG + "Survey", "enquete": CG + "Survey",
                      "questionnaire": CG + "Survey", "interview": CG + "Interview",
                      "entretien": CG + "Interview", "seminar": CG + "Seminar",
                      "seminaire": CG + "Seminar", "other": CG + "ObservationActivity",
                      "autre": CG + "ObservationActivity"},
    "consent_status": {"given": DPV + "ConsentGiven", "donne": DPV + "ConsentGiven",
                       "withdrawn": DPV + "ConsentWithdrawn", "retire": DPV + "ConsentWithdrawn"},
    "personal_data": {"name": PD + "Name", "nom": PD + "Name",
                      "email": PD + "EmailAddress", "e mail": PD + "EmailAddress",
                      "courriel": PD + "EmailAddress", "phone": PD + "TelephoneNumber",
                      "telephone": PD + "TelephoneNumber", "membership": CG + "MembershipData",
                      "memberships": CG + "MembershipData", "adhesion": CG + "MembershipData",
                      "adhesions": CG + "MembershipData"},
}


@dataclass(frozen=True)
class Column:
    """One column of a kind's sheet."""

    key: str
    en: str
    fr: str
    type: str
    doc: str
    example: str = ""
    required: bool = False
    multi: bool = False
    #: ``ref``: the kinds of resource it may name; ``concept``: the scheme; ``choice``: the set
    target: tuple[str, ...] = ()
    #: the property it fills; None when the kind's mapping handles it
    predicate: str | None = None

    def headers(self) -> tuple[str, ...]:
        return (self.en, self.fr, self.key)


@dataclass(frozen=True)
class Kind:
    """A kind of sheet: what one row describes and where it goes."""

    name: str
    en: str
    fr: str
    iri_kind: str
    doc: str
    columns: tuple[Column, ...]
    restricted: bool = False
    _by_header: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            for header in column.headers():
                self._by_header[norm(header)] = column

    def column_for(self, header: str) -> Column | None:
        """The column that ``header`` names, in English, French or as its key."""
        return self._by_header.get(norm(header))

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _c(key: str, en: str, fr: str, type: str, doc: str, example: str = "", *,
       required: bool = False, multi: bool = False, target: tuple[str, ...] = (),
       predicate: str | None = None) -> Column:
    return Column(key, en, fr, type, doc, example, required, multi, target, predicate)


def _id(example: str) -> Column:
    return _c("id", "id", "identifiant", "id",
              "Stable identifier. Give one when a name may change; otherwise it is derived.",
              example)


def _description(example: str = "") -> Column:
    return _c("description", "description", "description", "langtext", "Free description.",
              example, predicate=DCTERMS + "description")


def _observed_on() -> Column:
    return _c("observed_on", "observed on", "observé le", "date",
              "Date of the observation.", "2026-03-14", required=True,
              predicate=CG + "observedOn")


def _activity() -> Column:
    return _c("activity", "activity", "activité", "ref",
              "Survey, interview or seminar the observation comes from; empty: the import's "
              "own activity, named after `--source`.", "", multi=True, target=("activity",),
              predicate=PROV + "wasGeneratedBy")


_TOOL = ("software", "instance", "space")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("organisations", "organisations", "organisations", "org",
         "Organisations: associations, unions, collectives, networks, public bodies.", (
             _id("vecam"),
             _c("name", "name", "nom", "text", "Name of the organisation.", "VECAM",
                required=True, predicate=RDFS + "label"),
             _c("org_kind", "kind", "nature", "concept",
                "Kind of organisation (org-kind scheme); a network becomes an "
                "org:OrganizationalCollaboration, a formal body an org:FormalOrganization.",
                "association", target=("org-kind",), predicate=ORG + "classification"),
             _c("fields", "fields", "domaines", "concept", "Fields of action (field scheme).",
                "digital-commons | urban-question", multi=True, target=("field",),
                predicate=ORG + "purpose"),
             _c("commune", "commune", "commune", "text",
                "Name of the commune (its label); stored with the INSEE code, left out "
                "without it.", "Paris"),
             _c("insee", "INSEE code", "code INSEE", "insee",
                "INSEE code of the commune where it is based.", "75056"),
             _c("rna", "RNA", "RNA", "rna", "RNA number of an association.", ""),
             _c("siren", "SIREN", "SIREN", "siren", "SIREN number.", ""),
             _c("member_of", "member of", "membre de", "ref",
                "Networks or federations it belongs to.", "", multi=True, target=("org",),
                predicate=ORG + "memberOf"),
             _c("parent", "part of", "fait partie de", "ref",
                "Organisation it is a unit of.", "", target=("org",),
                predicate=ORG + "subOrganizationOf"),
             _c("website", "website", "site web", "url", "Website.", "https://vecam.org",
                predicate=SCHEMA + "url"),
             _c("wikidata", "Wikidata", "Wikidata", "wikidata",
                "Wikidata item, for real organisations.", "", predicate=OWL + "sameAs"),
             _description("Association working on the social appropriation of digital tools."),
             _c("fictional", "fictional", "fictif", "bool",
                "Yes for an invented organisation (teaching, tests).", "no",
                predicate=CG + "isFictional"),
         )),
    Kind("activities", "activities", "activités", "activity",
         "Observation activities: the surveys, interviews and seminars observations come from.", (
             _id("survey-2026-wave-2"),
             _c("name", "name", "nom", "text", "Name of the activity.", "Survey 2026, wave 2",
                required=True, predicate=RDFS + "label"),
             _c("activity_type", "type", "type", "choice",
                "survey / enquête, interview / entretien, seminar / séminaire, other / autre.",
                "survey", target=("activity_type",)),
             _c("wave", "wave", "vague", "ref", "Observation wave it belongs to.", "",
                target=("wave",), predicate=CG + "wave"),
             _c("start", "start", "début", "date", "First day.", "2026-01-15",
                predicate=SCHEMA + "startDate"),
             _c("end", "end", "fin", "date", "Last day.", "2026-03-31",
                predicate=SCHEMA + "endDate"),
             _description(),
         )),
    Kind("tools", "tools", "outils", "software",
         "Tools at three levels: software, hosted instances (a Framasoft or CHATONS service) "
         "and shared spaces (a given mailing list, wiki or Loomio group).", (
             _id("loomio"),
             _c("name", "name", "nom", "text", "Name of the tool.", "Loomio", required=True,
                predicate=RDFS + "label"),
             _c("level", "level", "niveau", "choice",
                "software / logiciel (default), instance, space / espace.", "software",
                target=("level",)),
             _c("aliases", "other names", "autres noms", "text",
                "Other names people use for it; used to match references.", "", multi=True,
                predicate="http://www.w3.org/2004/02/skos/core#altLabel"),
             _c("categories", "categories", "catégories", "concept",
                "Tool categories (tool-category scheme); software only.",
                "decision-making-platform", multi=True, target=("tool-category",),
                predicate=CG + "category"),
             _c("licence", "licence", "licence", "licence", "Licence of the software.",
                "AGPL-3.0-only"),
             _c("free_software", "free software", "logiciel libre", "bool",
                "Whether the software is free software; derived from the licence when empty.",
                "yes", predicate=CG + "isFreeSoftware"),
             _c("wikidata", "Wikidata", "Wikidata", "wikidata", "Wikidata item.", "",
                predicate=OWL + "sameAs"),
             _c("framalibre", "Framalibre", "Framalibre", "text",
                "Identifier of its Framalibre notice.", "", predicate=CG + "framalibreId"),
             _c("website", "website", "site web", "url", "Website.", "https://www.loomio.com",
                predicate=SCHEMA + "url"),
             _c("software", "software", "logiciel", "ref",
                "Instances and spaces: the software it runs on.", "", target=("software",),
                predicate=CG + "software"),
             _c("provider", "provider", "hébergeur", "ref",
                "Instances: the organisation that runs it.", "", target=("org",),
                predicate=SCHEMA + "provider"),
             _c("hosting", "hosting", "hébergement", "choice",
                "Instances: chatons, commercial / commerciale, self / auto-hébergement, "
                "associative / associatif.", "", target=("hosting",),
                predicate=CG + "hostingKind"),
             _c("host", "hosted on", "hébergé sur", "ref",
                "Spaces: the hosted instance it lives on.", "", target=("instance",),
                predicate="http://rdfs.org/sioc/ns#has_host"),
             _c("space_type", "space type", "type d'espace", "choice",
                "Spaces: mailing list / liste de diffusion, wiki, forum, chat / salon.", "",
                target=("space_type",)),
             _c("shared_by", "shared by", "partagé par", "ref",
                "Spaces: organisations that use and run it.", "", multi=True, target=("org",),
                predicate=CG + "sharedBy"),
             _description(),
         )),
    Kind("events", "events", "événements", "event",
         "Seminars, public days, workshops, with the organisations that attended.", (
             _id("seminar-2026-03"),
             _c("name", "name", "nom", "text", "Name of the event.", "Seminar on decision tools",
                required=True, predicate=RDFS + "label"),
             _c("event_type", "type", "type", "choice",
                "seminar / séminaire, public day / journée publique, workshop / atelier, "
                "event / événement.", "seminar", target=("event_type",)),
             _c("start", "start", "début", "date", "First day.", "2026-03-14", required=True,
                predicate=SCHEMA + "startDate"),
             _c("end", "end", "fin", "date", "Last day.", "", predicate=SCHEMA + "endDate"),
             _c("insee", "INSEE code", "code INSEE", "insee", "Commune where it took place.",
                "93048"),
             _c("organizer", "organiser", "organisateur", "ref", "Organising organisations.",
                "VECAM", multi=True, target=("org",), predicate=SCHEMA + "organizer"),
             _c("attendees", "attendees", "participants", "ref",
                "Organisations that attended.", "", multi=True, target=("org",),
                predicate=SCHEMA + "attendee"),
             _c("topics", "topics", "thèmes", "concept", "Fields it was about.", "health",
                multi=True, target=("field",), predicate=SCHEMA + "about"),
             _c("super_event", "part of event", "fait partie de", "ref",
                "A larger event it belongs to.", "", target=("event",),
                predicate=SCHEMA + "superEvent"),
             _c("programme", "programme", "programme", "ref", "Programme it is part of.", "",
                target=("programme",), predicate=CG + "partOfProgramme"),
             _description(),
         )),
    Kind("attendance", "attendance", "participation", "event",
         "One row per organisation attending an event (long attendance lists).", (
             _c("event", "event", "événement", "ref", "The event.", "journee-publique-2025",
                required=True, target=("event",)),
             _c("organisation", "organisation", "organisation", "ref",
                "The attending organisation.", "VECAM", required=True, target=("org",)),
         )),
    Kind("usages", "usages", "usages", "usage",
         "Usage observations: an organisation uses a tool for a practice, as observed on a date.",
         (
             _id(""),
             _c("organisation", "organisation", "organisation", "ref",
                "The organisation observed.", "VECAM", required=True, target=("org",),
                predicate=CG + "organisation"),
             _c("tool", "tool", "outil", "ref",
                "The tool: software, hosted instance or shared space.", "Loomio",
                required=True, target=_TOOL, predicate=CG + "tool"),
             _c("practices", "practices", "pratiques", "concept",
                "Practices the tool serves (practice scheme).", "consensus-decision",
                required=True, multi=True, target=("practice",), predicate=CG + "practice"),
             _c("status", "status", "statut", "concept",
                "active / actif, trial / à l'essai, abandoned / abandonné.", "active",
                required=True, target=("status",), predicate=CG + "status"),
             _observed_on(),
             _c("start", "start", "début", "date", "Date the usage began.", "2024-09-01",
                predicate=SCHEMA + "startDate"),
             _c("end", "end", "fin", "date", "Date the usage ended.", "",
                predicate=SCHEMA + "endDate"),
             _activity(),
             _c("primary_source", "primary source", "source primaire", "source",
                "The document or record the observation rests on.", "", multi=True,
                predicate=PROV + "hadPrimarySource"),
             _description(),
         )),
    Kind("needs", "needs", "besoins", "need",
         "Needs expressed by organisations, about practices or tools.", (
             _id(""),
             _c("name", "need", "besoin", "langtext", "The need, in a few words.",
                "Decide between meetings", required=True, predicate=RDFS + "label"),
             _c("expressed_by", "expressed by", "exprimé par", "ref",
                "Organisations that expressed it.", "VECAM", required=True, multi=True,
                target=("org",), predicate=CG + "expressedBy"),
             _c("practices", "practices", "pratiques", "concept", "Practices concerned.",
                "decision-making", multi=True, target=("practice",),
                predicate=CG + "concernsPractice"),
             _c("tools", "tools", "outils", "ref", "Tools concerned.", "", multi=True,
                target=_TOOL, predicate=CG + "concernsTool"),
             _observed_on(),
             _activity(),
             _description(),
         )),
    Kind("experiences", "experiences", "expériences", "experience",
         "Experience reports: what an organisation learnt from using a tool.", (
             _id(""),
             _c("name", "title", "titre", "langtext", "Title of the report.",
                "A year of Loomio", required=True, predicate=RDFS + "label"),
             _c("reported_by", "reported by", "rapporté par", "ref",
                "Organisation that reports it.", "VECAM", required=True, target=("org",),
                predicate=CG + "reportedBy"),
             _c("usages", "usages", "usages", "ref", "Usage observations it is about.", "",
                multi=True, target=("usage",), predicate=CG + "concernsUsage"),
             _c("tools", "tools", "outils", "ref", "Tools concerned.", "Loomio", multi=True,
                target=_TOOL, predicate=CG + "concernsTool"),
             _c("practices", "practices", "pratiques", "concept", "Practices concerned.", "",
                multi=True, target=("practice",), predicate=CG + "concernsPractice"),
             _observed_on(),
             _activity(),
             _description(),
         )),
    Kind("effects", "effects", "effets", "effect-observation",
         "Effects observed on a usage or an experience (effect scheme).", (
             _id(""),
             _c("effect", "effect", "effet", "concept", "The effect observed.",
                "roles-redistributed", required=True, target=("effect",),
                predicate=CG + "effect"),
             _c("usage", "usage", "usage", "ref", "The usage it was observed on.",
                "aidants-essonne-facebook-2025",
                multi=True, target=("usage",), predicate=CG + "onUsage"),
             _c("experience", "experience", "expérience", "ref",
                "The experience report it was observed in.", "", multi=True,
                target=("experience",), predicate=CG + "onExperience"),
             _observed_on(),
             _activity(),
             _description(),
         )),
    Kind("projects", "projects", "projets", "project",
         "Co-design projects, from idea to adoption.", (
             _id(""),
             _c("name", "name", "nom", "text", "Name of the project.", "Shared agenda",
                required=True, predicate=RDFS + "label"),
             _c("stage", "stage", "étape", "concept", "idea, prototype, tested, adopted.",
                "prototype", required=True, target=("stage",), predicate=CG + "stage"),
             _c("involves", "organisations", "organisations", "ref",
                "Organisations involved.", "VECAM", required=True, multi=True,
                target=("org",), predicate=CG + "involves"),
             _c("needs", "needs", "besoins", "ref", "Needs it answers.",
                "cartographier-entraide", multi=True,
                target=("need",), predicate=CG + "answersNeed"),
             _c("events", "events", "événements", "ref", "Events where it was worked on.", "",
                multi=True, target=("event",), predicate=CG + "workedOnAt"),
             _c("software", "software", "logiciels", "ref", "Software produced or used.", "",
                multi=True, target=("software",), predicate=CG + "software"),
             _c("start", "start", "début", "date", "Start date.", "",
                predicate=SCHEMA + "startDate"),
             _description(),
         )),
    Kind("members", "members", "membres", "person",
         "RESTRICTED. Persons and their memberships, one row per membership; never public "
         "unless a consent row allows it.", (
             _id(""),
             _c("name", "name", "nom", "text", "Full name.", "Camille Martin", required=True,
                predicate=FOAF + "name"),
             _c("email", "e-mail", "courriel", "email", "E-mail address.",
                "camille@example.org", predicate=FOAF + "mbox"),
             _c("phone", "phone", "téléphone", "phone", "Telephone number.", ""),
             _c("organisation", "organisation", "organisation", "ref",
                "Organisation of the membership.", "VECAM", target=("org",)),
             _c("role", "role", "rôle", "concept", "Role (role scheme); empty: member.",
                "treasurer", target=("role",)),
             _c("since", "since", "depuis", "date", "Start of the membership.", ""),
             _c("fictional", "fictional", "fictif", "bool", "Yes for an invented person.", "no",
                predicate=CG + "isFictional"),
         ), restricted=True),
    Kind("consent", "consent", "consentement", "consent",
         "RESTRICTED. Consent records (W3C DPV): what a person agreed to publish.", (
             _id(""),
             _c("person", "person", "personne", "ref",
                "The person: identifier, e-mail or name as on the members sheet.",
                "Camille Martin", required=True, target=("person",),
                predicate=DPV + "hasDataSubject"),
             _c("status", "status", "statut", "choice", "given / donné, withdrawn / retiré.",
                "given", required=True, target=("consent_status",),
                predicate=DPV + "hasConsentStatus"),
             _c("data", "data", "données", "choice",
                "What may be published: name / nom, email / courriel, phone / téléphone, "
                "membership / adhésion.", "name | membership", required=True, multi=True,
                target=("personal_data",), predicate=DPV + "hasPersonalData"),
             _c("given_on", "given on", "donné le", "date", "Date consent was given.",
                "2026-02-01", required=True, predicate=CG + "givenOn"),
             _c("withdrawn_on", "withdrawn on", "retiré le", "date",
                "Date consent was withdrawn.", "", predicate=CG + "withdrawnOn"),
         ), restricted=True),
)}

#: the order in which kinds are mapped, so that references to resources of the same file resolve
ORDER = ("organisations", "activities", "tools", "events", "attendance", "members", "usages",
         "needs", "experiences", "effects", "projects", "consent")
assert set(ORDER) == set(KINDS)


def detect_kind(sheet_name: str, header: tuple[str, ...]) -> Kind | None:
    """The kind of a sheet: by its name (EN or FR), else the kind whose columns the header
    covers best (all its required columns present)."""
    wanted = norm(sheet_name)
    for kind in KINDS.values():
        if wanted in (norm(kind.en), norm(kind.fr), norm(kind.name)):
            return kind
    best: tuple[int, int, Kind] | None = None
    for kind in KINDS.values():
        found = {c.key for h in header if (c := kind.column_for(h)) is not None}
        required = {c.key for c in kind.columns if c.required}
        # complete kinds first, then the most columns recognised (the import then names the
        # required columns that are missing)
        score = (int(required <= found), len(found) * 100 + len(found & required))
        if len(found) >= 2 and (best is None or score > best[:2]):
            best = (*score, kind)
    return best[2] if best else None


def columns_markdown() -> str:
    """The documentation of every kind and column, as Markdown (docs/spreadsheets.md)."""
    lines = ["| type | what to write |", "|---|---|"]
    lines += [f"| {name} | {doc} |" for name, doc in TYPES.items()]
    lines.append("")
    for name in ORDER:
        kind = KINDS[name]
        lines += [f"#### `{kind.name}` (sheet *{kind.en}* / *{kind.fr}*)", "", kind.doc, "",
                  "| column (EN) | colonne (FR) | type | required | description |",
                  "|---|---|---|---|---|"]
        for c in kind.columns:
            kind_of = c.type + (" (several, `|`-separated)" if c.multi else "")
            if c.target and c.type in ("ref", "concept"):
                kind_of += f": {', '.join(c.target)}"
            lines.append(f"| `{c.en}` | `{c.fr}` | {kind_of} | {'yes' if c.required else ''} "
                         f"| {c.doc} |")
        lines.append("")
    return "\n".join(lines)
