"""The public portal in a real browser: headless Debian Chromium driven by Playwright against a real
`edepot serve` (uvicorn on 127.0.0.1) holding the sample block (`edepot init`, `edepot demo`,
`edepot index sync`). A visitor searches, filters, opens a record and downloads a file, with the
keyboard where it matters; a record that is not public is not found; axe-core (vendored, see
tests/e2e/vendor/axe-core/SOURCE.md) finds no serious or critical WCAG 2.1 A/AA violation on any
page, at desktop and at mobile width. Screenshots of every page go to $EDEPOT_SCREENSHOTS (or the
test's temporary directory) for people to look at.

Chromium comes from Debian (`apt-get install chromium`, done by .ci/run); Playwright's own browser
download is never used. Without /usr/bin/chromium these tests are skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
EDEPOT = [sys.executable, "-m", "edepot"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "mobiel": {"width": 390, "height": 844}}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (see .ci/run)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Portal:
    base: str
    token: str
    records: dict[str, dict[str, Any]]  # kenmerk -> internal record (from /api/v1/records)
    shots: Path

    def record_id(self, kenmerk: str) -> str:
        return str(self.records[kenmerk]["id"])


def run(command: list[str], env: dict[str, str]) -> Any:
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=300)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    home = tmp_path_factory.mktemp("portal") / "home"
    env = {**os.environ, "EDEPOT_HOME": str(home), "EDEPOT_SEARCH_ENGINE": "tantivy"}
    token = run([*EDEPOT, "init", "--json"], env)["admin_token"]
    run([*EDEPOT, "demo", "--json"], env)
    synced = run([*EDEPOT, "index", "sync", "--json"], env)
    assert (synced["indexed"], synced["failed"]) == (7, 0)
    port = free_port()
    server = subprocess.Popen(
        [*EDEPOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait at most 30 s for the server to answer
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("edepot serve did not answer /health")
        listed = httpx.get(
            f"{base}/api/v1/records", params={"limit": 1000}, headers={"Authorization": f"Bearer {token}"}
        )
        records = {r["kenmerk"]: r for r in listed.json()}
        shots = Path(os.environ.get("EDEPOT_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
        shots.mkdir(parents=True, exist_ok=True)
        yield Portal(base, token, records, shots)
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDTHS["desktop"], locale="nl-NL", accept_downloads=True)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


# --- a visitor's path ---------------------------------------------------------------------------------


def test_a_visitor_searches_from_the_home_page_and_finds_the_open_record(portal: Portal, page: Any) -> None:
    page.goto(portal.base + "/")
    assert page.title().startswith("Zoeken in de openbare archieven")
    page.get_by_label("Zoek in de openbare archieven").fill("Maasvallei")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken?q=Maasvallei")

    titles = page.locator(".resultaat__titel a").all_inner_texts()
    assert titles == ["Ontgrondingsvergunning Maasvallei, café De Keizer"]
    assert page.locator("#resultaten-titel").inner_text() == "1 resultaat voor ‘Maasvallei’"


def test_a_restricted_record_is_neither_found_nor_opened(portal: Portal, page: Any) -> None:
    page.goto(portal.base + "/zoeken?q=bezwaarschriften")
    assert page.locator(".resultaat").count() == 0
    assert page.get_by_role("heading", name="Geen stukken gevonden").is_visible()

    response = page.goto(f"{portal.base}/stukken/{portal.record_id('007')}")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"
    assert "Bezwaarschriften" not in page.content()


def test_a_visitor_filters_with_the_keyboard_and_the_filter_is_kept_in_the_url(portal: Portal, page: Any) -> None:
    page.goto(portal.base + "/zoeken")
    assert page.locator(".resultaat").count() == 2
    page.get_by_label("Provisa 2005, categorie 2").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Filters toepassen").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**informatiecategorie=Provisa+2005%2C+categorie+2**")

    assert page.locator(".resultaat__titel a").all_inner_texts() == [
        "Jaarverslag coördinatie ruimtelijke ordening 1995"
    ]
    assert page.get_by_label("Provisa 2005, categorie 2").is_checked()
    page.reload()  # the state is in the URL
    assert page.locator(".resultaat").count() == 1
    page.get_by_role("link", name="Informatiecategorie: Provisa 2005, categorie 2 (filter verwijderen)").click()
    assert page.locator(".resultaat").count() == 2


def test_a_visitor_opens_a_record_and_downloads_a_file_byte_for_byte(portal: Portal, page: Any, tmp_path: Path) -> None:
    page.goto(portal.base + "/zoeken?q=jaarverslag")
    page.get_by_role("link", name="Jaarverslag coördinatie ruimtelijke ordening 1995").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Jaarverslag coördinatie ruimtelijke ordening 1995"
    assert page.locator("dd").first.inner_text() == "044"

    with page.expect_download() as info:
        page.get_by_role("link", name="Download 0001.jp2").click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename == "0001.jp2"
    detail = httpx.get(f"{portal.base}/api/public/v1/records/{portal.record_id('044')}").json()
    listed = next(f for f in detail["files"] if f["naam"] == "0001.jp2")
    head = httpx.get(portal.base + listed["url"])
    assert saved.stat().st_size == listed["size"]
    assert f'"{hashlib.sha256(saved.read_bytes()).hexdigest()}"' == head.headers["etag"]


def test_the_skip_link_comes_first_and_moves_the_focus_to_the_content_visibly(portal: Portal, page: Any) -> None:
    page.goto(portal.base + "/zoeken")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return {text: e.textContent.trim(), outline: s.outlineStyle, top: e.getBoundingClientRect().top}; }"
    )
    assert focused["text"] == "Direct naar de inhoud" and focused["outline"] != "none" and focused["top"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "inhoud"


# --- accessibility and screenshots ---------------------------------------------------------------------


def pages(portal: Portal) -> dict[str, str]:
    return {
        "zoekpagina": "/",
        "resultaten": "/zoeken?periode=1990-1999",
        "detail": f"/stukken/{portal.record_id('001')}",
        "leeg": "/zoeken?q=xyzzy+onvindbaar",
        "fout-404": "/bestaat/niet",
    }


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_has_no_serious_accessibility_violation_and_is_photographed(
    portal: Portal, browser: Any, width: str
) -> None:
    context = browser.new_context(viewport=WIDTHS[width], locale="nl-NL")
    page = context.new_page()
    axe = AXE.read_text(encoding="utf-8")
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, path in pages(portal).items():
            page.goto(portal.base + path)
            page.evaluate(axe)  # through the debugging protocol: the page's CSP stays strict
            result = page.evaluate(
                "async () => await axe.run(document, {runOnly: {type: 'tag',"
                " values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
            )
            bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
            found[name] = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in bad]
            assert page.evaluate("() => document.documentElement.lang") == "nl"
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), name
            page.screenshot(path=str(portal.shots / f"{name}-{width}.png"), full_page=True)
    finally:
        context.close()
    assert found == {name: [] for name in pages(portal)}


# --- the internal pages (retention dashboard, Woo-redacteur) ------------------------------------------


def staff_token(portal: Portal, role: str) -> str:
    made = httpx.post(
        f"{portal.base}/api/v1/tokens",
        json={"name": f"e2e {role}", "roles": [role]},
        headers={"Authorization": f"Bearer {portal.token}"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def concept_publicatie(portal: Portal, token: str) -> tuple[str, str]:
    """A concept publicatie of the sample's open PDF; (publicatie id, document id)."""
    auth = {"Authorization": f"Bearer {token}"}
    for record in portal.records.values():
        if record["beperking_gebruik"]["code"]:
            continue
        aip = httpx.get(f"{portal.base}/api/v1/aips/{record['aip_id']}", headers=auth).json()
        pdf = next((f for f in aip["files"] if f["record_id"] == record["id"] and f["mime"] == "application/pdf"), None)
        if pdf is None:
            continue
        body = {
            "officiele_titel": record["naam"],
            "informatiecategorieen": ["beschikkingen"],
            "documenten": [{"record_id": record["id"], "bestand_id": pdf["bestand_id"]}],
        }
        made = httpx.post(f"{portal.base}/api/v1/woo/publicaties", json=body, headers=auth)
        assert made.status_code == 201, made.text
        return str(made.json()["id"]), str(made.json()["documenten"][0]["id"])
    raise AssertionError("the sample holds no open record with a PDF")


def test_the_internal_pages_have_no_serious_accessibility_violation_and_are_photographed(
    portal: Portal, browser: Any
) -> None:
    archivaris, redacteur = staff_token(portal, "archivaris"), staff_token(portal, "woo-redacteur")
    publicatie, document = concept_publicatie(portal, redacteur)
    pages = {
        "beheer-retentie": (archivaris, "/beheer/retentie"),
        "beheer-woo": (redacteur, "/beheer/woo"),
        "beheer-woo-publicatie": (redacteur, f"/beheer/woo/publicaties/{publicatie}"),
        "beheer-woo-lakken": (redacteur, f"/beheer/woo/documenten/{document}"),
    }
    axe = AXE.read_text(encoding="utf-8")
    found: dict[str, list[dict[str, Any]]] = {}
    for width in sorted(WIDTHS):
        for name, (token, path) in pages.items():
            context = browser.new_context(
                viewport=WIDTHS[width], locale="nl-NL", extra_http_headers={"Authorization": f"Bearer {token}"}
            )
            page = context.new_page()
            try:
                response = page.goto(portal.base + path)
                assert response is not None and response.status == 200, (name, response and response.status)
                page.evaluate(axe)
                result = page.evaluate(
                    "async () => await axe.run(document, {runOnly: {type: 'tag',"
                    " values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
                )
                bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
                found[f"{name}-{width}"] = [{"id": v["id"], "impact": v["impact"]} for v in bad]
                assert page.evaluate("() => document.documentElement.lang") == "nl"
                page.screenshot(path=str(portal.shots / f"{name}-{width}.png"), full_page=True)
            finally:
                context.close()
    assert found == {key: [] for key in found}
    assert len(found) == len(pages) * len(WIDTHS)
