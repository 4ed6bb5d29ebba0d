"""The test suite's own layout: pytest (rootdir-relative "prepend" imports) names a test package by
its top folder that has an `__init__.py`; two such folders with one name stop a whole-suite run at
collection, which partial runs never show."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_packages_are_imported_under_the_same_name() -> None:
    tops: dict[str, list[str]] = defaultdict(list)
    for init in TESTS.rglob("__init__.py"):
        folder = init.parent
        if not (folder.parent / "__init__.py").exists() and folder != TESTS:
            tops[folder.name].append(str(folder.relative_to(TESTS)))
    assert {name: places for name, places in tops.items() if len(places) > 1} == {}
