"""The protocol and Graph Store Protocol tests: HTTP exchanges written in the manifests with the
W3C HTTP vocabulary (``ht:Request``), replayed in order against a server.

``/sparql/…`` becomes the server's query endpoint (its update endpoint for the ``update_…``
tests), ``/gsp…`` its Graph Store; a write carries the server's write headers. A response is
checked for its status class, its boolean, its kind of format, and its RDF body (isomorphic).
"""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
import rdflib
from rdflib import Namespace
from rdflib.collection import Collection
from rdflib.term import Node

from tests.w3c.comparison import parse_rdf, parse_results, rdf_format
from tests.w3c.evaluation import Failed, load
from tests.w3c.manifest import MF, Case
from tests.w3c.servers import Target

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
STATUS = {"OK": 200, "Created": 201, "Accepted": 202, "NoContent": 204, "BadRequest": 400,
          "NotFound": 404, "MethodNotAllowed": 405, "NotAcceptable": 406,
          "UnsupportedMediaType": 415}
RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values")


def _accepts(status: int, expected: list[str]) -> bool:
    for name in expected:
        local = name.rsplit("#", 1)[-1]
        if local.startswith("StatusCode") and local.endswith("xx"):
            if status // 100 == int(local[len("StatusCode")]):
                return True
        elif STATUS.get(local) == status:
            return True
    return not expected


def _is_update(case: Case, path: str, headers: dict[str, str], body: bytes | None) -> bool:
    """Whether a ``/sparql/`` request is meant for the update endpoint (the two are one URL on
    civicgraph, two on Oxigraph server): by its parameters, else its media type, else the
    test's name."""
    text = path + "&" + (body or b"")[:7].decode("latin-1")
    if "update=" in text:
        return True
    if "query=" in text:
        return False
    media = headers.get("content-type", "")
    if "sparql-update" in media or "sparql-query" in media:
        return "sparql-update" in media
    return "update" in case.iri.rsplit("#", 1)[-1]


def _url(target: Target, case: Case, path: str, headers: dict[str, str],
         body: bytes | None) -> str:
    if path.startswith("/sparql"):
        rest = path[len("/sparql"):].lstrip("/")
        update = _is_update(case, path, headers, body)
        return (target.update_url if update else target.query_url) + rest
    if path.startswith("/gsp"):
        return target.store_url + path[len("/gsp"):]
    raise Failed(f"unknown path {path}")


def _headers(graph: rdflib.Graph, node: Node) -> dict[str, str]:
    headers: dict[str, str] = {}
    for items in graph.objects(node, HT.headers):
        for header in Collection(graph, items):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue))
    return headers


def _body(graph: rdflib.Graph, node: Node) -> tuple[bytes | None, str]:
    body = graph.value(node, HT.body)
    if body is None:
        return None, "utf-8"
    encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
    chars = str(graph.value(body, CNT.chars) or "")
    return chars.encode(encoding), encoding


def _check(graph: rdflib.Graph, response_node: Node, answer: ox.Triple | object,
           status: int, content_type: str, content: bytes) -> str | None:
    expected_status = [str(s) for s in graph.objects(response_node, MF.expectedStatus)]
    if not _accepts(status, expected_status):
        shown = ", ".join(s.rsplit("#", 1)[-1] for s in expected_status)
        return f"status {status} ({content[:200]!r}), expected {shown}"
    media = content_type.split(";")[0].strip().lower()
    fmt = graph.value(response_node, MF.expectedFormat)
    if fmt is not None:
        kind = str(fmt)
        if kind in ("boolean", "tabular") and media not in RESULT_TYPES:
            return f"expected {kind} results, got {media!r}"
        if kind == "RDF":
            try:
                rdf_format(media)
            except ValueError:
                return f"expected RDF, got {media!r}"
    boolean = graph.value(response_node, MF.expectedBoolean)
    if boolean is not None:
        results_fmt = ox.QueryResultsFormat.from_media_type(media) if media else None
        if results_fmt is None:
            return f"expected a boolean, got {media!r}"
        got = parse_results(content, results_fmt)
        if got != bool(boolean.toPython()):  # type: ignore[attr-defined]
            return f"boolean {got}, expected {boolean}"
    body, _ = _body(graph, response_node)
    if body is not None:
        from tests.w3c.comparison import compare_graphs

        expected_type = _headers(graph, response_node).get("content-type", "text/turtle")
        try:
            actual = parse_rdf(content, rdf_format(media))
        except (ValueError, SyntaxError) as error:
            return f"cannot read the body ({media!r}): {error}"
        return compare_graphs(parse_rdf(body, rdf_format(expected_type)), actual)
    return None


def run_exchange(target: Target, case: Case) -> str | None:
    """Replay the requests of ``case`` in order; None when every response is as expected."""
    graph, connection = case.graph, case.exchange
    assert graph is not None and connection is not None
    load(target, case, case.data)
    target.loaded = None
    variables: dict[str, str] = {}
    requests = graph.value(connection, HT.requests)
    assert requests is not None, f"{case.id} has no ht:requests"
    for number, request in enumerate(Collection(graph, requests), start=1):
        path = str(graph.value(request, HT.absolutePath))
        body, _ = _body(graph, request)
        for name, value in variables.items():
            path = path.replace(name, quote(value, safe=":/"))
            if body is not None:
                body = body.replace(name.encode(), value.encode())
        headers = {**_headers(graph, request), **target.write_headers}
        method = str(graph.value(request, HT.methodName))
        answer = target.client.request(method, _url(target, case, path, headers, body),
                                       content=body,
                                       headers=headers)
        response = graph.value(request, HT.resp)
        if response is None:
            continue
        why = _check(graph, response, None, answer.status_code,
                     answer.headers.get("content-type", ""), answer.content)
        if why is not None:
            return f"request {number} ({method} {path[:80]}): {why}"
        location = graph.value(response, MF.expectedLocation)
        if location is not None:
            if "location" not in answer.headers:
                return f"request {number}: no Location header"
            variables[str(location)] = answer.headers["location"]
    return None
