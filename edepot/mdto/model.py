"""MDTO 1.0.1 as plain, immutable Python values.

One dataclass per XSD complex type, fields in XSD sequence order and named after the XSD
elements (snake_case of the Dutch names). Optional elements default to None, repeatable elements
to an empty tuple. No I/O here: the writer, reader and rules modules work on these values.
"""

from __future__ import annotations

from dataclasses import dataclass

NAMESPACE = "https://www.nationaalarchief.nl/mdto"
XSD_LOCATION = "https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"


@dataclass(frozen=True)
class Identificatie:
    kenmerk: str
    bron: str


@dataclass(frozen=True)
class Verwijzing:
    naam: str
    identificatie: Identificatie | None = None


@dataclass(frozen=True)
class Begrip:
    label: str
    begrippenlijst: Verwijzing
    code: str | None = None


@dataclass(frozen=True)
class Termijn:
    trigger_start_looptijd: Begrip | None = None
    startdatum_looptijd: str | None = None  # xsd:date
    looptijd: str | None = None  # xsd:duration, e.g. P10Y
    einddatum: str | None = None  # date, gYearMonth or gYear


@dataclass(frozen=True)
class DekkingInTijd:
    type: Begrip
    begindatum: str  # xsd:date, gYearMonth or gYear
    einddatum: str | None = None


@dataclass(frozen=True)
class Raadpleeglocatie:
    fysiek: tuple[Verwijzing, ...] = ()
    online: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    type: Begrip
    tijd: str | None = None
    verantwoordelijke_actor: Verwijzing | None = None
    resultaat: str | None = None


@dataclass(frozen=True)
class GerelateerdInformatieobject:
    verwijzing: Verwijzing
    type_relatie: Begrip


@dataclass(frozen=True)
class Betrokkene:
    type_relatie: Begrip
    actor: Verwijzing


@dataclass(frozen=True)
class BeperkingGebruik:
    type: Begrip
    nadere_beschrijving: str | None = None
    documentatie: tuple[Verwijzing, ...] = ()
    termijn: Termijn | None = None


@dataclass(frozen=True)
class Checksum:
    algoritme: Begrip
    waarde: str
    datum: str  # xsd:dateTime


@dataclass(frozen=True)
class Informatieobject:
    identificatie: tuple[Identificatie, ...]
    naam: str
    waardering: Begrip
    archiefvormer: tuple[Verwijzing, ...]
    beperking_gebruik: tuple[BeperkingGebruik, ...]
    aggregatieniveau: Begrip | None = None
    classificatie: tuple[Begrip, ...] = ()
    trefwoord: tuple[str, ...] = ()
    omschrijving: tuple[str, ...] = ()
    raadpleeglocatie: tuple[Raadpleeglocatie, ...] = ()
    dekking_in_tijd: tuple[DekkingInTijd, ...] = ()
    dekking_in_ruimte: tuple[Verwijzing, ...] = ()
    taal: tuple[str, ...] = ()
    event: tuple[Event, ...] = ()
    bewaartermijn: Termijn | None = None
    informatiecategorie: Begrip | None = None
    is_onderdeel_van: tuple[Verwijzing, ...] = ()
    bevat_onderdeel: tuple[Verwijzing, ...] = ()
    heeft_representatie: tuple[Verwijzing, ...] = ()
    aanvullende_metagegevens: tuple[Verwijzing, ...] = ()
    gerelateerd_informatieobject: tuple[GerelateerdInformatieobject, ...] = ()
    betrokkene: tuple[Betrokkene, ...] = ()
    activiteit: Verwijzing | None = None


@dataclass(frozen=True)
class Bestand:
    identificatie: tuple[Identificatie, ...]
    naam: str
    omvang: int
    bestandsformaat: Begrip
    checksum: tuple[Checksum, ...]
    is_representatie_van: Verwijzing
    url_bestand: str | None = None


MdtoObject = Informatieobject | Bestand


# --- the begrippenlijsten we use, as values -------------------------------------------------


def lijst(naam: str) -> Verwijzing:
    return Verwijzing(naam=naam)


LIJST_AGGREGATIENIVEAU = lijst("Begrippenlijst Aggregatieniveaus MDTO")
LIJST_WAARDERING = lijst("Begrippenlijst Waarderingen MDTO")
LIJST_EVENTTYPE = lijst("Begrippenlijst EventType MDTO")
LIJST_CHECKSUM = lijst("Begrippenlijst ChecksumAlgoritme MDTO")
LIJST_BEPERKING = lijst("Begrippenlijst BeperkingGebruik MDTO")
LIJST_PRONOM = lijst("PRONOM-register")
LIJST_DEKKING_IN_TIJD = lijst("Begrippenlijst DekkingInTijdType")

ARCHIEFVORMER_PROVINCIE_LIMBURG = Verwijzing(
    naam="Provincie Limburg",
    identificatie=Identificatie(
        kenmerk="https://identifier.overheid.nl/tooi/id/provincie/pv31",
        bron="TOOI",
    ),
)


def sha256_checksum(waarde: str, datum: str) -> Checksum:
    return Checksum(algoritme=Begrip(label="SHA-256", begrippenlijst=LIJST_CHECKSUM), waarde=waarde, datum=datum)


GEEN_BEPERKING = BeperkingGebruik(type=Begrip(label="Geen beperking", begrippenlijst=LIJST_BEPERKING))
