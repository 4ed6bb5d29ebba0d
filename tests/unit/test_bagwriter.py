"""Writing a bag in two halves: the payload copied (while identification may still run), then the
sidecars and tag files with the identified plan. The halves only fit together for one package."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import bagit
import pytest

from edepot import packaging
from edepot.bagwriter import copy_payload, finish_bag
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_AGGREGATIENIVEAU,
    LIJST_WAARDERING,
    Begrip,
    Identificatie,
    Informatieobject,
)
from edepot.ports import FormatIdentification
from edepot.preingest import NOT_IDENTIFIED
from edepot.submission import PackageInput, RecordInput, SourceFile

TIFF = FormatIdentification(
    puid="fmt/353", format_name="Tagged Image File Format", format_version="", mime="image/tiff"
)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def package(root: Path, key: str, contents: dict[str, bytes], found: FormatIdentification) -> PackageInput:
    files = []
    for name, data in contents.items():
        (root / key).mkdir(parents=True, exist_ok=True)
        (root / key / name).write_bytes(data)
        files.append(SourceFile(root / key / name, f"{key}/{name}", name, len(data), found))
    io = Informatieobject(
        identificatie=(Identificatie(kenmerk=key, bron="test"),),
        naam=f"Dossier {key}",
        aggregatieniveau=Begrip(label="Dossier", begrippenlijst=LIJST_AGGREGATIENIVEAU),
        waardering=Begrip(label="Blijvend te bewaren", code="B", begrippenlijst=LIJST_WAARDERING),
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=(GEEN_BEPERKING,),
    )
    return PackageInput("analogue", f"blok/{key}", RecordInput(key, key, io, tuple(files)))


def test_the_identified_files_of_another_package_are_refused(tmp_path: Path) -> None:
    plan = packaging.plan_package(package(tmp_path, "1", {"a.tif": b"a"}, NOT_IDENTIFIED), aip_id=uuid4(), new_id=uuid4)
    other = package(tmp_path, "2", {"a.tif": b"a"}, TIFF)
    with pytest.raises(ValueError, match="not the package planned"):
        packaging.with_identified_files(plan, other)


def test_a_payload_cannot_be_finished_with_the_plan_of_another_bag(tmp_path: Path) -> None:
    source = package(tmp_path / "in", "1", {"a.tif": b"a"}, TIFF)
    plan = packaging.plan_package(source, aip_id=uuid4(), new_id=uuid4)
    other = packaging.plan_package(source, aip_id=uuid4(), new_id=uuid4)
    with ThreadPoolExecutor(2) as pool:
        payload = copy_payload(plan, tmp_path / "staging", pool=pool)
        with pytest.raises(ValueError, match="does not belong"):
            finish_bag(payload, other, now=NOW, organisation="Provincie Limburg")


def test_a_payload_copied_before_identification_becomes_a_valid_bag_with_the_identified_formats(
    tmp_path: Path,
) -> None:
    contents = {"a.tif": b"first page", "b.tif": b"second page" * 1000}
    unidentified = package(tmp_path / "in", "1", contents, NOT_IDENTIFIED)
    plan = packaging.plan_package(unidentified, aip_id=uuid4(), new_id=uuid4)
    with ThreadPoolExecutor(2) as pool:
        payload = copy_payload(plan, tmp_path / "staging", pool=pool)
        assert not list(payload.work.rglob("*.mdto.xml"))  # no sidecar before the format is known
        identified = replace(
            unidentified,
            record=replace(
                unidentified.record, files=tuple(replace(f, format=TIFF) for f in unidentified.record.files)
            ),
        )
        bag = finish_bag(payload, packaging.with_identified_files(plan, identified), now=NOW, organisation="PL")
    assert not payload.work.exists() and bag.path == tmp_path / "staging" / str(plan.aip_id)
    bagit.Bag(str(bag.path)).validate()
    assert {(f.path, f.puid) for f in bag.files if f.puid} == {("data/1/a.tif", "fmt/353"), ("data/1/b.tif", "fmt/353")}
    assert (bag.path / "data/1/b.tif").read_bytes() == contents["b.tif"]
    assert "fmt/353" in (bag.path / "data/1/a.tif.bestand.mdto.xml").read_text()
