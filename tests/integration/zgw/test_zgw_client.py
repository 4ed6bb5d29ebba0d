"""The ZGW client against a real HTTP server on 127.0.0.1 (tests/integration/zgw/fake_server.py)."""

from __future__ import annotations

import email.utils
import hashlib
import itertools
from pathlib import Path

import jwt
import pytest

from ingest.zgw_client import ZgwClient, ZgwError
from tests.integration.zgw.conftest import MakeClient
from tests.integration.zgw.fake_server import (
    ACCOUNTS,
    DOCUMENTEN,
    EIO_BESLUIT_PDF,
    EIO_GROOT,
    ZAAK_00,
    ZAKEN,
    FakeZgw,
    Generated,
    OpenApiCheck,
)

ZAAK_00_PATH = f"{ZAKEN}/zaken/{ZAAK_00}"


def _download_url(zgw: FakeZgw, eio_uuid: str) -> str:
    return str(zgw.data.eio(eio_uuid)["inhoud"])


# --- authentication and authorisation ---------------------------------------------------------------


def test_a_token_signed_with_the_wrong_secret_is_refused_with_401(zgw: FakeZgw, make_client: MakeClient) -> None:
    client = make_client(secret="not-the-secret-of-this-client-0123456789")
    with pytest.raises(ZgwError) as raised:
        client.get(zgw.url(ZAAK_00_PATH))
    assert raised.value.status == 401
    assert raised.value.zgw_code == "authentication_failed"
    assert "client id and secret" in str(raised.value)


def test_an_expired_token_is_refused_with_401(zgw: FakeZgw, make_client: MakeClient) -> None:
    two_hours_ago = zgw.clock() - 7200
    client = make_client(clock=lambda: two_hours_ago)
    with pytest.raises(ZgwError) as raised:
        client.get(zgw.url(ZAAK_00_PATH))
    assert raised.value.status == 401
    assert raised.value.detail == "JWT is verlopen (iat te oud)"


def test_a_client_without_the_scope_gets_403_with_the_problem_code(zgw: FakeZgw, make_client: MakeClient) -> None:
    client = make_client("edepot-alleen-zaken")
    client.get(zgw.url(ZAAK_00_PATH))  # zaken.lezen: allowed
    with pytest.raises(ZgwError) as raised:
        client.get(zgw.url(f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/{EIO_BESLUIT_PDF}"))
    assert raised.value.status == 403
    assert raised.value.zgw_code == "permission_denied"
    assert raised.value.zgw_title == "Je hebt geen toestemming om deze actie uit te voeren."


def test_a_zaken_call_without_accept_crs_gets_412(zgw: FakeZgw, client: ZgwClient) -> None:
    with pytest.raises(ZgwError) as raised:
        client.request("GET", zgw.url(ZAAK_00_PATH), headers={"Accept-Crs": ""})
    assert raised.value.status == 412
    assert raised.value.zgw_code == "precondition_failed"


def test_accept_crs_goes_to_the_zaken_api_and_content_crs_with_a_body(zgw: FakeZgw, client: ZgwClient) -> None:
    client.get(zgw.url(ZAAK_00_PATH))
    client.get(zgw.url(f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/{EIO_BESLUIT_PDF}"))
    client.patch(zgw.url(ZAAK_00_PATH), {"archiefstatus": "gearchiveerd"})
    get_zaak, get_document = zgw.requests[0], zgw.requests[1]
    patch = zgw.seen(ZAAK_00_PATH, "PATCH")[0]
    assert get_zaak.headers["accept-crs"] == "EPSG:4326"
    assert "content-crs" not in get_zaak.headers
    assert "accept-crs" not in get_document.headers
    assert patch.headers["content-crs"] == "EPSG:4326"


def test_every_request_carries_a_fresh_token_with_the_zgw_claims(zgw: FakeZgw, make_client: MakeClient) -> None:
    ticks = itertools.count(int(zgw.clock()))
    client = make_client(clock=lambda: float(next(ticks)))
    client.get(zgw.url(ZAAK_00_PATH))
    client.get(zgw.url(ZAAK_00_PATH))
    tokens = [r.headers["authorization"].removeprefix("Bearer ") for r in zgw.requests]
    claims = [jwt.decode(t, ACCOUNTS["edepot"].secret, algorithms=["HS256"], options={"verify_iat": False})
              for t in tokens]
    assert jwt.get_unverified_header(tokens[0])["alg"] == "HS256"
    assert claims[1]["iat"] == claims[0]["iat"] + 1
    assert {k: v for k, v in claims[0].items() if k != "iat"} == {
        "iss": "edepot",
        "client_id": "edepot",
        "user_id": "edepot",
        "user_representation": "e-depot Provincie Limburg",
    }


def test_a_url_outside_the_configured_apis_is_refused_without_sending_anything(
    zgw: FakeZgw, client: ZgwClient
) -> None:
    with pytest.raises(ZgwError, match="refusing to send credentials"):
        client.get("https://selectielijst.openzaak.nl/api/v1/resultaten/1")
    assert zgw.requests == []


# --- lists ------------------------------------------------------------------------------------------------


def test_paging_follows_next_links_and_ignores_the_wrong_count(zgw: FakeZgw, client: ZgwClient) -> None:
    zaken = list(client.paginate(client.zaken_api("zaken")))
    pages = zgw.seen(r"/zaken$")
    assert [z["identificatie"] for z in zaken] == ["ZAAK-00", "ZAAK-01", "ZAAK-2026-0000000001", "ZAAK-ID-0"]
    assert [p.query for p in pages] == ["", "page=2"]
    assert zgw.served[0].body["count"] == 104  # what the server claimed


def test_an_unpaginated_list_endpoint_is_read_as_one_list(zgw: FakeZgw, client: ZgwClient) -> None:
    links = list(client.paginate(client.zaken_api("zaakinformatieobjecten"), {"zaak": zgw.url(ZAAK_00_PATH)}))
    assert sorted(link["uuid"] for link in links) == [
        "04dc1009-e618-4f8a-aecf-bfb7f5e9ca3f",
        "30b050ce-dd18-42e8-9b50-04bc120e18c3",
    ]
    assert isinstance(zgw.served[0].body, list)


# --- errors and retries -------------------------------------------------------------------------------------


def test_a_problem_answer_carries_code_title_and_invalid_params(zgw: FakeZgw, client: ZgwClient) -> None:
    with pytest.raises(ZgwError) as raised:
        client.patch(zgw.url(ZAAK_00_PATH), {"archiefstatus": "weggegooid"})
    error = raised.value
    assert (error.status, error.zgw_code, error.zgw_title) == (400, "invalid", "Invalid input.")
    assert error.invalid_params == [{"name": "archiefstatus", "code": "invalid_choice", "reason": "Ongeldige keuze."}]
    assert "archiefstatus: Ongeldige keuze. (invalid_choice)" in str(error)
    assert error.to_problem()["invalidParams"] == error.invalid_params


def test_a_missing_resource_is_a_404_error(zgw: FakeZgw, client: ZgwClient) -> None:
    with pytest.raises(ZgwError) as raised:
        client.get(zgw.url(f"{ZAKEN}/zaken/00000000-0000-4000-8000-000000000000"))
    assert raised.value.not_found
    assert raised.value.zgw_code == "not_found"


def test_429_without_retry_after_is_retried_with_exponential_backoff(
    zgw: FakeZgw, client: ZgwClient, sleeps: list[float]
) -> None:
    zgw.fail(ZAAK_00_PATH + "$", 429, times=3)
    assert client.get(zgw.url(ZAAK_00_PATH))["identificatie"] == "ZAAK-00"
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(zgw.seen(ZAAK_00_PATH + "$")) == 4


def test_429_with_retry_after_in_seconds_waits_that_long(zgw: FakeZgw, client: ZgwClient, sleeps: list[float]) -> None:
    zgw.fail(ZAAK_00_PATH + "$", 429, retry_after="7")
    client.get(zgw.url(ZAAK_00_PATH))
    assert sleeps == [7.0]


def test_retry_after_as_an_http_date_is_honoured(zgw: FakeZgw, make_client: MakeClient, sleeps: list[float]) -> None:
    now = 1_767_000_000.0
    zgw.clock = lambda: now
    zgw.fail(ZAAK_00_PATH + "$", 503, retry_after=email.utils.formatdate(now + 30, usegmt=True))
    make_client(clock=lambda: now).get(zgw.url(ZAAK_00_PATH))
    assert sleeps == [30.0]


def test_a_very_long_retry_after_is_cut_to_the_configured_maximum(
    zgw: FakeZgw, make_client: MakeClient, sleeps: list[float]
) -> None:
    zgw.fail(ZAAK_00_PATH + "$", 429, retry_after="86400")
    make_client(retry_after_max=120.0).get(zgw.url(ZAAK_00_PATH))
    assert sleeps == [120.0]


def test_5xx_is_retried_a_bounded_number_of_times_then_raised(
    zgw: FakeZgw, make_client: MakeClient, sleeps: list[float]
) -> None:
    zgw.fail(ZAAK_00_PATH + "$", 503, times=10)
    with pytest.raises(ZgwError) as raised:
        make_client(max_attempts=3, backoff_max=1.5).get(zgw.url(ZAAK_00_PATH))
    assert raised.value.status == 503
    assert "after 3 attempts" in str(raised.value)
    assert sleeps == [1.0, 1.5]
    assert len(zgw.seen(ZAAK_00_PATH + "$")) == 3


def test_an_unreachable_server_is_retried_then_raised(
    zgw: FakeZgw, make_client: MakeClient, sleeps: list[float]
) -> None:
    zgw.stop()
    with pytest.raises(ZgwError, match="no answer after 2 attempts") as raised:
        make_client(max_attempts=2).get(zgw.url(ZAAK_00_PATH))
    assert raised.value.status is None
    assert sleeps == [1.0]


# --- downloads --------------------------------------------------------------------------------------------


def test_a_download_is_streamed_to_disk_with_its_sha256(zgw: FakeZgw, client: ZgwClient, tmp_path: Path) -> None:
    content = zgw.data.contents[EIO_BESLUIT_PDF]
    assert isinstance(content, bytes)
    result = client.download(_download_url(zgw, EIO_BESLUIT_PDF), tmp_path / "besluit.pdf", algorithms=("md5",))
    assert result.size == len(content) == (tmp_path / "besluit.pdf").stat().st_size
    assert result.digests == {"md5": hashlib.md5(content).hexdigest(), "sha256": hashlib.sha256(content).hexdigest()}
    assert (tmp_path / "besluit.pdf").read_bytes() == content
    assert not (tmp_path / "besluit.pdf.part").exists()
    assert result.resumed == 0


def test_a_download_cut_off_midstream_resumes_with_range_after_a_5xx(
    zgw: FakeZgw, client: ZgwClient, tmp_path: Path, sleeps: list[float]
) -> None:
    content = Generated(3 * 1024 * 1024 + 17)
    zgw.break_download(EIO_GROOT, after=1_500_000)
    url = _download_url(zgw, EIO_GROOT)

    def sleep_then_fail_once(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # the first resume attempt meets a server error
            zgw.fail(r"/download$", 503, times=1)

    resuming = ZgwClient(client.config, sleep=sleep_then_fail_once)
    try:
        result = resuming.download(url, tmp_path / "groot.bin")
    finally:
        resuming.close()
    downloads = zgw.seen(r"/download$")
    assert [r.headers.get("range") for r in downloads] == [None, "bytes=1500000-", "bytes=1500000-"]
    assert downloads[1].headers["if-range"] == downloads[2].headers["if-range"] != ""
    assert (result.size, result.sha256) == (content.size, content.sha256())
    assert result.resumed == 2
    assert sleeps == [1.0, 1.0]


def test_a_download_whose_content_changed_while_resuming_starts_again(
    zgw: FakeZgw, client: ZgwClient, tmp_path: Path
) -> None:
    zgw.break_download(EIO_GROOT, after=1_000_000)
    changed = Generated(2 * 1024 * 1024 + 5)

    def change_content(_: float) -> None:
        zgw.data.set_content(EIO_GROOT, changed)  # a new ETag: the server answers 200 to If-Range

    replacing = ZgwClient(client.config, sleep=change_content)
    try:
        result = replacing.download(_download_url(zgw, EIO_GROOT), tmp_path / "groot.bin")
    finally:
        replacing.close()
    assert (result.size, result.sha256) == (changed.size, changed.sha256())
    assert (tmp_path / "groot.bin").stat().st_size == changed.size


def test_a_download_that_keeps_failing_gives_up_and_leaves_no_partial_file(
    zgw: FakeZgw, make_client: MakeClient, tmp_path: Path
) -> None:
    zgw.break_download(EIO_GROOT, after=0, times=10)
    with pytest.raises(ZgwError, match="download interrupted at byte 0"):
        make_client(max_attempts=3).download(_download_url(zgw, EIO_GROOT), tmp_path / "groot.bin")
    assert list(tmp_path.iterdir()) == []


def test_a_download_of_a_missing_document_is_a_404(zgw: FakeZgw, client: ZgwClient, tmp_path: Path) -> None:
    url = zgw.url(f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/00000000-0000-4000-8000-000000000000/download")
    with pytest.raises(ZgwError) as raised:
        client.download(url, tmp_path / "x.bin")
    assert raised.value.status == 404
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_multi_gigabyte_document_is_streamed_resumed_and_hashed_without_a_second_copy(
    zgw: FakeZgw, client: ZgwClient, tmp_path: Path
) -> None:
    big = Generated(2 * 1024**3 + 12_345)  # beyond 2^31 bytes, generated on the fly by the server
    zgw.data.set_content(EIO_GROOT, big)
    zgw.break_download(EIO_GROOT, after=1024**3 + 3)
    target = tmp_path / "groot.bin"
    result = client.download(_download_url(zgw, EIO_GROOT), target)
    assert result.size == big.size == target.stat().st_size
    assert result.sha256 == big.sha256()  # recomputed from the generator, not from a stored copy
    assert result.resumed == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["groot.bin"]


# --- the fake server itself follows the specs ------------------------------------------------------------------


def test_every_answer_of_the_fake_server_matches_the_openapi_schemas(
    zgw: FakeZgw, make_client: MakeClient, openapi: OpenApiCheck
) -> None:
    client = make_client()
    for path in (f"{ZAKEN}/zaken", f"{ZAKEN}/rollen", f"{ZAKEN}/statussen", f"{ZAKEN}/zaakobjecten",
                 f"{ZAKEN}/zaakinformatieobjecten", f"{ZAKEN}/zaken/{ZAAK_00}/zaakeigenschappen",
                 f"{ZAKEN}/zaken/{ZAAK_00}/besluiten"):
        list(client.paginate(zgw.url(path)))
    for resource_path in sorted(zgw.data.resources):
        if not resource_path.startswith("/besluiten/"):  # no Besluiten API spec is vendored
            client.get(zgw.url(resource_path))
    for failing in (lambda: make_client(secret="wrong-secret-0123456789abcdef0123").get(zgw.url(ZAAK_00_PATH)),
                    lambda: make_client("edepot-alleen-zaken").get(
                        zgw.url(f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/{EIO_GROOT}")),
                    lambda: client.request("GET", zgw.url(ZAAK_00_PATH), headers={"Accept-Crs": ""}),
                    lambda: client.patch(zgw.url(ZAAK_00_PATH), {"archiefstatus": "weggegooid"}),
                    lambda: client.get(zgw.url(f"{ZAKEN}/statussen/00000000-0000-4000-8000-000000000000"))):
        with pytest.raises(ZgwError):
            failing()
    zgw.fail(ZAAK_00_PATH + "$", 429, retry_after="1")
    client.get(zgw.url(ZAAK_00_PATH))
    statuses = {s.status for s in zgw.served}
    problems = [problem for served in zgw.served for problem in openapi.errors(served)]
    assert problems == []
    assert {200, 400, 401, 403, 404, 412, 429} <= statuses
    assert len(zgw.served) > 40
