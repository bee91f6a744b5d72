"""The public view of persons, membership counts and erasure (graph/privacy/persons.py)."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
import pytest

from graph.errors import NotFound
from graph.namespaces import CG, FOAF, GRAPH, ID, META_GRAPH, ORG, PD, RDF
from graph.privacy import persons as privacy
from graph.privacy.access import public_graphs
from graph.privacy.persons import PUBLIC_PERSONS_GRAPH, Consent, decide, forget, membership_counts
from graph.store import Store
from tests.support.stores import load_example, memory_store

NAME, EMAIL, MEMBERSHIP = PD + "Name", PD + "EmailAddress", CG + "MembershipData"
D = dt.date


def person(n: int) -> str:
    return f"{ID}person/personne-{n:02d}"


@pytest.fixture
def example() -> Store:
    return load_example(memory_store())


def view(store: Store, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql, default_graph=[PUBLIC_PERSONS_GRAPH])
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


@pytest.mark.parametrize(("records", "expected"), [
    ([Consent("c1", "p", True, True, {NAME}, D(2024, 1, 1))], {NAME}),
    # withdrawn later (status withdrawn, date): nothing
    ([Consent("c1", "p", True, True, {NAME}, D(2024, 1, 1)),
      Consent("c2", "p", False, True, {NAME}, D(2024, 1, 1), D(2025, 1, 1))], set()),
    # a record with a withdrawal date no longer counts even if its status still says given
    ([Consent("c1", "p", True, True, {NAME}, D(2024, 1, 1), D(2025, 1, 1))], set()),
    # consent given again after a withdrawal
    ([Consent("c1", "p", False, True, {NAME}, D(2023, 1, 1), D(2023, 6, 1)),
      Consent("c2", "p", True, True, {NAME}, D(2024, 1, 1))], {NAME}),
    # a withdrawal covering one category leaves the others
    ([Consent("c1", "p", True, True, {NAME, MEMBERSHIP}, D(2024, 1, 1)),
      Consent("c2", "p", False, True, {MEMBERSHIP}, D(2024, 1, 1), D(2024, 2, 1))], {NAME}),
    # a withdrawal with no date at all blocks
    ([Consent("c1", "p", True, True, {EMAIL}, D(2024, 1, 1)),
      Consent("c2", "p", False, True, {EMAIL})], set()),
    # another purpose does not allow publication
    ([Consent("c1", "p", True, False, {NAME}, D(2024, 1, 1))], set()),
    # a withdrawal naming no category withdraws the consent whole (DPV)
    ([Consent("c1", "p", True, True, {NAME, EMAIL, MEMBERSHIP}, D(2024, 1, 1)),
      Consent("c2", "p", False, True, set(), D(2024, 1, 1), D(2025, 1, 1))], set()),
    ([Consent("c1", "p", True, True, {NAME, MEMBERSHIP}, D(2024, 1, 1)),
      Consent("c2", "p", False, False, set(), None, D(2025, 1, 1))], set()),
    # ... but not a consent given again after it
    ([Consent("c1", "p", False, True, set(), D(2023, 1, 1), D(2023, 6, 1)),
      Consent("c2", "p", True, True, {NAME}, D(2024, 1, 1))], {NAME}),
])
def test_decide(records: list[Consent], expected: set[str]) -> None:
    decisions = decide(records)
    assert (decisions["p"].categories if "p" in decisions else set()) == expected


def test_example_view_publishes_only_consented_persons(example: Store) -> None:
    persons = {r["p"] for r in view(example, f"SELECT ?p WHERE {{ ?p a <{FOAF}Person> }}")}
    assert persons == {person(n) for n in (1, 3, 8, 14, 16, 21, 30)}
    emails = view(example, f"SELECT ?p ?m WHERE {{ ?p <{FOAF}mbox> ?m }}")
    assert [r["p"] for r in emails] == [person(21)]
    members = {r["p"] for r in view(example, f"SELECT ?p WHERE {{ ?m <{ORG}member> ?p }}")}
    assert members == {person(n) for n in (1, 8, 16, 30)}
    assert not view(example, f"SELECT ?p WHERE {{ ?p <{FOAF}phone> ?x }}")


def test_example_view_is_public_and_restricted_graphs_are_not(example: Store) -> None:
    public = public_graphs(example)
    assert PUBLIC_PERSONS_GRAPH in public
    assert GRAPH + "example-members" not in public
    assert GRAPH + "example-consent" not in public


def test_withdrawing_consent_removes_the_person_at_once(example: Store) -> None:
    from graph.ingest.spreadsheets import import_spreadsheet

    sheet = (b"person,status,data,given on,withdrawn on\n"
             b"personne-03,withdrawn,name,2024-04-11,2026-01-10\n")
    report = import_spreadsheet(example, sheet, "consent.csv", source="withdrawals")
    assert report.stored, report.problems
    persons = {r["p"] for r in view(example, f"SELECT ?p WHERE {{ ?p a <{FOAF}Person> }}")}
    assert person(3) not in persons and person(1) in persons
    names = {r["n"] for r in view(example, f"SELECT ?n WHERE {{ ?p <{FOAF}name> ?n }}")}
    assert "Fatou Diallo" not in names


def membership_store(sizes: dict[str, dict[str, int]]) -> Store:
    """Memberships in a restricted graph: organisation -> role -> number of persons."""
    store = memory_store()
    triples = []
    n = 0
    for org, roles in sizes.items():
        for role, count in roles.items():
            for _ in range(count):
                n += 1
                m = ox.NamedNode(f"{ID}membership/m{n}")
                triples += [
                    ox.Triple(m, ox.NamedNode(RDF + "type"), ox.NamedNode(ORG + "Membership")),
                    ox.Triple(m, ox.NamedNode(ORG + "member"), ox.NamedNode(f"{ID}person/p{n}")),
                    ox.Triple(m, ox.NamedNode(ORG + "organization"),
                              ox.NamedNode(f"{ID}org/{org}")),
                    ox.Triple(m, ox.NamedNode(ORG + "role"), ox.NamedNode(f"{ID}role/{role}")),
                ]
    store.replace_graph(GRAPH + "restricted/members", triples)
    return store


@pytest.mark.parametrize(("sizes", "expected"), [
    # everything above the threshold is shown
    ({"a": {"member": 6, "treasurer": 5}}, {None: 11, "member": 6, "treasurer": 5}),
    # a small organisation shows nothing
    ({"a": {"member": 3, "president": 1}}, {None: None, "member": None, "president": None}),
    # one small role is hidden, and the next smallest too, or subtraction would reveal it
    ({"a": {"member": 20, "volunteer": 7, "president": 1}},
     {None: 28, "member": 20, "volunteer": None, "president": None}),
    # two small roles hide each other
    ({"a": {"member": 20, "president": 1, "treasurer": 1}},
     {None: 22, "member": 20, "president": None, "treasurer": None}),
])
def test_membership_counts_suppress_small_counts(
        sizes: dict[str, dict[str, int]], expected: dict[str | None, int | None]) -> None:
    figures = membership_counts(membership_store(sizes), threshold=5)
    got = {(f.role.rsplit("/", 1)[-1] if f.role else None): f.count for f in figures}
    assert got == expected


def test_counts_are_published_in_the_view() -> None:
    store = membership_store({"a": {"member": 6}, "b": {"member": 2}})
    privacy.refresh_public_view(store, threshold=5)
    rows = view(store, f"SELECT ?o ?n WHERE {{ ?o <{CG}memberCount> ?n }}")
    assert rows == [{"o": f"{ID}org/a", "n": "6"}]


def test_forget_erases_every_triple_about_a_person(example: Store) -> None:
    target = person(1)
    example.update(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{GRAPH}example> "
                   f"<http://purl.org/dc/terms/contributor> <{target}> }} }}")
    report = forget(example, target, threshold=5)
    assert report.total > 0
    assert GRAPH + "example-members" in report.removed
    assert GRAPH + "example-consent" in report.removed
    assert META_GRAPH in report.removed
    left = example.query(f"ASK {{ GRAPH ?g {{ {{ <{target}> ?p ?o }} UNION {{ ?s ?p <{target}> }}"
                         f" UNION {{ ?s <{ORG}member> ?x FILTER(STRSTARTS(STR(?s), "
                         f"'{ID}membership/personne-01-')) }} }} }}")
    assert isinstance(left, ox.QueryBoolean) and not bool(left)
    consent = example.query(f"ASK {{ <{ID}consent/personne-01-publication> ?p ?o }}")
    assert isinstance(consent, ox.QueryBoolean) and not bool(consent)
    assert any("members.ttl" in s for s in report.sources)
    assert person(1) not in {r["p"] for r in view(
        example, f"SELECT ?p WHERE {{ ?p a <{FOAF}Person> }}")}


def test_forget_reports_mentions_in_text(example: Store) -> None:
    description = "<http://purl.org/dc/terms/description>"
    example.update(f"INSERT DATA {{ GRAPH <{GRAPH}example> {{ <{ID}org/x> {description} "
                   '"Interview with Amina Belkacem" } }')
    report = forget(example, person(1), threshold=5)
    assert (GRAPH + "example", f"{ID}org/x", "http://purl.org/dc/terms/description") in \
        report.mentions
    assert any("review" in line for line in report.lines())


def test_forget_an_unknown_person_is_not_found(example: Store) -> None:
    with pytest.raises(NotFound):
        forget(example, f"{ID}person/nobody", threshold=5)


@pytest.mark.parametrize("subject", [ox.Literal("personne-01"), ox.BlankNode("someone")])
def test_a_consent_record_without_an_iri_subject_is_skipped_not_fatal(
        example: Store, subject: ox.Literal | ox.BlankNode) -> None:
    # a record the shapes would refuse, already in a restricted graph (an older version
    # stored it): the refresh reports and skips it; the rest of the view still applies
    c = ox.NamedNode(f"{ID}consent/bad")
    dpv = "https://w3id.org/dpv#"
    privacy_graph = next(g for g in privacy.restricted_graphs(example))
    example.update(f"""INSERT DATA {{ GRAPH <{privacy_graph}> {{
        {c} a <{dpv}Consent> ; <{dpv}hasDataSubject> {subject} ;
            <{dpv}hasConsentStatus> <{dpv}ConsentGiven> ;
            <{dpv}hasPurpose> <{CG}PublicationInCivicgraph> ; <{dpv}hasPersonalData> <{NAME}> .
    }} }}""")
    privacy.refresh_public_view(example, threshold=5)
    persons = {r["p"] for r in view(example, f"SELECT ?p WHERE {{ ?p a <{FOAF}Person> }}")}
    assert person(1) in persons
    assert not view(example, f"SELECT * WHERE {{ <{c.value}> ?p ?o }}")


def test_a_withdrawal_naming_no_category_removes_every_public_trace(example: Store) -> None:
    before = view(example, f"SELECT ?m WHERE {{ ?m <{ORG}member> <{person(1)}> }}")
    assert before   # personne-01 is published with memberships
    dpv = "https://w3id.org/dpv#"
    privacy_graph = next(g for g in privacy.restricted_graphs(example))
    example.update(f"""INSERT DATA {{ GRAPH <{privacy_graph}> {{
        <{ID}consent/withdrawal> a <{dpv}Consent> ; <{dpv}hasDataSubject> <{person(1)}> ;
            <{dpv}hasConsentStatus> <{dpv}ConsentWithdrawn> ;
            <{dpv}hasPurpose> <{CG}PublicationInCivicgraph> ;
            <{CG}givenOn> "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
            <{CG}withdrawnOn> "2026-01-10"^^<http://www.w3.org/2001/XMLSchema#date> .
    }} }}""")
    privacy.refresh_public_view(example, threshold=5)
    for pattern in (f"<{person(1)}> ?p ?o", f"?s ?p <{person(1)}>"):
        assert not view(example, f"SELECT * WHERE {{ {pattern} }}"), pattern


def test_an_import_of_members_leaves_no_public_trace(example: Store) -> None:
    from graph.ingest.spreadsheets import import_spreadsheet

    before = set(public_graphs(example))
    sheet = b"person,name,organisation,role\npersonne-77,Jeanne Secret,VECAM,member\n"
    report = import_spreadsheet(example, sheet, "union-members.csv",
                                source="secret members list", kind="members")
    assert report.stored, report.problems
    new = set(public_graphs(example)) - before - {PUBLIC_PERSONS_GRAPH}
    assert not new   # no empty public graph, hence no public description of the import
    found = example.query(f"""ASK {{ GRAPH ?g {{ ?s ?p ?o
        FILTER(CONTAINS(STR(?o), "secret members") || CONTAINS(STR(?o), "union-members")
               || CONTAINS(STR(?o), "Jeanne Secret")) }}
        VALUES ?g {{ {" ".join(f"<{g}>" for g in public_graphs(example))} }} }}""")
    assert isinstance(found, ox.QueryBoolean) and not bool(found)
