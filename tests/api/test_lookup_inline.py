"""One-subject lookups are answered in the server (``api.querying.InlineLookups``), with the
same answers, limits, privacy and metrics as the queries the workers run."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api import querying
from api.querying import lookup_subject
from graph.sparql.request import analyse_query
from tests.support.live import CURATOR_TOKEN, Live

ORG = "https://w3id.org/civicgraph/id/org/vecam"
PERSON = "https://w3id.org/civicgraph/id/person/personne-01"
JSON = "application/sparql-results+json"


@pytest.mark.parametrize("text", [
    f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}",
    f"select * {{ <{ORG}> ?p ?o . }}",
    f"SELECT ?o WHERE {{<{ORG}><http://www.w3.org/2000/01/rdf-schema#label>?o}} LIMIT 3",
    f"SELECT $p $o {{ <{ORG}> $p $o }}",
    "SELECT ?p ?o { <https://w3id.org/civicgraph/graph/meta> ?p ?o }",
    f"SELECT ?p WHERE {{ <{ORG}> ?p <https://w3id.org/civicgraph/graph/meta> }}",
])
def test_a_lookup_is_read_as_analyse_query_reads_it(text: str) -> None:
    found = lookup_subject(text)
    assert found is not None
    assert found[1] == analyse_query(text)


@pytest.mark.parametrize("text", [
    f"SELECT DISTINCT ?p WHERE {{ <{ORG}> ?p ?o }}",   # one solution for many triples
    f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }} # comment",
    f"PREFIX ex: <http://ex/> SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}",
    f"SELECT ?p ?o FROM <http://ex/g> WHERE {{ <{ORG}> ?p ?o }}",  # noqa: S608
    f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o . ?o ?q ?r }}",
    f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }} ORDER BY ?o",
    f"SELECT ?p ?o WHERE {{ SERVICE <http://ex/> {{ <{ORG}> ?p ?o }} }}",
    "SELECT ?p ?o WHERE { <relative> ?p ?o }",
    "SELECT ?p ?o WHERE { ?s ?p ?o }",
    f"ASK {{ <{ORG}> ?p ?o }}",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ORG}> ?p ?o }}",
])
def test_other_queries_go_to_the_engine(text: str) -> None:
    assert lookup_subject(text) is None


def bindings(body: bytes) -> list[tuple[tuple[str, Any], ...]]:
    rows = json.loads(body)["results"]["bindings"]
    return sorted(tuple(sorted((k, tuple(sorted(v.items()))) for k, v in row.items()))
                  for row in rows)


def ask(live: Live, text: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{live.url}/sparql", params={"query": text},
                     headers={"Accept": JSON, **headers}, timeout=30)


@pytest.mark.parametrize("subject", [ORG, PERSON])
@pytest.mark.parametrize("curator", [False, True])
def test_same_answer_as_the_engine(live: Live, subject: str, curator: bool) -> None:
    headers = {"Authorization": f"Bearer {CURATOR_TOKEN}"} if curator else {}
    inline = ask(live, f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}", **headers)
    # the same query with a comment is no lookup: the query workers answer it
    engine = ask(live, f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }} # by the engine",
                 **headers)
    assert inline.status_code == engine.status_code == 200
    assert bindings(inline.content) == bindings(engine.content)
    assert inline.headers["content-type"] == engine.headers["content-type"]
    if subject == PERSON:   # restricted: a curator sees the person, the public nothing
        assert bool(bindings(inline.content)) is curator
    else:
        assert bindings(inline.content)


def test_inline_answers_are_counted_and_logged(live: Live) -> None:
    from tests.api.test_observability import metrics, sample

    before = sample(metrics(live.url), "civicgraph_queries_total", outcome="ok")
    assert ask(live, f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}").status_code == 200
    after = sample(metrics(live.url), "civicgraph_queries_total", outcome="ok")
    assert after == before + 1


def test_past_inline_rows_the_engine_answers(live: Live,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}"
    whole = bindings(ask(live, text).content)
    assert len(whole) > 2
    monkeypatch.setattr(querying, "INLINE_ROWS", 2)
    answer = ask(live, text + " LIMIT 1000")   # not an answer kept from the first
    assert answer.status_code == 200
    assert bindings(answer.content) == whole


def test_the_result_cap_holds(serve: Any) -> None:
    from tests.support.stores import example_store

    with serve(example_store(), result_limit=2) as live:
        answer = ask(live, f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}")
        assert answer.status_code == 503
        assert answer.json()["error"] == "ResultTooLarge"
        assert ask(live, f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }} LIMIT 2").status_code == 200


@pytest.mark.parametrize("accept", ["text/csv", "application/sparql-results+xml",
                                    "text/tab-separated-values"])
def test_formats_are_negotiated(live: Live, accept: str) -> None:
    answer = ask(live, f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}", Accept=accept)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(accept)
    assert ask(live, f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}",
               Accept="image/png").status_code == 406


def test_a_post_lookup_and_a_browser(live: Live) -> None:
    text = f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}"
    posted = httpx.post(f"{live.url}/sparql", data={"query": text},
                        headers={"Accept": JSON}, timeout=30)
    assert posted.status_code == 200
    assert bindings(posted.content) == bindings(ask(live, text).content)
    page = httpx.get(f"{live.url}/sparql", params={"query": text},
                     headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 303 and page.headers["location"].startswith("/query?")


def test_a_lookup_does_not_go_to_the_workers(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(job: Any) -> None:
        raise AssertionError(f"sent to the workers: {job.sparql}")

    monkeypatch.setattr(live.app.state.engine, "run", refuse)
    assert ask(live, f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}").status_code == 200
    monkeypatch.setattr(querying, "INLINE_ROWS", 2)   # too many solutions: the engine's
    with pytest.raises(httpx.HTTPError):
        ask(live, f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }} LIMIT 999").raise_for_status()
