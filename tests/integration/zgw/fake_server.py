"""A real HTTP server on 127.0.0.1 that plays the zaaksysteem (Open Zaak) for the ZGW tests.

A Starlette app run by uvicorn in a thread. It serves the Zaken, Documenten, Catalogi and
Besluiten endpoints the adapter uses, with data built from the recorded Open Zaak responses in
`shared/reference/zgw/examples/` (their `http://localhost:8003` host rewritten to this server),
completed where the recordings stop (statussen, rollen, resultaat, document content ...) with
resources shaped after the OpenAPI specs. It behaves like Open Zaak where the tests need it:

- a ZGW JWT (HS256) on every call: unknown client, bad signature, or an `iat` older than
  `max_token_age` -> 401; a client without the scope of the endpoint -> 403;
- `Accept-Crs: EPSG:4326` required on `/zaken` and `/zaken/{uuid}` (and `Content-Crs` on a PATCH
  there) -> 412;
- paging with `next`/`previous` links (`count` deliberately wrong, so clients cannot trust it);
  `zaakinformatieobjecten`, `zaakeigenschappen` and `zaken/{uuid}/besluiten` unpaginated;
- downloads streamed in chunks with `Range` support; one document can be a generated stream of
  any size (bytes made on the fly from a repeating pattern, never held in memory);
- injectable failures: 429 with or without Retry-After, 5xx, a download that breaks off after N
  bytes, a zaak deleted after it was listed (404).

Every JSON answer is kept in `served` with the spec path it answers, so a test can check it
against the OpenAPI schema.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import pikepdf
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.loopback import LoopbackServer

EXAMPLES = Path("/work/shared/reference/zgw/examples")
OPENAPI = Path("/work/shared/reference/zgw/openapi")
RECORDED_HOST = "http://localhost:8003"
CRS = "EPSG:4326"

ZAKEN = "/zaken/api/v1"
DOCUMENTEN = "/documenten/api/v1"
CATALOGI = "/catalogi/api/v1"
BESLUITEN = "/besluiten/api/v1"

# Recorded identities (see the examples) and the ones added here.
ZAAK_00 = "27937bcf-9093-4474-9943-bd2688e73f4a"
ZAAK_01 = "09213cc2-fb11-4ccc-a57e-a010805fd400"
ZAAK_ID_0 = "fb2706d3-5418-4173-9350-b7e71dcde5dd"
ZAAK_OPEN = "ee4da944-3ad8-4201-9b75-f90684b561df"
ZAAKTYPE = "be210495-20b6-48ff-8d3d-3e44f74c43a4"
RESULTAATTYPE = "12903100-b7a0-4441-9645-eda7df2ad106"
STATUSTYPE_ONTVANGEN = "1f0a3b52-7a43-4b0e-9a51-3d7c2f4e0a01"
STATUSTYPE_AFGEROND = "9438e56a-5d78-4dc8-9d9a-2404781f818d"
EIO_METADATA_ONLY = "69f649d8-27dd-4f6f-b647-f2becf215498"  # DOCUMENT-01, inhoud null (recorded)
EIO_BESLUIT_PDF = "cb8ab173-3b1c-4ea9-8ccb-023c3814e4f4"  # linked to ZAAK-00 and ZAAK-01
EIO_KAART_PNG = "ba9b9164-fbee-4bf4-bf57-52de0643c030"  # DOCUMENT-03, bestandsomvang 9 (recorded)
EIO_VERKLARING = "79449c86-2ae0-4f75-adb3-4308d0995b57"  # of the open zaak (recorded)
EIO_GROOT = "5a1e6c1f-0b7e-4c55-9a0e-6f1d2c3b4a59"  # a generated stream, multi-GB in the slow test


# --- content -----------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    buffer = io.BytesIO()
    document.save(buffer, min_version="1.7", deterministic_id=True)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


PATTERN_PERIOD = 251  # prime, so the pattern does not line up with chunk sizes
_PATTERN = bytes((i * 37 + 11) % 256 for i in range(PATTERN_PERIOD))


@dataclass(frozen=True)
class Generated:
    """`size` bytes of a repeating pattern, produced on the fly."""

    size: int
    chunk: int = 1024 * 1024

    def chunks(self, start: int = 0) -> Iterator[bytes]:
        buffer = _PATTERN * (self.chunk // PATTERN_PERIOD + 2)
        view = memoryview(buffer)
        offset = start
        while offset < self.size:
            n = min(self.chunk, self.size - offset)
            phase = offset % PATTERN_PERIOD
            yield bytes(view[phase : phase + n])
            offset += n

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()


Content = bytes | Generated


# --- the data set ----------------------------------------------------------------------------------


def _load(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _rehost(value: Any, base: str) -> Any:
    return json.loads(json.dumps(value).replace(RECORDED_HOST, base))


@dataclass
class Dataset:
    """Resources by path (`/zaken/api/v1/zaken/<uuid>`) and document content by eio uuid."""

    base: str
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[str, Content] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, resource: dict[str, Any]) -> dict[str, Any]:
        self.resources[resource["url"][len(self.base):]] = resource
        return resource

    def get(self, path: str) -> dict[str, Any]:
        return self.resources[path]

    def zaak(self, uuid_: str) -> dict[str, Any]:
        return self.resources[f"{ZAKEN}/zaken/{uuid_}"]

    def eio(self, uuid_: str) -> dict[str, Any]:
        return self.resources[f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/{uuid_}"]

    def of_kind(self, prefix: str) -> list[dict[str, Any]]:
        depth = prefix.count("/") + 1
        return [r for p, r in sorted(self.resources.items()) if p.startswith(prefix + "/") and p.count("/") == depth]

    def set_content(self, eio_uuid: str, content: Content, *, omvang: int | None = None) -> None:
        """Give a document content; its bestandsomvang follows unless `omvang` says otherwise."""
        self.contents[eio_uuid] = content
        eio = self.eio(eio_uuid)
        size = content.size if isinstance(content, Generated) else len(content)
        eio["bestandsomvang"] = size if omvang is None else omvang
        eio["inhoud"] = f"{eio['url']}/download?versie={eio['versie']}"


def build_dataset(base: str) -> Dataset:
    """The recorded Open Zaak data on this server, completed into three closed zaken and one open one."""
    data = Dataset(base)
    listed = _rehost(_load("openzaak_zaken_list_expand.json"), base)["results"]
    page2 = _rehost(_load("openzaak_zaken_list_page2.json"), base)["results"]
    zaaktype = None
    for zaak in [*page2, *listed]:  # the expand recording is the newer one: it wins
        zaaktype = zaak.pop("_expand", {}).get("zaaktype") or zaaktype
        data.put(zaak)
    data.put(_rehost(_load("openzaak_zaak_create_201.json"), base))
    for zt in _rehost(_load("openzaak_zaaktypen_list.json"), base)["results"]:
        data.put(zt)
    assert zaaktype is not None
    zaaktype = data.put(zaaktype)
    zaaktype["statustypen"] = [
        data.url(f"{CATALOGI}/statustypen/{u}") for u in (STATUSTYPE_ONTVANGEN, STATUSTYPE_AFGEROND)
    ]

    # catalogi: the recorded resultaattype as a template for the one of our zaaktype
    recorded_rt = data.put(_rehost(_load("openzaak_resultaattype_detail.json"), base))
    # Two departures of the recording from the Catalogi 1.3 spec, repaired: `zaakobjecttypen` (required)
    # is absent, and the afleidingswijze is blank, which the spec's enum does not allow.
    recorded_rt.setdefault("zaakobjecttypen", [])
    recorded_rt["brondatumArchiefprocedure"]["afleidingswijze"] = "afgehandeld"
    rt = copy.deepcopy(recorded_rt)
    rt.update(
        url=data.url(f"{CATALOGI}/resultaattypen/{RESULTAATTYPE}"),
        zaaktype=zaaktype["url"],
        zaaktypeIdentificatie=zaaktype["identificatie"],
        omschrijving="Vergunning verleend",
        selectielijstklasse=data.zaak(ZAAK_00)["selectielijstklasse"],
        archiefnominatie="vernietigen",
        archiefactietermijn="P10Y",
    )
    rt["brondatumArchiefprocedure"]["afleidingswijze"] = "afgehandeld"
    data.put(rt)
    for number, (uuid_, omschrijving) in enumerate(
        ((STATUSTYPE_ONTVANGEN, "Ontvangen"), (STATUSTYPE_AFGEROND, "Afgerond")), start=1
    ):
        data.put({
            "url": data.url(f"{CATALOGI}/statustypen/{uuid_}"),
            "omschrijving": omschrijving,
            "omschrijvingGeneriek": "",
            "statustekst": "",
            "zaaktype": zaaktype["url"],
            "zaaktypeIdentificatie": zaaktype["identificatie"],
            "catalogus": zaaktype["catalogus"],
            "volgnummer": number,
            "isEindstatus": number == 2,
            "informeren": False,
            "doorlooptijd": None,
            "toelichting": None,
            "checklistitemStatustype": [],
            "eigenschappen": [],
            "zaakobjecttype": "",
            "beginGeldigheid": None,
            "eindeGeldigheid": None,
            "beginObject": None,
            "eindeObject": None,
        })

    # documents: the recorded ones, and the recorded create answer as a template for the rest
    for eio in _rehost(_load("openzaak_enkelvoudiginformatieobjecten_list.json"), base)["results"]:
        eio.pop("_expand", None)
        data.put(eio)
    template = _rehost(_load("openzaak_eio_create_201.json"), base)
    data.put(copy.deepcopy(template))
    besluit_pdf = copy.deepcopy(template)
    besluit_pdf.update(
        url=data.url(f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/{EIO_BESLUIT_PDF}"),
        identificatie="DOCUMENT-02",
        bronorganisatie="523791045",
        creatiedatum="2024-07-20",
        titel="Besluit op de aanvraag",
        vertrouwelijkheidaanduiding="vertrouwelijk",
        auteur="Team Vergunningen",
        formaat="application/pdf",
        bestandsnaam="besluit aanvraag.pdf",
        verzenddatum="2024-07-31",
        beschrijving="Het besluit zoals verzonden",
    )
    data.put(besluit_pdf)
    pdf = pdf_bytes()
    data.set_content(EIO_BESLUIT_PDF, pdf)
    besluit_pdf["integriteit"] = {
        "algoritme": "sha_256", "waarde": hashlib.sha256(pdf).hexdigest(), "datum": "2024-07-20"
    }
    kaart = data.eio(EIO_KAART_PNG)
    kaart.update(titel="Situatiekaart", formaat="image/png", bestandsnaam="kaart.png")
    data.set_content(EIO_KAART_PNG, png_bytes(), omvang=9)  # the recorded bestandsomvang, not the real size
    groot = copy.deepcopy(template)
    groot.update(url=data.url(f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/{EIO_GROOT}"), identificatie="GROOT-01",
                 titel="Luchtfoto's (groot bestand)", formaat="application/octet-stream", bestandsnaam="groot.bin")
    data.put(groot)
    data.set_content(EIO_GROOT, Generated(3 * 1024 * 1024 + 17))
    data.set_content(EIO_VERKLARING, png_bytes())  # the open zaak's document, never downloaded in the tests

    # zaken: relations, resultaat, statussen, rollen, eigenschappen, zaakobjecten, besluiten, documents
    z00, z01, z0 = data.zaak(ZAAK_00), data.zaak(ZAAK_01), data.zaak(ZAAK_ID_0)
    z00["omschrijving"] = "Aanvraag evenementenvergunning Maasboulevard"
    z00["toelichting"] = "Zomerfestival 2024"
    z00["deelzaken"] = [z0["url"]]
    z00["startdatumBewaartermijn"] = "2024-08-01"
    z00["archiefactiedatum"] = "2034-08-01"
    z0["hoofdzaak"] = z00["url"]
    z01["relevanteAndereZaken"] = [{"url": z00["url"], "aardRelatie": "onderwerp"}]
    resultaat = data.put({
        "url": data.url(f"{ZAKEN}/resultaten/6a1c4a43-3b1e-4a64-9a55-5c5f6f0d2b11"),
        "uuid": "6a1c4a43-3b1e-4a64-9a55-5c5f6f0d2b11",
        "zaak": z00["url"],
        "resultaattype": rt["url"],
        "toelichting": "Vergunning verleend onder voorwaarden",
    })
    z00["resultaat"] = resultaat["url"]
    status_template = _rehost(_load("openzaak_status_create_201.json"), base)
    statussen = []
    for uuid_, statustype, moment in (
        ("0b7e2d1c-5a7f-4f5e-8c35-6a0f6e2d9c01", STATUSTYPE_AFGEROND, "2024-08-01T10:00:00Z"),
        ("0b7e2d1c-5a7f-4f5e-8c35-6a0f6e2d9c02", STATUSTYPE_ONTVANGEN, "2024-07-14T09:30:00Z"),
    ):
        status = copy.deepcopy(status_template)
        status.update(url=data.url(f"{ZAKEN}/statussen/{uuid_}"), uuid=uuid_, zaak=z00["url"],
                      statustype=data.url(f"{CATALOGI}/statustypen/{statustype}"), datumStatusGezet=moment,
                      indicatieLaatstGezetteStatus=statustype == STATUSTYPE_AFGEROND,
                      gezetdoor="")  # recorded as null, which the Zaken 1.5 spec does not allow
        statussen.append(data.put(status))
    z00["status"] = statussen[0]["url"]
    rollen = [
        _rol(data, "2c0e4c8e-1d7a-4b8e-9a3f-000000000001", z00["url"], "natuurlijk_persoon", "initiator", "Aanvrager",
             {"inpBsn": "999993653", "anpIdentificatie": "", "geslachtsnaam": "Berg",
              "voorvoegselGeslachtsnaam": "van der", "voorletters": "J.", "voornamen": "Johanna",
              "geslachtsaanduiding": "v", "geboortedatum": "1980-02-29", "verblijfsadres": None,
              "subVerblijfBuitenland": None}),
        _rol(data, "2c0e4c8e-1d7a-4b8e-9a3f-000000000002", z00["url"], "medewerker", "behandelaar", "Behandelaar",
             {"identificatie": "mdw-0042", "achternaam": "Smeets", "voorletters": "P.", "voorvoegselAchternaam": ""}),
        _rol(data, "2c0e4c8e-1d7a-4b8e-9a3f-000000000003", z00["url"], "niet_natuurlijk_persoon", "belanghebbende",
             "Organisator", {"innNnpId": "123456782", "annIdentificatie": "",
                             "statutaireNaam": "Stichting Zomerfestival", "innRechtsvorm": "stichting",
                             "bezoekadres": "", "subVerblijfBuitenland": None}),
    ]
    z00["rollen"] = [r["url"] for r in rollen]
    eigenschap = data.put({
        "url": data.url(f"{ZAKEN}/zaken/{ZAAK_00}/zaakeigenschappen/7d9e1f00-4c1b-4b8a-9b62-2f0d3e4a5b61"),
        "uuid": "7d9e1f00-4c1b-4b8a-9b62-2f0d3e4a5b61",
        "zaak": z00["url"],
        "eigenschap": data.url(f"{CATALOGI}/eigenschappen/3e5f0b2a-8c1d-4e7f-a6b9-0c2d4e6f8a10"),
        "naam": "Aantal bezoekers",
        "waarde": "12000",
    })
    z00["eigenschappen"] = [eigenschap["url"]]
    zaakobject = data.put({
        "url": data.url(f"{ZAKEN}/zaakobjecten/8f2a3b4c-5d6e-4f70-8a91-b2c3d4e5f607"),
        "uuid": "8f2a3b4c-5d6e-4f70-8a91-b2c3d4e5f607",
        "zaak": z00["url"],
        "object": "",
        "zaakobjecttype": "",
        "objectType": "overige",
        "objectTypeOverige": "evenemententerrein",
        "objectTypeOverigeDefinitie": None,
        "relatieomschrijving": "locatie",
        "objectIdentificatie": {"overigeData": {"naam": "Maasboulevard", "gemeente": "Venlo"}},
    })
    z00["zaakobjecten"] = [zaakobject["url"]]
    for besluit in _rehost(_load("openzaak_besluiten_list.json"), base)["results"]:
        data.put(besluit)
        besluit_uuid = besluit["url"].rsplit("/", 1)[-1]
        data.put({"url": data.url(f"{ZAKEN}/zaken/{ZAAK_00}/besluiten/{besluit_uuid}"), "uuid": besluit_uuid,
                  "besluit": besluit["url"]})
    for zio in _rehost(_load("openzaak_zaakinformatieobjecten_list.json"), base):
        data.put(zio)
    data.put(_rehost(_load("openzaak_zaakinformatieobject_create_201.json"), base))
    zio_template = data.get(f"{ZAKEN}/zaakinformatieobjecten/04dc1009-e618-4f8a-aecf-bfb7f5e9ca3f")
    for uuid_, zaak, eio in (
        ("c74fb48f-59c7-4b74-8a9a-b9feffa24e72", z01, EIO_KAART_PNG),
        ("d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6", z01, EIO_BESLUIT_PDF),
    ):
        zio = copy.deepcopy(zio_template)
        zio.update(url=data.url(f"{ZAKEN}/zaakinformatieobjecten/{uuid_}"), uuid=uuid_, zaak=zaak["url"],
                   informatieobject=data.eio(eio)["url"])
        data.put(zio)
    z01["zaakinformatieobjecten"] = [z["url"] for z in data.of_kind(f"{ZAKEN}/zaakinformatieobjecten")
                                      if z["zaak"] == z01["url"]]
    return data


def _rol(data: Dataset, uuid_: str, zaak: str, kind: str, generiek: str, omschrijving: str,
         identificatie: dict[str, Any]) -> dict[str, Any]:
    return data.put({
        "url": data.url(f"{ZAKEN}/rollen/{uuid_}"),
        "uuid": uuid_,
        "zaak": zaak,
        "betrokkene": "",
        "betrokkeneType": kind,
        "afwijkendeNaamBetrokkene": "",
        "roltype": data.url(f"{CATALOGI}/roltypen/4b5c6d7e-8f90-4a1b-9c2d-{uuid_[-12:]}"),
        "omschrijving": omschrijving,
        "omschrijvingGeneriek": generiek,
        "roltoelichting": "",
        "registratiedatum": "2024-07-14T09:30:00Z",
        "indicatieMachtiging": "",
        "contactpersoonRol": None,
        "statussen": [],
        "betrokkeneIdentificatie": identificatie,
    })


# --- the server --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    secret: str
    scopes: frozenset[str]


READ_SCOPES = frozenset({"zaken.lezen", "documenten.lezen", "catalogi.lezen", "besluiten.lezen"})
ACCOUNTS = {
    "edepot": Account("edepot-test-secret-0123456789abcdef", READ_SCOPES | {"zaken.bijwerken"}),
    "edepot-alleen-zaken": Account(
        "alleen-zaken-secret-0123456789abcdef", frozenset({"zaken.lezen", "catalogi.lezen"})
    ),
    "edepot-lezer": Account("lezer-secret-0123456789abcdef01234567", READ_SCOPES),
}


@dataclass
class Failure:
    """Answer the next `times` requests whose path matches `path` (a regex) with `status`."""

    path: str
    status: int
    times: int = 1
    retry_after: str | None = None
    method: str = "GET"


@dataclass
class Break:
    """The next `times` downloads of `eio_uuid` stop after `after` bytes (the connection is cut)."""

    eio_uuid: str
    after: int
    times: int = 1


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Served:
    """A JSON answer: which API and spec path it answers, with status and body."""

    api: str
    template: str
    method: str
    status: int
    body: Any


@dataclass(frozen=True)
class _Route:
    method: str
    api: str
    template: str
    pattern: re.Pattern[str]
    scopes: frozenset[str]
    handler: Callable[..., Any]


def _route(method: str, api: str, template: str, scopes: set[str], handler: Callable[..., Any]) -> _Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    prefix = {"zaken": ZAKEN, "documenten": DOCUMENTEN, "catalogi": CATALOGI, "besluiten": BESLUITEN}[api]
    return _Route(method, api, template, re.compile(f"^{prefix}{regex}$"), frozenset(scopes), handler)


class FakeZgw:
    """Start with `start()`, stop with `stop()`; `data` may be changed between requests."""

    def __init__(
        self, *, page_size: int = 2, max_token_age: float = 600.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.page_size = page_size
        self.max_token_age = max_token_age
        self.clock = clock
        self.accounts = dict(ACCOUNTS)
        self.failures: list[Failure] = []
        self.breaks: list[Break] = []
        self.deleted: set[str] = set()  # zaak uuids listed but gone when read
        self.requests: list[Seen] = []
        self.served: list[Served] = []
        self.patches: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self._loopback = LoopbackServer("ZGW")
        self.base = self._loopback.base
        self.data = build_dataset(self.base)
        self._routes = self._make_routes()
        methods = ["GET", "PATCH", "POST", "DELETE"]
        self._app = Starlette(routes=[Route("/{path:path}", self._dispatch, methods=methods)])

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> FakeZgw:
        self._loopback.serve(self._app)
        return self

    def stop(self) -> None:
        self._loopback.stop()

    # --- for tests -----------------------------------------------------------------------------------

    @property
    def zaken_url(self) -> str:
        return self.base + ZAKEN + "/"

    @property
    def documenten_url(self) -> str:
        return self.base + DOCUMENTEN + "/"

    @property
    def catalogi_url(self) -> str:
        return self.base + CATALOGI + "/"

    @property
    def besluiten_url(self) -> str:
        return self.base + BESLUITEN + "/"

    def url(self, path: str) -> str:
        return self.base + path

    def fail(
        self, path: str, status: int, *, times: int = 1, retry_after: str | None = None, method: str = "GET"
    ) -> None:
        self.failures.append(Failure(path, status, times, retry_after, method))

    def break_download(self, eio_uuid: str, after: int, *, times: int = 1) -> None:
        self.breaks.append(Break(eio_uuid, after, times))

    def seen(self, pattern: str, method: str = "GET") -> list[Seen]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    # --- routing -------------------------------------------------------------------------------------

    def _make_routes(self) -> list[_Route]:
        z, d, c, b = "zaken", "documenten", "catalogi", "besluiten"
        zl, dl, cl = {"zaken.lezen"}, {"documenten.lezen"}, {"catalogi.lezen"}
        return [
            _route("GET", z, "/zaken", zl, self._zaken),
            _route("GET", z, "/zaken/{uuid}", zl, self._zaak),
            _route("PATCH", z, "/zaken/{uuid}", {"zaken.bijwerken"}, self._patch_zaak),
            _route("GET", z, "/zaken/{zaak_uuid}/besluiten", zl, self._zaak_sub("besluiten")),
            _route("GET", z, "/zaken/{zaak_uuid}/besluiten/{uuid}", zl, self._detail),
            _route("GET", z, "/zaken/{zaak_uuid}/zaakeigenschappen", zl, self._zaak_sub("zaakeigenschappen")),
            _route("GET", z, "/zaken/{zaak_uuid}/zaakeigenschappen/{uuid}", zl, self._detail),
            _route("GET", z, "/statussen", zl, self._filtered("/statussen", paged=True)),
            _route("GET", z, "/statussen/{uuid}", zl, self._detail),
            _route("GET", z, "/resultaten/{uuid}", zl, self._detail),
            _route("GET", z, "/rollen", zl, self._filtered("/rollen", paged=True)),
            _route("GET", z, "/rollen/{uuid}", zl, self._detail),
            _route("GET", z, "/zaakobjecten", zl, self._filtered("/zaakobjecten", paged=True)),
            _route("GET", z, "/zaakobjecten/{uuid}", zl, self._detail),
            _route("GET", z, "/zaakinformatieobjecten", zl, self._filtered("/zaakinformatieobjecten", paged=False)),
            _route("GET", z, "/zaakinformatieobjecten/{uuid}", zl, self._detail),
            _route("GET", d, "/enkelvoudiginformatieobjecten/{uuid}", dl, self._detail),
            _route("GET", d, "/enkelvoudiginformatieobjecten/{uuid}/download", dl, self._download),
            _route("GET", c, "/zaaktypen/{uuid}", {"catalogi.lezen", "zaken.lezen", "documenten.lezen"}, self._detail),
            _route("GET", c, "/statustypen/{uuid}", cl, self._detail),
            _route("GET", c, "/resultaattypen/{uuid}", cl, self._detail),
            _route("GET", b, "/besluiten/{uuid}", {"besluiten.lezen"}, self._detail),
        ]

    async def _dispatch(self, request: Request) -> Response:
        path = request.url.path
        with self._lock:
            self.requests.append(Seen(request.method, path, request.url.query, dict(request.headers)))
        match = next(
            ((r, m) for r in self._routes if r.method == request.method and (m := r.pattern.match(path))), None
        )
        template, api = (match[0].template, match[0].api) if match else ("", "")
        failure = self._take_failure(request.method, path)
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after is not None else {}
            titles = {429: ("throttled", "Too many requests."), 500: ("error", "A server error occurred."),
                      502: ("bad_gateway", "Bad gateway."), 503: ("service_unavailable", "Service unavailable.")}
            code, title = titles.get(failure.status, ("error", "Error."))
            return self._problem(api, template, request.method, failure.status, code, title, headers=headers)
        if match is None:
            return self._problem("", "", request.method, 404, "not_found", "Niet gevonden.")
        route, found = match
        denied = self._authorise(request, route)
        if denied is not None:
            return denied
        if route.api == "zaken" and route.template in ("/zaken", "/zaken/{uuid}"):
            if request.headers.get("accept-crs") != CRS:
                return self._problem(api, template, request.method, 412, "precondition_failed",
                                     "Precondition failed", detail="'Accept-Crs' header ontbreekt of is ongeldig")
            if request.method == "PATCH" and request.headers.get("content-crs") != CRS:
                return self._problem(api, template, request.method, 412, "precondition_failed",
                                     "Precondition failed", detail="'Content-Crs' header ontbreekt of is ongeldig")
        result: Response = await route.handler(request, route, **found.groupdict())
        return result

    def _take_failure(self, method: str, path: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.times > 0 and failure.method == method and re.search(failure.path, path):
                    failure.times -= 1
                    return failure
        return None

    def _authorise(self, request: Request, route: _Route) -> Response | None:
        api, template, method = route.api, route.template, request.method
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return self._problem(api, template, method, 401, "not_authenticated",
                                 "Authenticatiegegevens zijn niet opgegeven.")
        token = header[len("Bearer "):]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            account = self.accounts.get(str(unverified.get("client_id")))
            if account is None:
                raise jwt.InvalidTokenError("unknown client_id")
            claims = jwt.decode(token, account.secret, algorithms=["HS256"], options={"verify_iat": False})
            iat = float(claims["iat"])
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError) as error:
            return self._problem(api, template, method, 401, "authentication_failed",
                                 "Incorrecte authenticatiegegevens.", detail=f"JWT ongeldig: {error}")
        now = self.clock()
        if now - iat > self.max_token_age or iat - now > 60:
            return self._problem(api, template, method, 401, "authentication_failed",
                                 "Incorrecte authenticatiegegevens.", detail="JWT is verlopen (iat te oud)")
        if claims.get("iss") != claims.get("client_id") or "user_id" not in claims:
            return self._problem(api, template, method, 401, "authentication_failed",
                                 "Incorrecte authenticatiegegevens.", detail="JWT mist claims")
        if not route.scopes & account.scopes:
            return self._problem(api, template, method, 403, "permission_denied",
                                 "Je hebt geen toestemming om deze actie uit te voeren.")
        return None

    # --- answers -------------------------------------------------------------------------------------

    def _json(self, api: str, template: str, method: str, status: int, body: Any,
              headers: dict[str, str] | None = None, media_type: str = "application/json") -> Response:
        with self._lock:
            self.served.append(Served(api, template, method, status, copy.deepcopy(body)))
        extra = dict(headers or {})
        if api == "zaken" and template in ("/zaken", "/zaken/{uuid}") and status < 400:
            extra["Content-Crs"] = CRS
        return JSONResponse(body, status_code=status, headers=extra, media_type=media_type)

    def _problem(self, api: str, template: str, method: str, status: int, code: str, title: str, *,
                 detail: str | None = None, headers: dict[str, str] | None = None,
                 invalid_params: list[dict[str, str]] | None = None) -> Response:
        body: dict[str, Any] = {
            "type": f"{self.base}/ref/fouten/{code}/",
            "code": code,
            "title": title,
            "status": status,
            "detail": detail or title,
            "instance": f"urn:uuid:{uuid.uuid4()}",
        }
        if invalid_params is not None:
            body["invalidParams"] = invalid_params
        return self._json(api, template, method, status, body, headers, media_type="application/problem+json")

    def _not_found(self, route: _Route, method: str) -> Response:
        return self._problem(route.api, route.template, method, 404, "not_found", "Niet gevonden.")

    def _page(self, request: Request, route: _Route, items: list[dict[str, Any]]) -> Response:
        try:
            page = int(request.query_params.get("page", "1"))
        except ValueError:
            page = 0
        pages = max(1, -(-len(items) // self.page_size))
        if not 1 <= page <= pages:
            return self._problem(route.api, route.template, "GET", 404, "not_found", "Ongeldige pagina.")
        query = dict(request.query_params)

        def link(number: int) -> str | None:
            if not 1 <= number <= pages:
                return None
            return f"{self.base}{request.url.path}?{urlencode({**query, 'page': str(number)})}"

        start = (page - 1) * self.page_size
        body = {
            "count": len(items) + 100,  # wrong on purpose: clients must follow `next`
            "next": link(page + 1),
            "previous": link(page - 1),
            "results": items[start : start + self.page_size],
        }
        return self._json(route.api, route.template, "GET", 200, body)

    async def _detail(self, request: Request, route: _Route, **_: str) -> Response:
        resource = self.data.resources.get(request.url.path)
        if resource is None or any(resource.get("zaak", "").endswith(u) for u in self.deleted):
            return self._not_found(route, request.method)
        return self._json(route.api, route.template, request.method, 200, resource)

    async def _zaak(self, request: Request, route: _Route, uuid: str) -> Response:
        if uuid in self.deleted:
            return self._not_found(route, request.method)
        return await self._detail(request, route)

    async def _patch_zaak(self, request: Request, route: _Route, uuid: str) -> Response:
        zaak = self.data.resources.get(request.url.path)
        if zaak is None or uuid in self.deleted:
            return self._not_found(route, "PATCH")
        body = await request.json()
        if body.get("archiefstatus") not in ("nog_te_archiveren", "gearchiveerd", "gearchiveerd_procestermijn_onbekend",
                                             "overgedragen"):
            return self._problem(route.api, route.template, "PATCH", 400, "invalid", "Invalid input.",
                                 invalid_params=[{"name": "archiefstatus", "code": "invalid_choice",
                                                  "reason": "Ongeldige keuze."}])
        self.patches.append((zaak["url"], body))
        zaak.update(body)
        return self._json(route.api, route.template, "PATCH", 200, zaak)

    async def _zaken(self, request: Request, route: _Route) -> Response:
        q = request.query_params
        zaken = [z for z in self.data.of_kind(f"{ZAKEN}/zaken") if "identificatie" in z]
        if q.get("einddatum__isnull", "").lower() in ("false", "0"):
            zaken = [z for z in zaken if z.get("einddatum")]
        if q.get("einddatum__isnull", "").lower() in ("true", "1"):
            zaken = [z for z in zaken if not z.get("einddatum")]
        if "einddatum__gt" in q:
            zaken = [z for z in zaken if z.get("einddatum") and z["einddatum"] > q["einddatum__gt"]]
        if "einddatum__lt" in q:
            zaken = [z for z in zaken if z.get("einddatum") and z["einddatum"] < q["einddatum__lt"]]
        for key in ("archiefnominatie", "archiefstatus", "zaaktype"):
            if key in q:
                zaken = [z for z in zaken if z.get(key) == q[key]]
        return self._page(request, route, sorted(zaken, key=lambda z: z["identificatie"]))

    def _filtered(self, kind: str, *, paged: bool) -> Callable[..., Any]:
        async def handler(request: Request, route: _Route) -> Response:
            items = self.data.of_kind(ZAKEN + kind)
            for key in ("zaak", "informatieobject"):
                if key in request.query_params:
                    items = [i for i in items if i.get(key) == request.query_params[key]]
            items = [i for i in items if not any(str(i.get("zaak", "")).endswith(u) for u in self.deleted)]
            if paged:
                return self._page(request, route, items)
            return self._json(route.api, route.template, "GET", 200, items)

        return handler

    def _zaak_sub(self, kind: str) -> Callable[..., Any]:
        async def handler(request: Request, route: _Route, zaak_uuid: str) -> Response:
            if f"{ZAKEN}/zaken/{zaak_uuid}" not in self.data.resources or zaak_uuid in self.deleted:
                return self._not_found(route, "GET")
            items = self.data.of_kind(f"{ZAKEN}/zaken/{zaak_uuid}/{kind}")
            return self._json(route.api, route.template, "GET", 200, items)

        return handler

    async def _download(self, request: Request, route: _Route, uuid: str) -> Response:
        content = self.data.contents.get(uuid)
        if content is None or f"{DOCUMENTEN}/enkelvoudiginformatieobjecten/{uuid}" not in self.data.resources:
            return self._not_found(route, "GET")
        size = content.size if isinstance(content, Generated) else len(content)
        etag = '"' + hashlib.sha256(f"{uuid}:{size}".encode()).hexdigest()[:16] + '"'
        start = 0
        status = 200
        headers = {"ETag": etag, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        wanted = re.fullmatch(r"bytes=(\d+)-", request.headers.get("range", ""))
        if wanted and request.headers.get("if-range", etag) == etag:
            start = int(wanted.group(1))
            if start >= size:
                return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
            status = 206
            headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        headers["Content-Length"] = str(size - start)
        cut: int | None = None
        with self._lock:
            for brk in self.breaks:
                if brk.eio_uuid == uuid and brk.times > 0:
                    brk.times -= 1
                    cut = brk.after
                    break

        async def body() -> AsyncIterator[bytes]:
            sent = start
            chunks = content.chunks(start) if isinstance(content, Generated) else iter([content[start:]])
            for chunk in chunks:
                if cut is not None and sent + len(chunk) > cut:
                    yield chunk[: max(cut - sent, 0)]
                    raise ConnectionAbortedError("download cut off on purpose")
                sent += len(chunk)
                yield chunk

        return StreamingResponse(body(), status_code=status, headers=headers)


# --- OpenAPI checking of what was served -----------------------------------------------------------

SPEC_FILES = {"zaken": "zaken-api.yaml", "documenten": "documenten-api.yaml", "catalogi": "catalogi-api.yaml"}


def _openapi_to_jsonschema(node: Any, components: dict[str, Any]) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null alternative, a `discriminator`
    with a mapping becomes if/then on the property (the mapped schema minus the base it extends)."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi_to_jsonschema(v, components) for k, v in node.items()
           if k not in ("nullable", "discriminator", "example")}
    discriminator = node.get("discriminator")
    if isinstance(discriminator, dict) and discriminator.get("mapping"):
        prop = discriminator["propertyName"]
        branches = []
        for value, ref in discriminator["mapping"].items():
            target = components[ref.rsplit("/", 1)[-1]]
            extra = [
                part for part in target.get("allOf", [target])
                if "discriminator" not in components.get(str(part.get("$ref", "")).rsplit("/", 1)[-1], {})
            ]
            branches.append({"if": {"properties": {prop: {"const": value}}, "required": [prop]},
                             "then": {"allOf": _openapi_to_jsonschema(extra, components)}})
        out = {"allOf": [out, *branches]}
    if node.get("nullable"):
        if "type" in out and not {"allOf", "oneOf", "anyOf"} & out.keys():
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class OpenApiCheck:
    """Validates served JSON answers against the response schemas of the three vendored specs."""

    def __init__(self) -> None:
        import yaml
        from jsonschema import Draft7Validator, FormatChecker

        self._validator_class = Draft7Validator
        self._format_checker = FormatChecker()
        self._validators: dict[tuple[str, str, str, int], Any] = {}
        self.specs: dict[str, dict[str, Any]] = {}
        self.components: dict[str, dict[str, Any]] = {}
        for api, name in SPEC_FILES.items():
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 20x faster
            spec = yaml.load((OPENAPI / name).read_text(encoding="utf-8"), Loader=loader)
            self.specs[api] = spec
            schemas = spec["components"]["schemas"]
            self.components[api] = {"schemas": {k: _openapi_to_jsonschema(v, schemas) for k, v in schemas.items()}}

    def schema_for(self, served: Served) -> Any | None:
        """The response schema of this answer in its spec, or None when the spec has none."""
        spec = self.specs.get(served.api)
        if spec is None:
            return None
        operation = spec["paths"][served.template][served.method.lower()]
        response = operation["responses"].get(str(served.status))
        if response is None or "content" not in response:
            return None
        content = response["content"]
        media = content.get("application/problem+json") or content.get("application/json")
        return None if media is None else media["schema"]

    def errors(self, served: Served) -> list[str]:
        key = (served.api, served.template, served.method, served.status)
        if key not in self._validators:
            schema = self.schema_for(served)
            if schema is None:
                return [f"no schema for {served.method} {served.template} {served.status} in the {served.api} spec"]
            schemas = self.specs[served.api]["components"]["schemas"]
            root = {**_openapi_to_jsonschema(schema, schemas), "components": self.components[served.api]}
            self._validators[key] = self._validator_class(root, format_checker=self._format_checker)
        validator = self._validators[key]
        return [f"{served.method} {served.template} {served.status}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(served.body)]
