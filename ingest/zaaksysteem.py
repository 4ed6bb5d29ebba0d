"""Source adapter for the zaaksysteem: closed zaken and their documents from the ZGW APIs.

`read_zaken` selects zaken (closed since a date and/or filters, or explicit zaak URLs), reads every
resource of each zaak through `ZgwClient`, streams the documents to a work folder and returns a
`SubmissionInput` with one package per zaak (source_key = the zaak URL) and every problem as a
finding. `next_cursor` gives the date to store for "closed since the last run"; `mark_archived`
writes `archiefstatus` back after the AIP is verified in storage.

Package layout (one record tree per zaak):

    <zaak>/                      informatieobject, aggregatieniveau Zaak
      zgw-zaak.json ...          the JSON of every ZGW resource read (aanvullende metagegevens)
      <document>/                informatieobject, aggregatieniveau Archiefstuk
        <bestandsnaam>           the downloaded content (none for a metadata-only document)

Mapping decisions (MDTO 1.0.1):

- waardering from `zaak.archiefnominatie` (else the resultaattype's): blijvend_bewaren -> B,
  vernietigen -> V, missing -> N with a warning. Documents take the waardering of their zaak.
- bewaartermijn (V only): looptijd = resultaattype.archiefactietermijn, startdatumLooptijd =
  zaak.startdatumBewaartermijn (the brondatum), einddatum = zaak.archiefactiedatum, trigger = the
  brondatum afleidingswijze. The same values go to bag-info.txt (`Zaak-*` fields) for the retention
  engine, with the selectielijstklasse and archiefactiedatum.
- classificatie: the zaaktype (code = its identificatie, list = the catalogus) and the
  selectielijstklasse (code and label = its URL: the Selectielijst API is not read).
- vertrouwelijkheidaanduiding -> beperkingGebruik: `openbaar` -> "Geen beperking"; every other
  value -> "Overig" with the aanduiding as nadere beschrijving. No value maps to a Woo or
  Archiefwet ground: the aanduiding says who may see the zaak in the zaaksysteem, not on which legal
  ground it is not public, and inventing a ground (e.g. "veiligheid van de Staat" for
  zeer_geheim) would be a legal decision nobody took. An empty or unknown aanduiding -> "Nader te
  bepalen" with a warning. A document without an aanduiding takes the zaak's.
- rollen -> betrokkene (Belanghebbende/Indiener from the MDTO list for belanghebbende and
  (mede_)initiator, else the ZGW omschrijvingGeneriek). Names of persons appear only there, never in
  naam or omschrijving; a BSN is never copied into MDTO. A zaak with a natuurlijk persoon or
  medewerker gets an extra beperkingGebruik "Overig" saying it holds personal data.
- statussen -> events (statustype omschrijving, datumStatusGezet); registratiedatum -> "Opname";
  einddatum + resultaat -> "Bevriezing" (the zaakdossier is closed) with the resultaat as result.
  Document dates (creatie, ontvangst, verzending, ondertekening, beginRegistratie) -> events.
- hoofdzaak, deelzaken, relevanteAndereZaken -> gerelateerdInformatieobject; a document linked to
  other zaken names them ("Hoort bij").
- The raw JSON of every resource is kept as `zgw-*.json` files of the zaak record, referenced as
  aanvullendeMetagegevens. They lie beside the documents rather than in a `zgw/` subfolder: a
  folder without its own informatieobject sidecar fails the MDTO-SIP layout check of bagcheck.

Errors: a zaak that is gone (404, e.g. deleted during the run), forbidden (403) or that refers to
a document in an API we have no credentials for is an error finding for that zaak, so the service
rejects the submission; an unreachable zaaksysteem (5xx or 429 after the retries, 401) raises
`ZgwError`, because a rerun fixes it and nothing about the content is wrong.

The JSON files hold each resource as read (list items re-serialised one per file, UTF-8, indented);
documents are downloaded once per run (cache by download URL in `workdir/documenten/`, with a
`download.json` marker that lets a later run reuse a complete download).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from edepot import names, preingest
from edepot.errors import Finding, Severity
from edepot.fixity import normalise_algorithm
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_AGGREGATIENIVEAU,
    LIJST_BEPERKING,
    LIJST_DEKKING_IN_TIJD,
    LIJST_EVENTTYPE,
    LIJST_WAARDERING,
    Begrip,
    BeperkingGebruik,
    Betrokkene,
    DekkingInTijd,
    Event,
    GerelateerdInformatieobject,
    Identificatie,
    Informatieobject,
    Termijn,
    Verwijzing,
    lijst,
)
from edepot.ports import FormatIdentification, FormatIdentifier
from edepot.preingest import finding
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput
from ingest.zgw_client import ZgwClient, ZgwError

SOURCE = "zaaksysteem"
FOUT = Severity.FOUT
WAARSCHUWING = Severity.WAARSCHUWING

BRON_ZAKEN = "ZGW Zaken API"
BRON_DOCUMENTEN = "ZGW Documenten API"
ZGW_PREFIX = "zgw-"

LIJST_BETROKKENE = lijst("Begrippenlijst Relatietypen betrokkene MDTO")
LIJST_ROL = lijst("ZGW Rol omschrijvingGeneriek")
LIJST_ZAAKRELATIE = lijst("ZGW relaties tussen zaken en documenten")
LIJST_SELECTIELIJST = lijst("Selectielijst (ZGW selectielijstklasse)")
LIJST_AFLEIDINGSWIJZE = lijst("ZGW afleidingswijze brondatum archiefprocedure")

WAARDERINGEN = {
    "blijvend_bewaren": Begrip(label="Blijvend te bewaren", code="B", begrippenlijst=LIJST_WAARDERING),
    "vernietigen": Begrip(label="Tijdelijk te bewaren", code="V", begrippenlijst=LIJST_WAARDERING),
}
NADER_TE_BEPALEN = Begrip(label="Nader te bepalen", code="N", begrippenlijst=LIJST_WAARDERING)

#: vertrouwelijkheidaanduiding -> its readable form (ZGW enum); all but openbaar become "Overig".
VERTROUWELIJKHEID = {
    "openbaar": "Openbaar",
    "beperkt_openbaar": "Beperkt openbaar",
    "intern": "Intern",
    "zaakvertrouwelijk": "Zaakvertrouwelijk",
    "vertrouwelijk": "Vertrouwelijk",
    "confidentieel": "Confidentieel",
    "geheim": "Geheim",
    "zeer_geheim": "Zeer geheim",
}
#: integriteit.algoritme (Documenten API) -> hashlib name; the others cannot be verified here.
ALGORITMEN = {"md5": "md5", "sha_1": "sha1", "sha_256": "sha256", "sha_512": "sha512"}
ROL_MDTO = {"belanghebbende": "Belanghebbende", "initiator": "Indiener", "mede_initiator": "Indiener"}
PERSONEN = frozenset({"natuurlijk_persoon", "medewerker"})
ARCHIEFSTATUSSEN = frozenset({"gearchiveerd", "gearchiveerd_procestermijn_onbekend", "overgedragen"})


# --- pure mapping ---------------------------------------------------------------------------------


def waardering(archiefnominatie: str | None) -> Begrip | None:
    """B for blijvend_bewaren, V for vernietigen, None when unknown."""
    return WAARDERINGEN.get((archiefnominatie or "").strip())


def beperking_gebruik(aanduiding: str | None) -> BeperkingGebruik | None:
    """The beperkingGebruik for a vertrouwelijkheidaanduiding; None when empty or unknown."""
    value = (aanduiding or "").strip()
    if value == "openbaar":
        return GEEN_BEPERKING
    if value not in VERTROUWELIJKHEID:
        return None
    return BeperkingGebruik(
        type=Begrip(label="Overig", begrippenlijst=LIJST_BEPERKING),
        nadere_beschrijving=(
            f"Vertrouwelijkheidaanduiding in het zaaksysteem: {VERTROUWELIJKHEID[value]} ({value}); "
            "openbaarheid volgens Woo/Archiefwet niet beoordeeld"
        ),
    )


NADER_TE_BEPALEN_BEPERKING = BeperkingGebruik(type=Begrip(label="Nader te bepalen", begrippenlijst=LIJST_BEPERKING))
PERSOONSGEGEVENS = BeperkingGebruik(
    type=Begrip(label="Overig", begrippenlijst=LIJST_BEPERKING),
    nadere_beschrijving=(
        "Bevat persoonsgegevens: namen van betrokken personen (betrokkene en ZGW-rollen); "
        "overige persoonsgegevens (Uitvoeringswet AVG), niet beoordeeld"
    ),
)


def bewaartermijn(zaak: Mapping[str, Any], resultaattype: Mapping[str, Any] | None) -> Termijn | None:
    """The bewaartermijn of a V zaak from the resultaattype and the zaak's archive dates."""
    procedure = (resultaattype or {}).get("brondatumArchiefprocedure") or {}
    afleidingswijze = str(procedure.get("afleidingswijze") or "")
    termijn = Termijn(
        trigger_start_looptijd=(
            Begrip(label=afleidingswijze, begrippenlijst=LIJST_AFLEIDINGSWIJZE) if afleidingswijze else None
        ),
        startdatum_looptijd=zaak.get("startdatumBewaartermijn") or None,
        looptijd=(resultaattype or {}).get("archiefactietermijn") or None,
        einddatum=zaak.get("archiefactiedatum") or None,
    )
    return termijn if any(vars(termijn).values()) else None


def persoonsnaam(identificatie: Mapping[str, Any], *, achternaam_veld: str, voorvoegsel_veld: str) -> str:
    parts = (identificatie.get("voorletters"), identificatie.get(voorvoegsel_veld), identificatie.get(achternaam_veld))
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())


def betrokkene_naam(rol: Mapping[str, Any]) -> str:
    """The name of the betrokkene of a rol (from betrokkeneIdentificatie, else afwijkendeNaamBetrokkene)."""
    ident = rol.get("betrokkeneIdentificatie") or {}
    kind = rol.get("betrokkeneType")
    naam = ""
    if kind == "natuurlijk_persoon":
        naam = persoonsnaam(ident, achternaam_veld="geslachtsnaam", voorvoegsel_veld="voorvoegselGeslachtsnaam")
    elif kind == "medewerker":
        naam = persoonsnaam(ident, achternaam_veld="achternaam", voorvoegsel_veld="voorvoegselAchternaam")
    elif kind == "niet_natuurlijk_persoon":
        naam = str(ident.get("statutaireNaam") or "")
    elif kind == "vestiging":
        handelsnaam = ident.get("handelsnaam") or []
        naam = str(handelsnaam[0]) if handelsnaam else ""
    elif kind == "organisatorische_eenheid":
        naam = str(ident.get("naam") or "")
    return naam.strip() or str(rol.get("afwijkendeNaamBetrokkene") or "").strip() or f"onbekende betrokkene ({kind})"


def betrokkene(rol: Mapping[str, Any]) -> Betrokkene:
    """A rol as an MDTO betrokkene. Persons are identified by the rol URL only (never their BSN)."""
    generiek = str(rol.get("omschrijvingGeneriek") or "")
    if generiek in ROL_MDTO:
        relatie = Begrip(label=ROL_MDTO[generiek], begrippenlijst=LIJST_BETROKKENE)
    else:
        relatie = Begrip(label=str(rol.get("omschrijving") or generiek or "betrokkene"), code=generiek or None,
                         begrippenlijst=LIJST_ROL)
    ident = rol.get("betrokkeneIdentificatie") or {}
    kind = rol.get("betrokkeneType")
    official = {
        "niet_natuurlijk_persoon": (ident.get("innNnpId"), "RSIN"),
        "vestiging": (ident.get("vestigingsNummer"), "KvK vestigingsnummer"),
        "organisatorische_eenheid": (ident.get("identificatie"), "zaaksysteem (organisatorische eenheid)"),
    }.get(str(kind))
    if official and official[0]:
        identificatie = Identificatie(kenmerk=str(official[0]), bron=official[1])
    else:
        identificatie = Identificatie(kenmerk=str(rol.get("url")), bron=f"{BRON_ZAKEN} (rol)")
    return Betrokkene(type_relatie=relatie, actor=Verwijzing(naam=betrokkene_naam(rol), identificatie=identificatie))


def zaak_verwijzing(url: str, naam: str | None) -> Verwijzing:
    return Verwijzing(naam=naam or url, identificatie=Identificatie(kenmerk=url, bron=BRON_ZAKEN))


def zaakrelaties(zaak: Mapping[str, Any], naam_van: Mapping[str, str]) -> tuple[GerelateerdInformatieobject, ...]:
    """hoofdzaak, deelzaken and relevanteAndereZaken as relations; `naam_van` names zaak URLs it knows."""
    relaties: list[tuple[str, str]] = []
    if zaak.get("hoofdzaak"):
        relaties.append((str(zaak["hoofdzaak"]), "Hoofdzaak"))
    relaties += [(str(url), "Deelzaak") for url in sorted(zaak.get("deelzaken") or [])]
    for andere in sorted(zaak.get("relevanteAndereZaken") or [], key=lambda r: str(r.get("url"))):
        aard = str(andere.get("aardRelatie") or "relevante andere zaak")
        relaties.append((str(andere.get("url")), aard[:1].upper() + aard[1:]))
    return tuple(
        GerelateerdInformatieobject(
            verwijzing=zaak_verwijzing(url, naam_van.get(url)),
            type_relatie=Begrip(label=label, begrippenlijst=LIJST_ZAAKRELATIE),
        )
        for url, label in relaties
    )


def _event(label: str, tijd: str | None, lijst_: Verwijzing = LIJST_EVENTTYPE, resultaat: str | None = None) -> Event:
    return Event(type=Begrip(label=label, begrippenlijst=lijst_), tijd=tijd, resultaat=resultaat or None)


def zaak_events(
    zaak: Mapping[str, Any],
    statussen: Sequence[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
    resultaat: Mapping[str, Any] | None,
    resultaattype: Mapping[str, Any] | None,
    zaaktype: Mapping[str, Any] | None,
) -> tuple[Event, ...]:
    """Opname (registratiedatum), every status in time order, Bevriezing (einddatum, with the resultaat)."""
    events: list[Event] = []
    if zaak.get("registratiedatum"):
        events.append(_event("Opname", str(zaak["registratiedatum"])))
    statuslijst = lijst(f"Statustypen zaaktype {(zaaktype or {}).get('identificatie') or zaak.get('zaaktype')}")
    in_order = sorted(statussen, key=lambda s: (str(s[0].get("datumStatusGezet")), str(s[0].get("url"))))
    for status, statustype in in_order:
        label = str((statustype or {}).get("omschrijving") or "Status")
        events.append(_event(label, status.get("datumStatusGezet"), statuslijst, status.get("statustoelichting")))
    if zaak.get("einddatum"):
        uitkomst = None
        if resultaat is not None:
            parts = [str((resultaattype or {}).get("omschrijving") or ""), str(resultaat.get("toelichting") or "")]
            uitkomst = "Resultaat: " + " - ".join(p for p in parts if p) if any(parts) else None
        events.append(_event("Bevriezing", str(zaak["einddatum"]), resultaat=uitkomst))
    return tuple(events)


def document_events(eio: Mapping[str, Any]) -> tuple[Event, ...]:
    events = [
        _event(label, eio.get(key))
        for label, key in (("Creatie", "creatiedatum"), ("Ontvangst", "ontvangstdatum"),
                           ("Verzending", "verzenddatum"), ("Opname", "beginRegistratie"))
        if eio.get(key)
    ]
    ondertekening = eio.get("ondertekening") or {}
    if ondertekening.get("datum"):
        events.append(_event("Accordering", ondertekening["datum"], resultaat=ondertekening.get("soort")))
    return tuple(events)


def next_cursor(zaken: Iterable[Mapping[str, Any] | PackageInput], previous: date | None = None) -> date | None:
    """The cursor to store after a run: the latest einddatum seen (or `previous` if later or none seen).

    Pass the zaak JSON objects or the packages of the submission. The next run selects zaken with
    einddatum >= cursor (inclusive), so zaken closed later on the same day are not missed;
    the zaken of that day come again and are recognised as unchanged.
    """
    latest = previous
    for zaak in zaken:
        value = zaak.bag_info.get("Zaak-Einddatum") if isinstance(zaak, PackageInput) else zaak.get("einddatum")
        if not value:
            continue
        einddatum = date.fromisoformat(str(value)[:10])
        if latest is None or einddatum > latest:
            latest = einddatum
    return latest


# --- reading ------------------------------------------------------------------------------------


@dataclass
class _Document:
    """A downloaded document, shared by every zaak it belongs to."""

    path: Path
    size: int
    format: FormatIdentification
    expected: dict[str, str]


@dataclass
class _Run:
    client: ZgwClient
    workdir: Path
    identifier: FormatIdentifier
    reject_unlisted_formats: bool
    findings: list[Finding] = field(default_factory=list)
    resources: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, _Document | None] = field(default_factory=dict)  # download URL -> file
    zaak_namen: dict[str, str] = field(default_factory=dict)  # zaak URL -> identificatie

    def add(self, rule: str, message: str, action: str, severity: Severity = FOUT,
            object: str | None = None, file: str | None = None) -> None:
        self.findings.append(finding(rule, message, action, severity=severity, object=object, file=file))

    def get(self, url: str) -> Any:
        """A resource by URL, read once per run."""
        if url not in self.resources:
            self.resources[url] = self.client.get(url)
        return self.resources[url]

    def zaak_naam(self, url: str) -> str | None:
        """The identificatie of a related zaak, if it can be read; None otherwise (no finding)."""
        if url not in self.zaak_namen and self.client.is_ours(url):
            try:
                self.zaak_namen[url] = str(self.get(url).get("identificatie") or "")
            except ZgwError:
                self.zaak_namen[url] = ""
        return self.zaak_namen.get(url) or None


@dataclass
class _Zaak:
    """Everything read for one zaak."""

    zaak: dict[str, Any]
    zaaktype: dict[str, Any] | None = None
    resultaat: dict[str, Any] | None = None
    resultaattype: dict[str, Any] | None = None
    statussen: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    besluiten: list[dict[str, Any]] = field(default_factory=list)
    rollen: list[dict[str, Any]] = field(default_factory=list)
    eigenschappen: list[dict[str, Any]] = field(default_factory=list)
    zaakobjecten: list[dict[str, Any]] = field(default_factory=list)
    documenten: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (zio, eio)

    @property
    def url(self) -> str:
        return str(self.zaak["url"])

    @property
    def identificatie(self) -> str:
        return str(self.zaak.get("identificatie") or self.zaak.get("uuid") or self.url.rstrip("/").rsplit("/", 1)[-1])


def _by_url(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: str(item.get("url")))


def _zaak_path(client: ZgwClient, zaak_url: str, sub: str) -> str:
    uuid = zaak_url.rstrip("/").rsplit("/", 1)[-1]
    return client.zaken_api(f"zaken/{uuid}/{sub}")


def _read_zaak(run: _Run, zaak: dict[str, Any]) -> _Zaak:
    client = run.client
    url = str(zaak["url"])
    z = _Zaak(zaak=zaak)
    if zaak.get("zaaktype"):
        z.zaaktype = run.get(str(zaak["zaaktype"]))
    if zaak.get("resultaat"):
        z.resultaat = client.get(str(zaak["resultaat"]))
        if z.resultaat and z.resultaat.get("resultaattype"):
            z.resultaattype = run.get(str(z.resultaat["resultaattype"]))
    for status in client.paginate(client.zaken_api("statussen"), {"zaak": url}):
        statustype = run.get(str(status["statustype"])) if status.get("statustype") else None
        z.statussen.append((status, statustype))
    z.statussen.sort(key=lambda s: (str(s[0].get("datumStatusGezet")), str(s[0].get("url"))))
    for zaakbesluit in _by_url(client.paginate(_zaak_path(client, url, "besluiten"))):
        besluit_url = str(zaakbesluit.get("besluit") or "")
        z.besluiten.append(client.get(besluit_url) if besluit_url and client.is_ours(besluit_url) else zaakbesluit)
    z.rollen = _by_url(client.paginate(client.zaken_api("rollen"), {"zaak": url}))
    z.eigenschappen = _by_url(client.paginate(_zaak_path(client, url, "zaakeigenschappen")))
    z.zaakobjecten = _by_url(client.paginate(client.zaken_api("zaakobjecten"), {"zaak": url}))
    for zio in _by_url(client.paginate(client.zaken_api("zaakinformatieobjecten"), {"zaak": url})):
        z.documenten.append((zio, run.get(str(zio["informatieobject"]))))
    return z


# --- files ------------------------------------------------------------------------------------------


def _json_file(run: _Run, z: _Zaak, folder: str, name: str, resource: Any) -> SourceFile:
    uuid = str(z.zaak.get("uuid") or hashlib.sha256(z.url.encode()).hexdigest()[:32])
    path = run.workdir / "zaken" / uuid / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(json.dumps(resource, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    return SourceFile(
        path=path,
        original_path=f"{folder}/{name}",
        naam=name,
        size=path.stat().st_size,
        format=preingest.identify_quietly(path, run.identifier),
    )


def _numbered(kind: str, items: Sequence[Any]) -> list[tuple[str, Any]]:
    width = max(2, len(str(len(items))))
    return [(f"{ZGW_PREFIX}{kind}-{i:0{width}d}.json", item) for i, item in enumerate(items, start=1)]


def _raw_resources(z: _Zaak) -> list[tuple[str, Any]]:
    files: list[tuple[str, Any]] = [(f"{ZGW_PREFIX}zaak.json", z.zaak)]
    if z.zaaktype is not None:
        files.append((f"{ZGW_PREFIX}zaaktype.json", z.zaaktype))
    if z.resultaat is not None:
        files.append((f"{ZGW_PREFIX}resultaat.json", z.resultaat))
    if z.resultaattype is not None:
        files.append((f"{ZGW_PREFIX}resultaattype.json", z.resultaattype))
    files += _numbered("status", [s for s, _ in z.statussen])
    statustypen = {str(t["url"]): t for _, t in z.statussen if t is not None and t.get("url")}
    files += _numbered("statustype", [statustypen[u] for u in sorted(statustypen)])
    files += _numbered("besluit", z.besluiten)
    files += _numbered("rol", z.rollen)
    files += _numbered("zaakeigenschap", z.eigenschappen)
    files += _numbered("zaakobject", z.zaakobjecten)
    files += _numbered("zaakinformatieobject", [zio for zio, _ in z.documenten])
    files += _numbered("enkelvoudiginformatieobject", [eio for _, eio in z.documenten])
    return files


def _bestandsnaam(eio: Mapping[str, Any]) -> str:
    given = str(eio.get("bestandsnaam") or "").replace("/", "_").replace("\\", "_").strip()
    if given:
        return given
    extension = mimetypes.guess_extension(str(eio.get("formaat") or "").split(";")[0].strip()) or ""
    return f"{eio.get('identificatie') or 'document'}{extension}"


def _download(run: _Run, eio: Mapping[str, Any], download_url: str, where: str, original: str) -> _Document | None:
    """The document's content in the work folder, downloaded once per run and reused across runs."""
    if download_url in run.documents:
        return run.documents[download_url]
    integriteit = eio.get("integriteit") or {}
    algoritme = str(integriteit.get("algoritme") or "")
    waarde = str(integriteit.get("waarde") or "").strip().lower()
    ours = ALGORITMEN.get(algoritme) if algoritme and waarde else None
    if algoritme and waarde and ours is None:
        run.add("zaaksysteem.document.integriteit_unverifiable",
                f"{where}: integriteit uses {algoritme}, which the e-depot cannot verify; sha256 is computed",
                "nothing to do; ask the zaaksysteem to record SHA-256", WAARSCHUWING, object=where, file=original)
    key = hashlib.sha256(download_url.encode()).hexdigest()[:32]
    folder = run.workdir / "documenten" / key
    target = folder / names.clean_name(_bestandsnaam(eio))
    marker = folder / "download.json"
    digests: dict[str, str] | None = None
    size = 0
    if marker.is_file() and target.is_file():
        cached = json.loads(marker.read_text(encoding="utf-8"))
        if (cached.get("url") == download_url and cached.get("size") == target.stat().st_size
                and (ours is None or ours in cached.get("digests", {}))):
            digests, size = dict(cached["digests"]), int(cached["size"])
    if digests is None:
        try:
            result = run.client.download(download_url, target, algorithms=("sha256", *([ours] if ours else [])))
        except ZgwError as error:
            run.add("zaaksysteem.document.download_failed", f"{where}: the content could not be downloaded: {error}",
                    "check the document in the zaaksysteem and run again", object=where, file=original)
            run.documents[download_url] = None
            return None
        digests, size = result.digests, result.size
        marker.write_text(json.dumps({"url": download_url, "size": size, "digests": digests}), encoding="utf-8")
    expected = {"sha256": digests["sha256"]}
    if ours is not None:
        if digests.get(ours, "").lower() != waarde:
            run.add("zaaksysteem.document.integriteit_mismatch",
                    f"{where}: the downloaded content has {normalise_algorithm(ours)} {digests.get(ours)}, "
                    f"the zaaksysteem's integriteit says {waarde}",
                    "the document is damaged or changed in the zaaksysteem; repair it there and run again",
                    object=where, file=original)
        else:
            expected[ours] = waarde
    omvang = eio.get("bestandsomvang")
    if isinstance(omvang, int) and omvang != size:
        run.add("zaaksysteem.document.size_mismatch",
                f"{where}: {size} bytes downloaded, bestandsomvang in the zaaksysteem is {omvang}",
                "check the document in the zaaksysteem; the downloaded bytes are archived", WAARSCHUWING,
                object=where, file=original)
    _, found, problems = preingest.check_file(target, original, run.identifier,
                                              reject_unlisted_formats=run.reject_unlisted_formats)
    run.findings.extend(problems)
    document = _Document(path=target, size=size, format=found, expected=expected)
    run.documents[download_url] = document
    return document


# --- records --------------------------------------------------------------------------------------


def _identificaties(resource: Mapping[str, Any], bron: str) -> tuple[Identificatie, ...]:
    ids = []
    if resource.get("identificatie"):
        organisatie = resource.get("bronorganisatie")
        ids.append(Identificatie(kenmerk=str(resource["identificatie"]),
                                 bron=f"zaaksysteem, bronorganisatie {organisatie}" if organisatie else "zaaksysteem"))
    ids.append(Identificatie(kenmerk=str(resource["url"]), bron=bron))
    return tuple(ids)


def _beperking(run: _Run, aanduiding: str | None, where: str, fallback: BeperkingGebruik | None) -> BeperkingGebruik:
    found = beperking_gebruik(aanduiding)
    if found is not None:
        return found
    if fallback is not None and not aanduiding:
        return fallback
    run.add("zaaksysteem.vertrouwelijkheid.unknown",
            f"{where}: vertrouwelijkheidaanduiding {aanduiding!r} is empty or unknown; recorded as 'Nader te bepalen'",
            "set the vertrouwelijkheidaanduiding in the zaaksysteem", WAARSCHUWING, object=where)
    return NADER_TE_BEPALEN_BEPERKING


def _zaak_metadata(z: _Zaak) -> tuple[tuple[str, ...], dict[str, str]]:
    zaak, rt = z.zaak, z.resultaattype or {}
    procedure = rt.get("brondatumArchiefprocedure") or {}
    fields = {
        "Zaak-Identificatie": z.identificatie,
        "Zaak-URL": z.url,
        "Zaaktype": str(zaak.get("zaaktype") or ""),
        "Zaaktype-Identificatie": str((z.zaaktype or {}).get("identificatie") or ""),
        "Zaak-Einddatum": str(zaak.get("einddatum") or ""),
        "Zaak-Archiefnominatie": str(zaak.get("archiefnominatie") or rt.get("archiefnominatie") or ""),
        "Zaak-Archiefactiedatum": str(zaak.get("archiefactiedatum") or ""),
        "Zaak-Archiefstatus": str(zaak.get("archiefstatus") or ""),
        "Zaak-Selectielijstklasse": str(zaak.get("selectielijstklasse") or rt.get("selectielijstklasse") or ""),
        "Zaak-Archiefactietermijn": str(rt.get("archiefactietermijn") or ""),
        "Zaak-Brondatum-Afleidingswijze": str(procedure.get("afleidingswijze") or ""),
        "Zaak-Startdatum-Bewaartermijn": str(zaak.get("startdatumBewaartermijn") or ""),
        "Zaak-Resultaattype": str(rt.get("url") or ""),
    }
    bag_info = {k: v for k, v in fields.items() if v}
    lines = []
    if zaak.get("toelichting"):
        lines.append(str(zaak["toelichting"]))
    if z.zaaktype:
        lines.append(f"Zaaktype: {z.zaaktype.get('omschrijving') or ''} ({z.zaaktype.get('identificatie') or ''})")
    labels = (("Archiefnominatie", "Zaak-Archiefnominatie"), ("Archiefactiedatum", "Zaak-Archiefactiedatum"),
              ("Archiefactietermijn", "Zaak-Archiefactietermijn"), ("Selectielijstklasse", "Zaak-Selectielijstklasse"),
              ("Afleidingswijze brondatum", "Zaak-Brondatum-Afleidingswijze"))
    lines += [f"{label}: {bag_info[key]}" for label, key in labels if key in bag_info]
    for besluit in z.besluiten:
        if besluit.get("identificatie"):
            lines.append(f"Besluit {besluit['identificatie']} van {besluit.get('datum')}"
                         + (f", ingangsdatum {besluit['ingangsdatum']}" if besluit.get("ingangsdatum") else ""))
    return tuple(lines), bag_info


def _classificatie(z: _Zaak, selectielijstklasse: str | None) -> tuple[Begrip, ...]:
    result = []
    if z.zaaktype:
        catalogus = Verwijzing(naam="Zaaktypecatalogus", identificatie=Identificatie(
            kenmerk=str(z.zaaktype.get("catalogus") or z.zaaktype.get("url")), bron="ZGW Catalogi API"))
        result.append(Begrip(label=str(z.zaaktype.get("omschrijving") or z.zaaktype.get("identificatie")),
                             code=str(z.zaaktype.get("identificatie") or "") or None, begrippenlijst=catalogus))
    if selectielijstklasse:
        result.append(Begrip(label=selectielijstklasse, code=selectielijstklasse, begrippenlijst=LIJST_SELECTIELIJST))
    return tuple(result)


def _document_record(
    run: _Run, z: _Zaak, folder: str, zio: Mapping[str, Any], eio: Mapping[str, Any],
    inherited: tuple[Begrip, Termijn | None, BeperkingGebruik], metadata_file: str,
) -> RecordInput:
    ident = str(eio.get("identificatie") or eio.get("url"))
    where = f"zaak {z.identificatie}, document {ident}"
    bestandsnaam = _bestandsnaam(eio)
    original = f"{z.identificatie}/{ident}/{bestandsnaam}"
    files: tuple[SourceFile, ...] = ()
    inhoud = eio.get("inhoud")
    if not inhoud:
        run.add("zaaksysteem.document.no_content",
                f"{where}: the document has no content (inhoud is empty); it is archived as metadata only",
                "upload the content in the zaaksysteem if it should exist", WAARSCHUWING, object=where)
    else:
        document = _download(run, eio, str(inhoud), where, original)
        if document is not None:
            files = (SourceFile(path=document.path, original_path=original, naam=document.path.name,
                                size=document.size, format=document.format, expected=dict(document.expected)),)
    gedeeld = sorted({str(link.get("zaak")) for link in _links(run, str(eio["url"])) if link.get("zaak")} - {z.url})
    waardering_, termijn, beperking = inherited
    auteur = str(eio.get("auteur") or "").strip()
    io = Informatieobject(
        identificatie=_identificaties(eio, BRON_DOCUMENTEN),
        naam=str(eio.get("titel") or zio.get("titel") or ident),
        waardering=waardering_,
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(_beperking(run, eio.get("vertrouwelijkheidaanduiding"), where, beperking),),
        aggregatieniveau=Begrip(label="Archiefstuk", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        omschrijving=tuple(str(t) for t in (eio.get("beschrijving"), zio.get("beschrijving")) if t),
        taal=(str(eio["taal"]),) if eio.get("taal") else (),
        event=document_events(eio),
        bewaartermijn=termijn,
        aanvullende_metagegevens=(Verwijzing(naam=metadata_file),),
        gerelateerd_informatieobject=tuple(
            GerelateerdInformatieobject(verwijzing=zaak_verwijzing(url, run.zaak_naam(url)),
                                        type_relatie=Begrip(label="Hoort bij", begrippenlijst=LIJST_ZAAKRELATIE))
            for url in gedeeld
        ),
        betrokkene=(
            (Betrokkene(type_relatie=Begrip(label="Auteur", begrippenlijst=LIJST_ROL), actor=Verwijzing(naam=auteur)),)
            if auteur else ()
        ),
    )
    return RecordInput(folder=folder, original_name=ident, informatieobject=io, files=files)


def _links(run: _Run, eio_url: str) -> list[dict[str, Any]]:
    """Every zaakinformatieobject of a document (which zaken it belongs to), read once per run."""
    key = f"zaakinformatieobjecten?informatieobject={eio_url}"
    if key not in run.resources:
        client = run.client
        listing = client.paginate(client.zaken_api("zaakinformatieobjecten"), {"informatieobject": eio_url})
        run.resources[key] = list(listing)
    links: list[dict[str, Any]] = run.resources[key]
    return links


def _package(run: _Run, z: _Zaak) -> PackageInput:
    zaak = z.zaak
    where = f"zaak {z.identificatie}"
    folder = names.clean_name(z.identificatie)
    nominatie = str(zaak.get("archiefnominatie") or (z.resultaattype or {}).get("archiefnominatie") or "")
    waardering_ = waardering(nominatie)
    termijn: Termijn | None = None
    if waardering_ is None:
        run.add("zaaksysteem.waardering.missing",
                f"{where}: archiefnominatie {nominatie!r} is not blijvend_bewaren or vernietigen; recorded as N",
                "set the resultaat (and so the archiefnominatie) of the zaak in the zaaksysteem",
                WAARSCHUWING, object=z.url)
        waardering_ = NADER_TE_BEPALEN
    elif waardering_.code == "V":
        termijn = bewaartermijn(zaak, z.resultaattype)
        if termijn is None or termijn.looptijd is None or termijn.einddatum is None:
            run.add("zaaksysteem.bewaartermijn.incomplete",
                    f"{where}: vernietigen without archiefactietermijn or archiefactiedatum "
                    f"(termijn {termijn.looptijd if termijn else None}, "
                    f"archiefactiedatum {termijn.einddatum if termijn else None})",
                    "give the resultaattype an archiefactietermijn and let the zaaksysteem derive the "
                    "archiefactiedatum", WAARSCHUWING, object=z.url)
    beperking = _beperking(run, zaak.get("vertrouwelijkheidaanduiding"), where, None)
    omschrijving, bag_info = _zaak_metadata(z)
    raw = _raw_resources(z)
    json_files = tuple(_json_file(run, z, z.identificatie, name, resource) for name, resource in raw)
    eio_files = [name for name, _ in raw if name.startswith(f"{ZGW_PREFIX}enkelvoudiginformatieobject-")]
    originals = [str(eio.get("identificatie") or eio.get("url")) for _, eio in z.documenten]
    keys = [o if originals.count(o) == 1 else f"{o}-{str(eio['url']).rstrip('/').rsplit('/', 1)[-1][:8]}"
            for o, (_, eio) in zip(originals, z.documenten, strict=True)]
    cleaned = names.unique_names([*keys, *(f.naam for f in json_files)])
    children = sorted(
        (_document_record(run, z, cleaned[key], zio, eio, (waardering_, termijn, beperking), eio_file)
         for key, (zio, eio), eio_file in zip(keys, z.documenten, eio_files, strict=True)),
        key=lambda r: r.folder,
    )
    personen = any(r.get("betrokkeneType") in PERSONEN for r in z.rollen)
    naam_label = str(zaak.get("omschrijving") or (z.zaaktype or {}).get("omschrijving") or "Zaak")
    dekking: tuple[DekkingInTijd, ...] = ()
    if zaak.get("startdatum"):
        dekking = (DekkingInTijd(type=Begrip(label="Looptijd zaak", begrippenlijst=LIJST_DEKKING_IN_TIJD),
                                 begindatum=str(zaak["startdatum"]), einddatum=zaak.get("einddatum") or None),)
    io = Informatieobject(
        identificatie=_identificaties(zaak, BRON_ZAKEN),
        naam=f"{naam_label} ({z.identificatie})",
        waardering=waardering_,
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(beperking, *([PERSOONSGEGEVENS] if personen else [])),
        aggregatieniveau=Begrip(label="Zaak", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        classificatie=_classificatie(z, bag_info.get("Zaak-Selectielijstklasse")),
        omschrijving=omschrijving,
        dekking_in_tijd=dekking,
        event=zaak_events(zaak, z.statussen, z.resultaat, z.resultaattype, z.zaaktype),
        bewaartermijn=termijn,
        aanvullende_metagegevens=tuple(Verwijzing(naam=f.naam) for f in json_files),
        gerelateerd_informatieobject=zaakrelaties(zaak, {u: n for u in _related(zaak) if (n := run.zaak_naam(u))}),
        betrokkene=tuple(betrokkene(rol) for rol in z.rollen),
    )
    record = RecordInput(folder=folder, original_name=z.identificatie, informatieobject=io, files=json_files,
                         children=tuple(children))
    return PackageInput(source=SOURCE, source_key=z.url, record=record, bag_info=bag_info)


def _related(zaak: Mapping[str, Any]) -> list[str]:
    urls = [str(zaak["hoofdzaak"])] if zaak.get("hoofdzaak") else []
    urls += [str(u) for u in zaak.get("deelzaken") or []]
    urls += [str(r.get("url")) for r in zaak.get("relevanteAndereZaken") or []]
    return urls


# --- selection and the entry point -----------------------------------------------------------------


def _selected_urls(
    run: _Run,
    since: date | None,
    zaak_urls: Sequence[str] | None,
    archiefnominatie: str | None,
    archiefstatus: str | None,
    zaaktype: str | None,
) -> list[str]:
    if zaak_urls:
        return list(dict.fromkeys(zaak_urls))
    params = {"einddatum__isnull": "false"}
    if since is not None:
        params["einddatum__gt"] = (since - timedelta(days=1)).isoformat()  # einddatum >= since
    for key, value in (("archiefnominatie", archiefnominatie), ("archiefstatus", archiefstatus),
                       ("zaaktype", zaaktype)):
        if value:
            params[key] = value
    urls: dict[str, None] = {}
    for zaak in run.client.paginate(run.client.zaken_api("zaken"), params):
        urls.setdefault(str(zaak["url"]), None)
    return list(urls)


def _one_zaak(run: _Run, url: str) -> PackageInput | None:
    try:
        zaak = run.client.get(url)
    except ZgwError as error:
        if error.status in (403, 404):
            gone = "does not exist (any more)" if error.status == 404 else "may not be read by this client"
            run.add(f"zaaksysteem.zaak.{'not_found' if error.status == 404 else 'forbidden'}",
                    f"zaak {url} {gone}: {error}",
                    "check the zaak in the zaaksysteem (deleted during the run?) and run again"
                    if error.status == 404 else "grant this client access to the zaak, or leave it out",
                    object=url)
            return None
        raise
    run.resources[url] = zaak
    run.zaak_namen[url] = str(zaak.get("identificatie") or "")
    if not zaak.get("einddatum"):
        run.add("zaaksysteem.zaak.not_closed", f"zaak {zaak.get('identificatie')} ({url}) is not closed (no einddatum)",
                "close the zaak in the zaaksysteem before archiving it", object=url)
        return None
    try:
        gathered = _read_zaak(run, zaak)
    except ZgwError as error:
        elsewhere = error.status is None and not run.client.is_ours(error.url)  # e.g. another Documenten API
        if error.status in (403, 404) or elsewhere:
            run.add("zaaksysteem.zaak.incomplete",
                    f"zaak {zaak.get('identificatie')} ({url}) could not be read completely: {error}",
                    "check the zaak in the zaaksysteem (changed or deleted during the run?) and run again",
                    object=url)
            return None
        raise
    return _package(run, gathered)


def read_zaken(
    client: ZgwClient,
    *,
    workdir: Path,
    identifier: FormatIdentifier,
    since: date | None = None,
    zaak_urls: Sequence[str] | None = None,
    archiefnominatie: str | None = None,
    archiefstatus: str | None = None,
    zaaktype: str | None = None,
    reject_unlisted_formats: bool = False,
) -> SubmissionInput:
    """Read closed zaken with their documents into a submission: one package per zaak.

    With `zaak_urls` exactly those zaken are read (the filters do not apply); otherwise every zaak
    with an einddatum (on or after `since` when given) matching the filters. Documents are
    downloaded into `workdir/documenten/` (reused when already complete), the raw JSON is written
    to `workdir/zaken/`; the workdir must stay until the submission is ingested.
    """
    run = _Run(client=client, workdir=Path(workdir).absolute(), identifier=identifier,
               reject_unlisted_formats=reject_unlisted_formats)
    run.workdir.mkdir(parents=True, exist_ok=True)
    packages = []
    for url in _selected_urls(run, since, zaak_urls, archiefnominatie, archiefstatus, zaaktype):
        package = _one_zaak(run, url)
        if package is not None:
            packages.append(package)
    return SubmissionInput(
        source=SOURCE,
        location=client.config.zaken_url,
        packages=tuple(sorted(packages, key=lambda p: (p.record.folder, p.source_key))),
        findings=tuple(run.findings),
    )


# --- write-back -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteBack:
    """What `mark_archived` did: `gelukt` or a warning finding for the receipt."""

    zaak_url: str
    archiefstatus: str
    gelukt: bool
    finding: Finding | None = None


def mark_archived(client: ZgwClient, zaak_url: str, status: str = "gearchiveerd") -> WriteBack:
    """PATCH the zaak's archiefstatus after its AIP is verified in storage; never fatal.

    Any refusal (403 without the scope, 400 when the zaaksysteem's own rules object, e.g. documents
    not yet gearchiveerd) or an unreachable zaaksysteem comes back as a warning finding.
    """
    if status not in ARCHIEFSTATUSSEN:
        raise ValueError(f"archiefstatus {status!r} is not one of {', '.join(sorted(ARCHIEFSTATUSSEN))}")
    try:
        client.patch(zaak_url, {"archiefstatus": status})
    except ZgwError as error:
        action = ("give the e-depot client the scope zaken.bijwerken in the zaaksysteem"
                  if error.status == 403 else "set the archiefstatus in the zaaksysteem by hand")
        return WriteBack(zaak_url, status, False, finding(
            "zaaksysteem.writeback.failed",
            f"archiefstatus {status} could not be written back to {zaak_url}: {error}",
            action, severity=WAARSCHUWING, object=zaak_url))
    return WriteBack(zaak_url, status, True)
