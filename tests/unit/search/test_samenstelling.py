"""Dutch compounds are split into known parts of at least four letters; other words stay whole."""

from __future__ import annotations

import pytest

from edepot.search.samenstelling import Ontleder, lees_woordenlijst, standaard_ontleder

WOORDEN = {
    "omgeving",
    "vergunning",
    "subsidie",
    "aanvraag",
    "verkeer",
    "besluit",
    "plan",
    "bestemming",
    "beleid",
    "nota",
    "roer",
    "mond",
    "waarde",
    "ring",
    "waarderen",
    "over",
    "eenheid",
}


@pytest.fixture
def ontleder() -> Ontleder:
    return Ontleder(WOORDEN, namen={"roermond"})


# -- what must not be split first ------------------------------------------------------------------


@pytest.mark.parametrize("woord", ["", "a", "beleid", "vergunning", "omgeving", "12345678", "omgeving2vergunning"])
def test_a_simple_word_an_empty_word_or_one_with_digits_is_not_split(ontleder: Ontleder, woord: str) -> None:
    assert ontleder.delen(woord) == ()


def test_parts_shorter_than_four_letters_are_never_split_off() -> None:
    ontleder = Ontleder({"bel", "eid", "beleid", "weg", "wegen", "huis"})
    assert ontleder.delen("beleid") == ()
    assert ontleder.delen("weghuis") == ()  # "weg" is a word, but too short to be a part


def test_a_word_with_an_unknown_remainder_stays_whole(ontleder: Ontleder) -> None:
    assert ontleder.delen("omgevingsxyzq") == ()
    assert ontleder.delen("vergunningzzzz") == ()


def test_a_name_stays_whole_even_when_its_pieces_are_words(ontleder: Ontleder) -> None:
    assert ontleder.delen("roermond") == ()


def test_the_ing_noun_of_a_known_verb_stays_whole(ontleder: Ontleder) -> None:
    assert ontleder.delen("waardering") == ()  # waarderen + ing, not waarde + ring


def test_stopwords_are_not_parts(ontleder: Ontleder) -> None:
    assert ontleder.delen("overeenheid") == ()  # "over" is a stopword


def test_a_word_longer_than_the_longest_token_is_not_split(ontleder: Ontleder) -> None:
    assert ontleder.delen("omgevings" * 5 + "vergunning") == ()


def test_a_part_size_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="min_deel"):
        Ontleder(WOORDEN, min_deel=1)


# -- what is split ------------------------------------------------------------------------------


def test_a_compound_is_split_into_its_parts(ontleder: Ontleder) -> None:
    assert ontleder.delen("subsidieaanvraag") == ("subsidie", "aanvraag")


@pytest.mark.parametrize(
    ("woord", "delen"),
    [
        ("omgevingsvergunning", ("omgeving", "vergunning")),  # -s-
        ("verkeersbesluit", ("verkeer", "besluit")),
        ("beleidsnota", ("beleid", "nota")),
    ],
)
def test_the_linking_s_between_parts_is_not_part_of_either(
    ontleder: Ontleder, woord: str, delen: tuple[str, ...]
) -> None:
    assert ontleder.delen(woord) == delen


def test_the_linking_en_and_e_are_recognised() -> None:
    ontleder = Ontleder({"boek", "kast", "pannenkoek", "panne", "koek", "zonne", "bloem"})
    assert ontleder.delen("boekenkast") == ("boek", "kast")
    assert ontleder.delen("boekekast") == ("boek", "kast")


def test_the_last_part_may_carry_a_plural(ontleder: Ontleder) -> None:
    assert ontleder.delen("omgevingsvergunningen") == ("omgeving", "vergunningen")
    assert ontleder.delen("bestemmingsplannen") == ("bestemming", "plannen")


def test_a_compound_of_three_words_yields_every_part(ontleder: Ontleder) -> None:
    assert ontleder.delen("omgevingsvergunningaanvraag") == ("omgeving", "vergunning", "aanvraag")


def test_a_known_compound_of_compounds_yields_the_inner_parts_too() -> None:
    ontleder = Ontleder({"omgevingsvergunning", "omgeving", "vergunning", "aanvraag"})
    assert ontleder.delen("omgevingsvergunningaanvraag") == (
        "omgevingsvergunning",
        "omgeving",
        "vergunning",
        "aanvraag",
    )


def test_the_parts_of_a_text_are_each_listed_once_in_order(ontleder: Ontleder) -> None:
    texts = ["De omgevingsvergunning en de subsidieaanvraag", "nog een omgevingsvergunning, beleid"]
    assert ontleder.samenstellingsdelen(texts) == ["omgeving", "vergunning", "subsidie", "aanvraag"]


def test_a_word_list_is_read_one_word_a_line_lowercased_without_comments() -> None:
    assert lees_woordenlijst("# OpenTaal\nVergunning\n\n  plan \n") == frozenset({"vergunning", "plan"})


# -- the vendored OpenTaal list ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("woord", "delen"),
    [
        ("omgevingsvergunning", ("omgeving", "vergunning")),
        ("subsidieaanvraag", ("subsidie", "aanvraag")),
        ("verkeersbesluit", ("verkeer", "besluit")),
        ("ontgrondingsvergunningen", ("ontgronding", "vergunningen")),
        ("openbaarheidsbeperking", ("openbaarheid", "beperking")),
        ("dijkversterking", ("dijk", "versterking")),
    ],
)
def test_the_opentaal_list_splits_common_government_compounds(woord: str, delen: tuple[str, ...]) -> None:
    assert standaard_ontleder().delen(woord) == delen


@pytest.mark.parametrize(
    "woord",
    [
        "beleid",
        "vergunning",
        "waardering",
        "roermond",
        "valkenburg",
        "maastricht",
        "gedeputeerde",
        "aanbesteding",
        "bestemming",
    ],
)
def test_the_opentaal_list_leaves_simple_words_and_names_whole(woord: str) -> None:
    assert standaard_ontleder().delen(woord) == ()


def test_compounds_next_to_punctuation_or_hyphens_are_split_too(ontleder: Ontleder) -> None:
    texts = ['"Omgevingsvergunning." (subsidieaanvraag), beleids-nota verkeersbesluit2024']
    assert ontleder.samenstellingsdelen(texts) == ["omgeving", "vergunning", "subsidie", "aanvraag"]
