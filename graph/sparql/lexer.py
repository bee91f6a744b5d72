"""The one lexer of SPARQL text (and of Turtle, TriG, N-Triples and N-Quads, which share it).

``tokens(text)`` cuts ``text`` into ``Token`` s — IRIs, strings (short and long, with their
escapes), comments, variables, prefixed names (local escapes and ``%xx`` included; blank-node
labels ``_:b`` too), bare words (keywords, ``a``, function names), numbers, language tags
(``@en``, Turtle's ``@prefix``), punctuation and operators — so that a brace, a keyword or a
``#`` inside a string, an IRI or a comment is never mistaken for syntax.

It reads any text, valid or not, in time linear in its length: every pattern is possessive
(nothing is tried twice), and a string left open runs to the end of its line (short) or of the
text (long) as an ``OPEN_STRING`` token rather than being tried again further on. The tokens
cover the text exactly: joining their ``text`` gives it back. It does not parse: the engine
does, and reports the errors.

>>> [t.text for t in tokens('SELECT ?s { ?s ex:p "}" } # {', spaces=False)]
['SELECT', '?s', '{', '?s', 'ex:p', '"}"', '}', '# {']
>>> [t.kind for t in tokens("<http://ex/a> 'open", spaces=False)]
['IRI', 'OPEN_STRING']
>>> mask('ASK { "SERVICE" } # SERVICE')
'ASK { "" }  '
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, Literal, NamedTuple

Kind = Literal["SPACE", "COMMENT", "IRI", "STRING", "OPEN_STRING", "VARIABLE", "PNAME", "WORD",
               "NUMBER", "LANG", "PUNCT", "ESCAPE", "OTHER"]

#: the kinds that carry no syntax of their own (their content is data or nothing)
OPAQUE: Final = frozenset({"SPACE", "COMMENT", "STRING", "OPEN_STRING"})

_NAME_START = r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF" \
              r"\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF" \
              r"\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_NAME_CHAR = rf"{_NAME_START}_0-9\-\u00B7\u0300-\u036F\u203F-\u2040"
_LOCAL = rf"(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|\\[^\n\r])"
# Dots inside a name but not at its end ("ex:a." ends a triple): a run of dots is taken only
# when a name character follows it.
_LOCAL_PART = rf"(?:{_LOCAL}(?:{_LOCAL}|\.++(?={_LOCAL}))*+)?"

_TOKEN: Final = re.compile(
    r"(?P<SPACE>\s++)"
    r"|(?P<COMMENT>\#[^\n\r]*+)"
    r"|(?P<IRI><[^<>\"{}|^`\\\x00-\x20]*+>)"
    r"|(?P<STRING>'''(?:[^'\\]++|\\[\s\S]|'(?!''))*+'''"
    r'|"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""'
    r"|(?!''')'(?:[^'\\\n\r]++|\\[^\n\r])*+'"
    r'|(?!""")"(?:[^"\\\n\r]++|\\[^\n\r])*+")'
    r"|(?P<OPEN_STRING>'''[\s\S]*+|\"\"\"[\s\S]*+|'[^\n\r]*+|\"[^\n\r]*+)"
    rf"|(?P<VARIABLE>[?$][{_NAME_CHAR}]++)"
    # a bare word, or the prefix of a prefixed name: one pattern, so that a long dotted word
    # without a colon is read once, not once per dot
    rf"|(?P<WORD>[{_NAME_START}_](?:[{_NAME_CHAR}]|\.++(?=[{_NAME_CHAR}]))*+(?P<local>:{_LOCAL_PART})?)"
    rf"|(?P<PNAME>:{_LOCAL_PART})"
    r"|(?P<NUMBER>(?:[0-9]++(?:\.[0-9]++)?|\.[0-9]++)(?:[eE][+-]?[0-9]++)?)"
    r"|(?P<LANG>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)"
    r"|(?P<PUNCT>&&|\|\||!=|<=|>=|\^\^|[{}()\[\],;.*+\-/!^|=<>?])"
    r"|(?P<ESCAPE>\\[\s\S]?)"
    r"|(?P<OTHER>[\s\S])",
)


class Token(NamedTuple):
    """One token: its kind, its text, and the offset of its first character."""

    kind: Kind
    text: str
    start: int


def tokens(text: str, *, spaces: bool = True) -> Iterator[Token]:
    """The tokens of ``text`` in order (without the ``SPACE`` ones unless ``spaces``)."""
    for match in _TOKEN.finditer(text):
        kind: Kind = match.lastgroup  # type: ignore[assignment]
        if kind == "WORD" and match.start("local") >= 0:
            kind = "PNAME"
        if spaces or kind != "SPACE":
            yield Token(kind, match.group(), match.start())


def code(text: str) -> Iterator[Token]:
    """The tokens of ``text`` that carry syntax: no spaces, comments or strings."""
    for token in tokens(text, spaces=False):
        if token.kind not in OPAQUE:
            yield token


def mask(text: str, *, keep_iris: bool = False) -> str:
    """``text`` with strings as ``""``, comments as a space, stray escapes as ``__`` and
    IRIs as ``<>`` (kept whole with ``keep_iris``): what is left is the syntax.

    >>> mask("PREFIX ex: <http://ex/> SELECT ('#' AS ?x) {}", keep_iris=True)
    'PREFIX ex: <http://ex/> SELECT ("" AS ?x) {}'
    """
    parts: list[str] = []
    for kind, part, _ in tokens(text):
        if kind in ("STRING", "OPEN_STRING"):
            parts.append('""')
        elif kind == "COMMENT":
            parts.append(" ")
        elif kind == "ESCAPE":
            parts.append("__")
        elif kind == "IRI" and not keep_iris:
            parts.append("<>")
        else:
            parts.append(part)
    return "".join(parts)


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


__all__ = ["OPAQUE", "Kind", "Token", "code", "line_of", "mask", "tokens"]
