"""Fixtures for the MDTO tests: the four official examples and two objects of our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    LIJST_AGGREGATIENIVEAU,
    LIJST_BEPERKING,
    LIJST_DEKKING_IN_TIJD,
    LIJST_EVENTTYPE,
    LIJST_PRONOM,
    LIJST_WAARDERING,
    Begrip,
    BeperkingGebruik,
    Bestand,
    DekkingInTijd,
    Event,
    Identificatie,
    Informatieobject,
    Termijn,
    Verwijzing,
    sha256_checksum,
)

REPO = Path(__file__).parents[3]
VOORBEELDEN = REPO / ".." / "shared" / "reference" / "mdto" / "voorbeelden"
REFERENTIE_XSD = REPO / ".." / "shared" / "reference" / "mdto" / "MDTO-XML1.0.1.xsd"
VOORBEELD_NAMEN = (
    "Archiefstuk Informatieobject", "Bestand", "Dossier Informatieobject", "Serie Informatieobject",
)


def voorbeeld(naam: str) -> bytes:
    """The official example 'MDTO-XML 1.0.1 Voorbeeld <naam>.xml'; fails (never skips) when missing."""
    pad = VOORBEELDEN / f"MDTO-XML 1.0.1 Voorbeeld {naam}.xml"
    assert pad.is_file(), f"official MDTO example missing: {pad}"
    return pad.read_bytes()


@pytest.fixture(params=VOORBEELD_NAMEN)
def officieel_voorbeeld(request: pytest.FixtureRequest) -> bytes:
    return voorbeeld(request.param)


def maak_dossier() -> Informatieobject:
    """A Dossier of Provincie Limburg with a Digitalisering event, dekkingInTijd and a restricted use."""
    return Informatieobject(
        identificatie=(Identificatie(kenmerk="PL-2019-0042", bron="Provincie Limburg DMS"),),
        naam="Subsidie restauratie watermolen Céramique, Maastricht",
        waardering=Begrip(label="Tijdelijk te bewaren", code="V", begrippenlijst=LIJST_WAARDERING),
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(
            BeperkingGebruik(
                type=Begrip(
                    label="beperkt openbaar; eerbiediging van de persoonlijke levenssfeer (Archiefwet 1995)",
                    code="Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0",
                    begrippenlijst=LIJST_BEPERKING,
                ),
                nadere_beschrijving="Bevat BSN-nummers van aanvragers.",
                termijn=Termijn(
                    trigger_start_looptijd=Begrip(label="Afsluiting", code="Triggers/Afsluiting/1.0",
                                                  begrippenlijst=Verwijzing(naam="NHA triggers")),
                    startdatum_looptijd="2020-01-01",
                    looptijd="P75Y",
                    einddatum="2095-01-01",
                ),
            ),
        ),
        aggregatieniveau=Begrip(label="Dossier", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        trefwoord=("subsidie", "erfgoed"),
        dekking_in_tijd=(
            DekkingInTijd(
                type=Begrip(label="Looptijd", begrippenlijst=LIJST_DEKKING_IN_TIJD),
                begindatum="2019-03-01",
                einddatum="2019-12",
            ),
        ),
        taal=("nl",),
        event=(
            Event(
                type=Begrip(label="Digitalisering", begrippenlijst=LIJST_EVENTTYPE),
                tijd="2024-05-13T10:15:00+02:00",
                verantwoordelijke_actor=Verwijzing(naam="Scanstraat DIM"),
                resultaat="600 dpi, PDF/A-2b",
            ),
        ),
        bewaartermijn=Termijn(looptijd="P10Y", einddatum="2030"),
        is_onderdeel_van=(
            Verwijzing(naam="Subsidies erfgoed",
                       identificatie=Identificatie(kenmerk="PL-S-7", bron="Provincie Limburg DMS")),
        ),
        heeft_representatie=(
            Verwijzing(naam="aanvraag.pdf",
                       identificatie=Identificatie(kenmerk="PL-2019-0042-1", bron="edepot")),
        ),
    )


def maak_bestand() -> Bestand:
    """The PDF representation of `maak_dossier()`."""
    return Bestand(
        identificatie=(Identificatie(kenmerk="PL-2019-0042-1", bron="edepot"),),
        naam="aanvraag.pdf",
        omvang=123456,
        bestandsformaat=Begrip(label="Acrobat PDF/A - Portable Document Format 2b", code="fmt/477",
                               begrippenlijst=LIJST_PRONOM),
        checksum=(sha256_checksum("0" * 63 + "a", "2024-05-13T10:16:00+02:00"),),
        is_representatie_van=Verwijzing(
            naam="Subsidie restauratie watermolen Céramique, Maastricht",
            identificatie=Identificatie(kenmerk="PL-2019-0042", bron="Provincie Limburg DMS"),
        ),
        url_bestand="https://edepot.limburg.nl/bestanden/PL-2019-0042-1",
    )


@pytest.fixture
def dossier() -> Informatieobject:
    return maak_dossier()


@pytest.fixture
def bestand() -> Bestand:
    return maak_bestand()


def xsd_volgorde(typenaam: str) -> tuple[str, ...]:
    """Element names of an XSD complexType in sequence order, base type (objectType) first."""
    from edepot.mdto.rules import mdto_xsd
    from edepot.xmlsafe import parse

    xs = "{http://www.w3.org/2001/XMLSchema}"
    schema = parse(mdto_xsd(), source="MDTO-XML1.0.1.xsd")
    (complex_type,) = [t for t in schema.iter(f"{xs}complexType") if t.get("name") == typenaam]
    namen: list[str] = []
    extensie = complex_type.find(f"{xs}complexContent/{xs}extension")
    if extensie is not None:
        namen.extend(xsd_volgorde(extensie.get("base")))
        complex_type = extensie
    for groep in complex_type:
        if groep.tag in (f"{xs}sequence", f"{xs}choice"):
            namen.extend(e.get("name") for e in groep.iter(f"{xs}element"))
    return tuple(namen)
