"""Organisations by commune, and the shipped commune and outline files."""

from __future__ import annotations

import pytest

from visualisations.filters import Filters
from visualisations.geography import geography, geography_payload
from visualisations.places import Commune, communes, outlines
from visualisations.places.build import fold, inside, parse_path
from visualisations.table import Usage, UsageTable

KNOWN = {"93048": Commune("93048", "Montreuil", "93", (317.0, 144.0)),
         "93001": Commune("93001", "Aubervilliers", "93", None)}


def table() -> UsageTable:
    return UsageTable(usages=[Usage("u1", "o1", "s", "s"), Usage("u2", "o2", "s", "s"),
                              Usage("u3", "o3", "s", "s", practices=("p",)),
                              Usage("u4", "o4", "s", "s")],
                      org_commune={"o1": "93048", "o2": "93048", "o3": "93001",
                                   "o4": "99999"},
                      org_fields={"o1": ("health",)}, labels={"o1": {"en": "<b>"}})


def test_organisations_are_grouped_by_commune() -> None:
    found = geography(table(), known=KNOWN)
    assert [(p.code, p.organisations, p.approximate) for p in found.places] == [
        ("93048", ("o1", "o2"), False), ("93001", ("o3",), True)]
    # a commune without a position is drawn at its département's centre
    assert (found.places[1].x, found.places[1].y) == tuple(outlines()["departements"]["93"]
                                                           ["centre"])
    assert found.unplaced == ("o4",) and found.organisations == 3


def test_filters_apply() -> None:
    found = geography(table(), Filters(practices=("p",)), known=KNOWN)
    assert [p.code for p in found.places] == ["93001"]


def test_payload_carries_text_for_the_browser() -> None:
    t = table()
    payload = geography_payload(geography(t, known=KNOWN), t, "en", lambda i: "/id/" + i)
    first = payload["places"][0]["organisations"][0]
    assert first == {"name": "<b>", "url": "/id/o1", "field": "health"}


@pytest.mark.parametrize(("code", "name", "dep"), [
    ("75056", "Paris", "75"), ("93048", "Montreuil", "93"), ("2A004", "Ajaccio", "2A"),
    ("01001", "L'Abergement-Clémenciat", "01")])
def test_every_commune_is_listed(code: str, name: str, dep: str) -> None:
    commune = communes()[code]
    assert (commune.name, commune.departement) == (name, dep)


@pytest.mark.parametrize("code", ["75056", "93048", "92050", "95127", "77288", "13055"])
def test_placed_communes_lie_in_their_departement(code: str) -> None:
    commune = communes()[code]
    assert commune.position is not None
    assert inside(commune.position, outlines()["departements"][commune.departement]["polygons"])


def test_the_files_cover_france() -> None:
    assert len(communes()) > 34_000
    assert len(outlines()["departements"]) == 96
    assert sum(c.position is not None for c in communes().values()) > 7_000


def test_svg_paths_parse_into_closed_rings() -> None:
    assert parse_path("m 10,10 5,0 0,5 z m 20,20 1,0 0,1 z") == [
        [(10.0, 10.0), (15.0, 10.0), (15.0, 15.0)], [(30.0, 30.0), (31.0, 30.0), (31.0, 31.0)]]


@pytest.mark.parametrize(("text", "folded"), [
    ("Département de la Seine-Saint-Denis", "seine-saint-denis"),
    ("Departement d'Ille-et-Vilaine", "ille-et-vilaine"),
    ("Évry-Courcouronnes", "evry-courcouronnes")])
def test_names_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
