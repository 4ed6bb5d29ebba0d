"""An index built by an older edepot with other fields is refused with the way out: remove it and reindex."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy
from whoosh import fields, index

from edepot.errors import StorageError
from edepot.search import open_index


def test_a_tantivy_index_with_other_fields_is_refused_with_a_reindex_hint(tmp_path: Path) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("record_id", stored=True, tokenizer_name="raw")
    tantivy.Index(builder.build(), path=str(tmp_path))
    with pytest.raises(StorageError, match="other fields") as refused:
        open_index("tantivy", tmp_path)
    assert "edepot reindex" in (refused.value.hint or "")


def test_a_whoosh_index_without_the_compound_parts_field_is_refused_with_a_reindex_hint(tmp_path: Path) -> None:
    index.create_in(str(tmp_path), fields.Schema(record_id=fields.ID(stored=True, unique=True)))
    with pytest.raises(StorageError, match=r"no .*delen") as refused:
        open_index("whoosh", tmp_path)
    assert "edepot reindex" in (refused.value.hint or "")


@pytest.mark.parametrize("engine", ["tantivy", "whoosh"])
def test_an_index_of_this_version_opens_again(tmp_path: Path, engine: str) -> None:
    open_index(engine, tmp_path).close()
    reopened = open_index(engine, tmp_path)
    assert reopened.count() == 0
    reopened.close()
