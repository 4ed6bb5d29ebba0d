"""Specification of edepot.woo.schema and edepot.woo.lijsten: the vendored DiWoo XSD and its lists."""

from __future__ import annotations

from pathlib import Path

import pytest

import edepot
from edepot.errors import InvalidInput, UnsafeInput
from edepot.woo import lijsten, schema

REPO = Path(edepot.__file__).resolve().parent.parent
REFERENTIE = REPO.parent / "shared" / "reference" / "diwoo"


@pytest.mark.parametrize("naam", ["diwoo-metadata.xsd", "diwoo-metadata-lijsten.xsd"])
def test_the_run_time_schemas_are_byte_identical_to_the_vendored_copies(naam: str) -> None:
    assert (REPO / "edepot" / "data" / "schemas" / "diwoo" / naam).read_bytes() == (
        REPO / "schemas" / "diwoo" / naam).read_bytes()


@pytest.mark.parametrize("naam", ["diwoo-metadata.xsd", "diwoo-metadata-lijsten.xsd"])
def test_the_vendored_schemas_are_unchanged_from_the_reference(naam: str) -> None:
    if not REFERENTIE.exists():
        pytest.skip("shared/reference not present")
    assert (REPO / "schemas" / "diwoo" / naam).read_bytes() == (REFERENTIE / naam).read_bytes()


def test_the_schema_still_names_the_remote_mdto_location_which_is_resolved_locally() -> None:
    assert schema.MDTO_REMOTE.encode() in schema.diwoo_xsd()
    assert schema.diwoo_schema() is schema.diwoo_schema()  # compiled once


def test_the_resolver_refuses_any_location_that_is_not_vendored() -> None:
    resolver = schema._VendoredResolver()
    with pytest.raises(UnsafeInput, match="not vendored"):
        resolver.resolve("https://example.org/other.xsd", None, None)


def test_validation_reports_a_document_without_publisher() -> None:
    xml = (b'<diwoo:Document xmlns:diwoo="https://standaarden.overheid.nl/diwoo/metadata/"><diwoo:DiWoo>'
           b"<diwoo:titelcollectie><diwoo:officieleTitel>x</diwoo:officieleTitel></diwoo:titelcollectie>"
           b"</diwoo:DiWoo></diwoo:Document>")
    bevindingen = schema.validate(xml, source="t.xml")
    assert bevindingen and all(b.rule == "woo.diwoo.xsd" for b in bevindingen)


def test_validation_reports_malformed_xml_and_refuses_a_doctype() -> None:
    assert schema.validate(b"<a>", source="t.xml")[0].rule == "woo.diwoo.xml"
    with pytest.raises(UnsafeInput):
        schema.validate(b'<!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>', source="t.xml")


def test_validation_of_a_document_without_diwoo_elements_says_so() -> None:
    assert schema.validate(b"<urlset/>", source="t.xml")[0].rule == "woo.diwoo.document"


def test_the_informatiecategorieen_are_read_from_the_xsd_17_of_article_3_3_plus_article_3_1() -> None:
    categorieen = lijsten.informatiecategorieen()
    assert categorieen.tooi_set == "https://identifier.overheid.nl/tooi/set/scw_woo_informatiecategorieen/4"
    # version 4 of the list has the 17 categories of art. 3.3 Woo and 'inspanningsverplichting art 3.1 Woo'
    assert len(categorieen) == 18
    labels = {w.label for w in categorieen}
    assert {"Woo-verzoeken en -besluiten", "convenanten", "inspanningsverplichting art 3.1 Woo"} <= labels
    assert all(w.resource.startswith("https://identifier.overheid.nl/tooi/def/thes/kern/c_") for w in categorieen)
    assert all(w.omschrijving for w in categorieen)


def test_the_documenthandelingen_are_vaststelling_ondertekening_and_ontvangst() -> None:
    assert {w.label for w in lijsten.soorten_handeling()} == {"vaststelling", "ondertekening", "ontvangst"}


def test_provincie_limburg_is_in_the_organisation_lists_but_its_bestuursorganen_are_not() -> None:
    organisaties = lijsten.organisaties()
    assert organisaties.waarde("https://identifier.overheid.nl/tooi/id/provincie/pv31").label == "provincie Limburg"
    labels = {w.label.casefold() for w in organisaties}
    assert not any("gedeputeerde staten" in label or "provinciale staten" in label for label in labels)


def test_an_unknown_value_or_list_is_refused_with_the_list_named() -> None:
    with pytest.raises(InvalidInput, match="scw_woo_informatiecategorieen"):
        lijsten.informatiecategorieen().waarde("https://example.org/c_x")
    with pytest.raises(InvalidInput, match="no value list"):
        lijsten.lijst("bestaatniet")
    with pytest.raises(InvalidInput):
        lijsten.soorten_handeling().op_label("ondertekend")


def test_the_lists_are_parsed_once() -> None:
    assert lijsten.alle_lijsten() is lijsten.alle_lijsten()
    assert lijsten.REDEN_VERWIJDERING_VERVANGING in lijsten.alle_lijsten()
