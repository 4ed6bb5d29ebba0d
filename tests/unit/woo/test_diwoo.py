"""Specification of edepot.woo.diwoo: DiWoo 0.9.8 XML per document, validated against the XSD."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree

from edepot import xmlsafe
from edepot.errors import InvalidInput
from edepot.woo import lijsten
from edepot.woo.diwoo import document_fragment, document_xml
from edepot.woo.model import Documenthandeling, Documentrelatie, Geldigheid, Organisatie, Verantwoordelijke
from edepot.woo.schema import DIWOO_NAMESPACE, validate

from .conftest import T, categorie, maak_document, maak_publicatie

NS = {"d": DIWOO_NAMESPACE}


def test_a_document_without_informatiecategorie_is_refused() -> None:
    publicatie = maak_publicatie(informatiecategorieen=())
    with pytest.raises(InvalidInput, match="informatiecategorie"):
        document_xml(publicatie, publicatie.documenten[0])


def test_a_document_without_documenthandeling_is_refused() -> None:
    document = maak_document(documenthandelingen=())
    with pytest.raises(InvalidInput, match="documenthandeling"):
        document_xml(maak_publicatie(document), document)


def test_a_control_character_in_a_title_is_refused_with_the_element_named() -> None:
    document = maak_document(officiele_titel="Besluit\x00")
    with pytest.raises(InvalidInput, match="officieleTitel"):
        document_xml(maak_publicatie(document), document)


def test_the_minimal_document_is_valid_and_has_the_required_elements() -> None:
    publicatie = maak_publicatie()
    xml = document_xml(publicatie, publicatie.documenten[0])
    assert validate(xml, source="minimaal") == []
    root = xmlsafe.parse(xml, source="minimaal")
    assert root.xpath("string(d:DiWoo/d:publisher/@resource)", namespaces=NS) == (
        "https://identifier.overheid.nl/tooi/id/provincie/pv31")
    assert root.xpath("string(d:DiWoo/d:titelcollectie/d:officieleTitel)", namespaces=NS) == "Besluit 1"
    assert root.xpath("string(d:DiWoo/d:classificatiecollectie/d:informatiecategorieen/d:informatiecategorie)",
                      namespaces=NS) == "beschikkingen"
    assert root.xpath("string(d:DiWoo/d:documenthandelingen/d:documenthandeling/d:atTime)",
                      namespaces=NS) == "2025-03-04T10:00:00+00:00"


def test_every_field_is_written_and_the_result_is_valid() -> None:
    handelingen = (
        Documenthandeling.op_label("ontvangst", datetime(2025, 1, 2, 9, tzinfo=UTC),
                                   Organisatie("gemeente Maastricht",
                                               lijsten.organisaties().op_label("gemeente Maastricht").resource)),
        Documenthandeling.op_label("vaststelling", T),
        Documenthandeling.op_label("ondertekening", T),
    )
    document = maak_document(
        documenthandelingen=handelingen, bestandsnaam="besluit.pdf", omschrijving="Besluit & bijlagen <1>",
        informatiecategorieen=(categorie("convenanten"), categorie("beschikkingen")), kenmerken=("Z-2025-0001",),
        creatiedatum=date(2025, 1, 1), geldigheid=Geldigheid(T, datetime(2026, 1, 1, tzinfo=UTC)),
        documentrelaties=(Documentrelatie(lijsten.documentrelaties().op_label("heeft bijlage").resource,
                                          "https://woo.limburg.nl/bestanden/doc-2.pdf", "bijlage.pdf"),),
        documentsoorten=(lijsten.documentsoorten().waarden[0].resource,),
        taal=lijsten.talen().op_label("Nederlands").resource, format=lijsten.formats().op_label("PDF").resource,
        reden_verwijdering_vervanging=lijsten.redenen_verwijdering_vervanging().op_label(
            "correctie privacygevoelige gegevens").resource,
    )
    publicatie = maak_publicatie(document, url="https://woo.limburg.nl/publicaties/pub-1",
                                 verantwoordelijke=Verantwoordelijke.PROVINCIALE_STATEN, kenmerken=("PS-2025-1",))
    xml = document_xml(publicatie, document)
    assert validate(xml, source="volledig") == []
    root = xmlsafe.parse(xml, source="volledig")
    d = root.find("d:DiWoo", NS)
    assert [e.text for e in d.iterfind("d:identifiers/d:identifier", NS)] == ["doc-1", "PS-2025-1", "Z-2025-0001"]
    assert d.findtext("d:verantwoordelijke", namespaces=NS) == "Provinciale Staten van Limburg"
    assert d.findtext("d:omschrijvingen/d:omschrijving", namespaces=NS) == "Besluit & bijlagen <1>"
    assert [e.text for e in d.iterfind("d:documenthandelingen/d:documenthandeling/d:soortHandeling", NS)] == [
        "ontvangst", "vaststelling", "ondertekening"]  # in time order
    assert d.find("d:isPartOf", NS).get("resource") == "https://woo.limburg.nl/publicaties/pub-1"
    assert d.findtext("d:redenVerwijderingVervanging", namespaces=NS) == "correctie privacygevoelige gegevens"
    assert len(d.findall("d:classificatiecollectie/d:informatiecategorieen/d:informatiecategorie", NS)) == 2


def test_the_output_is_deterministic_and_the_fragment_is_one_element() -> None:
    publicatie = maak_publicatie()
    document = publicatie.documenten[0]
    assert document_xml(publicatie, document) == document_xml(publicatie, document)
    fragment = document_fragment(publicatie, document)
    assert fragment.startswith(b"<diwoo:Document") and b"<?xml" not in fragment
    assert etree.QName(xmlsafe.parse(fragment, source="f")).localname == "Document"
