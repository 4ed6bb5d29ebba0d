"""Specification of the MDTO-SIP name rules (edepot.names)."""

from __future__ import annotations

import unicodedata

import pytest

from edepot.names import (
    clean_name,
    is_dos_device_name,
    name_problems,
    path_too_long,
    shorten_name,
    split_extension,
    unique_names,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("scan 1.tif", "scan_1.tif"),
        ('a\\b/c:d*e?f"g<h>i|j#k&l.pdf', "a_b_c_d_e_f_g_h_i_j_k_l.pdf"),
        ("tab\there.tif", "tab_here.tif"),
        ("new\nline.tif", "new_line.tif"),
        ("bell\x07.tif", "bell_.tif"),
        ("CON", "CON_"),
        ("con.tif", "con_.tif"),
        ("NUL.tar.gz", "NUL_.tar.gz"),
        ("LPT9.pdf", "LPT9_.pdf"),
        (".hidden.tif", "_hidden.tif"),
        ("trailing.", "trailing"),
        ("...", "_"),
        ("", "_"),
    ],
)
def test_a_name_that_breaks_the_rules_is_cleaned_deterministically_keeping_the_extension(
    name: str, expected: str
) -> None:
    assert clean_name(name) == expected
    assert name_problems(clean_name(name)) == []


@pytest.mark.parametrize("name", ["scan_0001.tif", "Brief-aan-GS.pdf", "COM10.tif", "CONSOLE.tif", "café.jp2"])
def test_a_clean_name_is_returned_unchanged(name: str) -> None:
    assert name_problems(name) == []
    assert clean_name(name) == name


def test_cleaning_normalises_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "café.tif")
    assert "not in Unicode NFC form" in name_problems(decomposed)
    assert clean_name(decomposed) == unicodedata.normalize("NFC", "café.tif")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a b.tif", "forbidden characters ' '"),
        ("a#b.tif", "forbidden characters '#'"),
        ("aux.pdf", "DOS device name"),
        (".DS_Store", "leading or trailing dot"),
        ("", "empty name"),
    ],
)
def test_every_broken_rule_is_named(name: str, problem: str) -> None:
    assert problem in name_problems(name)


def test_dos_device_names_are_recognised_with_or_without_extension() -> None:
    assert is_dos_device_name("PRN")
    assert is_dos_device_name("com1.txt")
    assert not is_dos_device_name("COM0.txt")
    assert not is_dos_device_name("printer.txt")


def test_names_that_collide_after_cleaning_get_numbered_suffixes() -> None:
    mapping = unique_names(["scan#1.tif", "scan&1.tif", "scan 1.tif"])
    assert sorted(mapping.values()) == ["scan_1.tif", "scan_1_2.tif", "scan_1_3.tif"]


def test_an_already_clean_name_keeps_its_name_when_a_cleaned_name_would_take_it() -> None:
    mapping = unique_names(["scan 1.tif", "scan_1.tif"])
    assert mapping == {"scan_1.tif": "scan_1.tif", "scan 1.tif": "scan_1_2.tif"}


def test_collisions_are_detected_ignoring_case() -> None:
    mapping = unique_names(["A b.tif", "a_b.tif"])
    assert mapping["a_b.tif"] == "a_b.tif"
    assert mapping["A b.tif"].casefold() != "a_b.tif"


def test_unique_names_does_not_depend_on_the_input_order() -> None:
    names = ["x y.pdf", "x#y.pdf", "x_y.pdf", "CON.pdf"]
    assert unique_names(names) == unique_names(reversed(names))


def test_a_long_name_is_shortened_keeping_its_extension_and_staying_distinct() -> None:
    long_a, long_b = "a" * 300 + "1.tif", "a" * 300 + "2.tif"
    short_a, short_b = shorten_name(long_a, 100), shorten_name(long_b, 100)
    assert short_a is not None and short_b is not None
    assert len(short_a) <= 100 and short_a.endswith(".tif")
    assert short_a != short_b
    assert shorten_name(long_a, 100) == short_a


def test_a_name_that_cannot_be_shortened_enough_gives_none() -> None:
    assert shorten_name("abcdef.tif", 6) is None
    assert shorten_name("short.tif", 100) == "short.tif"


def test_split_extension() -> None:
    assert split_extension("scan.final.tif") == ("scan.final", ".tif")
    assert split_extension("README") == ("README", "")


def test_path_length_limit_defaults_to_255() -> None:
    assert not path_too_long("a" * 255)
    assert path_too_long("a" * 256)
    assert path_too_long("a" * 11, max_length=10)
