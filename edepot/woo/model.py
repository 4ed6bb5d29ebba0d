"""The Woo publication model: publicaties, their documents, and the rules that govern publishing.

Plain frozen dataclasses, no I/O. A `Publicatie` has one or more `WooDocument`s and moves
concept -> gepubliceerd -> ingetrokken through `PUBLICATIE_TRANSITIONS` (one table, changed only
by `advance`). TOOI values (informatiecategorieën, documenthandelingen, relations, reasons for
withdrawal) are resource URIs checked against `edepot.woo.lijsten`, never typed here.

Also pure rules: `publicatie_deadline` (Woo art. 3.3 lid 4: at the latest two weeks after the
document was adopted or received, extended by the Algemene termijnenwet) and `publiceerbaar`
(only records whose beperkingGebruik allows publication, or a redacted version of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from edepot.errors import Finding, InvalidInput
from edepot.mdto import codelists
from edepot.mdto.rules import TOOI_PROVINCIE_LIMBURG
from edepot.model import advance
from edepot.woo import lijsten

# --- status ----------------------------------------------------------------------------------


class PublicatieStatus(StrEnum):
    CONCEPT = "concept"  # being prepared; not in any sitemap
    GEPUBLICEERD = "gepubliceerd"  # public: files downloadable, urls in the sitemaps
    INGETROKKEN = "ingetrokken"  # withdrawn: urls leave the sitemaps, files answer 410 Gone


PUBLICATIE_TRANSITIONS: dict[PublicatieStatus, frozenset[PublicatieStatus]] = {
    PublicatieStatus.CONCEPT: frozenset({PublicatieStatus.GEPUBLICEERD}),
    PublicatieStatus.GEPUBLICEERD: frozenset({PublicatieStatus.INGETROKKEN}),
    PublicatieStatus.INGETROKKEN: frozenset(),
}


# --- organisations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisatie:
    """A DiWoo organisatieType: a TOOI resource from the organisation lists and a label."""

    label: str
    resource: str | None = None


def publisher() -> Organisatie:
    """Provincie Limburg (TOOI pv31), with the label the TOOI list gives it."""
    waarde = lijsten.organisaties().waarde(TOOI_PROVINCIE_LIMBURG)
    return Organisatie(label=waarde.label, resource=waarde.resource)


class Verantwoordelijke(StrEnum):
    """The bestuursorgaan of the province responsible for a document.

    The TOOI organisation lists in DiWoo 0.9.8 name organisations, not their bestuursorganen:
    Provinciale Staten, Gedeputeerde Staten and the Commissaris van de Koning have no identifier
    of their own there, and DiWoo only accepts `resource` values from those lists. They are
    therefore written with the province's resource (pv31) and the bestuursorgaan as the label.
    """

    PROVINCIALE_STATEN = "Provinciale Staten van Limburg"
    GEDEPUTEERDE_STATEN = "Gedeputeerde Staten van Limburg"
    COMMISSARIS_VAN_DE_KONING = "Commissaris van de Koning in Limburg"

    def organisatie(self) -> Organisatie:
        return Organisatie(label=self.value, resource=publisher().resource)


# --- document metadata -----------------------------------------------------------------------


def _aware(tijdstip: datetime, wat: str) -> datetime:
    if tijdstip.tzinfo is None or tijdstip.utcoffset() is None:
        raise InvalidInput(
            f"{wat} {tijdstip.isoformat()} has no time zone",
            hint="give an aware datetime (e.g. with ZoneInfo('Europe/Amsterdam') or UTC)",
        )
    return tijdstip


@dataclass(frozen=True)
class Documenthandeling:
    """A DiWoo documenthandeling: what happened to the document (TOOI soortHandeling) and when."""

    soort: str  # resource URI from the soorthandelinglijst
    tijdstip: datetime  # aware
    door: Organisatie | None = None

    def __post_init__(self) -> None:
        lijsten.soorten_handeling().waarde(self.soort)
        _aware(self.tijdstip, "documenthandeling time")

    @property
    def label(self) -> str:
        return lijsten.soorten_handeling().waarde(self.soort).label

    @classmethod
    def op_label(cls, label: str, tijdstip: datetime, door: Organisatie | None = None) -> Documenthandeling:
        """E.g. `Documenthandeling.op_label('vaststelling', t)`: the resource looked up in the list."""
        return cls(lijsten.soorten_handeling().op_label(label).resource, tijdstip, door)


@dataclass(frozen=True)
class Documentrelatie:
    """A relation to another document: role (TOOI documentrelatie) and the other's identifier/URL."""

    rol: str  # resource URI from the documentrelatielijst
    document: str  # identifier or URL of the related document
    label: str  # its title or file name

    def __post_init__(self) -> None:
        lijsten.documentrelaties().waarde(self.rol)


@dataclass(frozen=True)
class Geldigheid:
    begin: datetime | None = None
    eind: datetime | None = None

    def __post_init__(self) -> None:
        if self.begin is not None:
            _aware(self.begin, "geldigheid begin")
        if self.eind is not None:
            _aware(self.eind, "geldigheid eind")
        if self.begin and self.eind and self.eind < self.begin:
            raise InvalidInput(
                f"geldigheid ends ({self.eind.isoformat()}) before it begins ({self.begin.isoformat()})",
                hint="swap or correct the dates",
            )


@dataclass(frozen=True)
class WooDocument:
    """One published file and its own DiWoo metadata."""

    id: str  # stable identifier within edepot (also a DiWoo identifier)
    url: str  # the https URL of the file itself: the sitemap `loc`
    officiele_titel: str
    documenthandelingen: tuple[Documenthandeling, ...]
    bestandsnaam: str | None = None
    omschrijving: str | None = None
    informatiecategorieen: tuple[str, ...] = ()  # empty: those of the publicatie
    kenmerken: tuple[str, ...] = ()  # further identifiers (zaaknummer, kenmerk of the letter)
    creatiedatum: date | None = None
    geldigheid: Geldigheid | None = None
    documentrelaties: tuple[Documentrelatie, ...] = ()
    documentsoorten: tuple[str, ...] = ()  # resources from the documentsoortlijst
    taal: str | None = None  # resource from the taallijst
    format: str | None = None  # resource from the formatlijst
    reden_verwijdering_vervanging: str | None = None  # resource: set on a replacement
    gewijzigd: datetime | None = None  # last change of file or metadata: the sitemap lastmod
    record_id: str | None = None  # the e-depot informatieobject this is (a version of)
    geredigeerd: bool = False  # a redacted version of the record


@dataclass(frozen=True)
class Publicatie:
    """A Woo publication: shared metadata, its documents, status and key dates."""

    id: str
    officiele_titel: str
    informatiecategorieen: tuple[str, ...]
    documenten: tuple[WooDocument, ...]
    verantwoordelijke: Verantwoordelijke = Verantwoordelijke.GEDEPUTEERDE_STATEN
    omschrijving: str | None = None
    url: str | None = None  # page of the publication (DiWoo isPartOf)
    status: PublicatieStatus = PublicatieStatus.CONCEPT
    gepubliceerd_op: datetime | None = None
    ingetrokken_op: datetime | None = None
    reden_intrekking: str | None = None  # free text, shown on the 410 page
    kenmerken: tuple[str, ...] = field(default=())

    def met_status(self, nieuw: PublicatieStatus, tijdstip: datetime, reden: str | None = None) -> Publicatie:
        """A copy in status `nieuw` (checked against the transition table), with its date set."""
        advance(PUBLICATIE_TRANSITIONS, self.status, nieuw)
        _aware(tijdstip, "status change time")
        if nieuw is PublicatieStatus.GEPUBLICEERD:
            return replace(self, status=nieuw, gepubliceerd_op=tijdstip)
        if not reden:
            raise InvalidInput(
                f"publicatie {self.id}: a withdrawal needs a reason",
                hint="give the reason that the 410 Gone page will show",
                publicatie=self.id,
            )
        return replace(self, status=nieuw, ingetrokken_op=tijdstip, reden_intrekking=reden)

    def categorieen_van(self, document: WooDocument) -> tuple[str, ...]:
        return document.informatiecategorieen or self.informatiecategorieen


def controleer(publicatie: Publicatie) -> list[Finding]:
    """Findings for everything DiWoo and the Woo need before `publicatie` can be published."""
    bevindingen: list[Finding] = []

    def fout(rule: str, message: str, action: str, document: WooDocument | None = None) -> None:
        bevindingen.append(Finding(rule=rule, message=message, action=action, object=publicatie.id,
                                   file=document.id if document else None))

    if not publicatie.officiele_titel.strip():
        fout("woo.publicatie.titel", "the publicatie has no officiële titel", "give the officiële titel")
    if not publicatie.documenten:
        fout("woo.publicatie.documenten", "the publicatie has no documents", "add at least one document")
    categorieen = lijsten.informatiecategorieen()
    for document in publicatie.documenten:
        if not document.officiele_titel.strip():
            fout("woo.document.titel", f"document {document.id} has no officiële titel",
                 "give the document its officiële titel", document)
        if not document.url.startswith("https://"):
            fout("woo.document.url", f"document {document.id}: url {document.url!r} is not https",
                 "publish the file at an https URL", document)
        eigen = publicatie.categorieen_van(document)
        if not eigen:
            fout("woo.document.informatiecategorie", f"document {document.id} has no informatiecategorie",
                 "choose at least one of the Woo informatiecategorieën", document)
        for categorie in eigen:
            if categorie not in categorieen:
                fout("woo.document.informatiecategorie",
                     f"document {document.id}: {categorie!r} is not a Woo informatiecategorie",
                     f"use a resource from {categorieen.tooi_set}", document)
        if not document.documenthandelingen:
            fout("woo.document.documenthandeling", f"document {document.id} has no documenthandeling",
                 "record at least the vaststelling, ondertekening or ontvangst with its date", document)
        for naam, waarde, lijst in (
            ("taal", document.taal, lijsten.talen()),
            ("format", document.format, lijsten.formats()),
            ("redenVerwijderingVervanging", document.reden_verwijdering_vervanging,
             lijsten.redenen_verwijdering_vervanging()),
            *(("documentsoort", soort, lijsten.documentsoorten()) for soort in document.documentsoorten),
        ):
            if waarde is not None and waarde not in lijst:
                fout(f"woo.document.{naam.lower()}", f"document {document.id}: {waarde!r} is not in {lijst.tooi_id}",
                     f"use a resource from {lijst.tooi_set or lijst.tooi_id}", document)
    return bevindingen


# --- publication deadline (Woo art. 3.3 lid 4) ------------------------------------------------

PUBLICATIETERMIJN = timedelta(weeks=2)


def _paaszondag(jaar: int) -> date:
    """Easter Sunday (Gregorian computus, anonymous algorithm)."""
    a, b, c = jaar % 19, jaar // 100, jaar % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    L = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * L) // 451
    maand, dag = divmod(h + L - 7 * m + 114, 31)
    return date(jaar, maand, dag + 1)


def algemeen_erkende_feestdagen(jaar: int) -> frozenset[date]:
    """The feestdagen of Algemene termijnenwet art. 3 in `jaar` (those that can fall on a weekday).

    Nieuwjaarsdag, tweede Paasdag, Hemelvaartsdag, tweede Pinksterdag, both Christmas days,
    Koningsdag (27 April; 30 April before 2014; the day before when that is a Sunday) and 5 May.
    """
    pasen = _paaszondag(jaar)
    koningsdag = date(jaar, 4, 30) if jaar < 2014 else date(jaar, 4, 27)
    if koningsdag.weekday() == 6:
        koningsdag -= timedelta(days=1)
    return frozenset({
        date(jaar, 1, 1), pasen + timedelta(days=1), pasen + timedelta(days=39), pasen + timedelta(days=50),
        koningsdag, date(jaar, 5, 5), date(jaar, 12, 25), date(jaar, 12, 26),
    })


def publicatie_deadline(datum: date, *, termijnenwet: bool = True) -> date:
    """The last day to publish a document adopted or received on `datum`: two weeks later.

    With `termijnenwet` (the default) a deadline on a Saturday, Sunday or algemeen erkende
    feestdag moves to the next day that is none of these (Algemene termijnenwet art. 1).
    """
    einde = datum + PUBLICATIETERMIJN
    while termijnenwet and (einde.weekday() >= 5 or einde in algemeen_erkende_feestdagen(einde.year)):
        einde += timedelta(days=1)
    return einde


def deadline_van(document: WooDocument, *, termijnenwet: bool = True) -> date | None:
    """The deadline for `document`: from its latest vaststelling or ontvangst (None without one)."""
    soorten = lijsten.soorten_handeling()
    start = [h.tijdstip.date() for h in document.documenthandelingen
             if soorten.waarde(h.soort).label in ("vaststelling", "ontvangst")]
    return publicatie_deadline(max(start), termijnenwet=termijnenwet) if start else None


def dagen_over(deadline: date, vandaag: date) -> int:
    """Days left until `deadline` (0 on the day itself, negative when overdue)."""
    return (deadline - vandaag).days


# --- may it be published? ---------------------------------------------------------------------


@dataclass(frozen=True)
class Oordeel:
    """Whether a record may be published, and why (for the Woo-redacteur and the event log)."""

    publiceerbaar: bool
    reden: str

    def __bool__(self) -> bool:
        return self.publiceerbaar


GEEN_BEPERKING_LABELS = frozenset({"geen beperking"})


def _open_code(code: str) -> bool:
    """A code from the NHA openbaarheid lists that means 'openbaar' (its segment and label say so)."""
    label = codelists.openbaarheid().get(code)
    if label is None:
        return False
    segment = code.split("/")[2] if code.count("/") >= 3 else ""
    return segment.startswith("Openbaar") and label.casefold().startswith("openbaar")


def publiceerbaar(
    beperking_code: str | None,
    has_redacted_version: bool,
    *,
    beperking_label: str | None = None,
    beperking_vervalt: date | None = None,
    peildatum: date | None = None,
) -> Oordeel:
    """May this record be published under the Woo?

    Yes when its beperkingGebruik allows it: an 'Openbaar' code of the Archiefwet 1995, Archiefwet
    2021 or Woo lists, or the MDTO label 'Geen beperking'; or when the restriction has lapsed
    (`beperking_vervalt` on or before `peildatum`); or when a redacted version exists (that version
    is what gets published). No otherwise: restricted, not assessed ('NietBeoordeeld'), unknown
    or missing codes.
    """
    if beperking_vervalt is not None and peildatum is not None and beperking_vervalt <= peildatum:
        return Oordeel(True, f"de beperking is vervallen op {beperking_vervalt.isoformat()}")
    code = codelists.canonieke_code(beperking_code) if beperking_code and beperking_code.strip() else None
    if code is not None and _open_code(code):
        return Oordeel(True, f"openbaar volgens beperkingGebruik {code}")
    if code is None and beperking_label and beperking_label.strip().casefold() in GEEN_BEPERKING_LABELS:
        return Oordeel(True, "geen beperking op het gebruik")
    if has_redacted_version:
        return Oordeel(True, "alleen de gelakte (geredigeerde) versie wordt gepubliceerd")
    if code is None:
        return Oordeel(False, "de openbaarheid is niet vastgelegd: beoordeel het stuk of lak het")
    label = codelists.openbaarheid().get(code)
    if label is None:
        return Oordeel(False, f"onbekende beperkingGebruik-code {code!r}: beoordeel het stuk")
    return Oordeel(False, f"beperkt: {label}; publiceer een gelakte versie")

