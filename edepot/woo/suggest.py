"""Redaction suggestions in extracted text: BSN, IBAN, e-mail, phone, postcode and licence plate.

Pure: text in, `Suggestie`s out, each with its span (`start`, `end` into the text), kind, the
matched text and a default Woo ground. Numbers are only suggested when their checksum holds:
a BSN must pass the 11-proef, an IBAN the ISO 13616 mod-97 check (and, for a known country, its
length). Phone numbers must have the length of a Dutch number; postcodes exclude the letter pairs
SA, SD and SS that PostNL does not issue; licence plates must match one of the Dutch sidecodes
1-14. The Woo-redacteur decides; these are suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum


class WooGrond(StrEnum):
    """The grounds for not disclosing information under the Woo (art. 5.1 and 5.2)."""

    EENHEID_KROON = "5.1.1a"
    VEILIGHEID_STAAT = "5.1.1b"
    VERTROUWELIJKE_BEDRIJFSGEGEVENS = "5.1.1c"
    BIJZONDERE_PERSOONSGEGEVENS = "5.1.1d"
    IDENTIFICATIENUMMERS = "5.1.1e"
    INTERNATIONALE_BETREKKINGEN = "5.1.2a"
    ECONOMISCHE_FINANCIELE_BELANGEN = "5.1.2b"
    OPSPORING_STRAFBARE_FEITEN = "5.1.2c"
    INSPECTIE_CONTROLE_TOEZICHT = "5.1.2d"
    PERSOONLIJKE_LEVENSSFEER = "5.1.2e"
    CONCURRENTIEGEVOELIGE_GEGEVENS = "5.1.2f"
    BESCHERMING_MILIEU = "5.1.2g"
    BEVEILIGING_PERSONEN_BEDRIJVEN = "5.1.2h"
    FUNCTIONEREN_OVERHEID = "5.1.2i"
    ONEVENREDIGE_BENADELING = "5.1.5"
    PERSOONLIJKE_BELEIDSOPVATTINGEN = "5.2"


class Soort(StrEnum):
    BSN = "bsn"
    IBAN = "iban"
    EMAIL = "email"
    TELEFOON = "telefoon"
    POSTCODE = "postcode"
    KENTEKEN = "kenteken"


STANDAARD_GROND: dict[Soort, WooGrond] = {
    Soort.BSN: WooGrond.IDENTIFICATIENUMMERS,  # art. 5.1 lid 1 e: identificatienummers (art. 87 AVG)
    Soort.IBAN: WooGrond.PERSOONLIJKE_LEVENSSFEER,
    Soort.EMAIL: WooGrond.PERSOONLIJKE_LEVENSSFEER,
    Soort.TELEFOON: WooGrond.PERSOONLIJKE_LEVENSSFEER,
    Soort.POSTCODE: WooGrond.PERSOONLIJKE_LEVENSSFEER,
    Soort.KENTEKEN: WooGrond.PERSOONLIJKE_LEVENSSFEER,
}


@dataclass(frozen=True)
class Suggestie:
    start: int
    end: int
    soort: Soort
    tekst: str
    grond: WooGrond


# --- checks ------------------------------------------------------------------------------------


def is_bsn(waarde: str) -> bool:
    """A BSN: 9 digits (separators ignored), not all zero, passing the 11-proef."""
    cijfers = [int(c) for c in waarde if c.isdigit()]
    if len(cijfers) != 9 or not any(cijfers):
        return False
    som = sum(c * w for c, w in zip(cijfers, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return som % 11 == 0


# IBAN lengths per country (ISO 13616 registry), for the countries a Dutch province meets most.
IBAN_LENGTE: dict[str, int] = {
    "NL": 18, "BE": 16, "DE": 22, "LU": 20, "FR": 27, "GB": 22, "IE": 22, "ES": 24, "PT": 25,
    "IT": 27, "AT": 20, "CH": 21, "LI": 21, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "PL": 28,
    "CZ": 24, "SK": 24, "HU": 28, "SI": 19, "HR": 21, "RO": 24, "BG": 22, "GR": 27, "CY": 28,
    "MT": 31, "EE": 20, "LV": 21, "LT": 20, "IS": 26, "TR": 26, "MC": 27, "SM": 27, "AD": 24,
}


def is_iban(waarde: str) -> bool:
    """An IBAN: country, 2 check digits, BBAN; mod-97 == 1 (ISO 13616); known lengths enforced."""
    iban = "".join(waarde.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        return False
    verwacht = IBAN_LENGTE.get(iban[:2])
    if verwacht is not None and len(iban) != verwacht:
        return False
    getal = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(getal) % 97 == 1


def is_telefoonnummer(waarde: str) -> bool:
    """A Dutch phone number: 0 + 9 digits, +31/0031 + 9 digits, or 0800/0900/0906/0909 + 4 or 7."""
    cijfers = re.sub(r"[\s().-]", "", waarde.replace("(0)", ""))
    if cijfers.startswith("+31"):
        rest = cijfers[3:]
        return rest.isdigit() and len(rest) == 9 and rest[0] != "0"
    if cijfers.startswith("0031"):
        rest = cijfers[4:]
        return rest.isdigit() and len(rest) == 9 and rest[0] != "0"
    if not cijfers.isdigit() or not cijfers.startswith("0") or cijfers.startswith("00"):
        return False
    if cijfers[:4] in ("0800", "0900", "0906", "0909"):
        return len(cijfers) in (8, 11)
    return len(cijfers) == 10


# --- patterns ----------------------------------------------------------------------------------

_BSN = re.compile(r"(?<![\w.-])(?:\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}[ .]\d{3}[ .]\d{3})(?![\w-]|\.\d)")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w-])"
)
_TELEFOON = re.compile(r"(?<![\w+(])\(?(?:\+31|0031|0)(?:[ .-]?\(?0?\)?[ .-]?)?\d(?:[ .()-]{0,2}\d){6,9}(?![\w])")
_POSTCODE = re.compile(r"(?<![\w-])[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}(?![\w-])")

# Dutch licence plates, sidecodes 1-14 (X letter, 9 digit). From sidecode 4 on only consonants
# other than C, M, Q, W and Y are issued (BDFGHJKLNPRSTVXZ); sidecodes 1-3 used any letter.
_L = "[A-Z]"
_C = "[BDFGHJKLNPRSTVXZ]"
_SIDECODES: tuple[tuple[int, str], ...] = (
    (1, rf"{_L}{{2}}-\d{{2}}-\d{{2}}"),
    (2, rf"\d{{2}}-\d{{2}}-{_L}{{2}}"),
    (3, rf"\d{{2}}-{_L}{{2}}-\d{{2}}"),
    (4, rf"{_C}{{2}}-\d{{2}}-{_C}{{2}}"),
    (5, rf"{_C}{{2}}-{_C}{{2}}-\d{{2}}"),
    (6, rf"\d{{2}}-{_C}{{2}}-{_C}{{2}}"),
    (7, rf"\d{{2}}-{_C}{{3}}-\d"),
    (8, rf"\d-{_C}{{3}}-\d{{2}}"),
    (9, rf"{_C}{{2}}-\d{{3}}-{_C}"),
    (10, rf"{_C}-\d{{3}}-{_C}{{2}}"),
    (11, rf"{_C}{{3}}-\d{{2}}-{_C}"),
    (12, rf"{_C}-\d{{2}}-{_C}{{3}}"),
    (13, rf"\d-{_C}{{2}}-\d{{3}}"),
    (14, rf"\d{{3}}-{_C}{{2}}-\d"),
)
_KENTEKEN = re.compile(r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for _, p in _SIDECODES) + r")(?![\w-])")


def sidecode(kenteken: str) -> int | None:
    """The sidecode (1-14) of a Dutch licence plate written with dashes, or None."""
    for nummer, patroon in _SIDECODES:
        if re.fullmatch(patroon, kenteken.upper()):
            return nummer
    return None


_REGELS: tuple[tuple[Soort, re.Pattern[str], Callable[[str], bool]], ...] = (
    (Soort.EMAIL, _EMAIL, lambda s: True),
    (Soort.IBAN, _IBAN, is_iban),
    (Soort.BSN, _BSN, is_bsn),
    (Soort.TELEFOON, _TELEFOON, is_telefoonnummer),
    (Soort.POSTCODE, _POSTCODE, lambda s: True),
    (Soort.KENTEKEN, _KENTEKEN, lambda s: sidecode(s) is not None),
)


def suggesties(tekst: str, soorten: Iterable[Soort] | None = None) -> list[Suggestie]:
    """Every suggestion in `tekst`, ordered by position; overlapping matches keep the first rule's.

    Rules run in the order e-mail, IBAN, BSN, phone, postcode, licence plate, so a number inside
    an IBAN or e-mail address is not suggested a second time.
    """
    gekozen = set(soorten) if soorten is not None else set(Soort)
    bezet: list[tuple[int, int]] = []
    gevonden: list[Suggestie] = []
    for soort, patroon, geldig in _REGELS:
        if soort not in gekozen:
            continue
        for match in patroon.finditer(tekst):
            start, end = match.span()
            waarde = match.group().rstrip(" .-()")
            end = start + len(waarde)
            if not geldig(waarde) or any(start < e and s < end for s, e in bezet):
                continue
            bezet.append((start, end))
            gevonden.append(Suggestie(start, end, soort, waarde, STANDAARD_GROND[soort]))
    return sorted(gevonden, key=lambda s: (s.start, s.end))
