"""Specification of edepot.woo.suggest: redaction suggestions with checksums, table-driven."""

from __future__ import annotations

import pytest

from edepot.woo.suggest import Soort, WooGrond, is_bsn, is_iban, is_telefoonnummer, sidecode, suggesties


def gevonden(tekst: str, soort: Soort) -> list[str]:
    return [s.tekst for s in suggesties(tekst) if s.soort is soort]


# --- BSN (11-proef) ---


@pytest.mark.parametrize("waarde", ["111222334", "123456789", "000000000", "12345678", "1234567890", "11122233"])
def test_a_number_failing_the_11_proef_or_of_the_wrong_length_is_no_bsn(waarde: str) -> None:
    assert not is_bsn(waarde)
    assert gevonden(f"BSN {waarde}.", Soort.BSN) == []


@pytest.mark.parametrize(("tekst", "bsn"), [
    ("BSN 111222333.", "111222333"),
    ("bsn: 1234.56.782 bekend", "1234.56.782"),
    ("nummer 123 456 782", "123 456 782"),
    ("(999999990)", "999999990"),
])
def test_a_bsn_passing_the_11_proef_is_suggested_with_ground_5_1_1e(tekst: str, bsn: str) -> None:
    [suggestie] = [s for s in suggesties(tekst) if s.soort is Soort.BSN]
    assert suggestie.tekst == bsn and tekst[suggestie.start:suggestie.end] == bsn
    assert suggestie.grond is WooGrond.IDENTIFICATIENUMMERS


def test_nine_digits_inside_a_longer_number_are_no_bsn() -> None:
    assert gevonden("ordernummer 1111222333 en 9111222333", Soort.BSN) == []


# --- IBAN (ISO 13616 mod 97) ---


@pytest.mark.parametrize("waarde", [
    "NL91ABNA0417164301",  # check digits do not match
    "NL91ABNA041716430",  # too short for NL
    "DE89370400440532013001",
    "GB82WEST1234569876543",  # GB is 22 long
    "XX00ABCDEFGHIJKLMNOP",
])
def test_an_iban_failing_its_checksum_or_length_is_not_suggested(waarde: str) -> None:
    assert not is_iban(waarde)
    assert gevonden(f"rekening {waarde} ", Soort.IBAN) == []


@pytest.mark.parametrize("waarde", [
    "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00",
    "GB82WEST12345698765432", "BE68539007547034", "FR1420041010050500013M02606",
])
def test_dutch_and_foreign_ibans_with_a_valid_checksum_are_suggested(waarde: str) -> None:
    assert is_iban(waarde)
    assert gevonden(f"rekening {waarde}, graag", Soort.IBAN) == [waarde]


def test_the_digits_of_an_iban_are_not_also_suggested_as_bsn_or_phone() -> None:
    soorten = {s.soort for s in suggesties("IBAN NL91ABNA0417164300")}
    assert soorten == {Soort.IBAN}


# --- e-mail ---


@pytest.mark.parametrize("tekst", ["jan@", "@limburg.nl", "jan@limburg", "jan at limburg.nl", "a@b.c"])
def test_text_that_is_no_email_address_is_not_suggested(tekst: str) -> None:
    assert gevonden(tekst, Soort.EMAIL) == []


@pytest.mark.parametrize("adres", ["j.jansen@limburg.nl", "info+woo@prv-limburg.nl", "A.B_c@sub.example.com"])
def test_email_addresses_are_suggested(adres: str) -> None:
    assert gevonden(f"mail naar {adres}.", Soort.EMAIL) == [adres]


# --- phone ---


@pytest.mark.parametrize("waarde", ["06-1234567", "06-123456789", "+31 06 12345678", "0031 0612345678", "12345678"])
def test_numbers_without_the_length_of_a_dutch_phone_number_are_not_suggested(waarde: str) -> None:
    assert not is_telefoonnummer(waarde)


@pytest.mark.parametrize("waarde", [
    "06-12345678", "06 1234 5678", "043-3897777", "(043) 389 77 77", "+31 6 12345678", "+31 (0)43 389 77 77",
    "0031 43 389 7777", "0800-1234", "0900 123 4567",
])
def test_dutch_phone_numbers_are_suggested(waarde: str) -> None:
    assert is_telefoonnummer(waarde)
    assert gevonden(f"bel {waarde} vandaag", Soort.TELEFOON) == [waarde]


# --- postcode ---


@pytest.mark.parametrize("tekst", ["0123 AB", "6211 SA", "6211 SD", "6211 SS", "6211 ab", "62111 AB", "2019 EN1"])
def test_no_postcode_when_digits_letters_or_the_excluded_pairs_do_not_fit(tekst: str) -> None:
    assert gevonden(f"adres {tekst} plaats", Soort.POSTCODE) == []


@pytest.mark.parametrize("postcode", ["6211 AB", "6211AB", "1012 JS"])
def test_postcodes_are_suggested(postcode: str) -> None:
    assert gevonden(f"adres {postcode} Maastricht", Soort.POSTCODE) == [postcode]


# --- licence plates ---


@pytest.mark.parametrize(("kenteken", "code"), [
    ("AB-12-34", 1), ("12-34-AB", 2), ("12-AB-34", 3), ("BD-12-FG", 4), ("BD-FG-12", 5), ("12-BD-FG", 6),
    ("12-BDF-3", 7), ("1-BDF-23", 8), ("BD-123-F", 9), ("B-123-DF", 10), ("BDF-12-G", 11), ("B-12-DFG", 12),
    ("1-BD-234", 13), ("123-BD-4", 14),
])
def test_each_sidecode_is_recognised(kenteken: str, code: int) -> None:
    assert sidecode(kenteken) == code
    assert gevonden(f"voertuig {kenteken} gezien", Soort.KENTEKEN) == [kenteken]


@pytest.mark.parametrize("tekst", ["AE-12-IO", "12-AEI-3", "12-03-2024", "AB1234", "ABC-DEF-1", "1-2-3"])
def test_no_licence_plate_for_vowels_in_new_sidecodes_dates_or_other_shapes(tekst: str) -> None:
    assert gevonden(f"zie {tekst} hier", Soort.KENTEKEN) == []


# --- together ---


def test_suggestions_are_ordered_by_position_and_carry_their_default_ground() -> None:
    tekst = "Mail j@limburg.nl, BSN 111222333, postcode 6211 AB, kenteken BD-12-FG, tel 06-12345678."
    resultaat = suggesties(tekst)
    assert [s.soort for s in resultaat] == [Soort.EMAIL, Soort.BSN, Soort.POSTCODE, Soort.KENTEKEN, Soort.TELEFOON]
    assert [s.start for s in resultaat] == sorted(s.start for s in resultaat)
    assert all(tekst[s.start:s.end] == s.tekst for s in resultaat)
    assert {s.grond for s in resultaat if s.soort is not Soort.BSN} == {WooGrond.PERSOONLIJKE_LEVENSSFEER}


def test_suggestions_can_be_limited_to_some_kinds() -> None:
    assert {s.soort for s in suggesties("111222333 en 6211 AB", [Soort.POSTCODE])} == {Soort.POSTCODE}


def test_the_grounds_are_the_sixteen_of_woo_articles_5_1_and_5_2() -> None:
    assert len(WooGrond) == 16
    assert {g.value for g in WooGrond} >= {"5.1.1a", "5.1.1e", "5.1.2a", "5.1.2i", "5.1.5", "5.2"}
