"""The probe itself can fail: it finds every forbidden item in the restricted data, in
whatever escaping an answer may use, and nothing in text that merely resembles it."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from graph.store import Store
from tests.privacy.probes import CONSENTS, WITHDRAWN, Probe


def full_dump(store: Store) -> str:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return out.getvalue().decode("utf-8")


def test_every_pattern_matches_the_restricted_data(example: Store, probe: Probe) -> None:
    found = set(probe.leaks(full_dump(example)))
    # names as slugs are not in the data (the e-mail addresses use dots): a leak could mint them
    assert found == {what for what in probe.patterns if "slug" not in what}
    # the whole name, the e-mail, the IRI of everyone without consent, the withdrawn included
    for person in probe.hidden():
        assert f"name of {person.token}" in found and f"IRI of {person.token}" in found
    assert WITHDRAWN not in CONSENTS and f"IRI of personne-{WITHDRAWN}" in found
    assert len(probe.hidden()) == 23


def test_consented_data_is_not_a_leak(probe: Probe) -> None:
    assert probe.visible_names() >= {"Amina Belkacem", "Fatou Diallo"}
    allowed = ("Amina Belkacem, <https://w3id.org/civicgraph/id/person/personne-01>, "
               "id:membership/personne-01-collectif-sante-belleville, Petit, "
               "petit groupe, mailto:omar.cisse@example.org")
    assert probe.leaks(allowed) == []


@pytest.mark.parametrize(("text", "what"), [
    ("Julien Marchand", "name of personne-02"),
    ("JULIEN MARCHAND", "name of personne-02"),
    ("\\u00c9lodie Robert", "name of personne-09"),
    ("&#201;lodie Robert", "name of personne-09"),
    ("q=%C3%89lodie+Robert", "name of personne-09"),
    (json.dumps("Élodie Robert"), "name of personne-09"),
    ("elodie-robert", "name as a slug of personne-09"),
    ("M. Marchand", "surname of personne-02"),
    ("id:person\\/personne-02 a foaf:Person", "IRI of personne-02"),
    ("/id/membership/personne-03-diabete-entraide-93", "membership of personne-03"),
    ("iri=" + quote("https://w3id.org/civicgraph/id/person/personne-19", safe=""),
     "IRI of personne-19"),
    ("amina.belkacem@example.org", "e-mail of personne-01"),
    ("tel:+33199000001", "phone of personne-01"),
    ("01 99 00 00 01", "phone of personne-01"),
])
def test_the_probe_sees_through_escaping(probe: Probe, text: str, what: str) -> None:
    assert what in probe.leaks(text)
