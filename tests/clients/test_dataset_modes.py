"""The two dataset modes the client tests run in really differ: in standard mode a named
graph's triple is not in the default graph; in union mode it is."""

from __future__ import annotations

from tests.clients.conftest import EX, NAMED, Server


def test_a_named_graph_is_in_the_default_graph_only_in_union_mode(server: Server,
                                                                  subject: str) -> None:
    server.update(f'INSERT DATA {{ GRAPH <{NAMED}> {{ <{subject}> <{EX}p> "named" }} }}')
    assert server.ask(f'GRAPH <{NAMED}> {{ <{subject}> <{EX}p> "named" }}')
    assert server.ask(f'<{subject}> <{EX}p> "named"') is server.union


def test_a_default_graph_triple_is_in_no_named_graph(server: Server, subject: str) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{EX}p> "default" }}')
    assert server.ask(f'<{subject}> <{EX}p> "default"')
    assert not server.ask(f'GRAPH ?g {{ <{subject}> <{EX}p> "default" }}')
