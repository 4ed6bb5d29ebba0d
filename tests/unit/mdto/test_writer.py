"""Specification of edepot.mdto.writer.to_xml: valid, ordered, deterministic MDTO sidecars."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from edepot.errors import InvalidInput
from edepot.mdto.model import NAMESPACE, XSD_LOCATION, Bestand, Informatieobject
from edepot.mdto.rules import validate_xml
from edepot.mdto.writer import to_xml
from edepot.xmlsafe import parse

from .conftest import xsd_volgorde

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _kinderen(xml: bytes, pad: str = "*") -> list[str]:
    root = parse(xml, source="geschreven.xml")
    ouder = root if pad == "." else root.find(pad)
    return [etree.QName(kind).localname for kind in ouder if isinstance(kind.tag, str)]


def test_a_control_character_in_a_value_is_refused_naming_the_element(dossier: Informatieobject) -> None:
    with pytest.raises(InvalidInput) as caught:
        to_xml(dataclasses.replace(dossier, naam="Notulen\x00"))
    assert caught.value.fields["element"] == "/MDTO/informatieobject/naam"


def test_writing_anything_but_an_informatieobject_or_bestand_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        to_xml("informatieobject")  # type: ignore[arg-type]


def test_a_written_dossier_is_valid_against_the_xsd(dossier: Informatieobject) -> None:
    assert validate_xml(to_xml(dossier), source="dossier.mdto.xml") == []


def test_a_written_bestand_is_valid_against_the_xsd(bestand: Bestand) -> None:
    assert validate_xml(to_xml(bestand), source="aanvraag.pdf.bestand.mdto.xml") == []


def test_the_document_is_utf8_with_declaration_and_an_mdto_root_pointing_at_the_xsd(
    dossier: Informatieobject,
) -> None:
    xml = to_xml(dossier)
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<MDTO ')
    root = parse(xml, source="dossier.mdto.xml")
    assert root.tag == f"{{{NAMESPACE}}}MDTO"
    assert root.nsmap == {None: NAMESPACE, "xsi": XSI}
    assert root.get(f"{{{XSI}}}schemaLocation") == f"{NAMESPACE} {XSD_LOCATION}"
    assert _kinderen(xml, ".") == ["informatieobject"]
    assert "Céramique".encode() in xml


def test_informatieobject_elements_follow_the_xsd_sequence_not_the_dataclass_order(
    dossier: Informatieobject,
) -> None:
    geschreven = _kinderen(to_xml(dossier))
    volgorde = xsd_volgorde("informatieobjectType")
    assert geschreven[:2] == ["identificatie", "naam"]
    posities = [volgorde.index(naam) for naam in geschreven]
    assert posities == sorted(posities)
    assert geschreven.index("event") < geschreven.index("waardering") < geschreven.index("archiefvormer")
    assert geschreven[-1] == "beperkingGebruik"


def test_bestand_elements_follow_the_xsd_sequence(bestand: Bestand) -> None:
    assert tuple(_kinderen(to_xml(bestand))) == xsd_volgorde("bestandType")


def test_nested_groups_follow_their_xsd_sequences(dossier: Informatieobject) -> None:
    xml = to_xml(dossier)
    assert tuple(_kinderen(xml, "*/{*}event")) == xsd_volgorde("eventGegevens")
    assert tuple(_kinderen(xml, "*/{*}dekkingInTijd")) == xsd_volgorde("dekkingInTijdGegevens")
    assert tuple(_kinderen(xml, "*/{*}beperkingGebruik")) == (
        "beperkingGebruikType", "beperkingGebruikNadereBeschrijving", "beperkingGebruikTermijn",
    )
    assert tuple(_kinderen(xml, "*/{*}beperkingGebruik/{*}beperkingGebruikTermijn")) == xsd_volgorde(
        "termijnGegevens"
    )
    assert tuple(_kinderen(xml, "*/{*}waardering")) == xsd_volgorde("begripGegevens")


def test_absent_optional_values_write_no_element(bestand: Bestand) -> None:
    zonder_url = dataclasses.replace(bestand, url_bestand=None)
    assert "URLBestand" not in _kinderen(to_xml(zonder_url))


def test_writing_is_deterministic_and_pretty_printed(dossier: Informatieobject) -> None:
    eerste = to_xml(dossier)
    assert eerste == to_xml(dataclasses.replace(dossier))
    assert b"\n  <informatieobject>\n    <identificatie>\n" in eerste
    assert eerste.endswith(b"</MDTO>\n")


def test_text_is_written_exactly_including_surrounding_spaces(dossier: Informatieobject) -> None:
    xml = to_xml(dataclasses.replace(dossier, naam=" Medewerker informatiebeheer "))
    assert b"<naam> Medewerker informatiebeheer </naam>" in xml
