"""Every linked-data page an anonymous visitor can reach, in every format, and the
neighbourhood map of each: nothing of a person who did not consent.

The crawl starts from every ``/id/…`` IRI of the public data (read anonymously from the Graph
Store, as anyone can) and follows every ``/id/…`` link of the HTML pages (incoming links
paged). The persons, memberships and consent records of the restricted files are then asked
for directly: 404, in every format, exactly as for an IRI that never existed.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape

import pyoxigraph as ox
import pytest

from graph.namespaces import ID
from tests.privacy.probes import CONSENTS, Probe
from tests.support.live import TestClient

SUFFIXES = ("ttl", "jsonld", "nt", "rdf")
ACCEPTS = ("text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml")
_LINK = re.compile(r'href="(/id/[^"#]*)')
_PAGER = re.compile(r'href="(\?page=[^"#]*)')


def public_iris(client: TestClient) -> set[str]:
    """Every resource IRI of the public data, as an anonymous reader gets it."""
    response = client.get("/store", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    iris = set()
    for triple in ox.parse(response.content, ox.RdfFormat.N_TRIPLES):
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
                iris.add(term.value)
    return iris


def path_of(iri: str) -> str:
    return "/id/" + iri[len(ID):]


def crawl(client: TestClient, probe: Probe) -> set[str]:
    """Fetch every page reachable from the public IRIs; return the resource paths seen."""
    queue = deque(sorted(path_of(i) for i in public_iris(client)))
    seen: set[str] = set(queue)
    resources: set[str] = set()
    while queue:
        path = queue.popleft()
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, (path, response.status_code)
        probe.check(response.text, path)
        base = path.split("?")[0]
        resources.add(base)
        links = {unescape(m) for m in _LINK.findall(response.text)}
        links |= {base + unescape(m) for m in _PAGER.findall(response.text)}
        for link in sorted(links - seen):
            if "." in link.rsplit("/", 1)[-1].split("?")[0]:
                continue  # a document of the same resource, fetched below
            seen.add(link)
            queue.append(link)
    return resources


@pytest.mark.slow
def test_every_reachable_page_in_every_format(client: TestClient, probe: Probe) -> None:
    resources = crawl(client, probe)
    assert len(resources) > 600  # the whole example: organisations, usages, concepts…
    for path in sorted(resources):
        for suffix in SUFFIXES:
            response = client.get(f"{path}.{suffix}")
            assert response.status_code == 200, (path, suffix)
            probe.check(response.content, f"{path}.{suffix}")
    for path in sorted(resources)[::7]:  # by Accept too (the same documents): a sample
        for media in ACCEPTS:
            response = client.get(path, headers={"Accept": media})
            assert response.status_code == 200
            probe.check(response.content, f"{path} as {media}")


def restricted_paths(probe: Probe) -> list[str]:
    """The persons, memberships and consent records the public must not reach."""
    paths = []
    for person in probe.people.values():
        allowed = CONSENTS.get(person.number, frozenset())
        if not allowed:
            paths += [path_of(person.iri), *map(path_of, sorted(person.consents))]
        if "membership" not in allowed:
            paths += map(path_of, sorted(person.memberships))
    return paths


@pytest.mark.slow
def test_restricted_resources_are_404_in_every_format(client: TestClient,
                                                      probe: Probe) -> None:
    paths = restricted_paths(probe)
    assert len(paths) == 23 + 1 + (36 - 6)  # persons, the withdrawn consent, memberships
    for path in paths:
        for variant in (path, *(f"{path}.{s}" for s in SUFFIXES)):
            for accept in ("text/html", "application/ld+json", "text/turtle"):
                response = client.get(variant, headers={"Accept": accept})
                assert response.status_code == 404, (variant, accept)
                # the same answer as for nothing at all: no oracle in the error
                slug = path.rsplit("/", 1)[-1]
                same = client.get(variant.replace(slug, "never-existed"),
                                  headers={"Accept": accept})
                assert response.text.replace(slug, "never-existed") == same.text, variant


def test_consented_persons_show_only_what_they_consented_to(client: TestClient,
                                                            probe: Probe) -> None:
    for number, allowed in CONSENTS.items():
        person = probe.people[number]
        page = client.get(path_of(person.iri), headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert all(name in page.text for name in person.names)
        document = client.get(path_of(person.iri) + ".nt").text
        for mbox in person.emails:
            assert (mbox in document) == ("email" in allowed)
        for tel in person.phones:
            assert tel not in document
        for membership in person.memberships:
            status = client.get(path_of(membership)).status_code
            assert status == (200 if "membership" in allowed else 404), membership


@pytest.mark.slow
def test_neighbourhood_maps(client: TestClient, probe: Probe) -> None:
    """The map of the neighbourhood of every organisation with members, and of every
    person: consented persons show as they may; for the others the answer is the one for an
    IRI that never existed (the page echoes the IRI asked for; the map itself is 404)."""
    organisations = sorted({o for p in probe.people.values() for o in p.organisations})
    persons = sorted(p.iri for p in probe.people.values())
    for iri in [*organisations, *persons]:
        visible = iri in organisations or int(iri.rsplit("-", 1)[-1]) in CONSENTS
        for suffix in ("", "/embed", "/export.json", "/export.gexf",
                       "/export.graphml", "/export.nodes.csv", "/export.edges.csv"):
            url = f"/maps/neighbourhood{suffix}"
            response = client.get(url, params={"iri": iri})
            if visible:
                assert response.status_code == 200, (iri, suffix)
                probe.check(response.content, f"neighbourhood{suffix} of {iri}")
                continue
            never = iri.rsplit("/", 1)[0] + "/never-existed"
            same = client.get(url, params={"iri": never})
            assert response.status_code == same.status_code, (iri, suffix)
            slug = iri.rsplit("/", 1)[-1]
            assert response.text.replace(slug, "never-existed") == same.text, (iri, suffix)
            if suffix:
                assert response.status_code == 404, (iri, suffix)
    shown = client.get("/maps/neighbourhood/export.json",
                       params={"iri": ID + "org/collectif-sante-belleville"}).text
    assert "membership/personne-01-" in shown  # the probe reads real maps: consented
