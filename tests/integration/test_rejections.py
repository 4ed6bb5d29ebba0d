"""Every malformed delivery of the corpus, ingested for real (SQLite catalog, filesystem store):
rejected whole with a specific finding, and nothing stored — no object, no AIP, no staging left."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from edepot.bootstrap import build
from edepot.errors import SubmissionRejected
from edepot.model import SubmissionStatus
from edepot.settings import Settings

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "ingest"))
from test_malformed_corpus import CORPUS, Builder


@pytest.mark.parametrize(("build_block", "rule"), CORPUS, ids=[b.__name__ for b, _ in CORPUS])
def test_a_malformed_delivery_is_rejected_whole_and_nothing_is_stored(
    tmp_path: Path, build_block: Builder, rule: str
) -> None:
    services = build(Settings(home=tmp_path / "home"))
    (tmp_path / "supplier").mkdir()
    block = build_block(tmp_path / "supplier")
    with pytest.raises(SubmissionRejected) as caught:
        services.ingest_analogue(block)
    assert rule in {f.rule for f in caught.value.findings}
    assert list(services.store.keys("")) == []
    assert services.catalog.list_aips(status=None) == []
    assert list(services.settings.staging_path.iterdir()) == []
    submission = services.catalog.get_submission(__import__("uuid").UUID(caught.value.fields["submission_id"]))
    assert submission.status is SubmissionStatus.GEWEIGERD
    assert any(e["rule"] == rule for e in submission.report["errors"])
