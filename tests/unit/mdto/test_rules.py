"""Specification of edepot.mdto.rules: the XSD and the code-list rules it lacks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import edepot
from edepot.errors import Finding, Severity, UnsafeInput
from edepot.mdto import codelists
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    LIJST_BEPERKING,
    LIJST_CHECKSUM,
    LIJST_WAARDERING,
    Begrip,
    BeperkingGebruik,
    Bestand,
    Checksum,
    Identificatie,
    Informatieobject,
    Termijn,
    Verwijzing,
)
from edepot.mdto.reader import from_xml
from edepot.mdto.rules import (
    TOOI_PROVINCIE_LIMBURG,
    check,
    check_no_cycles,
    mdto_xsd,
    onderdeel_relaties,
    validate_xml,
)
from edepot.mdto.writer import to_xml

from .conftest import REFERENTIE_XSD, REPO, maak_bestand, maak_dossier, voorbeeld

SHA256 = "86f16c3359c2e59538a3df178a9530dd6278faec82e66d605b3bc2a64ac390fc"


def _fouten(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings if f.severity is Severity.FOUT]


def _waarschuwingen(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings if f.severity is Severity.WAARSCHUWING]


def _io(**wijzigingen: object) -> Informatieobject:
    return dataclasses.replace(maak_dossier(), **wijzigingen)  # type: ignore[arg-type]


def _bestand(**wijzigingen: object) -> Bestand:
    return dataclasses.replace(maak_bestand(), **wijzigingen)  # type: ignore[arg-type]


def _waardering(label: str, code: str | None = None) -> Begrip:
    return Begrip(label=label, code=code, begrippenlijst=LIJST_WAARDERING)


def _beperking(label: str, code: str | None = None) -> tuple[BeperkingGebruik, ...]:
    return (BeperkingGebruik(type=Begrip(label=label, code=code, begrippenlijst=LIJST_BEPERKING)),)


def _checksum(label: str, waarde: str = SHA256) -> Checksum:
    return Checksum(algoritme=Begrip(label=label, begrippenlijst=LIJST_CHECKSUM), waarde=waarde,
                    datum="2025-02-18T15:24:18")


# --- the vendored XSD --------------------------------------------------------------------------

def test_the_packaged_xsd_is_byte_identical_to_the_vendored_schema_and_the_reference() -> None:
    packaged = Path(edepot.__file__).parent / "data" / "schemas" / "MDTO-XML1.0.1.xsd"
    vendored = REPO / "schemas" / "MDTO-XML1.0.1.xsd"
    assert packaged.read_bytes() == vendored.read_bytes() == mdto_xsd()
    assert vendored.read_bytes() == REFERENTIE_XSD.read_bytes()


# --- validate_xml ------------------------------------------------------------------------------

def test_an_element_out_of_order_is_an_xsd_finding_with_path_and_line() -> None:
    data = voorbeeld("Serie Informatieobject").replace(b"<taal>nl</taal>", b"").replace(
        b"</informatieobject>", b"<taal>nl</taal></informatieobject>")
    findings = validate_xml(data, source="serie.mdto.xml")
    assert _fouten(findings) == ["mdto.xsd"]
    (finding,) = findings
    assert finding.message.startswith("/MDTO/informatieobject/taal (line ")
    assert finding.file == "serie.mdto.xml"
    assert finding.object == "DC/155"
    assert "{https://" not in finding.message


def test_every_xsd_error_is_its_own_finding() -> None:
    data = voorbeeld("Bestand").replace(b"<omvang>57727859</omvang>", b"<omvang>groot</omvang>").replace(
        b"<checksumDatum>2025-02-18T15:24:18</checksumDatum>", b"<checksumDatum>gisteren</checksumDatum>")
    findings = validate_xml(data, source="bestand.mdto.xml")
    assert [f.message.split(" (line")[0] for f in findings] == [
        "/MDTO/bestand/omvang", "/MDTO/bestand/checksum/checksumDatum",
    ]


def test_a_missing_mandatory_element_is_an_xsd_finding(dossier: Informatieobject) -> None:
    xml = to_xml(dossier)
    begin, einde = xml.index(b"<waardering>"), xml.index(b"</waardering>") + len(b"</waardering>")
    assert _fouten(validate_xml(xml[:begin] + xml[einde:], source="d.xml")) == ["mdto.xsd"]


def test_malformed_xml_is_one_finding_not_an_exception() -> None:
    findings = validate_xml(b"<MDTO><informatieobject></MDTO>", source="kapot.xml")
    assert _fouten(findings) == ["mdto.xml"]
    assert "line 1" in findings[0].message


def test_unsafe_xml_raises_instead_of_being_validated() -> None:
    with pytest.raises(UnsafeInput):
        validate_xml(b'<!DOCTYPE MDTO [<!ENTITY x SYSTEM "file:///etc/passwd">]><MDTO>&x;</MDTO>',
                     source="x.xml")


def test_a_valid_document_has_no_findings(dossier: Informatieobject) -> None:
    assert validate_xml(to_xml(dossier), source="dossier.mdto.xml") == []


# --- the official examples ----------------------------------------------------------------------

@pytest.mark.parametrize("naam", ["Archiefstuk Informatieobject", "Dossier Informatieobject",
                                  "Serie Informatieobject"])
def test_an_official_informatieobject_example_passes_when_the_archiefvormer_is_not_checked(naam: str) -> None:
    obj = from_xml(voorbeeld(naam), source=naam)
    assert check(obj, source=naam, archiefvormer_tooi=None) == []
    assert _fouten(check(obj, source=naam)) == ["mdto.archiefvormer"]


def test_the_official_bestand_example_passes_with_a_warning_about_its_sha256_spelling() -> None:
    obj = from_xml(voorbeeld("Bestand"), source="bestand.xml")
    findings = check(obj, source="bestand.xml", archiefvormer_tooi=None)
    assert _fouten(findings) == []
    assert _waarschuwingen(findings) == ["mdto.checksum.algoritme"]
    assert findings[0].object == "50295847" and findings[0].file == "bestand.xml"


def test_our_own_dossier_and_bestand_pass_every_rule(dossier: Informatieobject, bestand: Bestand) -> None:
    assert check(dossier, source="d.xml") == []
    assert check(bestand, source="b.xml") == []


# --- waardering and bewaartermijn --------------------------------------------------------------

@pytest.mark.parametrize("waardering", [
    _waardering("Vernietigen"),
    _waardering("Tijdelijk te bewaren", code="X"),
    _waardering("Blijvend te bewaren", code="V"),
    _waardering("Vernietigen", code="V"),
])
def test_a_waardering_outside_b_v_n_or_with_disagreeing_code_and_label_is_an_error(
    waardering: Begrip,
) -> None:
    findings = check(_io(waardering=waardering, bewaartermijn=None), source="d.xml")
    assert _fouten(findings) == ["mdto.waardering"]


@pytest.mark.parametrize("waardering", [
    _waardering("Blijvend te bewaren", code="B"),
    _waardering("Blijvend te bewaren"),
    _waardering("Nader te bepalen", code="N"),
    _waardering("B"),
    _waardering("tijdelijk te bewaren", code="V"),
])
def test_a_waardering_is_accepted_by_code_or_label(waardering: Begrip) -> None:
    assert check(_io(waardering=waardering, bewaartermijn=None), source="d.xml") == []


def test_a_bewaartermijn_with_a_waardering_other_than_v_is_an_error() -> None:
    findings = check(_io(waardering=_waardering("Blijvend te bewaren", code="B")), source="d.xml")
    assert _fouten(findings) == ["mdto.bewaartermijn"]
    assert "only V" in findings[0].message


def test_a_bewaartermijn_with_waardering_v_is_accepted() -> None:
    assert check(_io(waardering=_waardering("Tijdelijk te bewaren", code="V"),
                     bewaartermijn=Termijn(looptijd="P5Y")), source="d.xml") == []


# --- aggregatieniveau --------------------------------------------------------------------------

def test_an_unknown_aggregatieniveau_is_an_error() -> None:
    niveau = Begrip(label="Map", begrippenlijst=Verwijzing(naam="Begrippenlijst Aggregatieniveaus MDTO"))
    assert _fouten(check(_io(aggregatieniveau=niveau), source="d.xml")) == ["mdto.aggregatieniveau"]


@pytest.mark.parametrize("label", ["Archief", "Serie", "Dossier", "Zaak", "Archiefstuk"])
def test_the_known_aggregatieniveaus_are_accepted(label: str) -> None:
    niveau = Begrip(label=label, begrippenlijst=Verwijzing(naam="Begrippenlijst Aggregatieniveaus MDTO"))
    assert check(_io(aggregatieniveau=niveau), source="d.xml") == []


def test_no_aggregatieniveau_is_accepted() -> None:
    assert check(_io(aggregatieniveau=None), source="d.xml") == []


# --- archiefvormer -----------------------------------------------------------------------------

def test_an_archiefvormer_other_than_provincie_limburg_is_an_error_by_default() -> None:
    ander = Verwijzing(naam="Gemeente Maastricht",
                       identificatie=Identificatie(kenmerk="https://identifier.overheid.nl/tooi/id/gemeente/gm0935",
                                                   bron="TOOI"))
    findings = check(_io(archiefvormer=(ander,)), source="d.xml")
    assert _fouten(findings) == ["mdto.archiefvormer"]
    assert TOOI_PROVINCIE_LIMBURG in findings[0].message and "Gemeente Maastricht" in findings[0].message


def test_an_archiefvormer_named_limburg_without_the_tooi_identifier_is_an_error() -> None:
    zonder = Verwijzing(naam="Provincie Limburg")
    assert _fouten(check(_io(archiefvormer=(zonder,)), source="d.xml")) == ["mdto.archiefvormer"]


def test_provincie_limburg_among_several_archiefvormers_is_accepted() -> None:
    ander = Verwijzing(naam="Waterschap Limburg")
    assert check(_io(archiefvormer=(ander, ARCHIEFVORMER_PROVINCIE_LIMBURG)), source="d.xml") == []


def test_another_tooi_can_be_required() -> None:
    assert _fouten(check(maak_dossier(), source="d.xml", archiefvormer_tooi="https://x/pv30")) == [
        "mdto.archiefvormer"
    ]


# --- beperkingGebruik --------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "code"), [
    ("Geheim", None),
    ("beperkt openbaar", "Openbaarheid/AW1995/Geheim/1.0"),
    ("Geen beperking", "GB"),
])
def test_a_beperking_outside_the_mdto_and_nha_lists_is_an_error(label: str, code: str | None) -> None:
    findings = check(_io(beperking_gebruik=_beperking(label, code)), source="d.xml")
    assert _fouten(findings) == ["mdto.beperking_gebruik"]
    assert label in findings[0].message


@pytest.mark.parametrize(("label", "code"), [
    ("Geen beperking", None),
    ("Nader te bepalen", None),
    ("Overig", None),
    ("openbaar (Archiefwet 1995)", "Openbaarheid/AW1995/Openbaar/1.0"),
    ("openbaar (Archiefwet 1995)", "Openbaarheid/AW1995/Openbaar/1.0  "),
    ("niet openbaar; persoonlijke beleidsopvattingen (Wet Open Overheid)",
     "Openbaarheid/WOO/NietOpenbaar-PersoonlijkeBeleidsopvattingen"),
    ("niet openbaar; persoonlijke beleidsopvattingen (Wet Open Overheid)",
     "Openbaarheid/WOO/NietOpenbaar-PersoonlijkeBeleidsopvattingen/1.0"),
    ("beperkt openbaar; veiligheid Staat (Archiefwet 2021)",
     "Openbaarheid/AW2021/BeperktOpenbaar-VeiligheidStaat/1.0"),
    ("CC BY", "https://creativecommons.org/licenses/by/4.0/"),
    ("CC0", None),
])
def test_a_beperking_from_the_mdto_or_nha_lists_is_accepted(label: str, code: str | None) -> None:
    assert check(_io(beperking_gebruik=_beperking(label, code)), source="d.xml") == []


def test_every_beperking_is_checked_not_only_the_first() -> None:
    beperkingen = _beperking("Geen beperking") + _beperking("Geheim")
    assert _fouten(check(_io(beperking_gebruik=beperkingen), source="d.xml")) == ["mdto.beperking_gebruik"]


# --- checksum ----------------------------------------------------------------------------------

def test_an_unknown_checksum_algorithm_is_an_error() -> None:
    md5 = _checksum("MD5", "d41d8cd98f00b204e9800998ecf8427e")
    findings = check(_bestand(checksum=(md5,)), source="b.xml")
    assert _fouten(findings) == ["mdto.checksum.algoritme"]
    assert "MD5" in findings[0].message


def test_sha256_without_hyphen_is_accepted_with_a_warning() -> None:
    findings = check(_bestand(checksum=(_checksum("SHA256"),)), source="b.xml")
    assert _fouten(findings) == []
    assert _waarschuwingen(findings) == ["mdto.checksum.algoritme"]


def test_sha_256_is_accepted_without_findings() -> None:
    assert check(_bestand(checksum=(_checksum("SHA-256"),)), source="b.xml") == []


def test_only_another_sha2_checksum_is_an_error_for_the_missing_sha256() -> None:
    findings = check(_bestand(checksum=(_checksum("SHA-512", "ab" * 64),)), source="b.xml")
    assert _fouten(findings) == ["mdto.checksum.algoritme"]
    assert "no SHA-256" in findings[0].message


def test_another_sha2_checksum_next_to_sha256_is_accepted() -> None:
    checksums = (_checksum("SHA-256"), _checksum("SHA-512", "ab" * 64))
    assert check(_bestand(checksum=checksums), source="b.xml") == []


@pytest.mark.parametrize("waarde", [SHA256.upper(), SHA256[:-1], SHA256 + "0", "sha256:" + SHA256, "z" * 64])
def test_a_checksum_value_that_is_not_lowercase_hex_of_the_right_length_is_an_error(waarde: str) -> None:
    findings = check(_bestand(checksum=(_checksum("SHA-256", waarde),)), source="b.xml")
    assert _fouten(findings) == ["mdto.checksum.waarde"]


# --- bestandsformaat ---------------------------------------------------------------------------

@pytest.mark.parametrize("code", [None, "pdf", "application/pdf", "fmt/", "fmt/17 ", "y-fmt/1"])
def test_a_bestandsformaat_that_is_not_a_pronom_puid_is_an_error(code: str | None) -> None:
    formaat = Begrip(label="PDF", code=code, begrippenlijst=Verwijzing(naam="PRONOM-register"))
    assert _fouten(check(_bestand(bestandsformaat=formaat), source="b.xml")) == ["mdto.bestandsformaat.puid"]


def test_a_bestandsformaat_from_another_begrippenlijst_is_an_error() -> None:
    formaat = Begrip(label="PDF", code="fmt/17", begrippenlijst=Verwijzing(naam="Bestandsformaten"))
    assert _fouten(check(_bestand(bestandsformaat=formaat), source="b.xml")) == [
        "mdto.bestandsformaat.begrippenlijst"
    ]


@pytest.mark.parametrize("code", ["fmt/17", "fmt/477", "x-fmt/111"])
def test_a_pronom_puid_from_the_pronom_register_is_accepted(code: str) -> None:
    formaat = Begrip(label="formaat", code=code, begrippenlijst=Verwijzing(naam="PRONOM-register"))
    assert check(_bestand(bestandsformaat=formaat), source="b.xml") == []


# --- cycles ------------------------------------------------------------------------------------

def test_a_cycle_of_isonderdeelvan_is_an_error_naming_the_cycle() -> None:
    findings = check_no_cycles({"dossier": ["serie"], "serie": ["archief"], "archief": ["dossier"]})
    assert _fouten(findings) == ["mdto.relaties.cyclus"]
    assert "archief -> dossier -> serie -> archief" in findings[0].message


def test_an_object_that_is_part_of_itself_is_an_error() -> None:
    assert _fouten(check_no_cycles({"a": ["a"], "b": []})) == ["mdto.relaties.cyclus"]


def test_each_separate_cycle_is_reported_once() -> None:
    findings = check_no_cycles({"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": ["a"]}, source="batch")
    assert [f.object for f in findings] == ["a", "c"]
    assert {f.file for f in findings} == {"batch"}


def test_a_tree_and_a_shared_parent_are_not_cycles() -> None:
    boom = {"stuk1": ["dossier"], "stuk2": ["dossier"], "dossier": ["serie"], "serie": []}
    assert check_no_cycles(boom) == []
    assert check_no_cycles({"a": ["b", "c"], "b": ["d"], "c": ["d"]}) == []


def test_a_long_chain_does_not_exhaust_the_stack() -> None:
    keten = {str(i): [str(i + 1)] for i in range(20_000)}
    assert check_no_cycles(keten) == []
    keten["20000"] = ["0"]
    assert _fouten(check_no_cycles(keten)) == ["mdto.relaties.cyclus"]


def _verwijzing(kenmerk: str) -> Verwijzing:
    return Verwijzing(naam=kenmerk, identificatie=Identificatie(kenmerk=kenmerk, bron="test"))


def test_contradicting_bevatonderdeel_references_form_a_cycle() -> None:
    a = _io(identificatie=(Identificatie(kenmerk="A", bron="test"),), is_onderdeel_van=(),
            bevat_onderdeel=(_verwijzing("B"),))
    b = _io(identificatie=(Identificatie(kenmerk="B", bron="test"),), is_onderdeel_van=(),
            bevat_onderdeel=(_verwijzing("A"),))
    assert onderdeel_relaties([a, b]) == {"A": {"B"}, "B": {"A"}}
    assert _fouten(check_no_cycles(onderdeel_relaties([a, b]))) == ["mdto.relaties.cyclus"]


def test_the_official_serie_dossier_and_archiefstuk_form_no_cycle() -> None:
    objecten = [from_xml(voorbeeld(naam), source=naam) for naam in
                ("Serie Informatieobject", "Dossier Informatieobject", "Archiefstuk Informatieobject")]
    relaties = onderdeel_relaties(o for o in objecten if isinstance(o, Informatieobject))
    assert relaties["DC-2015/1753"] == {"DC/358"}
    assert relaties["DC/358"] == {"DC/155"}
    assert check_no_cycles(relaties) == []


# --- code lists --------------------------------------------------------------------------------

def test_the_openbaarheid_codes_are_cleaned_on_load() -> None:
    codes = codelists.openbaarheid()
    assert all(code == code.strip() for code in codes)
    assert "Openbaarheid/WOO/NietOpenbaar-PersoonlijkeBeleidsopvattingen/1.0" in codes
    assert "eenheid van de Kroon" in codes["Openbaarheid/AW2021/BeperktOpenbaar-EenheidKroon/1.0"]
    assert len(codes) == 8 + 20 + 20
    assert codelists.openbaarheid() is codes


def test_creative_commons_short_names_point_at_their_codes() -> None:
    assert codelists.creative_commons_korte_namen()["CC BY-SA"] == "https://creativecommons.org/licenses/by-sa/4.0/"
