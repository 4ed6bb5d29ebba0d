"""Specification of edepot.mdto.reader.from_xml: strict, safe reading of MDTO sidecars."""

from __future__ import annotations

import pytest

from edepot.errors import InvalidInput, UnsafeInput
from edepot.mdto.model import Bestand, Informatieobject
from edepot.mdto.reader import VOLGORDE, from_xml

from .conftest import voorbeeld, xsd_volgorde

SERIE = voorbeeld("Serie Informatieobject")
BESTAND = voorbeeld("Bestand")


def _fout(data: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        from_xml(data, source="sidecar.mdto.xml")
    return caught.value


def _vervang(data: bytes, oud: bytes, nieuw: bytes) -> bytes:
    assert data.count(oud) == 1, oud
    return data.replace(oud, nieuw)


def test_a_repeated_element_is_refused_naming_its_path() -> None:
    data = _vervang(SERIE, b"<begripLabel>Nader te bepalen</begripLabel>",
                    b"<begripLabel>Nader te bepalen</begripLabel><begripLabel>B</begripLabel>")
    error = _fout(data)
    assert error.fields["element"] == "/MDTO/informatieobject/waardering/begripLabel"
    assert "/MDTO/informatieobject/waardering/begripLabel" in error.message
    assert "sidecar.mdto.xml" in error.message


def test_an_unknown_element_is_refused_naming_its_path_and_line() -> None:
    data = _vervang(SERIE, b"<taal>nl</taal>", b"<taal>nl</taal>\n<onbekend>x</onbekend>")
    error = _fout(data)
    assert error.fields["element"] == "/MDTO/informatieobject/onbekend"
    assert "unknown element" in error.message
    assert error.fields["line"] == 41


def test_an_element_out_of_xsd_order_is_refused() -> None:
    data = _vervang(SERIE, b"<taal>nl</taal>", b"")
    data = _vervang(data, b"</informatieobject>", b"<taal>nl</taal></informatieobject>")
    error = _fout(data)
    assert error.fields["element"] == "/MDTO/informatieobject/taal"
    assert "misplaced" in error.message


def test_an_element_in_another_namespace_is_refused() -> None:
    data = _vervang(SERIE, b"<taal>nl</taal>", b'<taal>nl</taal><x:taal xmlns:x="urn:x">nl</x:taal>')
    assert _fout(data).fields["element"] == "/MDTO/informatieobject/{urn:x}taal"


def test_a_missing_required_element_is_refused_naming_it() -> None:
    begin = SERIE.index(b"<waardering>")
    einde = SERIE.index(b"</waardering>") + len(b"</waardering>")
    error = _fout(SERIE[:begin] + SERIE[einde:])
    assert error.fields["element"] == "/MDTO/informatieobject/waardering"
    assert "required element /MDTO/informatieobject/waardering is missing" in error.message


def test_a_missing_required_element_at_the_end_is_refused() -> None:
    begin = SERIE.index(b"<beperkingGebruik>")
    einde = SERIE.index(b"</beperkingGebruik>") + len(b"</beperkingGebruik>")
    assert _fout(SERIE[:begin] + SERIE[einde:]).fields["element"] == "/MDTO/informatieobject/beperkingGebruik"


def test_an_element_inside_a_text_element_is_refused() -> None:
    data = _vervang(SERIE, b"<taal>nl</taal>", b"<taal>nl<b>vet</b></taal>")
    assert _fout(data).fields["element"] == "/MDTO/informatieobject/taal/b"


def test_stray_text_between_elements_is_refused() -> None:
    data = _vervang(SERIE, b"<taal>nl</taal>", b"<taal>nl</taal> losse tekst ")
    assert "losse tekst" in _fout(data).message


def test_a_root_other_than_mdto_is_refused() -> None:
    data = SERIE.replace(b'xmlns="https://www.nationaalarchief.nl/mdto"', b'xmlns="urn:ander"')
    assert "expected MDTO" in _fout(data).message


def test_an_empty_mdto_is_refused() -> None:
    data = b'<MDTO xmlns="https://www.nationaalarchief.nl/mdto"/>'
    assert "neither an informatieobject nor a bestand" in _fout(data).message


def test_two_objects_in_one_document_are_refused() -> None:
    binnen = BESTAND[BESTAND.index(b"<bestand>"):BESTAND.index(b"</MDTO>")]
    data = _vervang(BESTAND, b"</MDTO>", binnen + b"</MDTO>")
    assert _fout(data).fields["element"] == "/MDTO/bestand"


def test_an_omvang_that_is_not_a_number_is_refused() -> None:
    data = _vervang(BESTAND, b"<omvang>57727859</omvang>", b"<omvang>57 MB</omvang>")
    assert _fout(data).fields["element"] == "/MDTO/bestand/omvang"


def test_a_doctype_is_refused_as_unsafe_before_reading() -> None:
    data = _vervang(SERIE, b"<MDTO ", b'<!DOCTYPE MDTO [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<MDTO ')
    with pytest.raises(UnsafeInput):
        from_xml(data, source="sidecar.mdto.xml")


def test_malformed_xml_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        from_xml(SERIE[:-20], source="sidecar.mdto.xml")


def test_the_reader_knows_the_xsd_sequences() -> None:
    for typenaam, namen in VOLGORDE.items():
        assert namen == xsd_volgorde(typenaam), typenaam


def test_the_serie_example_is_read_into_values() -> None:
    serie = from_xml(SERIE, source="serie.xml")
    assert isinstance(serie, Informatieobject)
    assert serie.identificatie[0].kenmerk == "DC/155"
    assert serie.aggregatieniveau is not None and serie.aggregatieniveau.label == "Serie"
    assert serie.waardering.code == "N"
    assert serie.event[0].resultaat == "Serie is volledig"
    assert serie.bevat_onderdeel[0].identificatie is not None
    assert serie.bevat_onderdeel[0].identificatie.kenmerk == "DC/358"
    assert serie.beperking_gebruik[0].type.label == "Geen beperking"
    assert serie.bewaartermijn is None


def test_the_bestand_example_is_read_into_values() -> None:
    bestand = from_xml(BESTAND, source="bestand.xml")
    assert isinstance(bestand, Bestand)
    assert bestand.omvang == 57727859
    assert bestand.bestandsformaat.code == "fmt/17"
    assert bestand.checksum[0].algoritme.label == "SHA256"
    assert bestand.url_bestand is not None and bestand.url_bestand.endswith("DC-2015_1753-1.PDF")
    assert bestand.is_representatie_van.naam.startswith("Atelier Kustkwaliteit")


def test_the_dossier_example_keeps_termijn_and_dekking_in_tijd() -> None:
    dossier = from_xml(voorbeeld("Dossier Informatieobject"), source="dossier.xml")
    assert isinstance(dossier, Informatieobject)
    assert dossier.bewaartermijn is not None and dossier.bewaartermijn.looptijd == "P75Y"
    assert dossier.dekking_in_tijd[0].einddatum == "2014-12-31"
    termijn = dossier.beperking_gebruik[0].termijn
    assert termijn is not None and termijn.einddatum == "2035-04-05" and termijn.startdatum_looptijd is None


def test_text_is_kept_exactly_as_written() -> None:
    dossier = from_xml(voorbeeld("Dossier Informatieobject"), source="dossier.xml")
    assert isinstance(dossier, Informatieobject)
    actor = dossier.event[0].verantwoordelijke_actor
    assert actor is not None and actor.naam == "Medewerker informatiebeheer "


def test_comments_are_ignored() -> None:
    data = _vervang(SERIE, b"<taal>nl</taal>", b"<!-- opmerking --><taal>n<!-- x -->l</taal>")
    serie = from_xml(data, source="serie.xml")
    assert isinstance(serie, Informatieobject)
    assert serie.taal == ("nl",)
