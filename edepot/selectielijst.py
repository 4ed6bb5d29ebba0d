"""Selectielijsten as data: the typed model, loading and validating list files, import of tables.

A selectielijst file (`selectielijsten/*.json`) holds one version of one list and is checked
against `selectielijsten/selectielijst.schema.json` plus the rules a schema cannot express
(unique category numbers, a sane validity period, no overlapping versions of one list).
`import_table` turns a CSV or XLSX table into a list and reports every problem per row and
column, so the person who made the table can fix it. Only the loaders read files; the model is
plain frozen dataclasses that the retention engine uses without I/O.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema

from edepot.errors import Conflict, Finding, InvalidInput, NotFound, Severity

SCHEMA_NAME = "selectielijst.schema.json"
NOT_LISTS = frozenset({"mapping.json"})  # the source -> category mapping (edepot.retention_mapping) lives here too
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "selectielijsten"

AFLEIDINGSWIJZEN = (
    "afgehandeld",
    "termijn",
    "hoofdzaak",
    "ingangsdatum_besluit",
    "vervaldatum_besluit",
    "eigenschap",
    "zaakobject",
    "gerelateerde_zaak",
    "ander_datumkenmerk",
)

DUUR_RE = re.compile(r"^P(?=[0-9])(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?$")


class Waardering(StrEnum):
    """Appraisal: B = blijvend bewaren, V = vernietigen, N = not (yet) determinable."""

    B = "B"
    V = "V"
    N = "N"


class Termijnaanvang(StrEnum):
    """When a bewaartermijn starts counting from the brondatum."""

    DIRECT = "direct"
    EERSTE_JANUARI_NA_AFSLUITING = "1 januari na afsluiting"


@dataclass(frozen=True)
class Trigger:
    """How the brondatum is derived: a ZGW afleidingswijze, the named event, the original text."""

    afleidingswijze: str
    tekst: str
    gebeurtenis: str | None = None
    datumkenmerk: str | None = None
    objecttype: str | None = None
    procestermijn: str | None = None
    terugval: Trigger | None = None


@dataclass(frozen=True)
class AanvullendeTermijn:
    """A further term that must also have passed ("5 jaar mits 3 jaar na vervallen")."""

    trigger: Trigger
    bewaartermijn: str


@dataclass(frozen=True)
class Categorie:
    nummer: str
    omschrijving: str
    waardering: Waardering  # B or V
    trigger: Trigger
    bewaartermijn: str | None = None  # ISO 8601 duration; V only
    bewaartermijn_tekst: str | None = None
    aanvullende_termijnen: tuple[AanvullendeTermijn, ...] = ()
    uitzonderingen: str | None = None
    selectielijstklassen: tuple[str, ...] = ()
    overbrenging_termijn_jaren: int | None = None
    bron: str | None = None
    conversie_opmerking: str | None = None


@dataclass(frozen=True)
class Selectielijst:
    naam: str
    versie: str
    bron: str  # the citation
    geldig_van: date | None  # creation dates this version applies to, inclusive; None = unbounded
    geldig_tot: date | None
    termijnaanvang: Termijnaanvang
    termijnregel_tekst: str
    categorieen: tuple[Categorie, ...]
    titel: str | None = None
    overbrenging_termijn_jaren: int | None = None
    bestand: str | None = None  # the file it was loaded from
    _index: Mapping[str, Categorie] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.nummer: c for c in self.categorieen})

    @property
    def sleutel(self) -> str:
        return f"{self.naam} (versie {self.versie})"

    def categorie(self, nummer: str) -> Categorie | None:
        return self._index.get(nummer)

    def geldt_voor(self, aanmaakdatum: date) -> bool:
        """True if a record created on `aanmaakdatum` is appraised under this version."""
        if self.geldig_van is not None and aanmaakdatum < self.geldig_van:
            return False
        return not (self.geldig_tot is not None and aanmaakdatum > self.geldig_tot)

    def periode(self) -> str:
        van = self.geldig_van.isoformat() if self.geldig_van else "..."
        tot = self.geldig_tot.isoformat() if self.geldig_tot else "..."
        return f"{van} t/m {tot}"


# --------------------------------------------------------------------------- schema validation


def load_schema(path: Path | None = None) -> dict[str, Any]:
    """The JSON Schema of a selectielijst file (default: the one in `selectielijsten/`)."""
    schema_path = path or DEFAULT_DIR / SCHEMA_NAME
    try:
        schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(
            f"selectielijst schema {schema_path} not found",
            hint=f"keep {SCHEMA_NAME} in the selectielijsten folder",
            path=str(schema_path),
        ) from None
    return schema


def _pointer(parts: Iterable[str | int]) -> str:
    return "/" + "/".join(str(p) for p in parts)


def _where(data: Any, parts: Sequence[str | int]) -> str:
    """JSON pointer, plus the category number when the problem is inside a category."""
    pointer = _pointer(parts)
    if len(parts) >= 2 and parts[0] == "categorieen" and isinstance(parts[1], int) and isinstance(data, dict):
        cats = data.get("categorieen")
        if isinstance(cats, list) and parts[1] < len(cats) and isinstance(cats[parts[1]], dict):
            nummer = cats[parts[1]].get("nummer")
            if nummer is not None:
                return f"{pointer} (categorie {nummer})"
    return pointer


def _explain(error: jsonschema.ValidationError) -> tuple[str, str]:
    """A message and an action for one schema error, in words a list maintainer understands."""
    kind = error.validator
    path = list(error.absolute_path)
    last = path[-1] if path else None
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        if missing == "bewaartermijn":
            return (
                "waardering V needs a bewaartermijn",
                "add bewaartermijn as an ISO 8601 duration such as P10Y",
            )
        return f"required field {missing!r} is missing", f"add {missing!r}"
    if kind == "not" and isinstance(error.instance, dict) and error.instance.get("waardering") == "B":
        return (
            "waardering B (blijvend bewaren) must not have a bewaartermijn or aanvullende_termijnen",
            "remove bewaartermijn, or change the waardering to V if the records may be destroyed",
        )
    if kind == "pattern" and last in ("bewaartermijn", "procestermijn"):
        return (
            f"{error.instance!r} is not an ISO 8601 duration",
            "write the term as PnYnMnD, e.g. P10Y for 10 jaar, P6M for 6 maanden, P0D for direct",
        )
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{error.instance!r} is not allowed here", f"use one of: {allowed}"
    if kind == "additionalProperties":
        return error.message, "remove the field or fix its spelling (see selectielijst.schema.json)"
    if kind == "format":
        return f"{error.instance!r} is not a valid {error.validator_value}", "write dates as YYYY-MM-DD"
    if kind == "type":
        return f"{error.instance!r} has the wrong type: {error.message}", "fix the value's type"
    return error.message, "fix the value (see selectielijst.schema.json)"


def _schema_findings(data: Any, schema: Mapping[str, Any], file: str | None) -> list[Finding]:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    findings = []
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        message, action = _explain(error)
        findings.append(
            Finding(
                rule=f"selectielijst.schema.{error.validator}",
                message=message,
                action=action,
                object=_where(data, list(error.absolute_path)),
                file=file,
            )
        )
    return findings


def _semantic_findings(data: Mapping[str, Any], file: str | None) -> list[Finding]:
    """Rules the schema cannot express: unique numbers, period order."""
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for i, cat in enumerate(data.get("categorieen", [])):
        nummer = cat.get("nummer") if isinstance(cat, dict) else None
        if not isinstance(nummer, str):
            continue
        if nummer in seen:
            findings.append(
                Finding(
                    rule="selectielijst.nummer.dubbel",
                    message=f"categorie {nummer} appears twice (entries {seen[nummer]} and {i})",
                    action="give every category its own number, or merge the two entries",
                    object=f"/categorieen/{i}/nummer",
                    file=file,
                )
            )
        else:
            seen[nummer] = i
    periode = data.get("geldigheid", {})
    van, tot = _iso_date(periode.get("geldig_van")), _iso_date(periode.get("geldig_tot"))
    if van and tot and van > tot:
        findings.append(
            Finding(
                rule="selectielijst.geldigheid.volgorde",
                message=f"geldig_van {van} lies after geldig_tot {tot}",
                action="swap the dates or correct the period of creation dates the list applies to",
                object="/geldigheid",
                file=file,
            )
        )
    return findings


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def validate(data: Any, *, schema: Mapping[str, Any] | None = None, file: str | None = None) -> list[Finding]:
    """Every problem of one list document (parsed JSON); empty when it is valid."""
    findings = _schema_findings(data, schema or load_schema(), file)
    if isinstance(data, dict):
        findings.extend(_semantic_findings(data, file))
    return findings


# --------------------------------------------------------------------------- building the model


def _trigger(raw: Mapping[str, Any]) -> Trigger:
    terugval = raw.get("terugval")
    return Trigger(
        afleidingswijze=raw["afleidingswijze"],
        tekst=raw["tekst"],
        gebeurtenis=raw.get("gebeurtenis"),
        datumkenmerk=raw.get("datumkenmerk"),
        objecttype=raw.get("objecttype"),
        procestermijn=raw.get("procestermijn"),
        terugval=_trigger(terugval) if terugval else None,
    )


def _categorie(raw: Mapping[str, Any]) -> Categorie:
    overbrenging = raw.get("overbrenging")
    return Categorie(
        nummer=raw["nummer"],
        omschrijving=raw["omschrijving"],
        waardering=Waardering(raw["waardering"]),
        trigger=_trigger(raw["trigger"]),
        bewaartermijn=raw.get("bewaartermijn"),
        bewaartermijn_tekst=raw.get("bewaartermijn_tekst"),
        aanvullende_termijnen=tuple(
            AanvullendeTermijn(trigger=_trigger(a["trigger"]), bewaartermijn=a["bewaartermijn"])
            for a in raw.get("aanvullende_termijnen", ())
        ),
        uitzonderingen=raw.get("uitzonderingen"),
        selectielijstklassen=tuple(raw.get("selectielijstklassen", ())),
        overbrenging_termijn_jaren=overbrenging["termijn_jaren"] if overbrenging else None,
        bron=raw.get("bron"),
        conversie_opmerking=raw.get("conversie_opmerking"),
    )


def parse(data: Any, *, schema: Mapping[str, Any] | None = None, file: str | None = None) -> Selectielijst:
    """Validate a parsed list document and build the model; InvalidInput lists every problem."""
    findings = validate(data, schema=schema, file=file)
    errors = [f for f in findings if f.severity is Severity.FOUT]
    if errors:
        first = errors[0]
        raise InvalidInput(
            f"selectielijst {file or '(document)'} is invalid: {len(errors)} problem(s); "
            f"first at {first.object}: {first.message}",
            hint=first.action,
            findings=errors,
            file=file,
        )
    overbrenging = data.get("overbrenging")
    return Selectielijst(
        naam=data["naam"],
        versie=data["versie"],
        bron=data["bron"]["citaat"],
        geldig_van=_iso_date(data["geldigheid"]["geldig_van"]),
        geldig_tot=_iso_date(data["geldigheid"]["geldig_tot"]),
        termijnaanvang=Termijnaanvang(data["termijnregel"]["aanvang"]),
        termijnregel_tekst=data["termijnregel"]["tekst"],
        categorieen=tuple(_categorie(c) for c in data["categorieen"]),
        titel=data.get("titel"),
        overbrenging_termijn_jaren=overbrenging["termijn_jaren"] if overbrenging else None,
        bestand=file,
    )


def load_file(path: Path, *, schema: Mapping[str, Any] | None = None) -> Selectielijst:
    """Read, validate and build one list file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"selectielijst file {path} not found", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"selectielijst file {path} is not UTF-8 (byte {exc.start})",
            hint="save the file as UTF-8",
            file=str(path),
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"selectielijst file {path} is not valid JSON: {exc.msg} "
            f"at line {exc.lineno}, column {exc.colno}",
            hint="fix the JSON syntax",
            file=str(path),
        ) from None
    return parse(data, schema=schema, file=str(path))


def load_dir(path: Path) -> list[Selectielijst]:
    """Every list file (`*.json` except schemas and `mapping.json`) in `path`, validated together.

    Uses the schema in `path` when present, else the shipped one. Raises InvalidInput with the
    findings of all files at once; versions of one list may not overlap in creation dates and
    naam + versie must be unique. Sorted by naam and start of validity.
    """
    if not path.is_dir():
        raise NotFound(f"selectielijsten folder {path} not found", path=str(path))
    schema_path = path / SCHEMA_NAME
    schema = load_schema(schema_path if schema_path.exists() else None)
    lists: list[Selectielijst] = []
    findings: list[Finding] = []
    candidates = (p for p in path.glob("*.json") if not p.name.endswith(".schema.json") and p.name not in NOT_LISTS)
    for file in sorted(candidates):
        try:
            lists.append(load_file(file, schema=schema))
        except InvalidInput as exc:
            found = exc.fields.get("findings")
            if found:
                findings.extend(found)
            else:
                findings.append(
                    Finding(
                        rule="selectielijst.bestand",
                        message=exc.message,
                        action=exc.hint or "",
                        file=str(file),
                    )
                )
    findings.extend(_overlap_findings(lists))
    if findings:
        raise InvalidInput(
            f"selectielijsten in {path} are invalid: {len(findings)} problem(s); first: "
            f"{findings[0].file}: {findings[0].object or ''} {findings[0].message}",
            hint=findings[0].action,
            findings=findings,
            path=str(path),
        )
    return sorted(lists, key=lambda s: (s.naam, s.geldig_van or date.min, s.versie))


def _overlap_findings(lists: Sequence[Selectielijst]) -> list[Finding]:
    findings = []
    for i, a in enumerate(lists):
        for b in lists[i + 1 :]:
            if a.naam != b.naam:
                continue
            if a.versie == b.versie:
                findings.append(
                    Finding(
                        rule="selectielijst.versie.dubbel",
                        message=f"{a.naam} versie {a.versie} is defined twice ({a.bestand} and {b.bestand})",
                        action="remove one file or give it another versie",
                        file=b.bestand,
                    )
                )
            elif _overlap(a, b):
                findings.append(
                    Finding(
                        rule="selectielijst.geldigheid.overlap",
                        message=(
                            f"{a.naam} versions {a.versie} ({a.periode()}) and {b.versie} ({b.periode()}) "
                            "both apply to some creation dates"
                        ),
                        action="make the geldigheid periods of the versions adjoin without overlapping",
                        file=b.bestand,
                    )
                )
    return findings


def _overlap(a: Selectielijst, b: Selectielijst) -> bool:
    a_van, a_tot = a.geldig_van or date.min, a.geldig_tot or date.max
    b_van, b_tot = b.geldig_van or date.min, b.geldig_tot or date.max
    return a_van <= b_tot and b_van <= a_tot


def lijsten_in_werking(lists: Iterable[Selectielijst], naam: str, aanmaakdatum: date) -> list[Selectielijst]:
    """The versions of list `naam` that apply to a record created on `aanmaakdatum`."""
    return [s for s in lists if s.naam == naam and s.geldt_voor(aanmaakdatum)]


def versie_voor(lists: Iterable[Selectielijst], naam: str, aanmaakdatum: date) -> Selectielijst:
    """The one version of `naam` in force for `aanmaakdatum`; NotFound or Conflict otherwise."""
    all_lists = list(lists)
    found = lijsten_in_werking(all_lists, naam, aanmaakdatum)
    if len(found) == 1:
        return found[0]
    versions = [f"{s.versie} ({s.periode()})" for s in all_lists if s.naam == naam]
    if not found:
        raise NotFound(
            f"no version of selectielijst {naam!r} applies to records created on {aanmaakdatum}",
            hint=f"known versions: {', '.join(versions) or 'none'}",
            naam=naam,
        )
    raise Conflict(
        f"{len(found)} versions of selectielijst {naam!r} apply to records created on {aanmaakdatum}",
        hint="make the geldigheid periods adjoin without overlapping",
        naam=naam,
    )


def as_dict(lijst: Selectielijst) -> dict[str, Any]:
    """The list as a document for its JSON file (inverse of `parse`)."""

    def trig(t: Trigger, nested: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"afleidingswijze": t.afleidingswijze}
        for key in ("gebeurtenis", "datumkenmerk", "objecttype", "procestermijn"):
            if getattr(t, key) is not None:
                out[key] = getattr(t, key)
        out["tekst"] = t.tekst
        if nested and t.terugval is not None:
            out["terugval"] = trig(t.terugval, nested=False)
        return out

    cats = []
    for c in lijst.categorieen:
        cat: dict[str, Any] = {
            "nummer": c.nummer,
            "omschrijving": c.omschrijving,
            "waardering": str(c.waardering),
        }
        if c.bewaartermijn is not None:
            cat["bewaartermijn"] = c.bewaartermijn
        if c.bewaartermijn_tekst is not None:
            cat["bewaartermijn_tekst"] = c.bewaartermijn_tekst
        cat["trigger"] = trig(c.trigger)
        if c.aanvullende_termijnen:
            cat["aanvullende_termijnen"] = [
                {"trigger": trig(a.trigger, nested=False), "bewaartermijn": a.bewaartermijn}
                for a in c.aanvullende_termijnen
            ]
        if c.uitzonderingen is not None:
            cat["uitzonderingen"] = c.uitzonderingen
        if c.selectielijstklassen:
            cat["selectielijstklassen"] = list(c.selectielijstklassen)
        if c.overbrenging_termijn_jaren is not None:
            cat["overbrenging"] = {"termijn_jaren": c.overbrenging_termijn_jaren}
        if c.bron is not None:
            cat["bron"] = c.bron
        if c.conversie_opmerking is not None:
            cat["conversie_opmerking"] = c.conversie_opmerking
        cats.append(cat)
    doc: dict[str, Any] = {"$schema": f"./{SCHEMA_NAME}", "naam": lijst.naam, "versie": lijst.versie}
    if lijst.titel:
        doc["titel"] = lijst.titel
    doc["bron"] = {"citaat": lijst.bron}
    doc["geldigheid"] = {
        "geldig_van": lijst.geldig_van.isoformat() if lijst.geldig_van else None,
        "geldig_tot": lijst.geldig_tot.isoformat() if lijst.geldig_tot else None,
    }
    doc["termijnregel"] = {"aanvang": str(lijst.termijnaanvang), "tekst": lijst.termijnregel_tekst}
    if lijst.overbrenging_termijn_jaren is not None:
        doc["overbrenging"] = {"termijn_jaren": lijst.overbrenging_termijn_jaren}
    doc["categorieen"] = cats
    return doc


# --------------------------------------------------------------------------- tabular import

# canonical column -> accepted header spellings (normalised: lower case, spaces and dashes as _)
KOLOMMEN: dict[str, tuple[str, ...]] = {
    "selectielijst": ("selectielijst", "naam", "lijst"),
    "versie": ("versie", "version"),
    "nummer": ("categorie_nummer", "nummer", "categorie"),
    "omschrijving": ("omschrijving", "omschrijving_kort"),
    "waardering": ("waardering",),
    "bewaartermijn": ("bewaartermijn", "bewaartermijn_iso8601"),
    "afleidingswijze": ("afleidingswijze", "trigger_als_zgw_afleidingswijze_interpretatie"),
    "trigger_tekst": ("trigger_tekst", "brondatum_trigger", "trigger"),
    "gebeurtenis": ("gebeurtenis",),
    "datumkenmerk": ("datumkenmerk",),
    "objecttype": ("objecttype",),
    "procestermijn": ("procestermijn",),
    "bewaartermijn_tekst": ("bewaartermijn_tekst",),
    "uitzonderingen": ("uitzonderingen", "uitzonderingen_subcategorieen"),
    "geldig_van": ("geldig_van",),
    "geldig_tot": ("geldig_tot",),
    "termijnaanvang": ("termijnaanvang", "termijnregel"),
    "bron": ("bron",),
}
VERPLICHT = (
    "selectielijst",
    "versie",
    "nummer",
    "omschrijving",
    "waardering",
    "bewaartermijn",
    "afleidingswijze",
)
PER_LIJST = ("selectielijst", "versie", "geldig_van", "geldig_tot", "termijnaanvang")

Row = tuple[int, dict[str, str]]  # file row number (header = 1) and values by canonical column


def _norm(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _finding(
    rule: str,
    message: str,
    action: str,
    file: str,
    *,
    rij: int | None = None,
    kolom: str | None = None,
    severity: Severity = Severity.FOUT,
) -> Finding:
    where = ", ".join(p for p in (f"rij {rij}" if rij else None, f"kolom {kolom}" if kolom else None) if p)
    return Finding(
        rule=rule, message=message, action=action, severity=severity, object=where or None, file=file
    )


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Finding]]:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, [
            _finding(
                "selectielijst.import.codering",
                "the file contains NUL bytes: it is binary, not a CSV text file",
                "export the table again as CSV (UTF-8) or save it as .xlsx",
                file,
                rij=line,
            )
        ]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1].hex()
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line2 = raw[: exc.start].count(b"\n") + 1
        return None, [
            _finding(
                "selectielijst.import.codering",
                f"the file is neither UTF-8 nor Windows-1252: byte 0x{raw[exc.start]:02x} cannot be read",
                "export the table again as CSV UTF-8",
                file,
                rij=line2,
            )
        ]
    return text, [
        _finding(
            "selectielijst.import.codering",
            f"the file is not UTF-8 (byte 0x{bad} in this row); it was read as Windows-1252",
            "check accented letters in the result, or export the table as CSV UTF-8",
            file,
            rij=line,
            severity=Severity.WAARSCHUWING,
        )
    ]


def _csv_rows(path: Path) -> tuple[list[str], list[Row], list[Finding]]:
    file = path.name
    text, findings = _decode(path.read_bytes(), file)
    if text is None:
        return [], [], findings
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = list(reader)
    except csv.Error as exc:
        return (
            [],
            [],
            [
                *findings,
                _finding(
                    "selectielijst.import.csv",
                    f"the CSV cannot be read: {exc}",
                    "check quotes and separators",
                    file,
                    rij=reader.line_num,
                ),
            ],
        )
    if not table:
        return (
            [],
            [],
            [
                *findings,
                _finding(
                    "selectielijst.import.leeg",
                    "the file is empty",
                    "add a header row and one row per category",
                    file,
                ),
            ],
        )
    header, rows = table[0], []
    for i, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append((i, cells))
    return header, _by_column(header, rows), findings


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> tuple[list[str], list[Row], list[Finding]]:
    import openpyxl  # imported here: only the XLSX import needs it

    file = path.name
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return (
            [],
            [],
            [
                _finding(
                    "selectielijst.import.xlsx",
                    f"the file is not a readable XLSX workbook ({type(exc).__name__})",
                    "open it in a spreadsheet program and save it again as .xlsx, or export it as CSV UTF-8",
                    file,
                )
            ],
        )
    try:
        sheet = workbook.worksheets[0]
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not table:
        return (
            [],
            [],
            [
                _finding(
                    "selectielijst.import.leeg",
                    "the first sheet is empty",
                    "put the header row and one row per category on the first sheet",
                    file,
                )
            ],
        )
    header = table[0]
    rows = [(i, cells) for i, cells in enumerate(table[1:], start=2) if any(c.strip() for c in cells)]
    return header, _by_column(header, rows), []


def _by_column(header: list[str], rows: list[tuple[int, list[str]]]) -> list[Row]:
    positions: dict[str, int] = {}
    normalised = [_norm(h) for h in header]
    for canonical, spellings in KOLOMMEN.items():
        for spelling in spellings:
            if spelling in normalised:
                positions[canonical] = normalised.index(spelling)
                break
    out: list[Row] = []
    for number, cells in rows:
        values = {col: (cells[pos].strip() if pos < len(cells) else "") for col, pos in positions.items()}
        out.append((number, values))
    return out


def _header_findings(header: list[str], file: str) -> list[Finding]:
    normalised = {_norm(h) for h in header}
    findings = []
    for col in VERPLICHT:
        if not normalised.intersection(KOLOMMEN[col]):
            names = " or ".join(repr(s) for s in KOLOMMEN[col])
            findings.append(
                _finding(
                    "selectielijst.import.kolom_ontbreekt",
                    f"required column {col!r} is missing from the header row",
                    f"add a column named {names}",
                    file,
                    rij=1,
                    kolom=col,
                )
            )
    return findings


def _row_findings(number: int, row: Mapping[str, str], file: str) -> list[Finding]:
    found: list[Finding] = []

    def bad(rule: str, kolom: str, message: str, action: str) -> None:
        found.append(_finding(f"selectielijst.import.{rule}", message, action, file, rij=number, kolom=kolom))

    nummer = row.get("nummer", "")
    if not nummer:
        bad(
            "nummer", "nummer", "the category number is empty", "fill in the category number, e.g. 12 or 39.1"
        )
    elif not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-]*", nummer):
        bad(
            "nummer",
            "nummer",
            f"category number {nummer!r} has characters other than letters, digits, . and -",
            "write the number as in the list, e.g. 53b or 39.1",
        )
    if not row.get("omschrijving"):
        bad("omschrijving", "omschrijving", "the omschrijving is empty", "copy the category's description")
    waardering = row.get("waardering", "").upper()
    termijn = row.get("bewaartermijn", "")
    if waardering not in ("B", "V"):
        bad(
            "waardering",
            "waardering",
            f"waardering {row.get('waardering', '')!r} is not B or V",
            "write B (blijvend bewaren) or V (vernietigen)",
        )
    elif waardering == "V" and not termijn:
        bad(
            "bewaartermijn_ontbreekt",
            "bewaartermijn",
            "waardering V without a bewaartermijn",
            "fill in the term as an ISO 8601 duration, e.g. P7Y",
        )
    elif waardering == "B" and termijn:
        bad(
            "bewaartermijn_bij_b",
            "bewaartermijn",
            f"waardering B with bewaartermijn {termijn!r}",
            "leave bewaartermijn empty for B, or change the waardering to V",
        )
    if termijn and not DUUR_RE.match(termijn):
        bad(
            "bewaartermijn",
            "bewaartermijn",
            f"bewaartermijn {termijn!r} is not an ISO 8601 duration",
            "write the term as PnYnMnD, e.g. P10Y for 10 jaar, P6M for 6 maanden",
        )
    procestermijn = row.get("procestermijn", "")
    if procestermijn and not DUUR_RE.match(procestermijn):
        bad(
            "procestermijn",
            "procestermijn",
            f"procestermijn {procestermijn!r} is not an ISO 8601 duration",
            "write the term as PnYnMnD, e.g. P1Y",
        )
    afleiding = row.get("afleidingswijze", "")
    if afleiding not in AFLEIDINGSWIJZEN:
        bad(
            "afleidingswijze",
            "afleidingswijze",
            f"afleidingswijze {afleiding!r} is not a ZGW afleidingswijze",
            f"use one of: {', '.join(AFLEIDINGSWIJZEN)}",
        )
    elif afleiding == "eigenschap" and not row.get("datumkenmerk"):
        bad(
            "datumkenmerk",
            "datumkenmerk",
            "afleidingswijze eigenschap needs the eigenschap's name",
            "fill in datumkenmerk with the name of the date eigenschap",
        )
    elif afleiding == "zaakobject" and not (row.get("datumkenmerk") and row.get("objecttype")):
        bad(
            "datumkenmerk",
            "datumkenmerk",
            "afleidingswijze zaakobject needs objecttype and datumkenmerk",
            "fill in objecttype (e.g. natuurlijk_persoon) and datumkenmerk (e.g. geboortedatum)",
        )
    gebeurtenis = row.get("gebeurtenis", "")
    if gebeurtenis and not re.fullmatch(r"na [a-z0-9 ]+", gebeurtenis):
        bad(
            "gebeurtenis",
            "gebeurtenis",
            f"gebeurtenis {gebeurtenis!r} is not of the form 'na ...'",
            "write e.g. 'na afhandeling', 'na vervallen' (lower case, no accents), or leave it empty",
        )
    for kolom in ("geldig_van", "geldig_tot"):
        value = row.get(kolom, "")
        if value and _iso_date(value) is None:
            bad("datum", kolom, f"{kolom} {value!r} is not a date", "write the date as YYYY-MM-DD")
    aanvang = row.get("termijnaanvang", "")
    if aanvang and aanvang not in {t.value for t in Termijnaanvang}:
        bad(
            "termijnaanvang",
            "termijnaanvang",
            f"termijnaanvang {aanvang!r} is unknown",
            f"use one of: {', '.join(t.value for t in Termijnaanvang)}",
        )
    return found


def _list_level_findings(rows: Sequence[Row], file: str) -> list[Finding]:
    found = []
    for col in PER_LIJST:
        first: tuple[int, str] | None = None
        for number, row in rows:
            value = row.get(col, "")
            if first is None:
                first = (number, value)
            elif value != first[1]:
                found.append(
                    _finding(
                        "selectielijst.import.lijstgegevens",
                        f"{col} is {value!r} here but {first[1]!r} in row {first[0]}; "
                        "one table holds one list version",
                        f"use the same {col} in every row, or split the table per list version",
                        file,
                        rij=number,
                        kolom=col,
                    )
                )
    return found


def _duplicate_findings(rows: Sequence[Row], file: str) -> list[Finding]:
    seen: dict[str, int] = {}
    found = []
    for number, row in rows:
        nummer = row.get("nummer", "")
        if not nummer:
            continue
        if nummer in seen:
            found.append(
                _finding(
                    "selectielijst.import.nummer_dubbel",
                    f"category {nummer} also appears in row {seen[nummer]}",
                    "give every category its own number, or merge the two rows",
                    file,
                    rij=number,
                    kolom="nummer",
                )
            )
        else:
            seen[nummer] = number
    return found


def _document(rows: Sequence[Row], source: str) -> dict[str, Any]:
    first = rows[0][1]
    cats = []
    for _, row in rows:
        trigger: dict[str, Any] = {
            "afleidingswijze": row["afleidingswijze"],
            "tekst": row.get("trigger_tekst", ""),
        }
        for key in ("gebeurtenis", "datumkenmerk", "objecttype", "procestermijn"):
            if row.get(key):
                trigger[key] = row[key]
        cat: dict[str, Any] = {
            "nummer": row["nummer"],
            "omschrijving": row["omschrijving"],
            "waardering": row["waardering"].upper(),
            "trigger": trigger,
        }
        if row.get("bewaartermijn"):
            cat["bewaartermijn"] = row["bewaartermijn"]
        for key in ("bewaartermijn_tekst", "uitzonderingen", "bron"):
            if row.get(key):
                cat[key] = row[key]
        cats.append(cat)
    return {
        "naam": first["selectielijst"],
        "versie": first["versie"],
        "bron": {"citaat": first.get("bron") or f"import of {source}", "ontleend_aan": source},
        "geldigheid": {
            "geldig_van": first.get("geldig_van") or None,
            "geldig_tot": first.get("geldig_tot") or None,
        },
        "termijnregel": {
            "aanvang": first.get("termijnaanvang") or Termijnaanvang.DIRECT.value,
            "tekst": first.get("termijnaanvang") or "termijn vangt aan op de brondatum",
        },
        "categorieen": cats,
    }


def import_table(path: Path) -> tuple[Selectielijst | None, list[Finding]]:
    """Read a selectielijst from a CSV (`,` or `;`; UTF-8 or Windows-1252) or XLSX table.

    One row per category; list-level columns (selectielijst, versie, geldig_van, geldig_tot,
    termijnaanvang) repeat on every row. Returns the list (None if any error) and every finding,
    each naming the file row (the header is row 1) and the column.
    """
    file = path.name
    if not path.is_file():
        return None, [
            _finding(
                "selectielijst.import.bestand",
                f"{path} does not exist or is not a file",
                "give the path of a .csv or .xlsx file",
                file,
            )
        ]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, rows, findings = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        header, rows, findings = _xlsx_rows(path)
    else:
        return None, [
            _finding(
                "selectielijst.import.bestand",
                f"{file}: unknown table type {suffix!r}",
                "give a .csv or .xlsx file",
                file,
            )
        ]
    if not header:
        return None, findings
    findings.extend(_header_findings(header, file))
    if any(f.rule == "selectielijst.import.kolom_ontbreekt" for f in findings):
        return None, findings
    if not rows:
        findings.append(
            _finding(
                "selectielijst.import.leeg",
                "the table has a header but no categories",
                "add one row per category",
                file,
            )
        )
        return None, findings
    for number, row in rows:
        findings.extend(_row_findings(number, row, file))
    findings.extend(_list_level_findings(rows, file))
    findings.extend(_duplicate_findings(rows, file))
    if any(f.severity is Severity.FOUT for f in findings):
        return None, findings
    document = _document(rows, file)
    schema_findings = validate(document, file=file)
    if schema_findings:
        return None, findings + schema_findings
    return parse(document, file=file), findings
