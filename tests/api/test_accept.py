"""The ``Accept`` and ``Accept-Encoding`` headers as ``api.accept`` reads them (RFC 9110
§12.4.2 for the weights, §5.3 for a field sent on several lines)."""

from __future__ import annotations

import pytest

from api.accept import accepts_gzip, choose, joined


@pytest.mark.parametrize("weight", [
    "inf", "nan", "1e-9", "1E-3", "1_0", "\u0661", "\uff11", "+1", "-1", "0x1", "", ".",
])
def test_a_weight_that_is_no_qvalue_refuses_the_coding(weight: str) -> None:
    # a weight is written in ASCII digits (qvalue = "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3"0" ]);
    # what Python's float() also reads (infinities, exponents, other scripts' digits) is
    # no weight, and a malformed weight means "not this"
    assert not accepts_gzip(f"gzip;q={weight}")
    assert choose(f"text/csv;q={weight}, text/html;q=0.001",
                  ["text/csv", "text/html"]) == "text/html"


@pytest.mark.parametrize(("weight", "taken"), [
    ("1", True), ("1.000", True), ("0.001", True), ("0.5", True), ("0", False),
    ("0.000", False), ("0.", False), ("1.", True),
    ("1.5", True), ("0.0001", True), ("00.2", True),   # out of the grammar, still numbers
])
def test_a_well_formed_weight_is_read(weight: str, taken: bool) -> None:
    assert accepts_gzip(f"gzip;q={weight}") is taken
    assert accepts_gzip(f"GZip ; Q={weight}") is taken


@pytest.mark.parametrize(("lines", "gzip_ok"), [
    (["identity", "gzip"], True),
    (["br", "*;q=0.5"], True),
    (["gzip;q=0", "br"], False),
    (["gzip", ""], True),
    ([], False),
])
def test_a_header_sent_on_several_lines_is_read_as_one_list(lines: list[str],
                                                            gzip_ok: bool) -> None:
    assert accepts_gzip(joined(lines)) is gzip_ok


def test_no_line_is_no_header() -> None:
    assert joined([]) is None
    assert choose(joined([]), ["text/csv"]) == "text/csv"   # no Accept: anything goes
    assert choose(joined(["image/png", "text/csv"]), ["text/csv"]) == "text/csv"


@pytest.mark.parametrize(("header", "gzip_ok"), [
    ("gzip;q=0, x-gzip", False),      # the answer would be labelled gzip, which it refuses
    ("x-gzip;q=0, gzip", True),
    ("x-gzip", True), ("x-gzip;q=0, *", False),
    ("gzip, gzip;q=0", False),        # said both ways: identity, which every client reads
    ("*;q=0, gzip", True), ("gzip;q=0.5, *;q=0", True),
])
def test_gzip_is_sent_only_where_no_element_refuses_it(header: str, gzip_ok: bool) -> None:
    assert accepts_gzip(header) is gzip_ok
