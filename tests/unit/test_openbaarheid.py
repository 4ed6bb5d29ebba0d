"""What the public may see: the access decision for one record, under the Woo and the Archiefwet."""

from __future__ import annotations

from datetime import date

import pytest

from edepot.openbaarheid import (
    Beperking,
    Grond,
    Toegangsfeiten,
    beoordeel,
    einddatum,
    laatste_dag,
    plus_jaren,
)
from edepot.search.model import Openbaarheid

VANDAAG = date(2025, 6, 1)
GEEN = Beperking(code=None, label="Geen beperking")
LEVENSSFEER = "Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0"


def levenssfeer(tot: date | None) -> Beperking:
    return Beperking(code=LEVENSSFEER, label="beperkt openbaar; levenssfeer", einddatum=tot)


def feiten(*beperkingen: Beperking, waardering: str = "B", eind: date | None = date(1992, 12, 31), woo: bool = False):
    return Toegangsfeiten(waardering=waardering, beperkingen=beperkingen, dekking_eind=eind, gepubliceerd=woo)


# --- what is never public ---------------------------------------------------------------------------


def test_a_record_without_any_beperking_gebruik_counts_as_restricted_not_as_open() -> None:
    toegang = beoordeel(feiten(), vandaag=VANDAAG)
    assert (toegang.openbaarheid, toegang.public) == (Openbaarheid.BEPERKT, False)
    assert "niet beoordeeld" in toegang.reden


def test_a_restriction_whose_term_has_not_lapsed_keeps_a_b_record_from_the_public() -> None:
    toegang = beoordeel(feiten(levenssfeer(date(2063, 1, 1))), vandaag=VANDAAG)
    assert (toegang.openbaarheid, toegang.public, toegang.grond) == (Openbaarheid.BEPERKT, False, None)
    assert toegang.wijzigt_op == date(2063, 1, 1)
    assert "2063-01-01" in toegang.reden


def test_a_restriction_without_einddatum_never_lapses_by_itself() -> None:
    toegang = beoordeel(feiten(levenssfeer(None)), vandaag=date(2999, 1, 1))
    assert toegang.public is False and toegang.wijzigt_op is None


def test_a_woo_publication_does_not_open_a_restricted_record() -> None:
    toegang = beoordeel(feiten(levenssfeer(date(2063, 1, 1)), woo=True), vandaag=VANDAAG)
    assert toegang.public is False and toegang.openbaarheid is Openbaarheid.BEPERKT


def test_an_unknown_label_without_code_is_a_restriction() -> None:
    toegang = beoordeel(feiten(Beperking(code=None, label="Alleen inzage op afspraak")), vandaag=VANDAAG)
    assert toegang.public is False


def test_one_lapsed_and_one_running_restriction_still_restrict_until_the_last_lapses() -> None:
    both = feiten(levenssfeer(date(2020, 1, 1)), levenssfeer(date(2040, 1, 1)))
    assert beoordeel(both, vandaag=VANDAAG).wijzigt_op == date(2040, 1, 1)
    assert beoordeel(both, vandaag=date(2040, 1, 1)).public is True


def test_v_and_n_records_are_not_open_as_archive() -> None:
    for waardering in ("V", "N", ""):
        toegang = beoordeel(feiten(GEEN, waardering=waardering), vandaag=VANDAAG)
        assert (toegang.openbaarheid, toegang.public) == (Openbaarheid.INTERN, False)


def test_a_b_record_younger_than_twenty_years_waits_and_says_when_it_opens() -> None:
    toegang = beoordeel(feiten(GEEN, eind=date(2010, 12, 31)), vandaag=VANDAAG)
    assert (toegang.public, toegang.wijzigt_op) == (False, date(2030, 12, 31))


def test_a_b_record_without_any_date_cannot_be_shown_to_be_old_enough() -> None:
    toegang = beoordeel(feiten(GEEN, eind=None), vandaag=VANDAAG)
    assert toegang.public is False and "geen datering" in toegang.reden


def test_a_negative_number_of_years_is_refused() -> None:
    with pytest.raises(ValueError, match="openbaar_na_jaren"):
        beoordeel(feiten(GEEN), vandaag=VANDAAG, openbaar_na_jaren=-1)


# --- what is public ---------------------------------------------------------------------------------


def test_a_b_record_without_restriction_and_old_enough_is_open_under_the_archiefwet() -> None:
    toegang = beoordeel(feiten(GEEN), vandaag=VANDAAG)
    assert (toegang.openbaarheid, toegang.public, toegang.grond) == (Openbaarheid.OPENBAAR, True, Grond.ARCHIEFWET)
    assert toegang.wijzigt_op is None


def test_a_restriction_opens_on_the_day_its_term_ends() -> None:
    facts = feiten(levenssfeer(date(2063, 1, 1)))
    assert beoordeel(facts, vandaag=date(2062, 12, 31)).public is False
    assert beoordeel(facts, vandaag=date(2063, 1, 1)).public is True


def test_an_openbaar_code_of_the_nha_lists_is_no_restriction() -> None:
    open_code = Beperking(code="Openbaarheid/AW1995/Openbaar/1.0", label="openbaar")
    assert beoordeel(feiten(open_code), vandaag=VANDAAG).public is True


def test_a_woo_publication_opens_a_v_record_without_restriction() -> None:
    toegang = beoordeel(feiten(GEEN, waardering="V", woo=True), vandaag=VANDAAG)
    assert (toegang.public, toegang.grond) == (True, Grond.WOO)


def test_with_zero_years_the_age_test_is_off() -> None:
    assert beoordeel(feiten(GEEN, eind=None), vandaag=VANDAAG, openbaar_na_jaren=0).public is True


# --- reading dates ----------------------------------------------------------------------------------


def test_an_einddatum_of_a_year_means_open_from_the_first_of_january_and_junk_never_lapses() -> None:
    assert einddatum("2063") == date(2063, 1, 1)
    assert einddatum("2063-05") == date(2063, 5, 1)
    assert einddatum("2063-05-17") == date(2063, 5, 17)
    assert einddatum("binnenkort") is None and einddatum("") is None and einddatum(None) is None


def test_the_last_day_covered_is_the_end_of_the_einddatum_else_of_the_begindatum() -> None:
    assert laatste_dag("1987", "1992") == date(1992, 12, 31)
    assert laatste_dag("1988", None) == date(1988, 12, 31)
    assert laatste_dag("z.d.", None) is None


def test_adding_years_to_29_february_gives_28_february_in_a_common_year() -> None:
    assert plus_jaren(date(2024, 2, 29), 10) == date(2034, 2, 28)
