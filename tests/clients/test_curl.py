"""curl against a running civicgraph server, in both dataset modes: the SPARQL protocol's three
ways of querying, updates, and the Graph Store Protocol on the default graph."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.clients.conftest import EX, Server, need

P = EX + "p"


def curl(*arguments: str) -> tuple[int, str]:
    """The status and body of one curl call (bounded by ``--max-time``)."""
    done = subprocess.run(
        [need("curl"), "-sS", "--max-time", "30", "-o", "-", "-w", "\n%{http_code}", *arguments],
        capture_output=True, text=True, timeout=60, check=True)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


@pytest.mark.parametrize("way", ["get", "post-form", "post-direct"])
def test_query_three_ways(server: Server, subject: str, way: str) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "by curl" }}')
    query = f"SELECT ?o WHERE {{ <{subject}> <{P}> ?o }}"
    accept = ("-H", "Accept: application/sparql-results+json")
    if way == "get":
        status, body = curl("-G", *accept, "--data-urlencode", f"query={query}", server.sparql)
    elif way == "post-form":
        status, body = curl(*accept, "--data-urlencode", f"query={query}", server.sparql)
    else:
        status, body = curl(*accept, "-H", "Content-Type: application/sparql-query",
                            "--data-binary", query, server.sparql)
    assert status == 200, body
    rows = json.loads(body)["results"]["bindings"]
    assert [row["o"]["value"] for row in rows] == ["by curl"]


@pytest.mark.parametrize("way", ["form", "direct"])
def test_update(server: Server, subject: str, token: str, way: str) -> None:
    update = f'INSERT DATA {{ <{subject}> <{P}> "written by curl" }}'
    auth = ("-H", f"Authorization: Bearer {token}")
    if way == "form":
        status, body = curl(*auth, "--data-urlencode", f"update={update}", server.sparql)
    else:
        status, body = curl(*auth, "-H", "Content-Type: application/sparql-update",
                            "--data-binary", update, server.sparql)
    assert status == 204, body
    assert server.ask(f'<{subject}> <{P}> "written by curl"')


def test_an_anonymous_update_is_refused(server: Server, subject: str) -> None:
    status, body = curl("-H", "Content-Type: application/sparql-update", "--data-binary",
                        f'INSERT DATA {{ <{subject}> <{P}> "x" }}', server.sparql)
    assert status == 401, body
    assert not server.ask(f"<{subject}> ?p ?o")


def test_graph_store_default_graph(server: Server, subject: str, token: str) -> None:
    turtle = f'<{subject}> <{P}> "put by curl" .\n'
    store = f"{server.url}/store?default"
    status, body = curl("-X", "POST", "-H", f"Authorization: Bearer {token}",
                        "-H", "Content-Type: text/turtle", "--data-binary", turtle, store)
    assert status in (200, 201, 204), body
    status, body = curl("-H", "Accept: application/n-triples", store)
    assert status == 200, body
    assert f'<{subject}> <{P}> "put by curl" .' in body
    assert server.ask(f'<{subject}> <{P}> "put by curl"')


def test_head_of_the_store(server: Server) -> None:
    status, body = curl("-I", f"{server.url}/store?default")
    assert status == 200 and body.lower().startswith("http/1.1 200"), body
