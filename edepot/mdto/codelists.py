"""The NHA begrippenlijsten for beperkingGebruik, loaded once from the vendored JSON files.

The files in `edepot/data/nha/` are copied unchanged from the Noord-Hollands Archief; their known
defects are repaired here, on load: codes lose trailing spaces, the Woo code
'PersoonlijkeBeleidsopvattingen' gets the '/1.0' version the others have, and the AW2021
'EenheidKroon' entry gets the label that matches its code. `canonieke_code` maps a code as it
may appear in an MDTO document to the key used in these dictionaries.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

_NHA = files("edepot") / "data" / "nha"

OPENBAARHEID_BESTANDEN = (
    "openbaarheid_archiefwet_1995.json",
    "openbaarheid_archiefwet_2021.json",
    "openbaarheid_wet_open_overheid.json",
)
INTELLECTUELE_EIGENDOM_BESTANDEN = (
    "intellectuele_eigendom_auteurswet.json",
    "intellectuele_eigendom_creative_commons_licenties.json",
    "intellectuele_eigendom_databankwet.json",
    "intellectuele_eigendom_rights_statements.json",
    "intellectuele_eigendom_software_licenties.json",
    "intellectuele_eigendom_wet_op_de_naburige_rechten.json",
)

_VERSIE = re.compile(r"/\d+\.\d+$")
_LABEL_CORRECTIES = {
    "Openbaarheid/AW2021/BeperktOpenbaar-EenheidKroon/1.0": (
        "beperkt openbaar; eenheid van de Kroon (Archiefwet 2021)"
    ),
}
_KORTE_NAAM = re.compile(r"\(([^()]+)\)\s*$")


def canonieke_code(code: str) -> str:
    """The code as used in our dictionaries: no surrounding spaces, an 'Openbaarheid/' code versioned."""
    code = code.strip()
    if code.startswith("Openbaarheid/") and not _VERSIE.search(code):
        code += "/1.0"
    return code


def _laad(bestand: str) -> list[dict[str, Any]]:
    inhoud: list[dict[str, Any]] = json.loads((_NHA / bestand).read_text(encoding="utf-8"))
    return inhoud


def _codes(bestanden: tuple[str, ...]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for bestand in bestanden:
        for begrip in _laad(bestand):
            code = canonieke_code(str(begrip["begripCode"]))
            codes[code] = _LABEL_CORRECTIES.get(code, str(begrip["begripLabel"]).strip())
    return codes


@cache
def openbaarheid() -> dict[str, str]:
    """Openbaarheid codes (Archiefwet 1995, Archiefwet 2021, Woo) -> label. Do not mutate."""
    return _codes(OPENBAARHEID_BESTANDEN)


@cache
def intellectuele_eigendom() -> dict[str, str]:
    """Intellectual-property codes (Auteurswet, Creative Commons, ...) -> label. Do not mutate."""
    return _codes(INTELLECTUELE_EIGENDOM_BESTANDEN)


@cache
def creative_commons_korte_namen() -> dict[str, str]:
    """Short licence names as written in MDTO labels ('CC0', 'CC BY-SA') -> Creative Commons code."""
    namen: dict[str, str] = {}
    for begrip in _laad("intellectuele_eigendom_creative_commons_licenties.json"):
        gevonden = _KORTE_NAAM.search(str(begrip["begripLabel"]))
        if gevonden:
            namen[gevonden.group(1).strip()] = canonieke_code(str(begrip["begripCode"]))
    return namen
