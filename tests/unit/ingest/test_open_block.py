"""Opening a block before its files are identified: the packages come first, so copying can start,
and `complete()` gives exactly what `read_block` gives once PRONOM identification is done."""

from __future__ import annotations

from pathlib import Path

from analogue_blocks import good_block

from edepot.formats import SiegfriedIdentifier
from edepot.submission import RecordInput, SourceFile, SubmissionInput
from ingest.analogue import open_block, read_block

IDENTIFIER = SiegfriedIdentifier()


def _files(record: RecordInput) -> list[SourceFile]:
    return [*record.files, *(f for child in record.children for f in _files(child))]


def _all_files(submission: SubmissionInput) -> list[SourceFile]:
    return [f for p in submission.packages for f in _files(p.record)]


def test_a_missing_folder_is_one_finding_both_before_and_after_identification(tmp_path: Path) -> None:
    opened = open_block(tmp_path / "absent", identifier=IDENTIFIER)
    assert [f.rule for f in opened.submission.findings] == ["analogue.root.missing"]
    assert opened.complete() == opened.submission


def test_a_file_that_is_not_what_its_extension_says_is_found_only_by_the_complete_submission(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    (root / "13" / "scan_0001.tif").write_bytes(b"plain text, no image at all\n" * 10)
    opened = open_block(root, identifier=IDENTIFIER)
    assert not [f for f in opened.submission.findings if f.rule.startswith("preingest.format")]
    complete = opened.complete()
    assert [f.file for f in complete.findings if f.rule.startswith("preingest.format")] == ["13/scan_0001.tif"]


def test_the_opened_block_has_every_file_with_its_bag_name_and_no_identification_yet(tmp_path: Path) -> None:
    opened = open_block(good_block(tmp_path), identifier=IDENTIFIER)
    files = _all_files(opened.submission)
    assert sorted(f.original_path for f in files) == [
        "12/brief/p1.tif",
        "12/scan_0001.tif",
        "12/scan_0002.tif",
        "13/scan_0001.tif",
    ]
    assert {f.format.puid for f in files} == {None}
    assert all(f.size > 0 for f in files)


def test_the_completed_block_equals_what_read_block_gives(tmp_path: Path) -> None:
    root = good_block(tmp_path)
    opened = open_block(root, identifier=IDENTIFIER)
    complete = opened.complete()
    expected = read_block(root, identifier=IDENTIFIER)
    assert complete == expected
    assert {f.format.puid for f in _all_files(complete)} == {"fmt/353"}
    assert [(p.source_key, p.record.folder) for p in complete.packages] == [
        (p.source_key, p.record.folder) for p in opened.submission.packages
    ]
    assert opened.complete() is complete  # identification and checks run once
