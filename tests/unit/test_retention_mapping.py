"""The mapping layer: which property selects the category, per source, as configuration checked by its
JSON Schema; raw properties from a bag; dates from partial xsd dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from edepot.errors import InvalidInput, NotFound
from edepot.retention_mapping import eigenschappen, load_mapping, map_feiten, parse_datum, parse_mapping, remap
from edepot.retention_workflow import AipRef
from edepot.selectielijst import DEFAULT_DIR
from tests.unit.retention_world import Dossier, informatieobject

SCHEMA = json.loads((DEFAULT_DIR / "mapping.schema.json").read_text())


def ref(bron: str) -> AipRef:
    return AipRef(UUID(int=1), bron, "key", "titel", UUID(int=2), "data/x/x.mdto.xml")


def mapping(bronnen: dict[str, Any]) -> Any:
    return parse_mapping({"versie": "t", "bronnen": bronnen}, schema=SCHEMA, file="t.json")


# --- bad configuration first ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bron", "fout"),
    [
        ({"categorie": [{"uit": "ergens"}]}, "is not one of"),
        ({"categorie": [{"uit": "classificatie", "veld": "code"}]}, "'begrippenlijst' is a required property"),
        ({"categorie": [{"uit": "bag-info", "veld": "X", "selectielijst": "A", "tabel": {}}]}, "should not be valid"),
        ({"categorie": [{"uit": "bag-info", "veld": "X", "tabel": {"a": "geen-sleutel"}}]}, "does not match"),
        ({"vaste_waardering": {"waardering": "V", "reden": "x"}}, "'B' was expected"),
    ],
)
def test_a_mapping_that_breaks_the_schema_is_refused_with_where_and_why(bron: dict[str, Any], fout: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        mapping({"analogue": bron})
    findings = caught.value.fields["findings"]
    assert any(fout in f.message for f in findings) and findings[0].object.startswith("/bronnen/analogue")


def test_a_pattern_that_is_no_regular_expression_is_refused() -> None:
    with pytest.raises(InvalidInput, match="regular expression"):
        mapping({"analogue": {"categorie": [{"uit": "bag-info", "veld": "X", "patroon": "(["}]}})


def test_a_missing_or_broken_mapping_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_mapping(tmp_path / "mapping.json")
    (tmp_path / "mapping.json").write_text("{")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        load_mapping(tmp_path / "mapping.json")


def test_the_shipped_mapping_is_valid_and_covers_every_source() -> None:
    shipped = load_mapping()
    assert set(shipped.bronnen) == {"analogue", "zaaksysteem", "teams", "edepot"}
    assert shipped.bronnen["edepot"].vaste_waardering == "B"


# --- raw properties and selectors --------------------------------------------------------------------


def test_the_raw_properties_hold_classificatie_dates_events_and_bag_info() -> None:
    props = eigenschappen(
        {"Zaak-Einddatum": ["2020-05-01"]}, informatieobject(Dossier("1", "Provisa 2005, categorie 57"))
    )
    assert props["classificatie"] == [
        {"label": "Provisa 2005, categorie 57", "code": None, "begrippenlijst": "Provisa 2005"}
    ]
    assert props["dekking_in_tijd"] == [{"begindatum": "1990", "einddatum": "1993"}]
    assert props["bag-info"] == {"Zaak-Einddatum": "2020-05-01"} and props["waardering"] == "N"


def test_the_analogue_category_comes_from_the_code_or_else_from_the_label() -> None:
    shipped = load_mapping()
    io = informatieobject(Dossier("1", "Provisa 2005, categorie 39.1"))
    assert map_feiten(shipped, ref("analogue"), eigenschappen({}, io)).categorie == "Provisa 2005/39.1"
    coded = {"classificatie": [{"begrippenlijst": "Provisa 2005", "code": "12", "label": "12 bijzonder"}]}
    feiten = map_feiten(shipped, ref("analogue"), coded)
    assert feiten.categorie == "Provisa 2005/12" and feiten.aanmaakdatum is None


def test_analogue_dates_round_a_year_to_its_first_and_last_day() -> None:
    feiten = map_feiten(load_mapping(), ref("analogue"), eigenschappen({}, informatieobject(Dossier("1", None))))
    assert (feiten.aanmaakdatum, feiten.einddatum) == (date(1990, 1, 1), date(1993, 12, 31))
    io = informatieobject(Dossier("1", None, "1990-02", None))
    feiten = map_feiten(load_mapping(), ref("analogue"), eigenschappen({}, io))
    assert (feiten.aanmaakdatum, feiten.einddatum) == (date(1990, 2, 1), date(1990, 2, 28))


def test_the_zaaksysteem_gives_a_selectielijstklasse_and_its_dates_from_bag_info_and_events() -> None:
    props = {
        "bag-info": {"Zaak-Selectielijstklasse": "https://selectielijst/klasse/1", "Zaak-Einddatum": "2021-06-30"},
        "events": [{"type": "Opname", "tijd": "2019-03-01T10:00:00"}],
    }
    feiten = map_feiten(load_mapping(), ref("zaaksysteem"), props)
    assert feiten.selectielijstklasse == "https://selectielijst/klasse/1" and feiten.categorie is None
    assert (feiten.aanmaakdatum, feiten.einddatum) == (date(2019, 3, 1), date(2021, 6, 30))


def test_a_table_on_split_values_picks_the_first_entry_of_the_table_that_occurs() -> None:
    teams = mapping(
        {
            "teams": {
                "categorie": [
                    {"uit": "bag-info", "veld": "Teams-Rollen", "splits": ",",
                     "tabel": {"gedeputeerde": "Provisa 2005/1", "medewerker": "Provisa 2005/25"}}
                ]
            }
        }
    )  # fmt: skip
    both = map_feiten(teams, ref("teams"), {"bag-info": {"Teams-Rollen": "medewerker, gedeputeerde"}})
    assert both.categorie == "Provisa 2005/1"
    assert map_feiten(teams, ref("teams"), {"bag-info": {"Teams-Rollen": "stagiair"}}).categorie is None
    assert map_feiten(teams, ref("onbekende-bron"), {}).categorie is None


def test_a_remap_grows_the_revisie_only_when_a_mapped_value_changed() -> None:
    first = mapping({"analogue": {"categorie": [{"uit": "bag-info", "veld": "Cat", "selectielijst": "L"}]}})
    second = mapping({"analogue": {"categorie": [{"uit": "bag-info", "veld": "Cat", "selectielijst": "M"}]}})
    feiten = map_feiten(first, ref("analogue"), {"bag-info": {"Cat": "5"}})
    assert remap(first, feiten).revisie == 1
    changed = remap(second, feiten)
    assert (changed.categorie, changed.revisie, changed.mapping_hash) == ("M/5", 2, second.hash)


@pytest.mark.parametrize(
    ("text", "afronden", "expected"),
    [
        ("2024-02-29", None, date(2024, 2, 29)),
        ("2024-02-29T23:59:59+01:00", "eind", date(2024, 2, 29)),
        ("2023-02", "eind", date(2023, 2, 28)),
        ("2024-02", "eind", date(2024, 2, 29)),
        ("1987", "begin", date(1987, 1, 1)),
        ("1987", "eind", date(1987, 12, 31)),
        ("z.d.", None, None),
        ("2023-13-01", None, None),
    ],
)
def test_partial_and_full_xsd_dates_become_dates(text: str, afronden: str | None, expected: date | None) -> None:
    assert parse_datum(text, afronden) == expected


def test_a_dekking_without_a_begin_is_no_creation_date() -> None:
    props = {"dekking_in_tijd": [{"begindatum": "onbekend", "einddatum": None}]}
    assert map_feiten(load_mapping(), ref("analogue"), props).aanmaakdatum is None
