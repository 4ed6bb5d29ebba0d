"""The search API and the portal over HTTP: a record that is not public never shows through ANY public
endpoint (search, facets, record, download, portal pages) and answers 404 exactly like an unknown
id; public files stream with their ledger MIME type; staff search everything and their reads of
restricted records are recorded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.auth.tokens import issue_token
from edepot.model import FileKind
from tests.integration.search_service.conftest import NOT_PUBLIC, PUBLIC, RESTRICTED, World, make_world

API = "/api/public/v1"


@pytest.fixture(scope="module")
def site(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, TestClient]]:
    world = make_world(sample_home, tmp_path_factory.mktemp("site"))
    world.search.indexer.sync()
    app = create_app(world.services)
    app.state.search = world.search  # the world's clock and Woo publications
    with TestClient(app) as client:
        yield world, client
    world.search.close()


def token(world: World, role: str) -> dict[str, str]:
    plaintext = issue_token(world.services, name=f"test {role}", roles=[role], created_by="test").plaintext
    return {"Authorization": f"Bearer {plaintext}"}


def payloads(world: World, kenmerk: str) -> list[Any]:
    record = world.record(kenmerk)
    aip = world.services.get_aip(record.aip_id)
    return [f for f in aip.files if f.kind is FileKind.PAYLOAD and f.record_id == record.id]


def all_public_hits(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/search", params={"page_size": 100, **params})
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()["hits"]
    return hits


def without_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "instance"}


# --- what is not public stays out of every public endpoint -----------------------------------------


def test_no_public_search_finds_a_record_that_is_not_public_by_title_kenmerk_or_facet(
    site: tuple[World, TestClient],
) -> None:
    world, client = site
    hidden = {str(world.id(k)) for k in NOT_PUBLIC}
    for kenmerk in NOT_PUBLIC:
        record = world.record(kenmerk)
        for text in (record.naam, kenmerk, str(record.id), '"' + record.naam.split(",")[0] + '"'):
            assert not {h["id"] for h in all_public_hits(client, q=text)} & hidden, (kenmerk, text)
    browse = client.get(f"{API}/search", params={"page_size": 100}).json()
    assert {world.kenmerk(h["id"]) for h in browse["hits"]} == PUBLIC and browse["total"] == len(PUBLIC)
    for facet, counts in browse["facets"].items():
        assert sum(c["count"] for c in counts) <= len(PUBLIC) * 2, facet  # periods may count twice
        for count in counts:
            found = all_public_hits(client, **{facet: count["value"]})
            assert len(found) == count["count"] and not {h["id"] for h in found} & hidden
    assert "waardering" not in browse["facets"]


def test_a_record_that_is_not_public_answers_404_exactly_like_an_unknown_id(site: tuple[World, TestClient]) -> None:
    world, client = site
    unknown = client.get(f"{API}/records/{uuid4()}")
    assert unknown.status_code == 404
    for kenmerk in NOT_PUBLIC:
        response = client.get(f"{API}/records/{world.id(kenmerk)}")
        assert response.status_code == 404, kenmerk
        assert without_instance(response.json()) == without_instance(unknown.json())
        assert world.record(kenmerk).naam not in response.text


def test_no_file_of_a_record_that_is_not_public_can_be_downloaded(site: tuple[World, TestClient]) -> None:
    world, client = site
    public_file = payloads(world, "001")[0]
    for kenmerk in NOT_PUBLIC:
        record_id = world.id(kenmerk)
        for entry in payloads(world, kenmerk):
            response = client.get(f"{API}/records/{record_id}/files/{entry.bestand_id}")
            assert response.status_code == 404, (kenmerk, entry.path)
            assert response.headers["content-type"] == "application/problem+json"
            # nor through a public record's URL
            other = client.get(f"{API}/records/{world.id('001')}/files/{entry.bestand_id}")
            assert other.status_code == 404
        # nor a public file through a hidden record's URL
        assert client.get(f"{API}/records/{record_id}/files/{public_file.bestand_id}").status_code == 404


def test_no_portal_page_shows_a_record_that_is_not_public(site: tuple[World, TestClient]) -> None:
    world, client = site
    home = client.get("/")
    browse = client.get("/zoeken")
    assert home.status_code == browse.status_code == 200
    for kenmerk in NOT_PUBLIC:
        record = world.record(kenmerk)
        assert record.naam not in browse.text and record.naam not in home.text
        found = client.get("/zoeken", params={"q": record.naam})  # the page repeats the question only
        assert found.status_code == 200 and "0 resultaten" in found.text
        assert f"/stukken/{record.id}" not in found.text and f"/stukken/{record.id}" not in browse.text
        page = client.get(f"/stukken/{record.id}")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert record.naam not in page.text
    for kenmerk in PUBLIC:
        assert world.record(kenmerk).naam in browse.text


# --- what is public -----------------------------------------------------------------------------------


def test_a_public_record_shows_its_details_and_its_files_stream_with_the_ledger_mime_type(
    site: tuple[World, TestClient],
) -> None:
    world, client = site
    record = world.record("044")
    detail = client.get(f"{API}/records/{record.id}")
    assert detail.status_code == 200
    body = detail.json()
    assert (body["title"], body["kenmerk"], body["grond"]) == (record.naam, "044", "archiefwet")
    entries = {str(f.bestand_id): f for f in payloads(world, "044")}
    assert {f["bestand_id"] for f in body["files"]} == set(entries)
    for listed in body["files"]:
        entry = entries[listed["bestand_id"]]
        download = client.get(listed["url"])
        assert download.status_code == 200
        assert download.headers["content-type"] == entry.mime == "image/jp2"
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["etag"] == f'"{entry.sha256}"'
        with world.services.store.open(entry.key) as stored:
            assert download.content == stored.read()


def test_a_file_name_with_spaces_and_an_ampersand_is_given_exactly_in_the_content_disposition(
    site: tuple[World, TestClient],
) -> None:
    world, client = site
    record = world.record("031")  # B without a date: public only once published under the Woo
    world.publications.publish(record.id)
    try:
        entry = next(f for f in payloads(world, "031") if "kaart" in f.path)
        response = client.get(f"{API}/records/{record.id}/files/{entry.bestand_id}")
        assert response.status_code == 200
        assert response.headers["content-disposition"] == (
            "attachment; filename=\"0002 kaart & legenda.tif\"; filename*=UTF-8''0002%20kaart%20%26%20legenda.tif"
        )
    finally:
        world.publications.withdraw(record.id, "test")


def test_a_withdrawn_publication_answers_410_at_once_even_before_the_index_catches_up(
    site: tuple[World, TestClient],
) -> None:
    world, client = site
    record = world.record("012")
    world.publications.publish(record.id)
    world.search.indexer.sync()
    assert world.kenmerk(all_public_hits(client, q="fietspad")[0]["id"]) == "012"

    world.publications.withdraw(record.id, "ingetrokken na bezwaar")  # no sync: the index still says public
    entry = payloads(world, "012/aanvraag")[0]
    detail = client.get(f"{API}/records/{record.id}")
    page = client.get(f"/stukken/{record.id}")
    assert detail.status_code == 410 and detail.json()["reason"] == "ingetrokken na bezwaar"
    assert page.status_code == 410 and "ingetrokken na bezwaar" in page.text
    assert client.get(f"{API}/records/{world.id('012/aanvraag')}/files/{entry.bestand_id}").status_code == 404

    world.search.indexer.sync()
    assert all_public_hits(client, q="fietspad") == []


def test_an_empty_date_range_finds_nothing_instead_of_failing(site: tuple[World, TestClient]) -> None:
    _, client = site
    response = client.get(f"{API}/search", params={"van": "1999", "tot": "1980"})
    assert response.status_code == 200 and response.json()["total"] == 0
    response = client.get(f"{API}/search", params={"van": "1995-02-31"})
    assert response.status_code == 200 and response.json()["total"] == 1  # 044 (1996); 001 ends 1992


# --- staff ------------------------------------------------------------------------------------------


def test_internal_search_needs_credentials_and_the_search_right(site: tuple[World, TestClient]) -> None:
    world, client = site
    assert client.get("/api/v1/search").status_code == 401
    assert client.get("/api/v1/search", headers=token(world, "ingest-worker")).status_code == 403
    assert client.get("/api/v1/search/status", headers=token(world, "dim")).status_code == 403


def test_staff_find_restricted_records_and_each_read_is_recorded(site: tuple[World, TestClient]) -> None:
    world, client = site
    restricted = world.record(RESTRICTED)
    before = world.services.catalog.event_head()
    response = client.get("/api/v1/search", params={"q": "bezwaarschriften"}, headers=token(world, "dim"))

    assert response.status_code == 200
    [hit] = response.json()["hits"]
    assert (hit["id"], hit["openbaarheid"], hit["public"]) == (str(restricted.id), "beperkt", False)
    reads = [e for e in world.services.catalog.events() if e.type == "access" and (before is None or e.seq > before[0])]
    assert [e.object_id for e in reads] == [str(restricted.id)]

    detail = client.get(f"/api/v1/search/records/{restricted.id}", headers=token(world, "archivaris"))
    assert detail.status_code == 200
    access = detail.json()["access"]
    assert (access["public"], access["changes_on"]) == (False, "2063-01-01")
    assert detail.json()["index_state"]["status"] == "geindexeerd"


def test_the_index_status_is_there_for_the_beheerder(site: tuple[World, TestClient]) -> None:
    world, client = site
    response = client.get("/api/v1/search/status", headers=token(world, "beheerder"))
    assert response.status_code == 200
    assert response.json()["engine"] == "tantivy" and response.json()["records"]["mislukt"] == 0


def test_the_openapi_schema_documents_every_search_route_with_its_response_model(
    site: tuple[World, TestClient],
) -> None:
    _, client = site
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/public/v1/search": "PublicSearchResponse",
        "/api/public/v1/records/{record_id}": "PublicRecord",
        "/api/v1/search": "InternalSearchResponse",
        "/api/v1/search/records/{record_id}": "InternalRecord",
        "/api/v1/search/status": "IndexStatus",
    }
    for path, model in expected.items():
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith(f"/{model}"), path
    download = paths["/api/public/v1/records/{record_id}/files/{bestand_id}"]["get"]["responses"]
    assert {"200", "404", "410"} <= set(download)
    assert paths["/api/v1/search"]["get"]["x-edepot-action"] == "search.internal"
    assert not any(p in paths for p in ("/", "/zoeken", "/stukken/{record_id}"))  # pages are not API


def test_record_ids_that_are_not_uuids_are_refused_by_the_api_and_not_found_by_the_portal(
    site: tuple[World, TestClient],
) -> None:
    _, client = site
    assert client.get(f"{API}/records/not-a-uuid").status_code == 422
    assert client.get("/stukken/not-a-uuid").status_code == 404
    assert client.get(f"{API}/records/{UUID(int=0)}/files/{UUID(int=1)}").status_code == 404
