"""Shared builders for the Woo specification."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from edepot.woo import lijsten
from edepot.woo.model import Documenthandeling, Publicatie, WooDocument

T = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def categorie(label: str = "beschikkingen") -> str:
    return lijsten.informatiecategorieen().op_label(label).resource


def maak_document(nummer: int = 1, **velden: object) -> WooDocument:
    basis: dict[str, object] = {
        "id": f"doc-{nummer}",
        "url": f"https://woo.limburg.nl/bestanden/doc-{nummer}.pdf",
        "officiele_titel": f"Besluit {nummer}",
        "documenthandelingen": (Documenthandeling.op_label("vaststelling", T),),
    }
    basis.update(velden)
    return WooDocument(**basis)  # type: ignore[arg-type]


def maak_publicatie(*documenten: WooDocument, **velden: object) -> Publicatie:
    basis: dict[str, object] = {
        "id": "pub-1",
        "officiele_titel": "Besluit op Woo-verzoek",
        "informatiecategorieen": (categorie(),),
        "documenten": documenten or (maak_document(),),
    }
    basis.update(velden)
    return Publicatie(**basis)  # type: ignore[arg-type]


@pytest.fixture
def vandaag() -> date:
    return date(2025, 3, 4)
