"""The search-index contract: every engine behaves the same, and the public never sees a restricted record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from edepot.errors import InvalidInput
from edepot.search import ENGINES, dutch, open_index, tantivy_index, whoosh_index
from edepot.search.model import (
    MAX_FULL_TEXT_CHARS,
    Audience,
    Facet,
    IndexDocument,
    Openbaarheid,
    Query,
    SearchResult,
    Sortering,
    iso_date,
    snippet_text,
)
from edepot.search.port import SearchIndex

INTERNAL = Audience.INTERNAL


def doc(record_id: str, title: str, **fields: object) -> IndexDocument:
    """An open, published record unless the test says otherwise."""
    fields.setdefault("openbaarheid", Openbaarheid.OPENBAAR)
    fields.setdefault("published", True)
    return IndexDocument(record_id=record_id, title=title, **fields)  # type: ignore[arg-type]


OPEN = [
    doc(
        "open-vergunning",
        "Vergunningen van de provincie Limburg",
        description="Verleende ontgrondingsvergunningen aan de grindwinning",
        full_text="De vergunning voor de grindwinning bij Roermond is verleend door Gedeputeerde Staten.",
        kenmerken=("INV-0012",),
        informatiecategorie="Vergunningen",
        organisatie="Provincie Limburg",
        documentsoort="besluit",
        aggregatieniveau="Dossier",
        waardering="B",
        date_begin=date(1987, 1, 1),
        date_end=date(1992, 12, 31),
    ),
    doc(
        "open-wegen",
        "Onderhoud provinciale wegen",
        description="Aanbesteding van het onderhoud",
        full_text="Het wegenonderhoud in Maastricht en Venlo werd aanbesteed.",
        informatiecategorie="Overeenkomsten",
        organisatie="Provincie Limburg",
        documentsoort="brief",
        aggregatieniveau="Archiefstuk",
        waardering="B",
        date_begin=date(2001, 3, 1),
        date_end=date(2001, 3, 31),
    ),
    doc(
        "open-natuur",
        "Natuurbeheer in het Geuldal",
        full_text="Beheerplan natuur; vergunningen voor beweiding.",
        informatiecategorie="Vergunningen",
        organisatie="Natuurmonumenten",
        documentsoort="rapport",
        aggregatieniveau="Dossier",
        waardering="V",
        date_begin=date(2015, 6, 1),
        date_end=date(2016, 1, 31),
    ),
]

RESTRICTED = [
    doc(
        "beperkt-vergunning",
        "Vergunning geheim dossier",
        full_text="Vergunningen met persoonsgegevens van omwonenden.",
        informatiecategorie="Geheim",
        organisatie="Geheime Dienst",
        documentsoort="besluit",
        aggregatieniveau="Dossier",
        waardering="B",
        date_begin=date(1990, 1, 1),
        openbaarheid=Openbaarheid.BEPERKT,
        published=True,
    ),
    doc(
        "intern-vergunning",
        "Vergunning interne notitie",
        informatiecategorie="Intern",
        organisatie="Provincie Limburg",
        waardering="V",
        date_begin=date(1991, 1, 1),
        openbaarheid=Openbaarheid.INTERN,
        published=True,
    ),
    doc(
        "ongepubliceerd-vergunning",
        "Vergunning nog niet gepubliceerd",
        informatiecategorie="Ongepubliceerd",
        organisatie="Provincie Limburg",
        waardering="B",
        date_begin=date(1992, 1, 1),
        openbaarheid=Openbaarheid.OPENBAAR,
        published=False,
    ),
]
RESTRICTED_IDS = {d.record_id for d in RESTRICTED}
RESTRICTED_VALUES = {"Geheim", "Geheime Dienst", "Intern", "Ongepubliceerd"}


@pytest.fixture(params=ENGINES)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    engine = open_index(request.param, tmp_path / request.param)
    engine.add(OPEN + RESTRICTED)
    engine.commit()
    yield engine
    engine.close()


def ids(result: SearchResult) -> set[str]:
    return set(result.record_ids)


def facet(result: SearchResult, field: Facet) -> dict[str, int]:
    return dict(result.facets[field])


# -- bad input first ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "AND OR",
        "NOT",
        "title:vergunning",
        "vergun*",
        "[a TO z]",
        "(((",
        "a^2 ~3",
        "\x00\x01",
        "+-!{}",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "ünïcödé 😀",
        '""',
        "   ",
    ],
)
def test_hostile_query_text_never_crashes_and_never_shows_restricted(index: SearchIndex, text: str) -> None:
    result = index.search(Query(text))
    assert not ids(result) & RESTRICTED_IDS
    assert result.total == len(result.hits) or result.total > len(result.hits)


def test_operator_words_are_searched_as_words_not_operators(index: SearchIndex) -> None:
    assert ids(index.search(Query("vergunning OR wegen"))) == set()  # AND of three words, "or" matches nothing
    assert ids(index.search(Query("vergunning AND roermond"))) == set()


def test_unbalanced_quote_reads_as_a_phrase_to_the_end(index: SearchIndex) -> None:
    assert ids(index.search(Query('"provinciale wegen'))) == {"open-wegen"}


@pytest.mark.parametrize(
    "arguments",
    [
        {"page": 0},
        {"page_size": 0},
        {"page_size": 1000},
        {"page": 1000, "page_size": 100},
        {"text": "x" * 1001},
        {"filters": {"onbekend": ("x",)}},
        {"filters": {"organisatie": ("",)}},
        {"sort": "random"},
        {"audience": "admin"},
        {"date_from": date(2000, 1, 1), "date_to": date(1990, 1, 1)},
    ],
)
def test_truly_invalid_requests_raise_invalid_input(arguments: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Query(**arguments)  # type: ignore[arg-type]


def test_an_index_document_without_record_id_or_with_reversed_dates_is_refused() -> None:
    with pytest.raises(InvalidInput):
        IndexDocument(record_id=" ", title="x")
    with pytest.raises(InvalidInput):
        IndexDocument(record_id="x", title="x", date_begin=date(2000, 1, 1), date_end=date(1999, 1, 1))


def test_year_only_dates_become_the_first_and_last_day() -> None:
    assert iso_date("1987") == date(1987, 1, 1)
    assert iso_date("1987", end=True) == date(1987, 12, 31)
    assert iso_date("2024-02", end=True) == date(2024, 2, 29)
    with pytest.raises(InvalidInput):
        iso_date("1987-13")
    with pytest.raises(InvalidInput):
        iso_date("gisteren")


def test_full_text_is_truncated_to_keep_index_documents_small() -> None:
    long = IndexDocument("x", "t", full_text="a" * (MAX_FULL_TEXT_CHARS + 10))
    assert len(long.full_text) == MAX_FULL_TEXT_CHARS


def test_a_document_is_restricted_and_unpublished_unless_said_otherwise() -> None:
    plain = IndexDocument("x", "t")
    assert plain.openbaarheid is Openbaarheid.BEPERKT and not plain.published and not plain.public


# -- access: the public never sees a restricted record ------------------------------------------


def test_public_search_never_returns_or_counts_restricted_records(index: SearchIndex) -> None:
    result = index.search(Query("vergunning"))
    assert ids(result) == {"open-vergunning", "open-natuur"}
    assert result.total == 2
    for field in Facet:
        assert not set(facet(result, field)) & RESTRICTED_VALUES
    assert facet(result, Facet.INFORMATIECATEGORIE) == {"Vergunningen": 2}
    assert facet(result, Facet.ORGANISATIE) == {"Provincie Limburg": 1, "Natuurmonumenten": 1}


def test_public_browsing_without_text_shows_only_open_published_records(index: SearchIndex) -> None:
    result = index.search(Query("", page_size=100))
    assert ids(result) == {d.record_id for d in OPEN}
    assert result.total == len(OPEN)
    assert sum(dict(result.facets[Facet.WAARDERING]).values()) == len(OPEN)


def test_public_filtering_on_a_restricted_value_finds_nothing(index: SearchIndex) -> None:
    result = index.search(Query("", filters={Facet.INFORMATIECATEGORIE: ("Geheim",)}))
    assert result.total == 0 and result.hits == ()
    assert all(result.facets[f] == () for f in Facet)


def test_the_default_audience_is_the_public(index: SearchIndex) -> None:
    assert Query().audience is Audience.PUBLIC
    assert not ids(index.search(Query("geheim"))) & RESTRICTED_IDS


def test_the_internal_audience_sees_restricted_records_and_counts_them(index: SearchIndex) -> None:
    result = index.search(Query("vergunning", audience=INTERNAL))
    assert ids(result) == {"open-vergunning", "open-natuur"} | RESTRICTED_IDS
    assert result.total == 5
    assert facet(result, Facet.INFORMATIECATEGORIE)["Geheim"] == 1


# -- finding -------------------------------------------------------------------------------------


def test_finds_by_title_description_full_text_and_kenmerk(index: SearchIndex) -> None:
    assert ids(index.search(Query("Geuldal"))) == {"open-natuur"}
    assert ids(index.search(Query("aanbesteding"))) == {"open-wegen"}
    assert ids(index.search(Query("Roermond"))) == {"open-vergunning"}
    assert ids(index.search(Query("INV-0012"))) == {"open-vergunning"}
    assert ids(index.search(Query("inv 0012"))) == {"open-vergunning"}


def test_every_word_must_match_somewhere_in_the_record(index: SearchIndex) -> None:
    assert ids(index.search(Query("vergunning roermond"))) == {"open-vergunning"}  # title + full text
    assert ids(index.search(Query("vergunning venlo"))) == set()


def test_dutch_plural_and_singular_find_each_other(index: SearchIndex) -> None:
    assert ids(index.search(Query("vergunningen"))) == ids(index.search(Query("vergunning")))
    assert ids(index.search(Query("aanbestedingen"))) == {"open-wegen"}  # "Aanbesteding" in the description
    assert "open-natuur" in ids(index.search(Query("beheerplannen")))


def test_stopwords_in_a_query_do_not_stop_it_matching(index: SearchIndex) -> None:
    assert ids(index.search(Query("het onderhoud van de wegen"))) == {"open-wegen"}


def test_a_query_of_only_stopwords_finds_nothing_rather_than_everything(index: SearchIndex) -> None:
    result = index.search(Query("de het van"))
    assert result.total == 0 and result.hits == ()


def test_accents_are_folded(index: SearchIndex, tmp_path: Path) -> None:
    index.add([doc("cafe", "Café Ûberplein", full_text="Reünie")])
    index.commit()
    assert ids(index.search(Query("cafe"))) == {"cafe"}
    assert ids(index.search(Query("café reunie"))) == {"cafe"}


def test_a_quoted_phrase_needs_the_words_in_order(index: SearchIndex) -> None:
    assert ids(index.search(Query('"vergunningen van de provincie"'))) == {"open-vergunning"}
    assert ids(index.search(Query('"provincie vergunningen"'))) == set()
    assert ids(index.search(Query("provincie vergunningen"))) == {"open-vergunning"}


def test_both_engines_analyse_dutch_to_the_same_terms() -> None:
    text = (
        "De vergunningen en vergunning, gemeenten, archieven, bestemmingsplannen van de provincies; "
        "beëindiging café ideeën 1987 INV-0012"
    )
    assert tantivy_index.analyse(text) == whoosh_index.analyse(text) == dutch.analyse(text)
    assert dutch.analyse("vergunningen") == dutch.analyse("vergunning")
    assert "de" not in dutch.analyse("de het een")


# -- facets, dates, sorting, paging, snippets ----------------------------------------------------


def test_facets_count_every_match_not_only_the_page(index: SearchIndex) -> None:
    result = index.search(Query("", page_size=1))
    assert len(result.hits) == 1
    assert facet(result, Facet.ORGANISATIE) == {"Provincie Limburg": 2, "Natuurmonumenten": 1}
    assert facet(result, Facet.DOCUMENTSOORT) == {"besluit": 1, "brief": 1, "rapport": 1}
    assert facet(result, Facet.AGGREGATIENIVEAU) == {"Dossier": 2, "Archiefstuk": 1}
    assert facet(result, Facet.WAARDERING) == {"B": 2, "V": 1}
    assert result.facets[Facet.ORGANISATIE][0] == ("Provincie Limburg", 2)  # most frequent first


def test_period_facet_counts_each_decade_a_record_covers(index: SearchIndex) -> None:
    result = index.search(Query(""))
    assert facet(result, Facet.PERIODE) == {"1980-1989": 1, "1990-1999": 1, "2000-2009": 1, "2010-2019": 1}


def test_filters_are_or_within_a_facet_and_and_between_facets(index: SearchIndex) -> None:
    one = index.search(Query("", filters={Facet.ORGANISATIE: ("Natuurmonumenten", "Provincie Limburg")}))
    assert one.total == 3
    both = index.search(
        Query("", filters={Facet.ORGANISATIE: ("Provincie Limburg",), Facet.INFORMATIECATEGORIE: ("Vergunningen",)})
    )
    assert ids(both) == {"open-vergunning"}
    assert facet(both, Facet.ORGANISATIE) == {"Provincie Limburg": 1}
    assert ids(index.search(Query("", filters={Facet.PERIODE: ("1990-1999",)}))) == {"open-vergunning"}


def test_date_range_keeps_records_that_overlap_it(index: SearchIndex) -> None:
    def found(start: date | None, end: date | None) -> set[str]:
        return ids(index.search(Query("", date_from=start, date_to=end)))

    assert found(date(1990, 1, 1), date(2001, 3, 15)) == {"open-vergunning", "open-wegen"}
    assert found(date(2001, 4, 1), None) == {"open-natuur"}
    assert found(None, date(1986, 12, 31)) == set()
    assert found(date(1992, 12, 31), date(1992, 12, 31)) == {"open-vergunning"}


def test_records_without_dates_drop_out_of_a_date_range(index: SearchIndex) -> None:
    index.add([doc("zonder-datum", "Zonder datum")])
    index.commit()
    assert "zonder-datum" in ids(index.search(Query("")))
    assert "zonder-datum" not in ids(index.search(Query("", date_from=date(1900, 1, 1))))


def test_sorting_by_date_both_ways(index: SearchIndex) -> None:
    ascending = index.search(Query("", sort=Sortering.DATE_ASC)).record_ids
    descending = index.search(Query("", sort=Sortering.DATE_DESC)).record_ids
    assert ascending == ("open-vergunning", "open-wegen", "open-natuur")
    assert descending == tuple(reversed(ascending))


def test_relevance_puts_a_title_match_first_and_reports_scores(index: SearchIndex) -> None:
    result = index.search(Query("vergunningen", sort=Sortering.RELEVANCE))
    assert result.record_ids[0] == "open-vergunning"
    assert all(hit.score is not None and hit.score > 0 for hit in result.hits)
    assert all(hit.score is None for hit in index.search(Query("vergunning", sort=Sortering.DATE_ASC)).hits)


def test_paging_walks_every_hit_exactly_once(index: SearchIndex) -> None:
    pages = [index.search(Query("", sort=Sortering.DATE_ASC, page=p, page_size=2)) for p in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [2, 1, 0]
    assert all(p.total == 3 and p.pages == 2 for p in pages)
    seen = [rid for p in pages for rid in p.record_ids]
    assert sorted(seen) == sorted(d.record_id for d in OPEN)


def test_snippets_highlight_the_matched_words(index: SearchIndex) -> None:
    hit = index.search(Query("roermond")).hits[0]
    highlighted = [text for text, marked in hit.snippet if marked]
    assert [w.lower() for w in highlighted] == ["roermond"]
    assert "grindwinning bij" in snippet_text(hit.snippet)
    assert "<mark>Roermond</mark>" in hit.snippet_html


def test_snippet_html_escapes_the_document_text(index: SearchIndex) -> None:
    index.add([doc("xss", "Aanval", full_text="Zie <script>alert('x')</script> bij Heerlen")])
    index.commit()
    html = index.search(Query("heerlen")).hits[0].snippet_html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Heerlen</mark>" in html


def test_hits_carry_the_stored_fields_without_the_full_text(index: SearchIndex) -> None:
    found = index.search(Query("Geuldal")).hits[0].document
    assert found.title == "Natuurbeheer in het Geuldal"
    assert found.date_begin == date(2015, 6, 1) and found.organisatie == "Natuurmonumenten"
    assert found.full_text == ""


# -- writing ---------------------------------------------------------------------------------------


def test_count_reports_every_committed_document(index: SearchIndex) -> None:
    assert index.count() == len(OPEN) + len(RESTRICTED)


def test_delete_removes_a_record_and_ignores_unknown_ids(index: SearchIndex) -> None:
    index.delete(["open-natuur", "bestaat-niet"])
    index.commit()
    assert "open-natuur" not in ids(index.search(Query("", audience=INTERNAL, page_size=100)))
    assert index.count() == len(OPEN) + len(RESTRICTED) - 1


def test_adding_the_same_id_again_replaces_the_record(index: SearchIndex) -> None:
    index.add([doc("open-wegen", "Onderhoud provinciale wegen, herzien", organisatie="Rijkswaterstaat")])
    index.commit()
    found = index.search(Query("wegen"))
    assert found.record_ids == ("open-wegen",)
    assert found.hits[0].document.title.endswith("herzien")
    assert index.count() == len(OPEN) + len(RESTRICTED)


def test_the_same_id_twice_in_one_uncommitted_batch_keeps_the_last(index: SearchIndex) -> None:
    index.add([doc("dubbel", "Eerste versie"), doc("dubbel", "Tweede versie")])
    index.add([doc("dubbel", "Derde versie")])
    index.commit()
    found = index.search(Query("versie"))
    assert found.total == 1 and found.hits[0].document.title == "Derde versie"


def test_restricting_a_published_record_hides_it_from_the_public(index: SearchIndex) -> None:
    index.add([doc("open-natuur", "Natuurbeheer in het Geuldal", openbaarheid=Openbaarheid.BEPERKT)])
    index.commit()
    assert "open-natuur" not in ids(index.search(Query("Geuldal")))
    assert "open-natuur" in ids(index.search(Query("Geuldal", audience=INTERNAL)))


def test_writes_are_visible_after_commit_and_survive_reopening(tmp_path: Path) -> None:
    for engine in ENGINES:
        first = open_index(engine, tmp_path / engine)
        first.add(OPEN)
        first.commit()
        assert first.search(Query("Geuldal")).total == 1
        first.close()
        again = open_index(engine, tmp_path / engine)
        assert again.count() == len(OPEN)
        again.close()


def test_clear_empties_the_index(index: SearchIndex) -> None:
    index.clear()
    assert index.count() == 0
    assert index.search(Query("", audience=INTERNAL)).total == 0
    index.add(OPEN[:1])
    index.commit()
    assert index.count() == 1


# -- Dutch compounds (samenstellingen) ---------------------------------------------------------

COMPOUNDS = [
    doc("samengesteld-omgeving", "Omgevingsvergunning windpark Nederweert", informatiecategorie="Vergunningen"),
    doc("samengesteld-subsidie", "Besluit op de subsidieaanvraag", full_text="De subsidieaanvraag is toegekend."),
    doc("enkel-vergunning", "Vergunning voor een windpark"),
    doc("beleid", "Beleid voor het Geuldal"),
    doc("beperkt-omgeving", "Omgevingsvergunning geheim", openbaarheid=Openbaarheid.BEPERKT),
]


@pytest.fixture(params=ENGINES)
def compound_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    engine = open_index(request.param, tmp_path / request.param)
    engine.add(COMPOUNDS)
    engine.commit()
    yield engine
    engine.close()


def test_a_word_that_is_not_a_compound_finds_only_itself(compound_index: SearchIndex) -> None:
    assert ids(compound_index.search(Query("bel"))) == set()  # "beleid" is not "bel" + "eid"
    assert ids(compound_index.search(Query("eid"))) == set()
    assert ids(compound_index.search(Query("beleid"))) == {"beleid"}


def test_a_compound_is_not_found_by_a_part_shorter_than_four_letters(compound_index: SearchIndex) -> None:
    assert ids(compound_index.search(Query("aan"))) == set()  # a stopword, and too short a part


def test_a_search_for_a_part_finds_the_compound(compound_index: SearchIndex) -> None:
    assert ids(compound_index.search(Query("subsidie"))) == {"samengesteld-subsidie"}
    assert ids(compound_index.search(Query("aanvraag"))) == {"samengesteld-subsidie"}
    assert ids(compound_index.search(Query("omgeving"))) == {"samengesteld-omgeving"}


def test_a_record_with_the_word_itself_ranks_above_one_with_it_inside_a_compound(compound_index: SearchIndex) -> None:
    result = compound_index.search(Query("vergunning"))
    assert result.record_ids == ("enkel-vergunning", "samengesteld-omgeving")


def test_parts_match_in_an_and_of_words(compound_index: SearchIndex) -> None:
    assert ids(compound_index.search(Query("vergunning nederweert"))) == {"samengesteld-omgeving"}
    assert ids(compound_index.search(Query("vergunningen windpark"))) == {"enkel-vergunning", "samengesteld-omgeving"}


def test_a_phrase_is_not_matched_across_compound_parts(compound_index: SearchIndex) -> None:
    assert ids(compound_index.search(Query('"omgeving vergunning"'))) == set()


def test_the_public_never_finds_a_restricted_compound_by_its_parts(compound_index: SearchIndex) -> None:
    assert "beperkt-omgeving" not in ids(compound_index.search(Query("vergunning")))
    assert "beperkt-omgeving" in ids(compound_index.search(Query("vergunning", audience=INTERNAL)))


def test_a_compound_found_by_a_part_is_counted_in_its_facets(compound_index: SearchIndex) -> None:
    assert facet(compound_index.search(Query("omgeving")), Facet.INFORMATIECATEGORIE) == {"Vergunningen": 1}


# -- generations: what a result cache keys on -----------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_commit_by_another_instance_changes_the_generation_and_is_seen_at_once(engine: str, tmp_path: Path) -> None:
    writer = open_index(engine, tmp_path / engine)
    writer.add([doc("eerste", "Eerste vergunning")])
    writer.commit()
    reader = open_index(engine, tmp_path / engine)
    before = reader.generation()
    assert ids(reader.search(Query("vergunning"))) == {"eerste"}
    assert reader.generation() == before  # searching is no commit
    writer.add([doc("tweede", "Tweede vergunning")])
    writer.commit()
    assert reader.generation() != before
    assert ids(reader.search(Query("vergunning"))) == {"eerste", "tweede"}
    writer.close()
    reader.close()
