"""The scanning supplier's description of the digitisation (`digitalisering.json` or `.xml`).

The description becomes an MDTO `Event` of type "Digitalisering" on every dossier (eventTijd =
datum, verantwoordelijkeActor = leverancier, eventResultaat = a compact summary of the process
metadata) and a set of `Digitisation-*` bag-info fields so that it travels with each package.
XML is parsed only through `edepot.xmlsafe.parse`; a DTD or entity is an error finding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edepot import xmlsafe
from edepot.errors import Finding, InvalidInput, Severity, UnsafeInput
from edepot.mdto.model import LIJST_EVENTTYPE, Begrip, Event, Verwijzing

DESCRIPTION_NAMES = ("digitalisering.json", "digitalisering.xml")

# canonical key -> (accepted spellings, bag-info field)
FIELDS: dict[str, tuple[tuple[str, ...], str]] = {
    "scanner": (("scanner",), "Digitisation-Scanner"),
    "software": (("software",), "Digitisation-Software"),
    "software_versie": (
        ("software_versie", "softwareversie", "software_version", "versie"),
        "Digitisation-Software-Version",
    ),
    "resolutie_ppi": (
        ("resolutie_ppi", "resolutie", "ppi", "dpi", "resolution"),
        "Digitisation-Resolution-Ppi",
    ),
    "bitdiepte": (("bitdiepte", "bit_diepte", "bitdepth", "bit_depth"), "Digitisation-Bit-Depth"),
    "kleurprofiel": (
        ("kleurprofiel", "icc_profiel", "colour_profile", "color_profile"),
        "Digitisation-Colour-Profile",
    ),
    "ocr": (("ocr",), "Digitisation-Ocr"),
    "datum": (("datum", "date"), "Digitisation-Date"),
    "leverancier": (("leverancier", "supplier"), "Digitisation-Supplier"),
    "operator": (("operator",), "Digitisation-Operator"),
    "vervangingsbesluit": (("vervangingsbesluit",), "Digitisation-Replacement-Decision"),
}
_SPELLINGS = {spelling: key for key, (spellings, _) in FIELDS.items() for spelling in spellings}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")
_JA = {"ja", "j", "yes", "y", "true", "1", "waar"}
_NEE = {"nee", "n", "no", "false", "0", "onwaar"}


@dataclass(frozen=True)
class Digitalisering:
    values: dict[str, str]  # canonical key -> text

    def bag_info(self) -> dict[str, str]:
        return {FIELDS[key][1]: " ".join(value.split()) for key, value in self.values.items() if value}

    def event(self) -> Event:
        leverancier = self.values.get("leverancier")
        return Event(
            type=Begrip(label="Digitalisering", begrippenlijst=LIJST_EVENTTYPE),
            tijd=self.values.get("datum") or None,
            verantwoordelijke_actor=Verwijzing(naam=leverancier) if leverancier else None,
            resultaat=summary(self.values) or None,
        )


def summary(values: dict[str, str]) -> str:
    """'Gescand met X; software Y 2.1; 400 ppi; 24 bit; kleurprofiel Z; OCR ja; ...' (what is known)."""
    parts = []
    if values.get("scanner"):
        parts.append(f"gescand met {values['scanner']}")
    software = " ".join(v for v in (values.get("software"), values.get("software_versie")) if v)
    if software:
        parts.append(f"software {software}")
    if values.get("resolutie_ppi"):
        parts.append(f"{values['resolutie_ppi']} ppi")
    if values.get("bitdiepte"):
        parts.append(f"{values['bitdiepte']} bit")
    for key, label in (
        ("kleurprofiel", "kleurprofiel"),
        ("ocr", "OCR"),
        ("operator", "operator"),
        ("vervangingsbesluit", "vervangingsbesluit"),
    ):
        if values.get(key):
            parts.append(f"{label} {values[key]}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _finding(rule: str, message: str, action: str, name: str, severity: Severity = Severity.FOUT) -> Finding:
    return Finding(rule=rule, message=message, action=action, severity=severity, file=name)


def _key(raw: str) -> str:
    return "_".join(raw.strip().lower().replace("-", " ").split())


def _from_json(data: bytes, name: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [
            _finding(
                "analogue.description.unreadable",
                f"{name} is not valid UTF-8 JSON ({error})",
                "send the description as a JSON object",
                name,
            )
        ]
    if not isinstance(loaded, dict):
        return None, [
            _finding(
                "analogue.description.unreadable",
                f"{name} is not a JSON object",
                "send the description as a JSON object of fields",
                name,
            )
        ]
    return loaded, []


def _from_xml(data: bytes, name: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    try:
        root = xmlsafe.parse(data, source=name)
    except UnsafeInput as error:
        return None, [
            _finding(
                "analogue.description.unsafe_xml",
                error.message,
                error.hint or "send the XML without DOCTYPE or entities",
                name,
            )
        ]
    except InvalidInput as error:
        return None, [_finding("analogue.description.unreadable", error.message, error.hint or "fix the XML", name)]
    values: dict[str, Any] = {}
    for child in root:
        if isinstance(child.tag, str):
            values[child.tag.rsplit("}", 1)[-1]] = "".join(child.itertext())
    return values, []


def _value_findings(values: dict[str, str], name: str) -> list[Finding]:
    findings: list[Finding] = []

    def warn(message: str, action: str) -> None:
        findings.append(
            _finding("analogue.description.value", f"{name}: {message}", action, name, Severity.WAARSCHUWING)
        )

    if values.get("datum") and not _DATE.match(values["datum"]):
        warn(f"datum {values['datum']!r} is not an ISO date", "write the date as YYYY-MM-DD")
    for key in ("resolutie_ppi", "bitdiepte"):
        if values.get(key) and not values[key].isdigit():
            warn(f"{key} {values[key]!r} is not a whole number", f"write {key} as a number")
    if not values.get("leverancier"):
        warn("leverancier is missing", "name the scanning supplier")
    return findings


def _normalise(raw: dict[str, Any], name: str) -> tuple[dict[str, str], list[Finding]]:
    values: dict[str, str] = {}
    findings: list[Finding] = []
    for raw_key, raw_value in raw.items():
        key = _SPELLINGS.get(_key(str(raw_key)))
        if key is None:
            findings.append(
                _finding(
                    "analogue.description.field_unknown",
                    f"{name}: field {raw_key!r} is not used",
                    "rename it to one of " + ", ".join(FIELDS),
                    name,
                    Severity.WAARSCHUWING,
                )
            )
            continue
        if isinstance(raw_value, dict | list):
            findings.append(
                _finding(
                    "analogue.description.value",
                    f"{name}: {raw_key!r} must be a single value",
                    "write the field as text or a number",
                    name,
                )
            )
            continue
        if isinstance(raw_value, bool):
            text = "ja" if raw_value else "nee"
        else:
            text = "" if raw_value is None else str(raw_value).strip()
        if key == "ocr" and text.lower() in _JA | _NEE:
            text = "ja" if text.lower() in _JA else "nee"
        values[key] = text
    return values, findings + _value_findings(values, name)


def read_description(path: Path) -> tuple[Digitalisering | None, list[Finding]]:
    """Read a description file; `None` (with error findings) when it cannot be used."""
    data = path.read_bytes()
    reader = _from_xml if path.suffix.lower() == ".xml" else _from_json
    raw, findings = reader(data, path.name)
    if raw is None:
        return None, findings
    values, value_findings = _normalise(raw, path.name)
    findings += value_findings
    if any(f.severity is Severity.FOUT for f in value_findings):
        return None, findings
    return Digitalisering(values), findings
