"""An http(s) scheme is case-insensitive (RFC 3986, section 3.1): a spreadsheet cell written
``HTTPS://…`` is the IRI ``https://…``, as a web address, an id or a reference."""

from __future__ import annotations

import pytest

from graph.ingest.spreadsheets import import_spreadsheet
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads

SCHEMA_URL = "<https://schema.org/url>"


@pytest.fixture
def store() -> Store:
    return load_example(memory_store())


@pytest.mark.parametrize(("written", "stored"), [
    ("HTTPS://EXAMPLE.ORG/", "https://EXAMPLE.ORG/"),
    ("Http://example.org/a", "http://example.org/a"),
])
def test_a_web_address_with_an_uppercase_scheme_is_stored_in_lowercase(
        store: Store, written: str, stored: str) -> None:
    data = f"id,name,kind,website\nscheme-1,Scheme,association,{written}\n".encode()
    report = import_spreadsheet(store, data, "orgs.csv", source="schemes")
    assert report.stored, [str(p) for p in report.problems]
    urls = {q[3] for q in quads(store) if q[2] == SCHEMA_URL and "scheme-1" in q[1]}
    assert urls == {f"<{stored}>"}


def test_an_id_and_a_reference_with_an_uppercase_scheme_are_iris(store: Store) -> None:
    orgs = "id,name,kind\nHTTPS://example.org/id/org/scheme-2,Scheme Two,association\n"
    assert import_spreadsheet(store, orgs.encode(), "orgs.csv", source="schemes").stored
    usages = ("organisation,tool,practices,status,observed on\n"
              "HTTPS://example.org/id/org/scheme-2,Loomio,voting,active,2026-03-14\n"
              "Https://w3id.org/civicgraph/id/org/vecam,Loomio,voting,active,2026-03-14\n")
    report = import_spreadsheet(store, usages.encode(), "usages.csv", source="schemes 2")
    assert report.stored, [str(p) for p in report.problems]
    organisations = {q[3] for q in quads(store) if q[2].endswith("ns#organisation>")
                     and "schemes-2" in q[0]}
    assert organisations == {"<https://example.org/id/org/scheme-2>",
                             "<https://w3id.org/civicgraph/id/org/vecam>"}
