"""The one web layer: errors on pages are pages in the site's layout (API paths keep problem+json),
another feature's dashboard page reuses the layout and components, Dutch formatting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from edepot.api import register_error_handlers
from edepot.errors import StorageError
from edepot.web import add_template_dir, datum, getal, grootte, install_web, page, pagination


def app_with_web() -> FastAPI:
    app = FastAPI()
    register_error_handlers(app)
    install_web(app)

    @app.get("/kapot")
    def broken_page() -> None:
        raise RuntimeError("boom: a secret detail")

    @app.get("/api/public/v1/kapot")
    def broken_api() -> None:
        raise RuntimeError("boom: a secret detail")

    @app.get("/traag")
    def unavailable() -> None:
        raise StorageError("storage unavailable")

    return app


def test_an_unexpected_error_on_a_page_is_a_500_page_without_the_details() -> None:
    client = TestClient(app_with_web(), raise_server_exceptions=False)
    response = client.get("/kapot")
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/html")
    assert "Er ging iets mis" in response.text and '<html lang="nl">' in response.text
    assert "secret" not in response.text


def test_an_unexpected_error_in_the_api_stays_problem_json() -> None:
    client = TestClient(app_with_web(), raise_server_exceptions=False)
    response = client.get("/api/public/v1/kapot")
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


def test_unknown_pages_and_unavailable_storage_get_pages_in_the_layout() -> None:
    client = TestClient(app_with_web(), raise_server_exceptions=False)
    missing = client.get("/bestaat/niet")
    assert missing.status_code == 404 and "Pagina niet gevonden" in missing.text
    assert 'href="#inhoud"' in missing.text
    assert client.get("/traag").status_code == 503
    assert client.get("/api/public/v1/bestaat-niet").headers["content-type"] == "application/problem+json"


def test_a_dashboard_page_of_another_feature_reuses_the_layout_and_components(tmp_path: Path) -> None:
    (tmp_path / "audits.html").write_text(
        '{% extends "base.html" %}{% import "components.html" as c %}'
        "{% block inhoud %}<h1>Audits</h1>{{ c.tabel('Laatste audits', kolommen, rijen) }}{% endblock %}",
        encoding="utf-8",
    )
    add_template_dir(tmp_path)
    app = app_with_web()

    @app.get("/beheer/audits", response_class=HTMLResponse)
    def audits(request: Request) -> HTMLResponse:
        return page(request, "audits.html", {"kolommen": ["AIP", "Uitkomst"], "rijen": [["a1", "<b>ok</b>"]]})

    response = TestClient(app).get("/beheer/audits")
    assert response.status_code == 200
    assert "<caption>Laatste audits</caption>" in response.text
    assert "&lt;b&gt;ok&lt;/b&gt;" in response.text  # autoescaped
    assert '<link rel="stylesheet" href="/static/edepot.css">' in response.text
    css = TestClient(app).get("/static/edepot.css")
    assert css.status_code == 200 and ":focus-visible" in css.text


def test_dates_sizes_and_numbers_are_written_the_dutch_way() -> None:
    assert datum(date(1987, 11, 3)) == "3 november 1987"
    assert datum("1996-04-30", "jaar") == "1996"
    assert datum(None) == "" and datum("z.d.") == "z.d."
    assert (grootte(812), grootte(181_200), grootte(2_345_678)) == ("812 bytes", "181,2 kB", "2,3 MB")
    assert getal(12345) == "12.345"


def test_pagination_links_the_first_the_last_and_two_pages_around_the_current_one() -> None:
    assert pagination(1, 1) == [1]
    assert pagination(1, 4) == [1, 2, 3, 4]
    assert pagination(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert pagination(20, 20) == [1, None, 18, 19, 20]
    assert pagination(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]  # no gap where no page is left out
