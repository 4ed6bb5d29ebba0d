"""The ONE web layer of edepot: server-rendered HTML pages in Dutch, shared by the public portal and
every internal dashboard page. Jinja2 templates (autoescaped), one static stylesheet, no JavaScript
(the Content-Security-Policy stays `default-src 'self'`: no inline scripts or styles, ever).

What it gives:

- `templates/base.html`: the layout. `lang="nl"`, a skip link to `#inhoud`, landmarks (header
  banner, a labelled nav, main, footer), a visible focus style, responsive from 320 px up, colours
  with at least 4.5:1 contrast. Blocks: `title`, `kop` (extra header content), `inhoud` (the page).
- `templates/components.html`: macros to import: `zoekformulier`, `facetgroep`, `actieve_filters`,
  `resultaat`, `paginering`, `kruimelpad`, `gegevens` (a definition list), `bestanden` (a file
  table with download links), `tabel` (a data table with a caption, for dashboards), `melding`.
- `page(request, template, context, status=...)`: renders a template as an HTMLResponse; the
  context always has `request`, `site` (name and navigation) and the filters `datum`, `grootte`
  and `getal` (Dutch dates, file sizes and numbers).
- `error_page(request, status, ...)`: 404, 410, 500 ... in the same layout.
- `install_web(app)`: mounts `/static` and makes errors on HTML paths (anything outside `/api/`,
  `/health`, `/docs`, `/redoc`, `/openapi.json`, `/static`) render as error pages instead of
  problem+json. `create_app` calls it once (through `edepot.web.portal.include_portal`).

How another feature adds a dashboard page::

    from fastapi import APIRouter, Request
    from edepot.web import add_template_dir, page

    add_template_dir(Path(__file__).parent / "templates")   # optional: your own templates
    router = APIRouter(include_in_schema=False)

    @router.get("/beheer/audits")
    def audits(request: Request) -> HTMLResponse:
        return page(request, "audits.html", {"rijen": ...}, title="Audits")

    # audits.html:
    #   {% extends "base.html" %}
    #   {% import "components.html" as c %}
    #   {% block inhoud %}<h1>Audits</h1>{{ c.tabel("Laatste audits", kolommen, rijen) }}{% endblock %}

Dashboard routes under `/api/v1/...` are not pages; put pages under a path of their own (e.g.
`/beheer/...`) and check the caller there (the auth layer's `require` works on any route).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from edepot.errors import EdepotError

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SITE_NAME = "Archief Provincie Limburg"
NON_HTML_PREFIXES = ("/api/", "/health", "/docs", "/redoc", "/openapi.json", "/static/")
NAVIGATIE = (("Zoeken", "/zoeken"), ("Over dit archief", "/over"))

MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

_extra_dirs: list[Path] = []
_env: jinja2.Environment | None = None
_env_lock = threading.Lock()


def add_template_dir(path: Path) -> None:
    """Let `page` find templates in `path` too (after edepot's own; call before the first page)."""
    global _env
    with _env_lock:
        if path not in _extra_dirs:
            _extra_dirs.append(path)
            _env = None


def datum(value: date | datetime | str | None, precisie: str = "dag") -> str:
    """A date in Dutch: `3 november 1987`; with precisie="jaar" only the year."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if precisie == "jaar":
        return str(value.year)
    return f"{value.day} {MAANDEN[value.month - 1]} {value.year}"


def grootte(value: int | None) -> str:
    """A size in bytes for people, Dutch style: `812 bytes`, `1,4 kB`, `2,3 MB`."""
    if value is None:
        return ""
    if value < 1000:
        return f"{value} bytes"
    number = float(value)
    for unit in ("kB", "MB", "GB", "TB"):
        number /= 1000
        if number < 1000 or unit == "TB":
            return f"{number:.1f} {unit}".replace(".", ",")
    return f"{value} bytes"  # pragma: no cover


def getal(value: int) -> str:
    """A whole number with Dutch thousands separators: 12.345."""
    return f"{value:,}".replace(",", ".")


def environment() -> jinja2.Environment:
    global _env
    with _env_lock:
        if _env is None:
            loaders = [jinja2.FileSystemLoader(str(d)) for d in (TEMPLATES, *_extra_dirs)]
            env = jinja2.Environment(
                loader=jinja2.ChoiceLoader(loaders),
                autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                undefined=jinja2.StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.filters.update(datum=datum, grootte=grootte, getal=getal)
            env.globals.update(site={"naam": SITE_NAME, "navigatie": NAVIGATIE})
            _env = env
        return _env


def render(template: str, context: Mapping[str, Any]) -> str:
    return environment().get_template(template).render(**context)


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """`template` rendered with `context` (plus `request`, `titel` and `pad`) as an HTML response."""
    values = {"request": request, "titel": title or SITE_NAME, "pad": request.url.path, **(context or {})}
    return HTMLResponse(render(template, values), status_code=status, headers=dict(headers or {}))


ERROR_TEXTS = {
    400: ("Ongeldige vraag", "De zoekvraag of het adres klopt niet. Controleer wat u heeft ingevuld."),
    404: ("Pagina niet gevonden", "Deze pagina of dit stuk bestaat niet of is niet openbaar."),
    410: ("Niet meer beschikbaar", "Dit stuk was openbaar, maar de publicatie is ingetrokken."),
    429: ("Te veel verzoeken", "U heeft in korte tijd veel pagina's opgevraagd. Probeer het over een minuut opnieuw."),
    500: ("Er ging iets mis", "Door een fout kunnen we deze pagina nu niet tonen. Probeer het later opnieuw."),
    503: ("Tijdelijk niet beschikbaar", "Het archief is even niet bereikbaar. Probeer het later opnieuw."),
}


def error_page(
    request: Request, status: int, *, title: str | None = None, message: str | None = None, reden: str | None = None
) -> HTMLResponse:
    """An error page in the site's layout; `reden` is shown as given (e.g. why a publication was withdrawn)."""
    default_title, default_message = ERROR_TEXTS.get(status, ERROR_TEXTS[500] if status >= 500 else ERROR_TEXTS[400])
    context = {"status": status, "melding": message or default_message, "reden": reden}
    return page(request, "fout.html", context, status=status, title=title or default_title)


def pagination(current: int, pages: int) -> list[int | None]:
    """Page numbers to link: first, last and two around the current one; None marks a gap."""
    wanted = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        if shown and shown[-1] is not None and number - shown[-1] > 1:
            shown.append(None)
        shown.append(number)
    return shown


def wants_html(request: Request) -> bool:
    path = request.url.path
    machine = ("/health", "/metrics", "/docs", "/redoc", "/openapi.json")
    return not (path.startswith(NON_HTML_PREFIXES) or path in machine)


Handler = Callable[[Request, Any], Awaitable[Response] | Response]


def install_web(app: FastAPI) -> None:
    """Mount the static files and render errors on HTML paths as pages (API paths keep problem+json)."""
    if getattr(app.state, "web_installed", False):
        return
    app.state.web_installed = True
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for kind in (StarletteHTTPException, RequestValidationError, EdepotError, Exception):
        app.add_exception_handler(kind, _html_or(app.exception_handlers.get(kind), kind))


def _status_of(error: Exception) -> int:
    if isinstance(error, StarletteHTTPException):
        return error.status_code
    if isinstance(error, RequestValidationError):
        return 400
    if isinstance(error, EdepotError):
        return error.http_status
    return 500


def _html_or(original: Handler | None, kind: type[Exception]) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handler(request: Request, error: Exception) -> Response:
        if wants_html(request) or original is None:
            status = _status_of(error)
            if status >= 500 and not isinstance(error, EdepotError | StarletteHTTPException):
                import logging

                logging.getLogger(__name__).exception("unhandled error on %s", request.url.path)
            headers = getattr(error, "headers", None) if status in (401, 405, 429) else None
            response = error_page(request, status, reden=getattr(error, "reason", None))
            if headers:
                response.headers.update(headers)
            return response
        result = original(request, error)
        if isinstance(result, Awaitable):
            return await result
        return result

    handler.__name__ = f"html_or_{kind.__name__}"
    return handler
