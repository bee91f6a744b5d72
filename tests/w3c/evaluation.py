"""One W3C test run against a server over HTTP, through the doors a client uses.

Data goes in by one SPARQL ``INSERT DATA`` per test (after the ``DROP``s that empty the
store, in the same request: each write costs civicgraph a validation and a commit), the files
parsed here with their W3C IRI as base; the Graph Store Protocol has its own tests. Queries
are POSTed as ``application/sparql-query``, updates as ``application/sparql-update`` with the write
headers; both with a ``BASE`` naming their W3C IRI, since the protocol carries none. Update
tests compare the whole dataset after (each graph by isomorphism). The store is emptied
before each test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox

from tests.w3c.comparison import (
    Answer,
    Solutions,
    compare,
    compare_graphs,
    from_result_set,
    parse_csv,
    parse_rdf,
    parse_results,
    rdf_format,
    results_format,
)
from tests.w3c.manifest import Case, GraphFile
from tests.w3c.servers import CIVICGRAPH_GRAPHS, UPLOADS, Target

PASS, FAIL, SKIP = "pass", "fail", "skip"
NETWORK = re.compile(r"\b(SERVICE|LOAD)\b", re.IGNORECASE)
RESULTS_JSON = "application/sparql-results+json"
DUMP = ("SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")


@dataclass(frozen=True)
class Outcome:
    """What happened: ``pass``, ``fail`` or ``skip``, and why."""

    status: str
    detail: str = ""


class Failed(Exception):
    """The server did not do what the test asks (the message says what)."""


def _excerpt(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return f"{response.status_code} {text[:300]}"


def skip_reason(case: Case) -> str | None:
    """Why ``case`` is not run at all (then it counts in no pass rate), or None."""
    if case.entailment or case.area == "entailment":
        return "entailment regimes are not offered (nor by Oxigraph server)"
    if case.area == "service":
        return "federated query needs the remote endpoints the test names"
    if case.kind == "ServiceDescriptionTest":
        return "the service description tests have no machine-readable expectation"
    positive = case.query is not None and "Negative" not in case.kind
    if positive and case.query is not None and NETWORK.search(_text(case, case.query)):
        return "SERVICE or LOAD would reach the network"
    return None


def _text(case: Case, iri: str) -> str:
    return case.local(iri).read_text(encoding="utf-8")


def _request_text(case: Case, iri: str) -> bytes:
    return f"BASE <{iri}>\n{_text(case, iri)}".encode()


# --- doors ---------------------------------------------------------------------------------

def update(target: Target, body: bytes) -> httpx.Response:
    return target.client.post(target.update_url, content=body, headers={
        **target.write_headers, "Content-Type": "application/sparql-update"})


def query(target: Target, body: bytes, accept: str, *, as_writer: bool = False) -> httpx.Response:
    """POST a query as the server's readers are (``Target.read_headers``), or as its writer
    (``as_writer``); sent again once when the kept-alive connection turns out closed (uvicorn
    closes it after a 500 without saying so, and a query is safe to repeat)."""
    headers = {"Content-Type": "application/sparql-query", "Accept": accept,
               **target.read_headers, **(target.write_headers if as_writer else {})}
    try:
        return target.client.post(target.query_url, content=body, headers=headers)
    except (httpx.ReadError, httpx.RemoteProtocolError):
        return target.client.post(target.query_url, content=body, headers=headers)


def dataset(target: Target) -> dict[str | None, list[ox.Triple]]:
    """Every graph (None: the default one), as the writer sees it (on civicgraph, a graph that
    an update created may be hidden from anonymous readers), civicgraph's own graphs left
    out."""
    answer = query(target, DUMP.encode(), RESULTS_JSON, as_writer=True)
    if not answer.is_success:
        raise Failed(f"reading the dataset: {_excerpt(answer)}")
    result = parse_results(answer.content, ox.QueryResultsFormat.JSON)
    assert isinstance(result, Solutions)
    graphs: dict[str | None, list[ox.Triple]] = {}
    for row in result.rows:
        g = row.get("g")
        name = g.value if isinstance(g, ox.NamedNode) else None
        if name is not None and name.startswith(CIVICGRAPH_GRAPHS) \
                and not name.startswith(UPLOADS):   # a graph POSTed to the Graph Store is data
            continue
        graphs.setdefault(name, []).append(ox.Triple(row["s"], row["p"], row["o"]))  # type: ignore[arg-type]
    return graphs


def _drops(graphs: dict[str | None, list[ox.Triple]]) -> list[str]:
    return [("DROP SILENT DEFAULT" if g is None else f"DROP SILENT GRAPH <{g}>") for g in graphs]


def clear(target: Target) -> None:
    """Drop every graph of the W3C data, one update each, then check that none is left."""
    for drop in _drops(dataset(target)):
        update(target, drop.encode())
    left = dataset(target)
    if left:
        raise Failed(f"could not empty the store: {sorted(str(g) for g in left)} remain")


def _file_triples(case: Case, iri: str) -> list[ox.Triple]:
    path = case.local(iri)
    return parse_rdf(path.read_bytes(), rdf_format(path.name), base=iri)


def _insert_data(by_graph: dict[str | None, list[ox.Triple]]) -> str:
    blocks = []
    for name, triples in by_graph.items():
        text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        blocks.append(text if name is None else f"GRAPH <{name}> {{\n{text}}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def load(target: Target, case: Case, files: tuple[GraphFile, ...]) -> None:
    """Empty the store and load ``files``, in one SPARQL update (every write costs civicgraph
    a validation and a commit); when it is refused, empty the store step by step and fail."""
    if target.loaded == files:
        return
    target.loaded = None
    by_graph: dict[str | None, list[ox.Triple]] = {}
    for f in files:
        by_graph.setdefault(f.name, []).extend(_file_triples(case, f.iri))
    by_graph = {name: triples for name, triples in by_graph.items() if triples}
    operations = _drops(dataset(target))
    if by_graph:
        operations.append(_insert_data(by_graph))
    if not operations:
        return
    answer = update(target, " ;\n".join(operations).encode())
    if not answer.is_success:
        clear(target)
        if by_graph:
            where = ", ".join("the default graph" if g is None else f"<{g}>" for g in by_graph)
            raise Failed(f"loading {where} by INSERT DATA: {_excerpt(answer)}")
        raise Failed(f"emptying the store: {_excerpt(answer)}")
    target.loaded = files


_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?<([^>]*)>", re.IGNORECASE)


def _from_graphs(case: Case, text: str) -> tuple[GraphFile, ...]:
    """Files a query names in FROM / FROM NAMED, loaded as named graphs of that IRI (the
    server does not dereference them)."""
    assert case.query is not None
    found = []
    for ref in _FROM.findall(text):
        iri = urljoin(case.query, ref)
        try:
            if case.local(iri).is_file():
                found.append(GraphFile(iri, iri))
        except ValueError:
            continue
    return tuple(found)


# --- answers ---------------------------------------------------------------------------------

def _top_level_order_by(text: str) -> bool:
    code = re.sub(r"#[^\n]*", "", re.sub(r'"[^"\n]*"', '""', text))
    depth, position = 0, 0
    for match in re.finditer(r"[{}]|\bORDER\s+BY\b", code, re.IGNORECASE):
        found = match.group(0)
        if found == "{":
            depth += 1
        elif found == "}":
            depth -= 1
        elif depth == 0:
            position = match.start()
    return position > 0


def expected_answer(case: Case) -> tuple[Answer | None, str]:
    """The expected answer and the media type to ask for (CSV answers stay text)."""
    assert case.result is not None
    path = case.local(case.result)
    if path.suffix == ".csv":
        return parse_csv(path.read_bytes()), "text/csv"
    fmt = results_format(path.name)
    if fmt is not None:
        accept = "text/tab-separated-values" if fmt == ox.QueryResultsFormat.TSV else RESULTS_JSON
        return parse_results(path.read_bytes(), fmt), accept
    triples = _file_triples(case, case.result)
    table = from_result_set(triples)
    if table is not None:
        return table, RESULTS_JSON
    return triples, "application/n-triples"


def actual_answer(answer: httpx.Response, accept: str) -> Answer:
    media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    if accept == "text/csv":
        if media != "text/csv":
            raise Failed(f"asked for text/csv, got {media!r}")
        return parse_csv(answer.content)
    fmt = ox.QueryResultsFormat.from_media_type(media) if media else None
    if fmt is not None:
        return parse_results(answer.content, fmt)
    try:
        return parse_rdf(answer.content, rdf_format(media))
    except (ValueError, SyntaxError) as error:
        raise Failed(f"cannot read the answer ({media!r}): {error}") from error


# --- the tests -------------------------------------------------------------------------------

def _query_evaluation(target: Target, case: Case) -> str | None:
    assert case.query is not None
    text = _text(case, case.query)
    load(target, case, data_of(case))
    expected, accept = expected_answer(case)
    answer = query(target, _request_text(case, case.query), accept)
    if not answer.is_success:
        raise Failed(f"query answered {_excerpt(answer)}")
    assert expected is not None
    return compare(expected, actual_answer(answer, accept),
                   ordered=_top_level_order_by(text), lax=case.lax)


def _update_evaluation(target: Target, case: Case) -> str | None:
    assert case.query is not None
    load(target, case, case.data)
    target.loaded = None
    answer = update(target, _request_text(case, case.query))
    if not answer.is_success:
        raise Failed(f"update answered {_excerpt(answer)}")
    expected: dict[str | None, list[ox.Triple]] = {}
    for f in case.result_data:
        expected.setdefault(f.name, []).extend(_file_triples(case, f.iri))
    expected = {name: triples for name, triples in expected.items() if triples}
    actual = dataset(target)
    if set(expected) != set(actual):
        return (f"graphs {sorted(map(str, actual))} after the update, "
                f"expected {sorted(map(str, expected))}")
    for name, triples in expected.items():
        why = compare_graphs(triples, actual[name])
        if why is not None:
            return f"{'default graph' if name is None else name}: {why}"
    return None


_BASE = re.compile(r"^\s*BASE\s*<([^>]*)>", re.IGNORECASE)
_NAMED = re.compile(r"\bGRAPH\s*<([^>]*)>", re.IGNORECASE)


def _named_in(text: str) -> set[str]:
    """The graphs an update names by ``GRAPH <…>``, resolved against its ``BASE``."""
    base = _BASE.match(text)
    return {urljoin(base.group(1) if base else "", iri) for iri in _NAMED.findall(text)}


def _syntax(target: Target, case: Case) -> str | None:
    assert case.query is not None
    body = _request_text(case, case.query)
    is_update = "Update" in case.kind or case.query.endswith(".ru")
    if is_update:  # an update runs on an empty store; a query runs on whatever is there
        load(target, case, ())
        target.loaded = None
        for graph in _named_in(body.decode("utf-8", "replace")):   # left by another test
            update(target, f"DROP SILENT GRAPH <{graph}>".encode())   # (an empty one is not
            # in ``dataset``: an empty graph may be hidden from the writer's reads)
    answer = update(target, body) if is_update else query(target, body, RESULTS_JSON + ", */*")
    if case.kind.startswith("Positive"):
        return None if answer.is_success else f"refused: {_excerpt(answer)}"
    if answer.status_code == 400:
        return None
    return f"expected 400 for a syntax error, got {_excerpt(answer)}"


def data_of(case: Case) -> tuple[GraphFile, ...]:
    """The files a test loads (a query's FROM files included)."""
    if case.query is None or case.kind not in ("QueryEvaluationTest", "CSVResultFormatTest"):
        return case.data
    extra = _from_graphs(case, _text(case, case.query))
    return case.data + tuple(f for f in extra if f.name not in {d.name for d in case.data})


def grouped(cases: Iterable[Case]) -> list[Case]:
    """``cases`` with the query tests that read the same files next to each other (in the
    order their files first appear), so that each set of files is loaded once."""
    first: dict[tuple[GraphFile, ...] | str, int] = {}
    keyed = []
    for index, case in enumerate(cases):
        key: tuple[GraphFile, ...] | str = (
            data_of(case) if case.kind in ("QueryEvaluationTest", "CSVResultFormatTest")
            else case.id)
        keyed.append((first.setdefault(key, index), index, case))
    return [case for _, _, case in sorted(keyed, key=lambda item: item[:2])]


def run_case(target: Target, case: Case) -> Outcome:
    """Run ``case`` against ``target`` (emptied first)."""
    from tests.w3c.exchanges import run_exchange

    reason = skip_reason(case)
    if reason is not None:
        return Outcome(SKIP, reason)
    try:
        if case.kind in ("QueryEvaluationTest", "CSVResultFormatTest"):
            why = _query_evaluation(target, case)
        elif case.kind == "UpdateEvaluationTest":
            why = _update_evaluation(target, case)
        elif "Syntax" in case.kind:
            why = _syntax(target, case)
        elif case.kind in ("ProtocolTest", "GraphStoreProtocolTest"):
            why = run_exchange(target, case)
        else:
            return Outcome(SKIP, f"no runner for {case.kind}")
    except Failed as error:
        return Outcome(FAIL, str(error))
    except httpx.HTTPError as error:
        return Outcome(FAIL, f"HTTP error: {error!r}")
    return Outcome(PASS) if why is None else Outcome(FAIL, why)
