"""The shared form reader of the internal pages: cross-site forms refused, bodies read within bounds,
every value per name kept. The core on headers and bytes, then once through a real Starlette request."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from edepot.auth.principal import Forbidden
from edepot.errors import InvalidInput
from edepot.web.formulier import formulier, herkomst_gecontroleerd, laatste, velden_uit

EIGEN = "https://edepot.limburg.nl"


# --- refused -------------------------------------------------------------------------------------


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_form_the_browser_says_came_from_another_site_is_refused(site: str) -> None:
    with pytest.raises(Forbidden, match=f"another site \\({site}\\) may not change lijsten"):
        herkomst_gecontroleerd({"sec-fetch-site": site}, EIGEN, "lijsten")


@pytest.mark.parametrize(
    "origin", ["null", "https://kwaad.example", "http://edepot.limburg.nl", "https://edepot.limburg.nl:8443"]
)
def test_a_form_from_a_foreign_or_null_origin_is_refused(origin: str) -> None:
    with pytest.raises(Forbidden) as raised:
        herkomst_gecontroleerd({"origin": origin, "sec-fetch-site": "same-origin"}, EIGEN, "lijsten")
    assert raised.value.fields["herkomst"] == origin and raised.value.http_status == 403


def test_a_body_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidInput, match="too large \\(11 bytes\\)"):
        velden_uit(b"reden=12345", max_bytes=10)


def test_a_body_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(InvalidInput, match="could not be read"):
        velden_uit(b"reden=%FF\xff")


def test_too_many_fields_are_refused() -> None:
    with pytest.raises(InvalidInput, match="could not be read"):
        velden_uit(b"&".join(b"a=%d" % n for n in range(4)), max_velden=3)


# --- accepted ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"sec-fetch-site": "same-origin", "origin": EIGEN}, {"sec-fetch-site": "none"}, {"origin": EIGEN}],
)
def test_a_same_origin_form_or_one_without_the_headers_is_accepted(headers: dict[str, str]) -> None:
    herkomst_gecontroleerd(headers, EIGEN, "lijsten")  # no exception


def test_every_value_of_a_name_is_kept_in_order_and_blank_values_too() -> None:
    velden = velden_uit(b"suggestie=0&suggestie=2&reden=&naam=caf%C3%A9+%26+co")
    assert velden == {"suggestie": ["0", "2"], "reden": [""], "naam": ["café & co"]}
    assert laatste(velden, "suggestie") == "2" and laatste(velden, "naam") == "café & co"
    assert laatste(velden, "ontbreekt") == ""


# --- through a real request ----------------------------------------------------------------------


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()

    @app.post("/formulier")
    async def lees(request: Request) -> dict[str, list[str]]:
        try:
            return await formulier(request, "tests", max_bytes=100)
        except (Forbidden, InvalidInput) as exc:
            return {"fout": [type(exc).__name__, exc.message]}

    return TestClient(app)


def test_through_a_request_the_origin_is_the_servers_own_and_a_declared_large_body_is_refused(
    client: TestClient,
) -> None:
    ok = client.post("/formulier", data={"a": "1"}, headers={"Origin": "http://testserver"})
    foreign = client.post("/formulier", data={"a": "1"}, headers={"Origin": "https://testserver"})
    large = client.post("/formulier", content=b"a=" + b"x" * 200, headers={"Content-Type": "text/plain"})
    assert ok.json() == {"a": ["1"]}
    assert foreign.json()["fout"][0] == "Forbidden"
    assert large.json()["fout"] == ["InvalidInput", "the form is too large (202 bytes)"]
