"""HTTP caching of the data pages and the dumps: ``Vary`` and ``Content-Language`` where the
answer is negotiated (RFC 9110 §12.5.5, §8.5); conditional downloads (§13.1, §13.2.2: 304
while the client's copy is current, ranges kept, 412 when a precondition fails) with one
``Last-Modified`` per content, never later than ``Date`` (§8.8.2.1)."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.routes import dumps
from graph.publishing.service import DUMPS, DumpFile
from graph.samples.example import EXAMPLE_GRAPHS
from tests.support.live import Live, app_client
from tests.support.stores import example_store

NAMES = [d.name for d in DUMPS]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with app_client(example_store()) as opened:
        yield opened


def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",")
            if v.strip()}


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_data_page_varies_by_accept_and_language(client: TestClient, accept: str,
                                                     lang: str) -> None:
    response = client.get("/dumps", headers={"Accept": accept, "Accept-Language": lang,
                                             "Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert {"accept", "accept-language", "origin"} <= _vary(response)
    assert response.headers["content-language"] == lang


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_release_varies_by_language(client: TestClient, lang: str) -> None:
    version = client.get("/dumps", headers={"Accept": "application/json"}
                         ).json()["release"]["version"]
    response = client.get(f"/dumps/releases/{version}",
                          headers={"Accept-Language": lang, "Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert {"accept-language", "origin"} <= _vary(response)
    assert response.headers["content-language"] == lang
    cited = response.json()["citation"]
    assert cited.startswith("Contributeurs" if lang == "fr" else "civicgraph contributors")


def _first(client: TestClient, name: str) -> httpx.Response:
    response: httpx.Response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    assert response.headers["etag"].startswith('"') and response.headers["last-modified"]
    return response


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("if_none_match", [
    "{etag}", "W/{etag}", '"elsewhere", {etag}', "*", ' "x" ,W/{etag} '])
def test_a_current_copy_is_answered_304(client: TestClient, name: str, method: str,
                                        if_none_match: str) -> None:
    first = _first(client, name)
    etag = first.headers["etag"]
    response = client.request(method, f"/dumps/{name}", headers={
        "If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["last-modified"] == first.headers["last-modified"]
    assert response.headers["link"] == first.headers["link"]


@pytest.mark.parametrize("name", NAMES)
def test_another_entity_tag_gets_the_dump(client: TestClient, name: str) -> None:
    first = _first(client, name)
    # If-None-Match decides alone: the matching If-Modified-Since does not make it a 304
    response = client.get(f"/dumps/{name}", headers={
        "If-None-Match": '"elsewhere"', "If-Modified-Since": first.headers["last-modified"]})
    assert response.status_code == 200 and response.content == first.content


@pytest.mark.parametrize("name", NAMES)
def test_if_modified_since_once_the_dump_is_older_than_the_date_lag(
        client: TestClient, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dumps, "DATE_LAG", -3600.0)   # as if the dump were an hour old
    last = parsedate_to_datetime(_first(client, name).headers["last-modified"]).timestamp()

    def status(*since: str) -> int:
        response: httpx.Response = client.get(
            f"/dumps/{name}", headers=[("If-Modified-Since", s) for s in since])
        return response.status_code

    assert status(formatdate(last, usegmt=True)) == 304
    assert status(time.asctime(time.gmtime(last))) == 304            # asctime-date
    assert status(formatdate(last - 1, usegmt=True)) == 200
    assert status(formatdate(time.time() + 3600, usegmt=True)) == 200   # still to come
    assert status("yesterday") == 200
    assert status(formatdate(last, usegmt=True), formatdate(last, usegmt=True)) == 200


def test_one_dump_has_one_last_modified(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dump written by the request is dated ``DATE_LAG`` seconds back, once: later (here,
    as if an hour later) it keeps that date, which ``If-Modified-Since`` and ``If-Range``
    then match (RFC 9110 §13.1.3, §13.1.5)."""
    with app_client(example_store()) as fresh:
        first = _first(fresh, NAMES[0])
        last = first.headers["last-modified"]
        monkeypatch.setattr(dumps, "DATE_LAG", -3600.0)
        again = _first(fresh, NAMES[0])
        assert again.headers["last-modified"] == last
        assert fresh.get(f"/dumps/{NAMES[0]}",
                         headers={"If-Modified-Since": last}).status_code == 304
        part = fresh.get(f"/dumps/{NAMES[0]}", headers={"Range": "bytes=0-9", "If-Range": last})
        assert part.status_code == 206 and part.content == first.content[:10]


def test_a_date_the_content_before_shares_is_taken_for_neither(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new content of a dump dated in the same second as the one before (``Date`` allowed
    no later date): that second's date, sent back, may be the old content's, so it makes no
    304, no range, and fails ``If-Unmodified-Since``."""
    with app_client(example_store()) as fresh:
        first = _first(fresh, NAMES[0])
        last = first.headers["last-modified"]
        cache = fresh.app.state.dump_cache   # type: ignore[attr-defined]
        dated = cache.file

        def renewed(*args: Any, **kwargs: Any) -> DumpFile:
            """The dump as if its content had changed within the second of its date."""
            known: DumpFile = dated(*args, **kwargs)
            second = int(known.modified)
            return DumpFile(known.path, "0" * 64, second + 0.25, superseded=second)

        monkeypatch.setattr(cache, "file", renewed)
        for headers, status in [({"If-Modified-Since": last}, 200),
                                ({"Range": "bytes=0-9", "If-Range": last}, 200),
                                ({"If-Unmodified-Since": last}, 412)]:
            response = fresh.get(f"/dumps/{NAMES[0]}", headers=headers)
            assert response.headers["last-modified"] == last
            assert response.status_code == status, headers
            if status == 200:
                assert response.content == first.content


@pytest.mark.parametrize("name", NAMES)
def test_ranges_still_work(client: TestClient, name: str) -> None:
    first = _first(client, name)
    etag = first.headers["etag"]
    part = client.get(f"/dumps/{name}", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert part.status_code == 206 and part.content == first.content[:10]
    assert part.headers["etag"] == etag
    stale = client.get(f"/dumps/{name}", headers={"Range": "bytes=0-9", "If-Range": '"x"'})
    assert stale.status_code == 200 and stale.content == first.content
    dated = client.get(f"/dumps/{name}", headers={
        "Range": "bytes=0-9", "If-Range": first.headers["last-modified"]})
    assert dated.status_code == 206 and dated.content == first.content[:10]
    earlier = formatdate(_date(first, "last-modified") - 1, usegmt=True)
    other = client.get(f"/dumps/{name}", headers={"Range": "bytes=0-9", "If-Range": earlier})
    assert other.status_code == 200 and other.content == first.content


def _date(response: httpx.Response, name: str) -> float:
    return parsedate_to_datetime(response.headers[name]).timestamp()


def test_last_modified_is_never_after_date(fresh_live: Live, token: str) -> None:
    """On a real server, whose ``Date`` lags its clock by up to a second: dumps written
    during the request are dated no later than ``Date``, and keep that date while the
    seconds pass (until ``Date`` is past the lag)."""
    url = f"{fresh_live.url}/dumps/{NAMES[0]}"
    for n in range(4):
        update = (f"INSERT DATA {{ GRAPH <{EXAMPLE_GRAPHS[0].iri}> {{ "
                  f'<https://w3id.org/civicgraph/id/org/vecam> <http://www.w3.org/2000/01/'
                  f'rdf-schema#comment> "write {n}" }} }}')
        assert httpx.post(f"{fresh_live.url}/sparql", data={"update": update},
                          headers={"Authorization": f"Bearer {token}"}).status_code == 204
        response = httpx.get(url, timeout=60)
        assert response.status_code == 200
        assert f'"write {n}"'.encode() in gzip.decompress(response.content)
        assert _date(response, "last-modified") <= _date(response, "date")
    last = response.headers["last-modified"]
    deadline = time.monotonic() + 10
    while _date(response, "date") <= _date(response, "last-modified") + dumps.DATE_LAG + 1:
        assert time.monotonic() < deadline, "the server's Date did not move on"
        response = httpx.get(url, timeout=60)
        assert response.headers["last-modified"] == last
        assert _date(response, "last-modified") <= _date(response, "date")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(("headers", "status"), [
    ({"If-Match": '"nope"'}, 412),
    ({"If-Match": "W/{etag}"}, 412),                 # strong comparison
    ({"If-Match": "{etag}"}, 200),
    ({"If-Match": '"nope", {etag}'}, 200),
    ({"If-Match": "*"}, 200),
    ({"If-Unmodified-Since": "Thu, 01 Jan 1998 00:00:00 GMT"}, 412),
    ({"If-Unmodified-Since": "{last}"}, 200),
    ({"If-Unmodified-Since": "not a date"}, 200),    # ignored
    # If-Match decides alone: a matching tag, an old date
    ({"If-Match": "{etag}", "If-Unmodified-Since": "Thu, 01 Jan 1998 00:00:00 GMT"}, 200),
    # the preconditions come before If-None-Match (§13.2.2)
    ({"If-Match": '"nope"', "If-None-Match": "{etag}"}, 412),
    ({"If-Match": "{etag}", "If-None-Match": "{etag}"}, 304),
])
def test_preconditions_fail_with_412(client: TestClient, name: str, method: str,
                                     headers: dict[str, str], status: int) -> None:
    first = _first(client, name)
    sent = {k: v.format(etag=first.headers["etag"], last=first.headers["last-modified"])
            for k, v in headers.items()}
    response = client.request(method, f"/dumps/{name}", headers=sent)
    assert response.status_code == status
    assert response.headers["etag"] == first.headers["etag"]
    if status != 200:
        assert response.content == b""
