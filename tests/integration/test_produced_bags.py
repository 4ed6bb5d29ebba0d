"""Every bag edepot produces from the sample block is valid for bagit-python (a second, independent
validator), every sidecar is valid against the MDTO 1.0.1 XSD and our code-list rules, and the stored
bag, its manifests, its sidecars and the catalog ledger agree on every checksum."""

from __future__ import annotations

import bagit
import pytest

from edepot import bagcheck
from edepot.bootstrap import build
from edepot.mdto import rules
from edepot.mdto.model import Bestand
from edepot.mdto.reader import from_xml
from edepot.sample import make_sample_block
from edepot.settings import Settings


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory):
    services = build(Settings(home=tmp_path_factory.mktemp("home")))
    receipt = services.ingest_analogue(make_sample_block(tmp_path_factory.mktemp("supplier")))
    return services, [services.get_aip(a.aip_id) for a in receipt.aips]


def test_every_stored_bag_passes_bagit_python_full_validation(stored):
    services, aips = stored
    for aip in aips:
        bag = bagit.Bag(str(services.settings.objects_path / "aips" / str(aip.id)))
        bag.validate(completeness_only=False)
        assert bag.info["Source-Organization"] == "Provincie Limburg"
        assert bag.info["BagIt-Profile-Identifier"]


def test_every_sidecar_passes_the_xsd_and_the_code_list_rules(stored):
    services, aips = stored
    sidecars = 0
    for aip in aips:
        for entry in aip.files:
            if not entry.path.endswith(".mdto.xml"):
                continue
            with services.store.open(entry.key) as handle:
                data = handle.read()
            assert rules.validate_xml(data, source=entry.key) == []
            obj = from_xml(data, source=entry.key)
            assert [f for f in rules.check(obj, source=entry.key) if f.severity == "error"] == []
            sidecars += 1
    assert sidecars == 11 + 5 + 2  # a sidecar per scan, per dossier and per archiefstuk


def test_sidecar_checksum_equals_manifest_equals_ledger_for_every_file(stored):
    services, aips = stored
    for aip in aips:
        ledger = {f.path: f for f in aip.files}
        for entry in aip.files:
            if entry.kind != "payload":
                continue
            with services.store.open(f"{entry.key}.bestand.mdto.xml") as handle:
                bestand = from_xml(handle.read(), source=entry.key)
            assert isinstance(bestand, Bestand)
            assert bestand.checksum[0].waarde == ledger[entry.path].sha256
        assert (
            bagcheck.validate_stored_bag(services.store, f"aips/{aip.id}", {p: f.sha256 for p, f in ledger.items()})
            == []
        )
