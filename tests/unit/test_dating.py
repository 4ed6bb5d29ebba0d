"""Specification of reading a free-text datering (edepot.dating), table-driven."""

from __future__ import annotations

import pytest

from edepot.dating import parse_datering

IMPOSSIBLE = [
    ("1992-1987", "before it begins"),
    ("31-02-1990", "day 31 does not exist"),
    ("abc", "is not a date"),
    ("1988-13", "month 13 does not exist"),
    ("12 brumaire 1988", "not a Dutch month name"),
    ("1990, xyz", "is not a date"),
    ("0999", "not a four-digit year"),
    ("1990-1988, 1992", "before it begins"),
]


@pytest.mark.parametrize(("text", "reason"), IMPOSSIBLE)
def test_impossible_or_unreadable_text_gives_no_dates_but_a_reason(text: str, reason: str) -> None:
    parsed = parse_datering(text)
    assert parsed.begin is None and parsed.eind is None
    assert parsed.reden is not None and reason in parsed.reden
    assert parsed.verbatim == text
    assert not parsed.zeker


@pytest.mark.parametrize("text", ["", "z.d.", "zd", "s.d.", "Z.D.", "  ", "zonder datum"])
def test_no_date_markers_give_no_dates_and_no_reason(text: str) -> None:
    parsed = parse_datering(text)
    assert (parsed.begin, parsed.eind, parsed.reden) == (None, None, None)
    assert parsed.verbatim == text


READABLE = [
    # text, begin, eind, zeker
    ("1987", "1987", None, True),
    ("1987-1992", "1987", "1992", True),
    ("1987 - 1992", "1987", "1992", True),
    ("1987 – 1992", "1987", "1992", True),
    ("1987 tot 1992", "1987", "1992", True),
    ("1987 t/m 1992", "1987", "1992", True),
    ("ca. 1988", "1988", None, False),
    ("circa 1988", "1988", None, False),
    ("[1988]", "1988", None, False),
    ("1988?", "1988", None, False),
    ("1990, 1993", "1990", "1993", True),
    ("1988-1990, 1992", "1988", "1992", True),
    ("12-03-1988", "1988-03-12", None, True),
    ("12/03/1988", "1988-03-12", None, True),
    ("1988-03-12", "1988-03-12", None, True),
    ("1988-03", "1988-03", None, True),
    ("maart 1988", "1988-03", None, True),
    ("12 maart 1988", "1988-03-12", None, True),
    ("Maart 1988 - juni 1989", "1988-03", "1989-06", True),
    ("12-03-1988-15-04-1990", "1988-03-12", "1990-04-15", True),
    ("1988-03-12 - 1988-04-01", "1988-03-12", "1988-04-01", True),
    ("ca. 1985-1990", "1985", "1990", False),
    ("29-02-1988", "1988-02-29", None, True),
    ("1988-1988", "1988", "1988", True),
    ("maart 1988 - 1988", "1988-03", "1988", True),
]


@pytest.mark.parametrize(("text", "begin", "eind", "zeker"), READABLE)
def test_readable_dateringen(text: str, begin: str, eind: str | None, zeker: bool) -> None:
    parsed = parse_datering(text)
    assert (parsed.begin, parsed.eind, parsed.zeker) == (begin, eind, zeker)
    assert parsed.reden is None
    assert parsed.verbatim == text
    assert parsed.gelezen


def test_a_range_within_one_year_at_different_precision_is_not_reversed() -> None:
    assert parse_datering("1988 - maart 1988").begin == "1988"
