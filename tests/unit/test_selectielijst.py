"""Specification of selectielijsten as data: the schema, the shipped Provisa 2005 list, loading, import."""

from __future__ import annotations

import copy
import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest

from edepot.errors import Conflict, InvalidInput, NotFound, Severity
from edepot.selectielijst import (
    AFLEIDINGSWIJZEN,
    SCHEMA_NAME,
    Categorie,
    Selectielijst,
    Termijnaanvang,
    Trigger,
    Waardering,
    as_dict,
    import_table,
    load_dir,
    load_file,
    load_schema,
    parse,
    versie_voor,
)

ROOT = Path(__file__).resolve().parents[2]
LISTS = ROOT / "selectielijsten"
PROVISA_CSV = Path("/work/shared/reference/selectielijst/provisa-2005-categorieen.csv")
if not PROVISA_CSV.exists():  # the reference copy sits beside the repository
    PROVISA_CSV = ROOT.parent / "shared/reference/selectielijst/provisa-2005-categorieen.csv"


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "naam": "Testlijst",
        "versie": "1",
        "bron": {"citaat": "Testlijst, Stcrt. 2099 nr. 1"},
        "geldigheid": {"geldig_van": "2000-01-01", "geldig_tot": "2009-12-31"},
        "termijnregel": {"aanvang": "direct", "tekst": "vanaf de brondatum"},
        "categorieen": [
            {
                "nummer": "1",
                "omschrijving": "Beleid",
                "waardering": "B",
                "trigger": {"afleidingswijze": "afgehandeld", "tekst": "n.v.t."},
            },
            {
                "nummer": "2",
                "omschrijving": "Routinepost",
                "waardering": "V",
                "bewaartermijn": "P1Y",
                "trigger": {
                    "afleidingswijze": "afgehandeld",
                    "gebeurtenis": "na afhandeling",
                    "tekst": "na afhandeling",
                },
            },
        ],
    }
    doc.update(changes)
    return doc


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- bad list files


def test_a_v_category_without_bewaartermijn_is_rejected_naming_the_category(tmp_path: Path) -> None:
    doc = _doc()
    del doc["categorieen"][1]["bewaartermijn"]
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    finding = err.value.fields["findings"][0]
    assert finding.message == "waardering V needs a bewaartermijn"
    assert finding.object == "/categorieen/1 (categorie 2)"
    assert "P10Y" in finding.action
    assert "waardering V needs a bewaartermijn" in str(err.value)


def test_a_b_category_with_a_bewaartermijn_is_rejected(tmp_path: Path) -> None:
    doc = _doc()
    doc["categorieen"][0]["bewaartermijn"] = "P20Y"
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    [finding] = err.value.fields["findings"]
    assert "must not have a bewaartermijn" in finding.message
    assert finding.object == "/categorieen/0 (categorie 1)"


def test_a_term_in_words_is_rejected_as_not_an_iso_duration(tmp_path: Path) -> None:
    doc = _doc()
    doc["categorieen"][1]["bewaartermijn"] = "10 jaar"
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    [finding] = err.value.fields["findings"]
    assert finding.message == "'10 jaar' is not an ISO 8601 duration"
    assert finding.object == "/categorieen/1/bewaartermijn (categorie 2)"


def test_an_unknown_afleidingswijze_is_rejected_with_the_allowed_values(tmp_path: Path) -> None:
    doc = _doc()
    doc["categorieen"][1]["trigger"]["afleidingswijze"] = "na afhandeling"
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    [finding] = err.value.fields["findings"]
    assert finding.object == "/categorieen/1/trigger/afleidingswijze (categorie 2)"
    assert "ingangsdatum_besluit" in finding.action


def test_a_zaakobject_trigger_without_objecttype_is_rejected(tmp_path: Path) -> None:
    doc = _doc()
    doc["categorieen"][1]["trigger"] = {"afleidingswijze": "zaakobject", "datumkenmerk": "x", "tekst": ""}
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    assert err.value.fields["findings"][0].message == "required field 'objecttype' is missing"


def test_a_duplicate_category_number_is_rejected(tmp_path: Path) -> None:
    doc = _doc()
    doc["categorieen"].append(copy.deepcopy(doc["categorieen"][1]))
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    [finding] = err.value.fields["findings"]
    assert finding.rule == "selectielijst.nummer.dubbel"
    assert finding.message == "categorie 2 appears twice (entries 1 and 2)"


def test_a_validity_period_that_ends_before_it_starts_is_rejected(tmp_path: Path) -> None:
    doc = _doc(geldigheid={"geldig_van": "2010-01-01", "geldig_tot": "2009-12-31"})
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    assert err.value.fields["findings"][0].rule == "selectielijst.geldigheid.volgorde"


def test_an_impossible_date_and_an_unknown_field_are_both_reported(tmp_path: Path) -> None:
    doc = _doc(geldigheid={"geldig_van": "2000-02-30", "geldig_tot": None}, opmerkingen="x")
    with pytest.raises(InvalidInput) as err:
        load_file(_write(tmp_path / "l.json", doc))
    messages = [f.message for f in err.value.fields["findings"]]
    assert "'2000-02-30' is not a valid date" in messages
    assert any("'opmerkingen' was unexpected" in m for m in messages)


def test_a_file_that_is_not_json_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.write_text('{"naam": "x",\n  "versie": }', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"not valid JSON.*line 2"):
        load_file(path)


def test_load_dir_reports_the_problems_of_all_files_at_once(tmp_path: Path) -> None:
    bad1, bad2 = _doc(versie="1"), _doc(versie="2", geldigheid={"geldig_van": "2010-01-01", "geldig_tot": None})
    bad1["categorieen"][1]["waardering"] = "X"
    bad2["categorieen"][1]["bewaartermijn"] = "zeven jaar"
    _write(tmp_path / "a.json", bad1)
    _write(tmp_path / "b.json", bad2)
    with pytest.raises(InvalidInput) as err:
        load_dir(tmp_path)
    files = {Path(f.file).name for f in err.value.fields["findings"]}
    assert files == {"a.json", "b.json"}


def test_load_dir_refuses_versions_of_one_list_that_overlap(tmp_path: Path) -> None:
    _write(tmp_path / "v1.json", _doc(versie="1"))
    _write(tmp_path / "v2.json", _doc(versie="2", geldigheid={"geldig_van": "2009-06-01", "geldig_tot": None}))
    with pytest.raises(InvalidInput) as err:
        load_dir(tmp_path)
    [finding] = err.value.fields["findings"]
    assert finding.rule == "selectielijst.geldigheid.overlap"
    assert "2000-01-01 t/m 2009-12-31" in finding.message


def test_load_dir_refuses_the_same_version_twice(tmp_path: Path) -> None:
    _write(tmp_path / "a.json", _doc())
    _write(tmp_path / "b.json", _doc())
    with pytest.raises(InvalidInput) as err:
        load_dir(tmp_path)
    assert err.value.fields["findings"][0].rule == "selectielijst.versie.dubbel"


def test_load_dir_of_a_missing_folder_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_dir(tmp_path / "nope")


# --------------------------------------------------------------------------- the shipped files


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema(LISTS / SCHEMA_NAME))


def test_the_shipped_lists_load_and_provisa_2005_has_its_46_categories() -> None:
    lists = load_dir(LISTS)
    [provisa] = [s for s in lists if s.naam == "Provisa 2005"]
    assert len(provisa.categorieen) == 46
    assert provisa.termijnaanvang is Termijnaanvang.EERSTE_JANUARI_NA_AFSLUITING
    assert provisa.geldig_van is None
    assert provisa.geldig_tot == date(2013, 12, 31)
    assert "Stcrt. 2006, nr. 89" in provisa.bron
    raw = json.loads((LISTS / "provisa-2005.json").read_text(encoding="utf-8"))
    assert raw["bron"]["bwb_id"] == "BWBR0019621"


def _csv_rows() -> list[dict[str, str]]:
    with PROVISA_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_provisa_category_matches_the_reference_csv() -> None:
    rows = _csv_rows()
    lijst = load_file(LISTS / "provisa-2005.json")
    assert [c.nummer for c in lijst.categorieen] == [r["categorie_nummer"] for r in rows]
    for row, cat in zip(rows, lijst.categorieen, strict=True):
        where = f"categorie {row['categorie_nummer']}"
        assert cat.waardering == row["waardering"], where
        assert cat.omschrijving == row["omschrijving_kort"], where
        assert cat.bewaartermijn_tekst == row["bewaartermijn_tekst"], where
        assert (cat.uitzonderingen or "") == row["uitzonderingen_subcategorieen"], where
        assert cat.bron == row["bron"], where
        if row["waardering"] == "B":
            assert cat.bewaartermijn is None, where
        elif row["bewaartermijn_iso8601"]:
            assert cat.bewaartermijn == row["bewaartermijn_iso8601"], where
        else:  # derived, so it must say how
            assert cat.bewaartermijn and cat.conversie_opmerking and "bewaartermijn" in cat.conversie_opmerking


def test_the_provisa_trigger_is_the_csv_afleidingswijze_or_the_conversion_says_why_not() -> None:
    lijst = load_file(LISTS / "provisa-2005.json")
    for row, cat in zip(_csv_rows(), lijst.categorieen, strict=True):
        interpretatie = row["trigger_als_zgw_afleidingswijze_interpretatie"]
        if interpretatie in AFLEIDINGSWIJZEN:
            assert cat.trigger.afleidingswijze == interpretatie, cat.nummer
            if row["brondatum_trigger"] != "n.v.t.":
                assert cat.trigger.tekst == row["brondatum_trigger"], cat.nummer
        else:
            assert cat.conversie_opmerking, f"categorie {cat.nummer}: {interpretatie!r} converted without a note"


def test_the_provisa_term_start_rule_is_the_one_of_the_csv() -> None:
    lijst = load_file(LISTS / "provisa-2005.json")
    assert {r["algemene_termijnregel"] for r in _csv_rows()} == {lijst.termijnregel_tekst}


def test_a_list_survives_the_round_trip_through_as_dict() -> None:
    lijst = load_file(LISTS / "provisa-2005.json")
    assert parse(as_dict(lijst), file=lijst.bestand) == lijst


# --------------------------------------------------------------------------- choosing a version


def _lijst(versie: str, van: date | None, tot: date | None) -> Selectielijst:
    trigger = Trigger(afleidingswijze="afgehandeld", tekst="")
    return Selectielijst(
        naam="L",
        versie=versie,
        bron="",
        geldig_van=van,
        geldig_tot=tot,
        termijnaanvang=Termijnaanvang.DIRECT,
        termijnregel_tekst="",
        categorieen=(Categorie("1", "x", Waardering.B, trigger),),
    )


def test_the_version_in_force_is_chosen_by_creation_date_with_inclusive_bounds() -> None:
    oud, nieuw = _lijst("2005", None, date(2013, 12, 31)), _lijst("2014", date(2014, 1, 1), None)
    assert versie_voor([oud, nieuw], "L", date(2013, 12, 31)) is oud
    assert versie_voor([oud, nieuw], "L", date(2014, 1, 1)) is nieuw
    assert versie_voor([oud, nieuw], "L", date(1950, 1, 1)) is oud


def test_no_version_in_force_is_not_found_and_two_are_a_conflict() -> None:
    with pytest.raises(NotFound, match="created on 2014-01-01"):
        versie_voor([_lijst("2005", None, date(2013, 12, 31))], "L", date(2014, 1, 1))
    with pytest.raises(Conflict):
        versie_voor([_lijst("a", None, None), _lijst("b", None, None)], "L", date(2014, 1, 1))


# --------------------------------------------------------------------------- tabular import

HEADER = "selectielijst,versie,categorie_nummer,omschrijving,waardering,bewaartermijn,afleidingswijze,trigger_tekst"


def _csv(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "lijst.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _where(findings: list[Any]) -> list[tuple[str, str | None]]:
    return [(f.rule.rsplit(".", 1)[-1], f.object) for f in findings]


def test_import_reports_a_missing_required_column_in_the_header_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, "L,1,1,x,B,,afgehandeld,", header=HEADER.replace(",waardering", ""))
    lijst, findings = import_table(path)
    assert lijst is None
    assert _where(findings) == [("kolom_ontbreekt", "rij 1, kolom waardering")]
    assert "'waardering'" in findings[0].action


def test_import_reports_a_bad_waardering_with_row_and_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, "L,1,1,Beleid,B,,afgehandeld,", "L,1,2,Post,X,P1Y,afgehandeld,")
    lijst, findings = import_table(path)
    assert lijst is None
    assert _where(findings) == [("waardering", "rij 3, kolom waardering")]
    assert findings[0].message == "waardering 'X' is not B or V"
    assert findings[0].file == "lijst.csv"


def test_import_reports_a_bad_duration(tmp_path: Path) -> None:
    lijst, findings = import_table(_csv(tmp_path, "L,1,2,Post,V,7 jaar,afgehandeld,"))
    assert lijst is None
    assert _where(findings) == [("bewaartermijn", "rij 2, kolom bewaartermijn")]
    assert "P10Y" in findings[0].action


def test_import_reports_v_without_a_term_and_b_with_one(tmp_path: Path) -> None:
    lijst, findings = import_table(_csv(tmp_path, "L,1,1,Beleid,B,P5Y,afgehandeld,", "L,1,2,Post,V,,afgehandeld,"))
    assert lijst is None
    assert _where(findings) == [
        ("bewaartermijn_bij_b", "rij 2, kolom bewaartermijn"),
        ("bewaartermijn_ontbreekt", "rij 3, kolom bewaartermijn"),
    ]


def test_import_reports_a_duplicate_number_pointing_at_the_first_row(tmp_path: Path) -> None:
    lijst, findings = import_table(_csv(tmp_path, "L,1,7,a,V,P1Y,afgehandeld,", "L,1,7,b,V,P2Y,afgehandeld,"))
    assert lijst is None
    assert _where(findings) == [("nummer_dubbel", "rij 3, kolom nummer")]
    assert findings[0].message == "category 7 also appears in row 2"


def test_import_reports_an_unknown_afleidingswijze_and_a_changing_version(tmp_path: Path) -> None:
    lijst, findings = import_table(_csv(tmp_path, "L,1,1,a,V,P1Y,na afhandeling,", "L,2,2,b,V,P1Y,afgehandeld,"))
    assert lijst is None
    assert _where(findings) == [
        ("afleidingswijze", "rij 2, kolom afleidingswijze"),
        ("lijstgegevens", "rij 3, kolom versie"),
    ]


def test_import_refuses_binary_garbage_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "lijst.csv"
    path.write_bytes(HEADER.encode() + b"\nL,1,1,\x00\xff\xfe,B,,afgehandeld,\n")
    lijst, findings = import_table(path)
    assert lijst is None
    assert _where(findings) == [("codering", "rij 2")]
    assert "binary" in findings[0].message


def test_import_refuses_bytes_that_are_neither_utf8_nor_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "lijst.csv"
    path.write_bytes(HEADER.encode() + b"\nL,1,1,Beleid,B,,afgehandeld,\nL,1,2,\x81\x8d,B,,afgehandeld,\n")
    lijst, findings = import_table(path)
    assert lijst is None
    assert _where(findings) == [("codering", "rij 3")]


def test_import_reads_windows_1252_with_a_warning_and_keeps_the_accents(tmp_path: Path) -> None:
    path = tmp_path / "lijst.csv"
    path.write_bytes(
        (HEADER + "\nL,1,74,Personeel,V,P10Y,ander_datumkenmerk,na beëindiging dienstverband\n").encode("cp1252")
    )
    lijst, findings = import_table(path)
    assert lijst is not None
    assert [(f.severity, f.object) for f in findings] == [(Severity.WAARSCHUWING, "rij 2")]
    assert lijst.categorieen[0].trigger.tekst == "na beëindiging dienstverband"


def test_import_reads_a_semicolon_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "lijst.csv"
    text = (
        HEADER.replace(",", ";")
        + ",geldig_tot".replace(",", ";")
        + "\n"
        + "L;1;16;Dubbelen;V;P3Y;afgehandeld;na afhandeling;2013-12-31\n"
    )
    path.write_text(text, encoding="utf-8-sig")
    lijst, findings = import_table(path)
    assert findings == []
    assert lijst is not None
    assert (lijst.naam, lijst.versie, lijst.geldig_tot) == ("L", "1", date(2013, 12, 31))
    assert lijst.categorie("16") == lijst.categorieen[0]
    assert lijst.categorieen[0].bewaartermijn == "P3Y"


def test_import_of_the_provisa_reference_csv_asks_for_the_version_column() -> None:
    lijst, findings = import_table(PROVISA_CSV)
    assert lijst is None
    assert _where(findings) == [("kolom_ontbreekt", "rij 1, kolom versie")]


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_reads_an_xlsx_with_numbers_and_dates_as_cells(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "lijst.xlsx",
        [
            [*HEADER.split(","), "geldig_van"],
            ["L", 2014, 12, "Rampen", "B", None, "afgehandeld", "n.v.t.", date(2014, 1, 1)],
            ["L", 2014, 39.1, "Circulaires", "V", "P1Y", "ander_datumkenmerk", "na vervallen", date(2014, 1, 1)],
        ],
    )
    lijst, findings = import_table(path)
    assert findings == []
    assert lijst is not None
    assert [c.nummer for c in lijst.categorieen] == ["12", "39.1"]
    assert (lijst.versie, lijst.geldig_van) == ("2014", date(2014, 1, 1))


def test_import_reports_xlsx_row_errors_by_spreadsheet_row(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "lijst.xlsx", [HEADER.split(","), ["L", 1, 1, "x", "V", "P1J", "afgehandeld", ""]])
    lijst, findings = import_table(path)
    assert lijst is None
    assert _where(findings) == [("bewaartermijn", "rij 2, kolom bewaartermijn")]


def test_import_refuses_an_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "lijst.xlsx"
    path.write_bytes(b"this is no zip file")
    lijst, findings = import_table(path)
    assert lijst is None
    assert [f.rule for f in findings] == ["selectielijst.import.xlsx"]


def test_import_refuses_other_file_types(tmp_path: Path) -> None:
    path = tmp_path / "lijst.ods"
    path.write_bytes(b"")
    lijst, findings = import_table(path)
    assert lijst is None
    assert "'.ods'" in findings[0].message
