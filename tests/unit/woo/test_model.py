"""Specification of edepot.woo.model: status, metadata checks, deadline and publiceerbaarheid."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from edepot.errors import InvalidInput, InvalidTransition
from edepot.woo.model import (
    PUBLICATIE_TRANSITIONS,
    Documenthandeling,
    Documentrelatie,
    Geldigheid,
    PublicatieStatus,
    Verantwoordelijke,
    algemeen_erkende_feestdagen,
    controleer,
    dagen_over,
    deadline_van,
    publicatie_deadline,
    publiceerbaar,
    publisher,
)

from .conftest import T, maak_document, maak_publicatie

# --- status ---


@pytest.mark.parametrize(("van", "naar"), [
    (PublicatieStatus.CONCEPT, PublicatieStatus.INGETROKKEN),
    (PublicatieStatus.GEPUBLICEERD, PublicatieStatus.CONCEPT),
    (PublicatieStatus.INGETROKKEN, PublicatieStatus.GEPUBLICEERD),
    (PublicatieStatus.INGETROKKEN, PublicatieStatus.CONCEPT),
    (PublicatieStatus.GEPUBLICEERD, PublicatieStatus.GEPUBLICEERD),
])
def test_a_status_change_outside_the_table_is_refused(van: PublicatieStatus, naar: PublicatieStatus) -> None:
    with pytest.raises(InvalidTransition):
        maak_publicatie(status=van).met_status(naar, T, reden="r")


def test_the_transition_table_is_concept_then_gepubliceerd_then_ingetrokken() -> None:
    assert {
        PublicatieStatus.CONCEPT: {PublicatieStatus.GEPUBLICEERD},
        PublicatieStatus.GEPUBLICEERD: {PublicatieStatus.INGETROKKEN},
        PublicatieStatus.INGETROKKEN: set(),
    } == PUBLICATIE_TRANSITIONS


def test_publishing_and_withdrawing_record_their_time_and_a_withdrawal_needs_a_reason() -> None:
    gepubliceerd = maak_publicatie().met_status(PublicatieStatus.GEPUBLICEERD, T)
    assert gepubliceerd.status is PublicatieStatus.GEPUBLICEERD and gepubliceerd.gepubliceerd_op == T
    with pytest.raises(InvalidInput, match="reason"):
        gepubliceerd.met_status(PublicatieStatus.INGETROKKEN, T)
    ingetrokken = gepubliceerd.met_status(PublicatieStatus.INGETROKKEN, T, reden="persoonsgegevens")
    assert ingetrokken.reden_intrekking == "persoonsgegevens" and ingetrokken.ingetrokken_op == T


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        Documenthandeling.op_label("vaststelling", datetime(2025, 1, 1))


# --- metadata ---


def test_unknown_tooi_values_are_refused_when_the_value_is_made() -> None:
    with pytest.raises(InvalidInput):
        Documenthandeling("https://example.org/besluit", T)
    with pytest.raises(InvalidInput):
        Documentrelatie("https://example.org/rol", "doc-2", "bijlage")
    with pytest.raises(InvalidInput, match="before it begins"):
        Geldigheid(datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


def test_controleer_lists_every_missing_minimum() -> None:
    document = maak_document(url="http://woo.limburg.nl/x.pdf", officiele_titel=" ", documenthandelingen=(),
                             taal="https://example.org/taal")
    publicatie = maak_publicatie(document, officiele_titel="", informatiecategorieen=())
    regels = {b.rule for b in controleer(publicatie)}
    assert regels == {"woo.publicatie.titel", "woo.document.titel", "woo.document.url",
                      "woo.document.informatiecategorie", "woo.document.documenthandeling", "woo.document.taal"}


def test_a_complete_publicatie_has_no_findings() -> None:
    assert controleer(maak_publicatie()) == []


def test_the_publisher_is_provincie_limburg_and_the_verantwoordelijke_its_bestuursorgaan() -> None:
    assert publisher().resource == "https://identifier.overheid.nl/tooi/id/provincie/pv31"
    organisatie = Verantwoordelijke.COMMISSARIS_VAN_DE_KONING.organisatie()
    assert organisatie.resource == publisher().resource
    assert organisatie.label == "Commissaris van de Koning in Limburg"


# --- deadline (Woo art. 3.3 lid 4, Algemene termijnenwet) ---


@pytest.mark.parametrize(("datum", "deadline"), [
    (date(2025, 3, 4), date(2025, 3, 18)),  # Tuesday -> Tuesday two weeks later
    (date(2025, 3, 1), date(2025, 3, 17)),  # ends on a Saturday -> Monday
    (date(2025, 4, 13), date(2025, 4, 28)),  # ends Sunday 27 April -> Monday
    (date(2025, 4, 7), date(2025, 4, 22)),  # ends on tweede Paasdag 21 April -> Tuesday
    (date(2025, 4, 21), date(2025, 5, 6)),  # ends on 5 May -> 6 May
    (date(2025, 12, 11), date(2025, 12, 29)),  # Christmas Thursday/Friday, weekend -> Monday 29th
    (date(2024, 2, 15), date(2024, 2, 29)),  # leap day
    (date(2024, 12, 18), date(2025, 1, 2)),  # ends on Nieuwjaarsdag -> next day
])
def test_the_publication_deadline_is_two_weeks_extended_past_weekends_and_feestdagen(
    datum: date, deadline: date,
) -> None:
    assert publicatie_deadline(datum) == deadline


def test_without_the_termijnenwet_the_deadline_is_exactly_fourteen_days() -> None:
    assert publicatie_deadline(date(2025, 3, 1), termijnenwet=False) == date(2025, 3, 15)


def test_the_feestdagen_follow_easter_and_koningsdag() -> None:
    dagen = algemeen_erkende_feestdagen(2025)
    assert {date(2025, 4, 21), date(2025, 5, 29), date(2025, 6, 9), date(2025, 4, 26)} <= dagen  # 27/4 is a Sunday
    assert date(2024, 4, 27) in algemeen_erkende_feestdagen(2024)
    assert date(2013, 4, 30) in algemeen_erkende_feestdagen(2013)


def test_a_documents_deadline_runs_from_its_latest_vaststelling_or_ontvangst() -> None:
    handelingen = (Documenthandeling.op_label("ontvangst", datetime(2025, 3, 4, tzinfo=UTC)),
                   Documenthandeling.op_label("ondertekening", datetime(2025, 3, 20, tzinfo=UTC)))
    assert deadline_van(maak_document(documenthandelingen=handelingen)) == date(2025, 3, 18)
    alleen_ondertekening = maak_document(documenthandelingen=handelingen[1:])
    assert deadline_van(alleen_ondertekening) is None
    assert dagen_over(date(2025, 3, 18), date(2025, 3, 20)) == -2


# --- publiceerbaar ---


@pytest.mark.parametrize(("code", "label", "redacted", "verwacht"), [
    (None, None, False, False),
    ("", None, False, False),
    ("Openbaarheid/WOO/NietBeoordeeld/1.0", None, False, False),
    ("Openbaarheid/WOO/NietOpenbaar-PersoonlijkeLevenssfeer/1.0", None, False, False),
    ("Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0", None, False, False),
    # the label of this AW2021 code says 'beperkt openbaar': not published without review
    ("Openbaarheid/AW2021/Openbaar-VertrouwelijkeBedrijfsgegevensMilieu/1.0", None, False, False),
    ("Openbaarheid/XYZ/Openbaar/1.0", None, False, False),
    ("Openbaarheid/WOO/Openbaar-Actief/1.0", None, False, True),
    ("Openbaarheid/AW1995/Openbaar", None, False, True),  # version added as the NHA lists lack it
    (" Openbaarheid/AW2021/Openbaar/1.0 ", None, False, True),
    (None, "Geen beperking", False, True),
    ("Openbaarheid/WOO/NietOpenbaar-PersoonlijkeLevenssfeer/1.0", None, True, True),
])
def test_publiceerbaar_only_for_open_records_or_a_redacted_version(
    code: str | None, label: str | None, redacted: bool, verwacht: bool,
) -> None:
    oordeel = publiceerbaar(code, redacted, beperking_label=label)
    assert bool(oordeel) is verwacht
    assert oordeel.reden


def test_a_lapsed_restriction_allows_publication_from_its_end_date() -> None:
    code = "Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0"
    assert not publiceerbaar(code, False, beperking_vervalt=date(2030, 1, 1), peildatum=date(2029, 12, 31))
    assert publiceerbaar(code, False, beperking_vervalt=date(2030, 1, 1), peildatum=date(2030, 1, 1))
