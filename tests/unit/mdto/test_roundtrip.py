"""Reading and writing MDTO are inverse: the official examples and our own objects survive both."""

from __future__ import annotations

import dataclasses

from edepot.mdto.model import Bestand, Informatieobject
from edepot.mdto.reader import from_xml
from edepot.mdto.rules import validate_xml
from edepot.mdto.writer import to_xml

from .conftest import VOORBEELD_NAMEN, VOORBEELDEN


def test_all_four_official_examples_are_present() -> None:
    gevonden = sorted(pad.name for pad in VOORBEELDEN.glob("*.xml"))
    assert gevonden == sorted(f"MDTO-XML 1.0.1 Voorbeeld {naam}.xml" for naam in VOORBEELD_NAMEN)


def test_an_official_example_is_valid_against_the_xsd_as_published(officieel_voorbeeld: bytes) -> None:
    assert validate_xml(officieel_voorbeeld, source="voorbeeld.xml") == []


def test_an_official_example_written_back_is_valid_against_the_xsd(officieel_voorbeeld: bytes) -> None:
    geschreven = to_xml(from_xml(officieel_voorbeeld, source="voorbeeld.xml"))
    assert validate_xml(geschreven, source="geschreven.xml") == []


def test_an_official_example_read_written_and_read_again_is_the_same_value(
    officieel_voorbeeld: bytes,
) -> None:
    gelezen = from_xml(officieel_voorbeeld, source="voorbeeld.xml")
    assert from_xml(to_xml(gelezen), source="geschreven.xml") == gelezen


def test_writing_what_was_read_from_our_own_output_gives_the_same_bytes(officieel_voorbeeld: bytes) -> None:
    geschreven = to_xml(from_xml(officieel_voorbeeld, source="voorbeeld.xml"))
    assert to_xml(from_xml(geschreven, source="geschreven.xml")) == geschreven


def test_our_dossier_survives_writing_and_reading(dossier: Informatieobject) -> None:
    assert from_xml(to_xml(dossier), source="dossier.mdto.xml") == dossier


def test_our_bestand_survives_writing_and_reading(bestand: Bestand) -> None:
    assert from_xml(to_xml(bestand), source="aanvraag.pdf.bestand.mdto.xml") == bestand


def test_an_empty_name_survives_writing_and_reading(dossier: Informatieobject) -> None:
    leeg = dataclasses.replace(dossier, naam="", trefwoord=("",))
    assert from_xml(to_xml(leeg), source="leeg.mdto.xml") == leeg
