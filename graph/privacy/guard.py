"""The privacy guard: what only a restricted graph may hold.

Persons, memberships and consent records live in restricted graphs; the public sees a person
only through the view civicgraph derives from their consent (``graph.privacy.persons``), which
no write brings and this guard never reads. ``personal_data`` finds, in what a write would put
into a public graph:

- a node typed as a person, a membership or a consent record (FOAF, schema.org, vCard, ORG,
  DPV: ``PERSONAL_TYPES``);
- a personal property, whatever its subject (``PERSONAL_PROPERTIES``): names, e-mail
  addresses, phones and other identity data in FOAF, schema.org and vCard, the properties of
  memberships and consent records;
- a triple whose subject or object is a person, a membership or a consent record by its IRI
  (``…/id/person/…``, ``…/id/membership/…``, ``…/id/consent/…``, whatever the base), or an
  e-mail address or phone number (``mailto:``, ``tel:``);
- a membership (``org:memberOf``, ``org:hasMember``, ``schema:memberOf``, ``schema:member``,
  ``foaf:member``: ``MEMBERSHIP_PROPERTIES``) whose member is not known as an organisation:
  its IRI is an organisation's (``…/id/org/…``) or the write types it as one. Organisations
  are members of networks in public data; a person's membership of a union or a patients'
  association is special-category data (GDPR art. 9).

What it cannot judge: a name or an address in free text, and a node the write does not type
whose IRI is not civicgraph's (its ``schema:name`` is a name like any other).

>>> data = ox.Store()
>>> data.extend(ox.parse('<https://w3id.org/civicgraph/id/org/x> '
...     '<http://www.w3.org/ns/org#hasMember> <https://w3id.org/civicgraph/id/person/p> .',
...     ox.RdfFormat.N_TRIPLES))
>>> [v.focus_node for v in personal_data(data)]
['<https://w3id.org/civicgraph/id/person/p>']
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Final

import pyoxigraph as ox

from graph.errors import Violation
from graph.namespaces import CG, DPV, FOAF, ORG, RDF, SCHEMA

#: vCard 4 in RDF (W3C note); civicgraph reuses none of it, so it is named here only
VCARD: Final = "http://www.w3.org/2006/vcard/ns#"

#: classes whose instances only a restricted graph may hold (docs/MODEL.md, People)
PERSONAL_TYPES: Final = (
    FOAF + "Person", SCHEMA + "Person", VCARD + "Individual",
    ORG + "Membership", SCHEMA + "ProgramMembership",
    DPV + "Consent", DPV + "ConsentRecord",
)

#: properties that are personal data whatever their subject, or that only persons,
#: memberships and consent records carry
PERSONAL_PROPERTIES: Final = (
    # FOAF
    *(FOAF + p for p in ("name", "mbox", "mbox_sha1sum", "phone", "givenName", "givenname",
                         "familyName", "family_name", "firstName", "lastName", "surname",
                         "nick", "title", "birthday", "age", "gender", "knows")),
    # schema.org (Person, and the contact data of anyone)
    *(SCHEMA + p for p in ("email", "telephone", "faxNumber", "givenName", "familyName",
                           "additionalName", "honorificPrefix", "honorificSuffix",
                           "birthDate", "birthPlace", "deathDate", "gender", "nationality",
                           "knows", "spouse", "parent", "children", "sibling", "relatedTo",
                           "colleague", "worksFor", "affiliation", "alumniOf", "jobTitle",
                           "hasOccupation", "programMembershipUsed")),
    # vCard: names, e-mail, phones, group members
    *(VCARD + p for p in ("fn", "n", "hasName", "given-name", "family-name",
                          "additional-name", "honorific-prefix", "honorific-suffix",
                          "nickname", "bday", "anniversary", "sex", "hasGender", "email",
                          "hasEmail", "tel", "hasTelephone", "photo", "hasPhoto",
                          "hasMember")),
    # ORG: the properties of a membership, and of a person's posts
    *(ORG + p for p in ("member", "hasMembership", "organization", "memberDuring", "headOf",
                        "holds", "heldBy")),
    # consent records
    DPV + "hasDataSubject", CG + "publicationConsent", CG + "givenOn", CG + "withdrawnOn",
)

#: membership properties, each with the end of the triple that names the member: personal
#: unless that member is known as an organisation
MEMBERSHIP_PROPERTIES: Final = {
    ORG + "memberOf": "subject", ORG + "hasMember": "object",
    SCHEMA + "memberOf": "subject", SCHEMA + "member": "object", SCHEMA + "members": "object",
    FOAF + "member": "object",
}

#: classes a member may have to be an organisation (ORG, FOAF, schema.org)
ORGANISATION_TYPES: Final = (
    *(ORG + c for c in ("Organization", "FormalOrganization", "OrganizationalCollaboration",
                        "OrganizationalUnit")),
    FOAF + "Organization",
    *(SCHEMA + c for c in ("Organization", "NGO", "Corporation", "GovernmentOrganization",
                           "EducationalOrganization", "MedicalOrganization", "PoliticalParty",
                           "WorkersUnion", "Consortium", "LocalBusiness", "Project",
                           "FundingScheme", "ResearchOrganization", "SportsOrganization",
                           "NewsMediaOrganization", "PerformingGroup", "OnlineBusiness")),
)

#: the IRI spaces of persons, memberships and consent records (``{base}id/{kind}/{slug}``,
#: whatever the base), and the schemes of e-mail addresses and phone numbers; in the syntax
#: Python and SPARQL's REGEX (XPath) share
PERSONAL_IRI: Final = "^[^?#]*/id/(person|membership|consent)/|^(mailto|tel):"
_PERSONAL_IRI: Final = re.compile(PERSONAL_IRI, re.IGNORECASE)
_ORGANISATION_IRI: Final = re.compile(r"^[^?#]*/id/org/[^/?#]+$")
_CONSTRAINT = "civicgraph:restricted"
_WHERE = ("personal data goes into a restricted graph (civicgraph load --restricted, or a "
          "graph under …/graph/restricted/); the public sees a person only as their consent "
          "allows")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


_TYPE = _n(RDF + "type")
_PROPERTIES = frozenset(PERSONAL_PROPERTIES)
_TYPES = frozenset(_n(t) for t in PERSONAL_TYPES)
_ORGANISATIONS = frozenset(_n(t) for t in ORGANISATION_TYPES)


def personal_iri(term: Term) -> bool:
    """Whether ``term`` is the IRI of a person, a membership or a consent record, or an
    e-mail address or phone number.

    >>> personal_iri(ox.NamedNode("https://example.org/civic/id/membership/p-01-x"))
    True
    >>> personal_iri(ox.NamedNode("https://w3id.org/civicgraph/id/org/personnes-agees"))
    False
    """
    return isinstance(term, ox.NamedNode) and _PERSONAL_IRI.match(term.value) is not None


def may_be_personal(triple: ox.Triple) -> bool:
    """Whether ``personal_data`` could find anything in a store holding ``triple``: a quick
    test of each triple of a write, before a store of them is built."""
    predicate = triple.predicate.value
    return predicate in _PROPERTIES or predicate in MEMBERSHIP_PROPERTIES \
        or (triple.predicate == _TYPE and triple.object in _TYPES) \
        or personal_iri(triple.subject) or personal_iri(triple.object)


def personal_data(data: ox.Store, *, limit: int = 5) -> list[Violation]:
    """Persons, memberships, consent records and personal data in ``data`` (parsed input
    about to go into a public graph), as violations naming the node, the property and the
    rule; at most ``limit`` of each kind."""
    found: list[Violation] = []
    for kind in PERSONAL_TYPES:
        for quad in itertools.islice(data.quads_for_pattern(None, _TYPE, _n(kind), None),
                                     limit):
            found.append(Violation(str(quad.subject), "rdf:type", _CONSTRAINT, None,
                                   f"a person, membership or consent record: {_WHERE}", kind))
    for prop in PERSONAL_PROPERTIES:
        for quad in itertools.islice(data.quads_for_pattern(None, _n(prop), None, None),
                                     limit):
            found.append(Violation(str(quad.subject), prop, _CONSTRAINT, None,
                                   f"a personal property: {_WHERE}", str(quad.object)))
    found += itertools.islice(_memberships(data), limit)
    found += itertools.islice(_personal_nodes(data), limit)
    return found


def _memberships(data: ox.Store) -> Iterator[Violation]:
    """Memberships whose member is not known as an organisation (those of a member named by a
    personal IRI are left to ``_personal_nodes``)."""
    for prop, side in MEMBERSHIP_PROPERTIES.items():
        for quad in data.quads_for_pattern(None, _n(prop), None, None):
            member = quad.subject if side == "subject" else quad.object
            if not personal_iri(member) and not _organisation(data, member):
                yield Violation(str(member), prop, _CONSTRAINT, None,
                                f"{quad.subject} <{prop}> {quad.object}: a membership whose "
                                "member is not known as an organisation (an IRI …/id/org/…, "
                                "or typed as one in the same write) may be a person's: "
                                f"{_WHERE}", str(quad.object))


def _organisation(data: ox.Store, member: Term) -> bool:
    """Whether ``member`` is an organisation: by its IRI, or by its type in ``data``."""
    if isinstance(member, ox.NamedNode) and _ORGANISATION_IRI.match(member.value):
        return True
    return isinstance(member, ox.NamedNode | ox.BlankNode) and any(
        q.object in _ORGANISATIONS for q in data.quads_for_pattern(member, _TYPE, None, None))


def _personal_nodes(data: ox.Store) -> Iterator[Violation]:
    """Triples about a person, a membership or a consent record named by its IRI, or about an
    e-mail address or a phone number (a scan, made by the engine)."""
    result = data.query(f"""
        SELECT ?s ?p ?o WHERE {{ ?s ?p ?o
          FILTER((isIRI(?s) && REGEX(STR(?s), "{PERSONAL_IRI}", "i"))
                 || (isIRI(?o) && REGEX(STR(?o), "{PERSONAL_IRI}", "i"))) }}""")
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        s, p, o = row["s"], row["p"], row["o"]
        yield Violation(str(s if personal_iri(s) else o), p.value, _CONSTRAINT, None,
                        f"{s} {p} {o}: a triple about a person, a membership, a consent record, "
                        f"an e-mail address or a phone number: {_WHERE}", str(o))
