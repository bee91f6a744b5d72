"""Untrusted text read in parser processes: what crashes or outlasts one costs that process only,
counts against its client, and errors of the input come back as they were raised."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from graph.engine.execution import acting_for
from graph.engine.parsing import (
    PARSE_STACK,
    ParserCrashed,
    Parsers,
    ParseTimeout,
    PreparedUpdate,
)
from graph.errors import (
    BoundExceeded,
    ForbiddenOperation,
    QuerySyntaxError,
    RdfSyntaxError,
    StoreUnavailable,
    WorkersBusy,
)
from graph.ingest.bounds import SPARQL_DEPTH
from tests.support.waiting import until


@pytest.fixture(scope="module")
def pool() -> Iterator[Parsers]:
    found = Parsers(size=1, timeout=20.0)
    yield found
    found.close()


def big_turtle(triples: int) -> bytes:
    return "\n".join(f'<urn:s{i}> <urn:p> "v{i}" .' for i in range(triples)).encode()


def test_rdf_comes_back_as_the_same_triples(pool: Parsers) -> None:
    data = b'@prefix ex: <http://ex/> . ex:a ex:p [ ex:q ( 1 2 ) ] ; ex:r "\xc3\xa9"@fr .'
    flat = pool.rdf_triples(data, "Turtle")
    back = ox.Dataset(ox.parse(flat, format=ox.RdfFormat.N_TRIPLES))
    sent = ox.Dataset(ox.parse(data, format=ox.RdfFormat.TURTLE))
    for dataset in (back, sent):
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    assert len(back) == 7 and back == sent


def test_a_syntax_error_comes_back_with_its_line_and_column(pool: Parsers) -> None:
    with pytest.raises(RdfSyntaxError) as raised:
        pool.rdf_triples(b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> .", "Turtle",
                         source="the body")
    assert raised.value.line == 2 and "the body" in str(raised.value)


def test_an_n3_formula_is_refused_not_stored_as_facts(pool: Parsers) -> None:
    """A rule's premise and conclusion are no facts: flattened, both were stored."""
    rule = b"@prefix : <http://ex/> . :s :p :o . { :a :b :c } => { :a :b :d } ."
    with pytest.raises(RdfSyntaxError) as raised:
        pool.rdf_triples(rule, "N3", source="the body")
    assert "N3 formula" in str(raised.value) and "the body" in str(raised.value)
    plain = pool.rdf_triples(b"@prefix : <http://ex/> . :s :p :o .", "N3")
    assert plain.strip() == b"<http://ex/s> <http://ex/p> <http://ex/o> ."


@pytest.mark.parametrize(("syntax", "deep"), [
    ("Turtle", b"<urn:a> <urn:p> " + b"[ <urn:p> " * 2000 + b"1" + b" ]" * 2000 + b" ."),
    ("JSON-LD", b'{"@id": "urn:a", "urn:p": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ("RDF/XML", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
     + b"<a>" * 3000 + b"</a>" * 3000 + b"</rdf:RDF>"),
])
def test_past_a_bound_is_refused_naming_it(pool: Parsers, syntax: str, deep: bytes) -> None:
    with pytest.raises(BoundExceeded, match="depth"):
        pool.rdf_triples(deep, syntax)


def test_an_update_is_prepared_with_its_graphs(pool: Parsers) -> None:
    prepared = pool.prepare_update(
        "PREFIX ex: <http://ex/> INSERT DATA { GRAPH ex:g { ex:a ex:b 1 } }")
    assert prepared == PreparedUpdate(prepared.text, frozenset({"http://ex/g"}), False, True)
    modify = pool.prepare_update("INSERT { GRAPH <urn:g> { ?s ?p 1 } } WHERE { ?s ?p ?o }",
                                 using=["urn:u"])
    assert "USING <urn:u>" in modify.text and not modify.data_only
    assert "urn:g" in modify.named and not modify.every
    assert pool.prepare_update("CLEAR ALL").every


@pytest.mark.parametrize(("text", "error"), [
    ("INSERT DATA { <urn:a> <urn:b> }", QuerySyntaxError),
    ("LOAD <http://example.org/data.ttl>", ForbiddenOperation),
    ("INSERT { ?s ?p 1 } WHERE { SERVICE <http://ex/sparql> { ?s ?p ?o } }",
     ForbiddenOperation),
    ("INSERT { ?s ?p 1 } WHERE " + "{" * 600 + "}" * 600, BoundExceeded),
])
def test_an_update_that_may_not_run_is_refused(pool: Parsers, text: str,
                                              error: type[Exception]) -> None:
    with pytest.raises(error):
        pool.prepare_update(text)


@pytest.mark.parametrize("nest", [
    lambda n: "{" * n + "}" * n,
    lambda n: "{ FILTER(" + "(" * n + "1" + ")" * n + ") }",
    lambda n: "{ FILTER(1" + " + 1" * n + ") }",
])
def test_what_the_bounds_accept_parses_with_the_parsers_small_stack(pool: Parsers,
                                                                    nest: object) -> None:
    """The deepest update the bounds let through parses in the parser's 1 MiB thread (so
    that the server's own 8 MiB threads parse it with eight times the room)."""
    assert PARSE_STACK <= 1 << 20
    depth = SPARQL_DEPTH - 2
    text = "INSERT { <urn:a> <urn:b> 1 } WHERE " + nest(depth)  # type: ignore[operator]
    try:
        assert not pool.prepare_update(text).data_only
    except QuerySyntaxError as error:
        # Oxigraph's parse passed (it comes first); rdflib's, for the privacy guard, stops
        # cleanly at Python's recursion limit
        assert "nests too deeply" in str(error)


def test_the_privacy_guards_findings_come_back(pool: Parsers) -> None:
    found = pool.update_findings(
        "INSERT { GRAPH <urn:public> { ?s <http://xmlns.com/foaf/0.1/name> ?n } } "
        "WHERE { GRAPH <urn:members> { ?s <http://xmlns.com/foaf/0.1/name> ?n } }",
        frozenset({"urn:public"}))
    assert found and "personal property" in found[0].message


def test_a_long_query_is_analysed_in_the_parser(pool: Parsers) -> None:
    text = "SELECT * FROM <urn:g> WHERE { ?s ?p ?o }" + " # padding" * 1000
    info = pool.analyse_query(text)
    assert info.form == "SELECT" and info.default == ("urn:g",)
    with pytest.raises(ForbiddenOperation):
        pool.analyse_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }" + " " * 5000)


def test_a_parser_that_dies_is_replaced_and_counts_against_its_client() -> None:
    pool = Parsers(size=1, timeout=60.0)
    try:
        failures: list[BaseException] = []

        def parse() -> None:
            with acting_for("192.0.2.1"):
                try:
                    pool.rdf_triples(big_turtle(400_000), "Turtle")
                except BaseException as error:
                    failures.append(error)

        reading = threading.Thread(target=parse)
        reading.start()
        # the parser is taken: killed before, during or after the job is sent, the caller
        # sees its process end (the job takes far longer than this wait)
        until(lambda: len(pool.processes) == 1 and not pool._idle, within=30)
        busy = [parser.process.pid for parser in pool.processes]
        assert len(busy) == 1 and busy[0] is not None
        os.kill(busy[0], signal.SIGSEGV)       # a parser's crash on its input
        reading.join(30)
        assert len(failures) == 1 and isinstance(failures[0], ParserCrashed), failures
        assert "nothing was written" in str(failures[0])
        assert pool.recently_stopped("192.0.2.1") and not pool.recently_stopped("192.0.2.2")
        # others are served by a fresh parser
        with acting_for("192.0.2.2"):
            assert pool.rdf_triples(b"<urn:a> <urn:b> <urn:c> .", "Turtle")
    finally:
        pool.close()


def test_a_parse_past_its_time_is_stopped() -> None:
    pool = Parsers(size=1, timeout=0.05)
    try:
        with acting_for("192.0.2.3"), pytest.raises(ParseTimeout, match="more than"):
            pool.rdf_triples(big_turtle(300_000), "Turtle")
        assert pool.recently_stopped("192.0.2.3")
        assert pool._count == 0   # the process was killed, another starts on demand
    finally:
        pool.close()


def test_a_stopped_client_is_refused_promptly_when_every_parser_is_busy() -> None:
    pool = Parsers(size=1, timeout=30.0)
    try:
        pool._stopped["192.0.2.4"] = time.monotonic()
        holder = threading.Thread(target=pool.rdf_triples, args=(big_turtle(300_000), "Turtle"))
        holder.start()
        until(lambda: len(pool.processes) == 1 and not pool._idle, within=30)
        started = time.monotonic()
        with acting_for("192.0.2.4"), pytest.raises(WorkersBusy):
            pool.rdf_triples(b"<urn:a> <urn:b> <urn:c> .", "Turtle")
        assert time.monotonic() - started < 1
        holder.join(60)
    finally:
        pool.close()


def test_without_processes_the_text_is_read_in_the_calling_thread() -> None:
    pool = Parsers(size=0)
    assert pool.prepare_update("INSERT DATA { <urn:a> <urn:b> 1 }").data_only
    assert pool._count == 0



def test_a_client_holds_at_most_its_share_of_the_parsers() -> None:
    """With two parsers, a client sending long texts one after another in parallel holds one;
    another client's text is read by the other at once."""
    pool = Parsers(size=2, timeout=60.0)
    try:
        holders = []
        for _ in range(2):
            def hold() -> None:
                with acting_for("192.0.2.7"):
                    pool.rdf_triples(big_turtle(300_000), "Turtle")
            holders.append(threading.Thread(target=hold))
            holders[-1].start()
        until(lambda: pool._holding["192.0.2.7"] == 1, within=30)
        time.sleep(0.2)
        assert pool._holding["192.0.2.7"] == 1   # the second waits for the first
        with acting_for("192.0.2.8"):
            assert pool.rdf_triples(b"<urn:a> <urn:b> <urn:c> .", "Turtle")
        # read while the first client's texts are still being read, one after the other
        assert any(holder.is_alive() for holder in holders)
        for holder in holders:
            holder.join(60)
        assert not pool._holding
    finally:
        pool.close()


def test_a_parser_that_does_not_start_in_time_is_a_503_not_a_crash(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.engine.parsing as parsing

    monkeypatch.setattr(parsing, "START_LIMIT", 0.0)   # no process answers "ready" that fast
    pool = Parsers(size=1)
    try:
        with pytest.raises(StoreUnavailable, match="did not start"):
            pool.rdf_triples(b"<urn:a> <urn:b> <urn:c> .", "Turtle")
        assert pool._count == 0 and not pool._holding
    finally:
        pool.close()


def test_a_warmed_pool_has_a_parser_waiting() -> None:
    pool = Parsers(size=2)
    try:
        pool.warm()
        until(lambda: len(pool._idle) == 1, within=30)
        pool.warm()   # one is enough: no second process
        assert pool._count == 1
        assert pool.rdf_triples(b"<urn:a> <urn:b> <urn:c> .", "Turtle")
        assert pool._count == 1
    finally:
        pool.close()
