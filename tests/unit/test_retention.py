"""Specification of the retention engine: brondatum per afleidingswijze, calendar arithmetic,
the Provisa 1-January rule, the list version by creation date, transfer dates, and N with a reason."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from edepot.retention import (
    Besluit,
    Datumgebruik,
    Invoergebruik,
    RecordFacts,
    RetentionDecision,
    ZaakObject,
    datumgebruik,
    decide,
    parse_duur,
    plus_duur,
)
from edepot.selectielijst import Selectielijst, Waardering, load_file, parse

LISTS = Path(__file__).resolve().parents[2] / "selectielijsten"
TODAY = date(2025, 6, 1)


def _cat(nummer: str, trigger: dict[str, Any], **extra: Any) -> dict[str, Any]:
    cat: dict[str, Any] = {"nummer": nummer, "omschrijving": nummer, "waardering": "V", "bewaartermijn": "P10Y"}
    cat.update(extra)
    cat["trigger"] = {"tekst": "", **trigger}
    return cat


def _test_list(versie: str = "1", van: str | None = None, tot: str | None = None, **extra: Any) -> Selectielijst:
    """A list whose terms start on the brondatum itself, one V P10Y category per afleidingswijze."""
    doc = {
        "naam": "T",
        "versie": versie,
        "bron": {"citaat": "test"},
        "geldigheid": {"geldig_van": van, "geldig_tot": tot},
        "termijnregel": {"aanvang": "direct", "tekst": "direct"},
        "categorieen": [
            _cat("afgehandeld", {"afleidingswijze": "afgehandeld"}),
            _cat("termijn", {"afleidingswijze": "termijn", "procestermijn": "P2Y"}),
            _cat("termijn-zonder", {"afleidingswijze": "termijn"}),
            _cat("hoofdzaak", {"afleidingswijze": "hoofdzaak"}),
            _cat("ingangsdatum", {"afleidingswijze": "ingangsdatum_besluit"}),
            _cat("vervaldatum", {"afleidingswijze": "vervaldatum_besluit"}),
            _cat("eigenschap", {"afleidingswijze": "eigenschap", "datumkenmerk": "einde_vergunning"}),
            _cat(
                "zaakobject",
                {"afleidingswijze": "zaakobject", "objecttype": "overige", "datumkenmerk": "record.data.einde"},
            ),
            _cat("gerelateerd", {"afleidingswijze": "gerelateerde_zaak"}),
            _cat("ander", {"afleidingswijze": "ander_datumkenmerk", "gebeurtenis": "na beeindiging relatie"}),
            _cat("B", {"afleidingswijze": "afgehandeld"}, waardering="B", bewaartermijn=None),
            _cat(
                "B-eigen",
                {"afleidingswijze": "afgehandeld"},
                waardering="B",
                bewaartermijn=None,
                overbrenging={"termijn_jaren": 50},
            ),
            _cat("klasse", {"afleidingswijze": "afgehandeld"}, selectielijstklassen=["https://sl/resultaten/1"]),
        ],
        **extra,
    }
    for cat in doc["categorieen"]:
        if cat["bewaartermijn"] is None:
            del cat["bewaartermijn"]
    return parse(doc)


T = _test_list()
PROVISA = load_file(LISTS / "provisa-2005.json")
LISTS_ALL = [T, PROVISA]


def _facts(categorie: str, **kw: Any) -> RecordFacts:
    return RecordFacts(
        bron="zaaksysteem", aanmaakdatum=kw.pop("aanmaakdatum", date(2010, 1, 1)), categorie=categorie, **kw
    )


def _decide(facts: RecordFacts, **kw: Any) -> RetentionDecision:
    return decide(facts, LISTS_ALL, kw.pop("today", TODAY), **kw)


# --------------------------------------------------------------------------- never silent: N with a reason


@pytest.mark.parametrize(
    ("facts", "code", "in_reden"),
    [
        (_facts("Provisa 2005/999"), "retention.categorie.onbekend", "category 999 does not exist"),
        (_facts("Provisa 2020/1"), "retention.lijst.onbekend", "'Provisa 2020' is unknown"),
        (_facts("16"), "retention.categorie.ongeldig", "'<selectielijst>/<nummer>'"),
        (
            _facts("Provisa 2005/16", aanmaakdatum=date(2014, 1, 1)),
            "retention.lijst.niet_in_werking",
            "created on 2014-01-01",
        ),
        (RecordFacts(bron="teams", aanmaakdatum=date(2010, 1, 1)), "retention.categorie.ontbreekt", "teams"),
        (
            RecordFacts(bron="analogue", aanmaakdatum=None, categorie="Provisa 2005/16"),
            "retention.aanmaakdatum.ontbreekt",
            "creation date is unknown",
        ),
        (_facts("Provisa 2005/16", aanmaakdatum=date(2030, 1, 1)), "retention.aanmaakdatum.toekomst", "after today"),
        (
            RecordFacts(bron="zaaksysteem", aanmaakdatum=date(2010, 1, 1), selectielijstklasse="https://sl/x"),
            "retention.categorie.onbekend",
            "'https://sl/x' is not linked",
        ),
    ],
)
def test_an_undeterminable_record_gets_waardering_n_with_the_reason(
    facts: RecordFacts, code: str, in_reden: str
) -> None:
    decision = _decide(facts)
    assert decision.waardering is Waardering.N
    assert decision.code == code
    assert in_reden in decision.reden
    assert decision.archiefactiedatum is None and decision.overbrengingsdatum is None
    assert not decision.termijn_verstreken


def test_an_unknown_category_keeps_the_list_and_number_it_asked_for() -> None:
    decision = _decide(_facts("Provisa 2005/999"))
    assert (decision.selectielijst, decision.versie, decision.categorie) == ("Provisa 2005", "2005", "999")


def test_two_versions_in_force_give_n_rather_than_a_guess() -> None:
    decision = decide(_facts("T/afgehandeld", einddatum=date(2011, 1, 1)), [T, replace(T, versie="2")], TODAY)
    assert decision.waardering is Waardering.N
    assert decision.code == "retention.lijst.dubbelzinnig"


@pytest.mark.parametrize(
    ("categorie", "facts", "in_reden"),
    [
        ("eigenschap", {"eigenschappen": {"einde_vergunning": "morgen"}}, "'morgen', which is not a date"),
        (
            "zaakobject",
            {"zaakobjecten": (ZaakObject("overige", {"record": {"data": {"einde": "31-12-2020"}}}),)},
            "'31-12-2020' at 'record.data.einde', which is not a date",
        ),
        ("termijn", {"einddatum": date(2020, 1, 1), "procestermijn": "2 jaar"}, "'2 jaar' is not a usable"),
    ],
)
def test_an_input_that_is_present_but_not_a_date_gives_n_with_the_reason(
    categorie: str, facts: dict[str, Any], in_reden: str
) -> None:
    decision = _decide(_facts(f"T/{categorie}", **facts))
    assert decision.waardering is Waardering.N
    assert decision.code == "retention.brondatum.ongeldig"
    assert in_reden in decision.reden
    assert decision.categorie == categorie


# --------------------------------------------------------------------------- every afleidingswijze without its input

MISSING = [
    ("afgehandeld", {}, "no einddatum"),
    ("termijn", {}, "no einddatum"),
    ("termijn-zonder", {"einddatum": date(2020, 1, 1)}, "no procestermijn"),
    ("hoofdzaak", {"einddatum": date(2020, 1, 1)}, "no hoofdzaak"),
    ("ingangsdatum", {"einddatum": date(2020, 1, 1)}, "no besluiten"),
    ("vervaldatum", {}, "no besluiten"),
    ("vervaldatum", {"besluiten": (Besluit(date(2020, 1, 1)),)}, "none of the zaak's besluiten has a vervaldatum"),
    ("eigenschap", {"eigenschappen": {"andere": "2020-01-01"}}, "no eigenschap 'einde_vergunning'"),
    ("eigenschap", {"eigenschappen": {"einde_vergunning": ""}}, "has no value yet"),
    (
        "zaakobject",
        {"zaakobjecten": (ZaakObject("adres", {"record": {"data": {"einde": "2020-01-01"}}}),)},
        "no zaakobject of type 'overige'",
    ),
    (
        "zaakobject",
        {
            "zaakobjecten": (
                ZaakObject("overige", {"record": {"data": {"einde": "2020-01-01"}}}),
                ZaakObject("overige", {"record": {"data": {}}}),
            )
        },
        "has no value at 'record.data.einde'",
    ),
    ("gerelateerd", {}, "no gerelateerde zaken"),
    ("gerelateerd", {"gerelateerde_zaken_einddata": (None,)}, "none of the gerelateerde zaken has an einddatum"),
    ("ander", {"einddatum": date(2020, 1, 1)}, "must be set by hand"),
]


@pytest.mark.parametrize(("categorie", "facts", "in_reden"), MISSING)
def test_a_missing_afleidingswijze_input_postpones_the_decision_keeping_the_waardering(
    categorie: str, facts: dict[str, Any], in_reden: str
) -> None:
    decision = _decide(_facts(f"T/{categorie}", **facts))
    assert decision.uitgesteld
    assert decision.waardering is Waardering.V
    assert decision.code == "retention.brondatum.ontbreekt"
    assert in_reden in decision.reden
    assert decision.brondatum is None and decision.archiefactiedatum is None
    assert not decision.termijn_verstreken


# --------------------------------------------------------------------------- every afleidingswijze with its input

WITH_INPUT = [
    ("afgehandeld", {"einddatum": date(2020, 3, 15)}, date(2020, 3, 15)),
    ("termijn", {"einddatum": date(2020, 3, 15)}, date(2022, 3, 15)),  # + the list's procestermijn P2Y
    ("termijn", {"einddatum": date(2020, 3, 15), "procestermijn": "P1M"}, date(2020, 4, 15)),  # the record's wins
    ("hoofdzaak", {"einddatum": date(2020, 1, 1), "hoofdzaak_einddatum": date(2021, 1, 31)}, date(2021, 1, 31)),
    (
        "ingangsdatum",
        {
            "besluiten": (
                Besluit(date(2020, 1, 1)),
                Besluit(date(2021, 6, 1), date(2022, 1, 1)),
                Besluit(date(2020, 12, 31)),
            )
        },
        date(2021, 6, 1),
    ),
    (
        "vervaldatum",
        {
            "besluiten": (
                Besluit(date(2019, 1, 1), date(2025, 1, 1)),
                Besluit(date(2020, 1, 1)),
                Besluit(date(2021, 1, 1), date(2023, 5, 5)),
            )
        },
        date(2025, 1, 1),
    ),
    ("eigenschap", {"eigenschappen": {"einde_vergunning": "2022-07-01"}}, date(2022, 7, 1)),
    ("eigenschap", {"eigenschappen": {"einde_vergunning": "2022-07-01T23:30:00+02:00"}}, date(2022, 7, 1)),
    (
        "zaakobject",
        {
            "zaakobjecten": (
                ZaakObject("overige", {"record": {"data": {"einde": "2021-02-03"}}}),
                ZaakObject("adres", {"record": {"data": {"einde": "2030-01-01"}}}),
                ZaakObject("overige", {"record": {"data": {"einde": "2022-04-05"}}}),
            )
        },
        date(2022, 4, 5),
    ),
    ("gerelateerd", {"gerelateerde_zaken_einddata": (date(2020, 1, 1), None, date(2021, 1, 1))}, date(2021, 1, 1)),
    ("ander", {"ander_datumkenmerk": date(2019, 9, 9), "einddatum": date(2018, 1, 1)}, date(2019, 9, 9)),
]


@pytest.mark.parametrize(("categorie", "facts", "brondatum"), WITH_INPUT)
def test_the_brondatum_follows_the_afleidingswijze_as_open_zaak_computes_it(
    categorie: str, facts: dict[str, Any], brondatum: date
) -> None:
    decision = _decide(_facts(f"T/{categorie}", **facts))
    assert decision.code == "retention.bepaald"
    assert decision.waardering is Waardering.V
    assert decision.brondatum == brondatum
    assert decision.termijnstart == brondatum  # list T starts terms directly
    assert decision.archiefactiedatum == plus_duur(brondatum, "P10Y")
    assert not decision.uitgesteld
    assert str(decision.archiefactiedatum) in decision.reden


def test_a_record_can_be_found_by_its_selectielijstklasse() -> None:
    facts = RecordFacts(
        bron="zaaksysteem",
        aanmaakdatum=date(2010, 1, 1),
        einddatum=date(2020, 1, 1),
        selectielijstklasse="https://sl/resultaten/1",
    )
    decision = _decide(facts)
    assert (decision.selectielijst, decision.categorie, decision.waardering) == ("T", "klasse", Waardering.V)


# --------------------------------------------------------------------------- calendar arithmetic


@pytest.mark.parametrize(
    ("start", "duur", "expected"),
    [
        (date(2024, 2, 29), "P10Y", date(2034, 2, 28)),
        (date(2024, 2, 29), "P4Y", date(2028, 2, 29)),
        (date(2024, 1, 31), "P1M", date(2024, 2, 29)),
        (date(2023, 1, 31), "P1M", date(2023, 2, 28)),
        (date(2024, 3, 31), "P1Y11M", date(2026, 2, 28)),
        (date(2024, 2, 29), "P1Y1D", date(2025, 3, 1)),  # clamp first, then the days
        (date(2024, 12, 31), "P1W", date(2025, 1, 7)),
        (date(2024, 11, 30), "P14M", date(2026, 1, 30)),
        (date(2020, 5, 5), "P0D", date(2020, 5, 5)),
    ],
)
def test_durations_are_added_by_the_calendar_clamping_to_the_month_end(start: date, duur: str, expected: date) -> None:
    assert plus_duur(start, duur) == expected


@pytest.mark.parametrize("duur", ["P", "10Y", "P1.5Y", "PT1H", "P-1Y", "p1y", ""])
def test_a_duration_outside_pnynmnd_is_refused(duur: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duur(duur)


def test_a_leap_day_brondatum_plus_ten_years_is_the_28th_of_february() -> None:
    decision = _decide(_facts("T/afgehandeld", einddatum=date(2024, 2, 29)), today=date(2034, 2, 28))
    assert decision.archiefactiedatum == date(2034, 2, 28)
    assert decision.termijn_verstreken


def test_the_term_has_passed_on_the_archiefactiedatum_itself_not_the_day_before() -> None:
    facts = _facts("T/afgehandeld", einddatum=date(2010, 6, 15))
    assert not _decide(facts, today=date(2020, 6, 14)).termijn_verstreken
    assert _decide(facts, today=date(2020, 6, 15)).termijn_verstreken


# --------------------------------------------------------------------------- Provisa 2005: 1 January after closure


@pytest.mark.parametrize(
    ("categorie", "einddatum", "termijnstart", "archiefactiedatum"),
    [
        ("16", date(2010, 5, 3), date(2011, 1, 1), date(2014, 1, 1)),  # P3Y
        ("16", date(2010, 12, 31), date(2011, 1, 1), date(2014, 1, 1)),
        ("16", date(2011, 1, 1), date(2012, 1, 1), date(2015, 1, 1)),
        ("86", date(2012, 2, 29), date(2013, 1, 1), date(2023, 1, 1)),  # P10Y, a leap day brondatum
        ("77", date(2012, 7, 1), date(2013, 1, 1), date(2013, 1, 1)),  # P0D
    ],
)
def test_provisa_terms_start_on_1_january_of_the_year_after_the_brondatum(
    categorie: str, einddatum: date, termijnstart: date, archiefactiedatum: date
) -> None:
    afleiding = {"77": {"ander_datumkenmerk": einddatum}}.get(categorie, {"einddatum": einddatum})
    decision = _decide(_facts(f"Provisa 2005/{categorie}", **afleiding))
    assert decision.waardering is Waardering.V
    assert (decision.termijnstart, decision.archiefactiedatum) == (termijnstart, archiefactiedatum)
    assert "1 January after the brondatum" in decision.reden


def test_provisa_96_counts_110_years_from_the_date_of_birth_of_the_natuurlijk_persoon() -> None:
    persoon = ZaakObject("natuurlijk_persoon", {"geboortedatum": "1950-06-01"})
    decision = _decide(_facts("Provisa 2005/96", einddatum=date(2008, 1, 1), zaakobjecten=(persoon,)))
    assert decision.brondatum == date(1950, 6, 1)
    assert decision.archiefactiedatum == date(2061, 1, 1)


def test_provisa_52_uses_the_vervaldatum_and_falls_back_to_the_eindbeslissing() -> None:
    vergunning = Besluit(date(2009, 1, 1), date(2012, 3, 1))
    met = _decide(_facts("Provisa 2005/52", einddatum=date(2009, 1, 1), besluiten=(vergunning,)))
    zonder = _decide(_facts("Provisa 2005/52", einddatum=date(2009, 1, 1)))
    open_zaak = _decide(_facts("Provisa 2005/52"))
    assert (met.brondatum, met.afleidingswijze, met.archiefactiedatum) == (
        date(2012, 3, 1),
        "vervaldatum_besluit",
        date(2016, 1, 1),
    )
    assert (zonder.brondatum, zonder.afleidingswijze, zonder.archiefactiedatum) == (
        date(2009, 1, 1),
        "afgehandeld",
        date(2013, 1, 1),
    )
    assert open_zaak.uitgesteld
    assert "fallback afgehandeld: the zaak has no einddatum" in open_zaak.reden


def test_provisa_98_waits_until_both_terms_have_passed() -> None:
    alleen_afgehandeld = _decide(_facts("Provisa 2005/98", einddatum=date(2008, 5, 1)))
    vervallen_laat = _decide(_facts("Provisa 2005/98", einddatum=date(2008, 5, 1), ander_datumkenmerk=date(2012, 1, 1)))
    vervallen_vroeg = _decide(
        _facts("Provisa 2005/98", einddatum=date(2008, 5, 1), ander_datumkenmerk=date(2007, 1, 1))
    )
    assert alleen_afgehandeld.uitgesteld and alleen_afgehandeld.archiefactiedatum is None
    assert vervallen_laat.archiefactiedatum == date(2016, 1, 1)  # 2013-01-01 + P3Y beats 2009-01-01 + P5Y
    assert vervallen_vroeg.archiefactiedatum == date(2014, 1, 1)  # 2009-01-01 + P5Y


# --------------------------------------------------------------------------- list version by creation date


def test_the_list_version_is_chosen_by_the_records_creation_date() -> None:
    v1 = _test_list("1", None, "2013-12-31")
    v2 = _test_list("2", "2014-01-01", None, termijnregel={"aanvang": "1 januari na afsluiting", "tekst": ""})
    lists = [v2, v1]
    oud = decide(_facts("T/afgehandeld", aanmaakdatum=date(2013, 12, 31), einddatum=date(2016, 5, 5)), lists, TODAY)
    nieuw = decide(_facts("T/afgehandeld", aanmaakdatum=date(2014, 1, 1), einddatum=date(2016, 5, 5)), lists, TODAY)
    assert (oud.versie, oud.archiefactiedatum) == ("1", date(2026, 5, 5))
    assert (nieuw.versie, nieuw.archiefactiedatum) == ("2", date(2027, 1, 1))


# --------------------------------------------------------------------------- B: transfer date


@pytest.mark.parametrize(
    ("einddatum", "kwargs", "overbrengingsdatum"),
    [
        (date(2010, 5, 3), {}, date(2030, 5, 3)),
        (date(2024, 2, 29), {}, date(2044, 2, 29)),
        (date(2021, 12, 31), {"nieuwe_archiefwet_vanaf": date(2022, 1, 1)}, date(2041, 12, 31)),
        (date(2022, 1, 1), {"nieuwe_archiefwet_vanaf": date(2022, 1, 1)}, date(2032, 1, 1)),
        (date(2024, 2, 29), {"nieuwe_archiefwet_vanaf": date(2022, 1, 1)}, date(2034, 2, 28)),
        (date(2010, 5, 3), {"overbrenging_termijn_jaren": 15}, date(2025, 5, 3)),
    ],
)
def test_a_b_record_is_transferred_20_years_after_its_brondatum_or_10_under_the_new_archiefwet(
    einddatum: date, kwargs: dict[str, Any], overbrengingsdatum: date
) -> None:
    decision = _decide(_facts("Provisa 2005/1", einddatum=einddatum), **kwargs)
    assert decision.waardering is Waardering.B
    assert decision.bewaartermijn is None
    assert decision.overbrengingsdatum == overbrengingsdatum
    assert decision.archiefactiedatum == overbrengingsdatum
    assert decision.termijn_verstreken is (overbrengingsdatum <= TODAY)


def test_a_categorys_own_transfer_term_wins_over_the_statutory_one() -> None:
    decision = _decide(_facts("T/B-eigen", einddatum=date(2010, 1, 1)), nieuwe_archiefwet_vanaf=date(2000, 1, 1))
    assert decision.overbrengingsdatum == date(2060, 1, 1)
    assert "the category's own transfer term" in decision.reden


def test_an_open_b_record_is_postponed_and_stays_b() -> None:
    decision = _decide(_facts("Provisa 2005/1"))
    assert decision.waardering is Waardering.B
    assert decision.uitgesteld
    assert decision.overbrengingsdatum is None


# --------------------------------------------------------------------------- holds


def test_a_legal_hold_is_carried_in_the_decision_without_changing_the_dates() -> None:
    facts = _facts("Provisa 2005/16", einddatum=date(2010, 5, 3), legal_hold=True, blokkades=("Woo-verzoek 2025-17",))
    decision = _decide(facts)
    assert decision.archiefactiedatum == date(2014, 1, 1)
    assert decision.blokkades == ("legal hold", "Woo-verzoek 2025-17")
    assert "blocked by: legal hold, Woo-verzoek 2025-17" in decision.reden


def test_holds_are_carried_on_an_n_decision_too() -> None:
    decision = _decide(_facts("Provisa 2005/999", legal_hold=True))
    assert decision.waardering is Waardering.N
    assert decision.blokkades == ("legal hold",)


def test_the_decision_names_its_category_key() -> None:
    decision = _decide(_facts("Provisa 2005/39.1", ander_datumkenmerk=date(2009, 2, 1)))
    assert decision.categorie_sleutel == "Provisa 2005/39.1"
    assert decision.archiefactiedatum == date(2011, 1, 1)


# --------------------------------------------------------------------------- which inputs a decision uses


def _same_but_brondatum(a: RetentionDecision, b: RetentionDecision) -> bool:
    """a and b are the same decision but for the brondatum, which appears once in each reason."""
    assert a.brondatum is not None and b.brondatum is not None
    assert a.reden.count(a.brondatum.isoformat()) == 1
    return (
        replace(a, brondatum=b.brondatum, reden=a.reden.replace(a.brondatum.isoformat(), b.brondatum.isoformat())) == b
    )


_DAGEN = (date(1999, 1, 1), date(2000, 2, 29), date(2000, 3, 1), date(2000, 12, 31), date(2007, 6, 15))


@pytest.mark.parametrize("lijst", LISTS_ALL, ids=lambda s: s.naam)
def test_a_date_the_engine_says_it_does_not_use_or_uses_by_year_changes_nothing_else(lijst: Selectielijst) -> None:
    seen: set[str] = set()
    for categorie in lijst.categorieen:
        for veld in ("einddatum", "ander_datumkenmerk"):
            base = _facts(f"{lijst.naam}/{categorie.nummer}", aanmaakdatum=date(2005, 1, 1))
            gebruik = getattr(datumgebruik(base, LISTS_ALL, TODAY), veld)
            seen.add(gebruik)
            for today in (TODAY, date(2008, 1, 1)):  # due and not yet due
                decided = [
                    (dag, _decide(replace(base, **{veld: dag}), today=today, nieuwe_archiefwet_vanaf=date(2000, 3, 1)))
                    for dag in (None, *_DAGEN)
                ]
                for (dag_a, a), (dag_b, b) in itertools.pairwise(decided):
                    if gebruik is Datumgebruik.NIET:
                        assert a == b, (categorie.nummer, veld, dag_a, dag_b)
                    elif gebruik is Datumgebruik.JAAR and dag_a and dag_b and dag_a.year == dag_b.year:
                        assert a.brondatum == dag_a and _same_but_brondatum(a, b), (categorie.nummer, veld)
    assert Datumgebruik.NIET in seen and (Datumgebruik.JAAR in seen) is (lijst is PROVISA)


def test_b_records_and_terms_counted_from_the_day_itself_use_the_exact_date() -> None:
    assert datumgebruik(_facts("Provisa 2005/1"), LISTS_ALL, TODAY).einddatum is Datumgebruik.DATUM  # B
    assert datumgebruik(_facts("Provisa 2005/16"), LISTS_ALL, TODAY).einddatum is Datumgebruik.JAAR  # V, 1 January
    assert datumgebruik(_facts("Provisa 2005/24"), LISTS_ALL, TODAY) == Invoergebruik(
        Datumgebruik.NIET, Datumgebruik.JAAR
    )
    assert datumgebruik(_facts("T/B"), LISTS_ALL, TODAY).einddatum is Datumgebruik.DATUM
    assert datumgebruik(_facts("T/afgehandeld"), LISTS_ALL, TODAY).einddatum is Datumgebruik.DATUM
    assert datumgebruik(_facts("T/termijn"), LISTS_ALL, TODAY).einddatum is Datumgebruik.DATUM
    assert datumgebruik(_facts("T/ander"), LISTS_ALL, TODAY) == Invoergebruik(Datumgebruik.NIET, Datumgebruik.DATUM)
    assert datumgebruik(_facts("T/hoofdzaak"), LISTS_ALL, TODAY) == Invoergebruik(Datumgebruik.NIET, Datumgebruik.NIET)
    assert datumgebruik(_facts("Provisa 2005/999"), LISTS_ALL, TODAY) == Invoergebruik(
        Datumgebruik.NIET, Datumgebruik.NIET
    )
