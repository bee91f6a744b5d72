"""The one SPARQL lexer: exact cover of any text, and the kinds of its tokens."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.sparql.lexer import code, mask, tokens

ALPHABET = st.sampled_from([*"'\"\\<>{}()[]#?$:._-%@ \n\rabcAZ09^|/!=&*+,;", "'''", '"""'])


@given(st.lists(ALPHABET, max_size=200).map("".join))
def test_tokens_cover_any_text_exactly(text: str) -> None:
    assert "".join(t.text for t in tokens(text)) == text


@pytest.mark.parametrize(("text", "kinds"), [
    ('"a}b" ?x', ["STRING", "VARIABLE"]),
    ("'''a\n'b''' .", ["STRING", "PUNCT"]),
    ("<http://ex/a#b> # c", ["IRI", "COMMENT"]),
    ("ex:a. _:b :c ex:a\\.b ex:%41", ["PNAME", "PUNCT", "PNAME", "PNAME", "PNAME", "PNAME"]),
    ('"open\n}', ["OPEN_STRING", "PUNCT"]),
    ('"""open } { ', ["OPEN_STRING"]),
    ("FILTER(?a>=1&&!?b)", ["WORD", "PUNCT", "VARIABLE", "PUNCT", "NUMBER", "PUNCT", "PUNCT",
                            "VARIABLE", "PUNCT"]),
    ('"x"@en-GB ^^', ["STRING", "LANG", "PUNCT"]),
    ("\\u0053ERVICE", ["ESCAPE", "NUMBER", "WORD"]),
])
def test_token_kinds(text: str, kinds: list[str]) -> None:
    assert [t.kind for t in tokens(text, spaces=False)] == kinds


def test_code_skips_strings_comments_and_spaces() -> None:
    assert [t.text for t in code('SELECT "SERVICE" # SERVICE\n ?s')] == ["SELECT", "?s"]


def test_mask_keeps_syntax_only() -> None:
    assert mask("ASK { <a> '}' } # x") == 'ASK { <> "" }  '
    assert mask("ASK { <a> }", keep_iris=True) == "ASK { <a> }"


@pytest.mark.parametrize("unit", ["'''x\\'", '"\\', "<a ", "'", "a.", ".a", "<!--", '""x', "?a+",
                                  ":", "_:", "%", "\\", "a:.", "''x"])

def test_hostile_repetitions_are_covered_exactly(unit: str) -> None:
    # the time they take is measured in bench/ (bench/hostile.py), not here
    text = unit * 4_000
    assert "".join(t.text for t in tokens(text)) == text
