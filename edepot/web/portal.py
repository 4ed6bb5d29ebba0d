"""The public portal: search the open records, filter by facets, read a record, download its files.

Server-rendered with the one web layer (`edepot.web`); every filter is in the URL (GET forms), so
a result list can be bookmarked and works without JavaScript. What the public may see is decided
by `SearchService` exactly as for the public API: the engine query carries `Audience.PUBLIC`, a
record page decides afresh and answers 404 (410 for a withdrawn publication) for anything else.
Unusable parameters never fail a page: they are ignored or clamped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from edepot.api_search import DATE_PATTERN, PUBLIC_PREFIX, parse_day
from edepot.auth.http import include_routes
from edepot.errors import InvalidInput
from edepot.search import Audience, Facet, SearchResult, Sortering
from edepot.search import Query as SearchQuery
from edepot.search.model import MAX_FILTER_VALUE_CHARS, MAX_QUERY_CHARS
from edepot.search_service import NotPublic, SearchService, Withdrawn
from edepot.web import error_page, install_web, page, pagination

PAGE_SIZE = 20
MAX_PAGE = 500  # 20 per page: the first 10,000 hits
FACETTEN: tuple[tuple[Facet, str], ...] = (
    (Facet.INFORMATIECATEGORIE, "Informatiecategorie"),
    (Facet.ORGANISATIE, "Organisatie"),
    (Facet.DOCUMENTSOORT, "Documentsoort"),
    (Facet.PERIODE, "Periode"),
)
SORTERINGEN = (
    (Sortering.RELEVANCE, "Relevantie"),
    (Sortering.DATE_DESC, "Datum, nieuwste eerst"),
    (Sortering.DATE_ASC, "Datum, oudste eerst"),
)
FACET_SHOWN = 12

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Zoekvraag:
    """What the visitor asked, read leniently from the URL."""

    q: str = ""
    filters: Mapping[Facet, tuple[str, ...]] = field(default_factory=dict)
    van: str = ""
    tot: str = ""
    sort: Sortering = Sortering.RELEVANCE
    pagina: int = 1

    @classmethod
    def uit(cls, params: Any) -> Zoekvraag:
        import re

        filters = {}
        for facet, _ in FACETTEN:
            values = [v.strip() for v in params.getlist(facet.value)[:20] if v.strip()]
            values = [v for v in values if len(v) <= MAX_FILTER_VALUE_CHARS]
            if values:
                filters[facet] = tuple(dict.fromkeys(values))
        van, tot = params.get("van", "").strip(), params.get("tot", "").strip()
        try:
            sort = Sortering(params.get("sort", Sortering.RELEVANCE))
        except ValueError:
            sort = Sortering.RELEVANCE
        try:
            pagina = min(MAX_PAGE, max(1, int(params.get("pagina", "1"))))
        except ValueError:
            pagina = 1
        return cls(
            q=params.get("q", "")[:MAX_QUERY_CHARS],
            filters=filters,
            van=van if re.match(DATE_PATTERN, van) else "",
            tot=tot if re.match(DATE_PATTERN, tot) else "",
            sort=sort,
            pagina=pagina,
        )

    @property
    def leeg(self) -> bool:
        return not (self.q.strip() or self.filters or self.van or self.tot)

    def query(self) -> SearchQuery | None:
        date_from, date_to = parse_day(self.van, end=False), parse_day(self.tot, end=True)
        if date_from and date_to and date_from > date_to:
            return None
        return SearchQuery(
            text=self.q,
            filters=dict(self.filters),
            date_from=date_from,
            date_to=date_to,
            sort=self.sort,
            page=self.pagina,
            page_size=PAGE_SIZE,
            audience=Audience.PUBLIC,
        )

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        values: dict[str, Any] = {
            "q": self.q,
            "van": self.van,
            "tot": self.tot,
            "sort": self.sort.value if self.sort is not Sortering.RELEVANCE else "",
            "pagina": str(self.pagina) if self.pagina > 1 else "",
        }
        values.update(changes)
        pairs = [(k, v) for k, v in values.items() if v and k != "filters"]
        filters = changes.get("filters", self.filters)
        for facet, _ in FACETTEN:
            pairs += [(facet.value, v) for v in filters.get(facet, ())]
        return pairs

    def url(self, **changes: Any) -> str:
        query = urlencode(self.params(**changes))
        return f"/zoeken?{query}" if query else "/zoeken"

    def zonder(self, facet: Facet, value: str) -> str:
        """The URL of this search without one filter value (and back on page 1)."""
        filters = {f: tuple(v for v in vs if not (f is facet and v == value)) for f, vs in self.filters.items()}
        return self.url(filters=filters, pagina="")

    def pagina_url(self, pagina: int) -> str:
        return self.url(pagina=str(pagina) if pagina > 1 else "")


@dataclass(frozen=True)
class FacetWaarde:
    id: str
    value: str
    count: int
    checked: bool


@dataclass(frozen=True)
class FacetGroep:
    naam: str
    label: str
    waarden: tuple[FacetWaarde, ...]
    meer: int = 0  # values not shown


def facet_groepen(result: SearchResult, vraag: Zoekvraag) -> list[FacetGroep]:
    """Each facet's values with counts; chosen values always shown (with 0 when nothing matches)."""
    groups = []
    for facet, label in FACETTEN:
        counts = dict(result.facets.get(facet, ()))
        chosen = vraag.filters.get(facet, ())
        for value in chosen:
            counts.setdefault(value, 0)
        pairs = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))
        others = [p for p in pairs if p[0] not in chosen]
        shown = [p for p in pairs if p[0] in chosen] + others[: max(0, FACET_SHOWN - len(chosen))]
        if facet is Facet.PERIODE:
            shown.sort()  # chronological
        values = tuple(FacetWaarde(f"f-{facet.value}-{n}", v, c, v in chosen) for n, (v, c) in enumerate(shown))
        groups.append(FacetGroep(facet.value, label, values, len(pairs) - len(shown)))
    return groups


def _service(request: Request) -> SearchService:
    service: SearchService = request.app.state.search
    return service


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    browse = SearchQuery(page_size=1, audience=Audience.PUBLIC)
    result = await run_in_threadpool(_service(request).search, browse)
    vraag = Zoekvraag()
    return page(
        request,
        "portal/home.html",
        {"totaal": result.total, "groepen": facet_groepen(result, vraag), "vraag": vraag, "sorteringen": SORTERINGEN},
        title="Zoeken in de openbare archieven",
    )


@router.get("/zoeken", response_class=HTMLResponse)
async def zoeken(request: Request) -> HTMLResponse:
    vraag = Zoekvraag.uit(request.query_params)
    try:
        query = vraag.query()
    except InvalidInput:
        query = None
    service = _service(request)
    result = (
        SearchResult(0, (), {}, vraag.pagina, PAGE_SIZE)
        if query is None
        else await run_in_threadpool(service.search, query)
    )
    titel = f"Zoekresultaten voor ‘{vraag.q.strip()}’" if vraag.q.strip() else "Zoekresultaten"
    return page(
        request,
        "portal/zoeken.html",
        {
            "vraag": vraag,
            "resultaat": result,
            "groepen": facet_groepen(result, vraag),
            "sorteringen": SORTERINGEN,
            "facet_labels": dict((f.value, label) for f, label in FACETTEN),
            "paginas": pagination(result.page, result.pages),
        },
        title=titel if result.page == 1 else f"{titel} – pagina {result.page}",
    )


@router.get("/stukken/{record_id}", response_class=HTMLResponse)
async def stuk(request: Request, record_id: str) -> HTMLResponse:
    try:
        ident = UUID(record_id)
        view = await run_in_threadpool(_service(request).record_view, ident, public=True)
    except (ValueError, NotPublic):
        return error_page(request, 404)
    except Withdrawn as gone:
        return error_page(request, 410, reden=gone.reason)
    return page(
        request,
        "portal/stuk.html",
        {"stuk": view, "download": f"{PUBLIC_PREFIX}/records/{view.document.record_id}/files/"},
        title=view.document.title,
    )


@router.get("/over", response_class=HTMLResponse)
async def over(request: Request) -> HTMLResponse:
    return page(request, "portal/over.html", {}, title="Over dit archief")


def include_portal(app: FastAPI) -> None:
    """Mount the portal at `/` with the web layer's static files and HTML error pages."""
    install_web(app)
    include_routes(app, router)
