"""Cell values as people type them, turned into checked Python values.

Every parser takes a cell value (a string from CSV, or a typed value from XLSX) and returns the
clean value or raises ``ValueProblem`` with a sentence that says what was expected.

>>> norm("  Île-de-France ")
'ile de france'
>>> slugify("Collectif « Vélo & Ville » 93")
'collectif-velo-ville-93'
>>> parse_date("31/01/2025")
datetime.date(2025, 1, 31)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import pyoxigraph as ox

from graph.ingest.tabular import CellValue, Formula

#: separator of several values in one cell ("Loomio | Framapad")
MULTI_SEPARATOR = "|"

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_WIKIDATA = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/)?(Q[1-9]\d*)$",
                       re.IGNORECASE)
_SPDX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")
_RNA = re.compile(r"^W[0-9A-Z]\d{8}$")
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_PHONE = re.compile(r"^\+?\d{6,15}$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_SLUG_MAX = 60
#: longest ``source`` of an import (characters): it names the import's graph and is shown on
#: every page of what it states
MAX_SOURCE = 2000

TRUE_WORDS = frozenset({"yes", "oui", "true", "vrai", "1", "y", "o", "x"})
FALSE_WORDS = frozenset({"no", "non", "false", "faux", "0", "n"})


class ValueProblem(ValueError):
    """A cell value that cannot be used; the message says what was expected."""


#: characters of a cell a problem quotes: past them, an ellipsis and the cell's length (a
#: report quotes what is wrong, it does not copy a 150 MB cell back)
SHOWN = 200


def clip(text: str) -> str:
    """``text`` cut to ``SHOWN`` characters, saying how long it was.

    >>> clip("x" * 1000)[-24:]
    'xxxx… (1,000 characters)'
    """
    if len(text) <= SHOWN:
        return text
    return f"{text[:SHOWN]}… ({len(text):,} characters)"


def quoted(text: str) -> str:
    """``text`` quoted for a message, cut as ``clip`` cuts it.

    >>> quoted("Loomio"), quoted("y" * 201)[-20:]
    ("'Loomio'", "y'… (201 characters)")
    """
    if len(text) <= SHOWN:
        return repr(text)
    return f"{text[:SHOWN]!r}… ({len(text):,} characters)"


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """``text`` without case, accents or punctuation: the key for matching names and labels."""
    folded = text.casefold()
    if folded.isascii():  # most names and every slug: nothing to decompose (5x faster)
        return _NON_ALNUM.sub(" ", folded).strip()
    decomposed = unicodedata.normalize("NFKD", folded)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", ascii_text.replace("œ", "oe").replace("æ", "ae")).strip()


def slugify(text: str) -> str:
    """A slug for ``text`` (lowercase ASCII, digits and hyphens); a hash when nothing is left."""
    slug = norm(text).replace(" ", "-")[:_SLUG_MAX].strip("-")
    return slug or "h-" + digest(text)


def digest(*parts: str, length: int = 12) -> str:
    """A short stable hexadecimal digest of ``parts``."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def as_text(value: CellValue) -> str:
    """The cell as text (numbers without a spurious ``.0``); formulas are refused."""
    if isinstance(value, Formula):
        advice = "replace it by its value (copy, then Paste special › Values only)"
        raise ValueProblem(f"the cell holds a formula ({clip(value.text)}); civicgraph does not "
                           f"evaluate formulas: {advice}")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def split_multi(value: CellValue) -> list[str]:
    """The values of a multi-valued cell, separated by ``|``, empty parts dropped."""
    return [part.strip() for part in as_text(value).split(MULTI_SEPARATOR) if part.strip()]


def parse_date(value: CellValue) -> dt.date:
    """A calendar date from a date cell, ``YYYY-MM-DD`` or ``DD/MM/YYYY``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueProblem(f"{clip(as_text(value))} is a number, not a date: format the cell as a "
                           "date, or write YYYY-MM-DD")
    text = as_text(value)
    iso = _ISO_DATE.match(text)
    french = _FR_DATE.match(text)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if french:
            return dt.date(int(french[3]), int(french[2]), int(french[1]))
    except ValueError as error:
        raise ValueProblem(f"{quoted(text)} is not a real date ({error})") from None
    raise ValueProblem(f"{quoted(text)} is not a date: write YYYY-MM-DD (or DD/MM/YYYY)")


def parse_bool(value: CellValue) -> bool:
    """A yes/no cell: yes, no, oui, non, true, false, vrai, faux, 1, 0."""
    if isinstance(value, bool):
        return value
    word = norm(as_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueProblem(f"{quoted(as_text(value))} is not yes or no (oui / non)")


def parse_wikidata(value: CellValue) -> str:
    """A Wikidata item id such as ``Q1234``, from the id or the item's URL."""
    text = as_text(value)
    match = _WIKIDATA.match(text)
    if not match:
        raise ValueProblem(f"{quoted(text)} is not a Wikidata item id (Q followed by digits)")
    return match[1].upper()


def lower_scheme(text: str) -> str:
    """``text`` with an http(s) scheme in lowercase: schemes are case-insensitive and
    lowercase is their canonical form (RFC 3986, section 3.1).

    >>> lower_scheme("HTTPS://Example.org/A"), lower_scheme("Vecam")
    ('https://Example.org/A', 'Vecam')
    """
    scheme, colon, rest = text.partition("://")
    if colon and scheme.lower() in ("http", "https"):
        return scheme.lower() + colon + rest
    return text


def checked_iri(text: str) -> str:
    """``text`` if it is an absolute IRI as Oxigraph reads one (RFC 3987), with a host when
    its scheme is http(s); else ``ValueProblem`` saying what is wrong.

    >>> checked_iri("https://example.org/a%20b")
    'https://example.org/a%20b'
    >>> checked_iri("http://")
    Traceback (most recent call last):
    ...
    graph.ingest.spreadsheets.values.ValueProblem: 'http://' is not a web address: it names no host
    """
    text = lower_scheme(text)
    try:
        ox.NamedNode(text)
    except ValueError as error:
        raise ValueProblem(f"{quoted(text)} is not a valid IRI ({clip(str(error))})") from None
    if text.lower().startswith(("http://", "https://")):
        try:
            host = urlsplit(text).hostname
        except ValueError:
            host = None
        if not host:
            raise ValueProblem(f"{quoted(text)} is not a web address: it names no host")
    return text


def parse_url(value: CellValue) -> str:
    """An absolute http(s) URL, a valid IRI with a host."""
    text = lower_scheme(as_text(value))
    if not _URL.match(text):
        raise ValueProblem(f"{quoted(text)} is not a web address starting with http:// or https://")
    return checked_iri(text)


def parse_licence(text: str) -> str:
    """The licence of an import as an IRI: an absolute http(s) IRI as given, or an SPDX id
    (``CC-BY-4.0``) as its ``https://spdx.org/licenses/`` IRI, as the tools' licence column.

    >>> parse_licence("etalab-2.0")
    'https://spdx.org/licenses/etalab-2.0'
    """
    text = text.strip()
    if _SPDX.match(text):
        return f"https://spdx.org/licenses/{text}"
    expected = ("an http(s) IRI (e.g. https://creativecommons.org/licenses/by/4.0/) or an SPDX "
                "licence id (e.g. CC-BY-4.0)")
    if not text.lower().startswith(("http://", "https://")):
        raise ValueProblem(f"the licence {quoted(text)} is not {expected}")
    try:
        return checked_iri(text)
    except ValueProblem as error:
        raise ValueProblem(f"the licence is not {expected}: {clip(str(error))}") from None


def normal_source(text: str) -> str:
    """``text`` as the source it names: Unicode NFC, surrounding whitespace stripped, each inner
    run of whitespace one space. So the ways one source is typed (composed or decomposed
    accents, as macOS gives them; a stray space) name one source, with one pair of graphs.

    >>> normal_source(" enque\u0302te\u00a0 2026 ") == "enqu\u00eate 2026"
    True
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def parse_source(text: str) -> str:
    """The ``source`` of an import, normalised (``normal_source``): one line of at most
    ``MAX_SOURCE`` characters, without control characters (it names graphs and is their title
    and label)."""
    _plain_source(text)
    source = normal_source(text)
    _plain_source(source)   # NFC may lengthen a text (U+0958 becomes two characters)
    return source


def _plain_source(text: str) -> None:
    if len(text) > MAX_SOURCE:
        raise ValueProblem(f"the source is {len(text):,} characters long; at most "
                           f"{MAX_SOURCE:,} are accepted: name where the data comes from "
                           "briefly")
    control = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        raise ValueProblem(f"the source holds a control character (U+{ord(control):04X}, "
                           f"at character {text.index(control) + 1}): give it as one line "
                           "of plain text")


def parse_spdx(value: CellValue) -> str | None:
    """An SPDX licence id (``AGPL-3.0-only``), or None for a proprietary licence."""
    text = as_text(value)
    if norm(text) in ("proprietary", "proprietaire", "privateur", "proprietary licence"):
        return None
    if not _SPDX.match(text):
        raise ValueProblem(f"{quoted(text)} is not an SPDX licence id (e.g. AGPL-3.0-only, MIT) "
                           "nor 'proprietary'")
    return text


def parse_rna(value: CellValue) -> str:
    """An RNA association number: W followed by nine characters."""
    text = as_text(value).upper().replace(" ", "")
    if not _RNA.match(text):
        raise ValueProblem(f"{quoted(text)} is not an RNA number (W followed by nine characters, "
                           "e.g. W751234567)")
    return text


def parse_siren(value: CellValue) -> str:
    """A SIREN number: nine digits whose Luhn checksum holds."""
    text = as_text(value).replace(" ", "")
    if not (len(text) == 9 and text.isdigit()):
        raise ValueProblem(f"{quoted(text)} is not a SIREN number (nine digits)")
    total = 0
    for position, char in enumerate(reversed(text)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    if total % 10:
        raise ValueProblem(f"{quoted(text)} is not a valid SIREN number (its check digit is wrong)")
    return text


def parse_insee(value: CellValue) -> str:
    """An INSEE commune code: five characters (2A/2B for Corsica)."""
    text = as_text(value).upper().replace(" ", "")
    if text.isdigit() and len(text) == 4:
        text = "0" + text  # a spreadsheet dropped the leading zero of 01001
    if not _INSEE.match(text):
        raise ValueProblem(f"{quoted(text)} is not an INSEE commune code (five characters, e.g. "
                           "93048)")
    return text


def parse_email(value: CellValue) -> str:
    """An e-mail address, returned as a ``mailto:`` IRI."""
    text = as_text(value).removeprefix("mailto:")
    if not _EMAIL.match(text):
        raise ValueProblem(f"{quoted(text)} is not an e-mail address")
    try:
        return checked_iri("mailto:" + text)
    except ValueProblem:
        raise ValueProblem(f"{quoted(text)} is not an e-mail address") from None


def parse_phone(value: CellValue) -> str:
    """A telephone number, returned as a ``tel:`` IRI (French 0X numbers become +33X)."""
    text = re.sub(r"[\s.\-()]", "", as_text(value).removeprefix("tel:"))
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("0") and len(text) == 10:
        text = "+33" + text[1:]
    if not _PHONE.match(text):
        raise ValueProblem(f"{quoted(as_text(value))} is not a telephone number")
    return "tel:" + text
