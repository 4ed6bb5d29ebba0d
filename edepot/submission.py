"""What a source adapter hands to the use-case layer: a submission of packages to ingest.

Source-independent. Each `PackageInput` becomes one AIP: a tree of informatieobjecten
(`RecordInput`) with their files. Adapters (ingest/analogue.py, later zaaksysteem and teams) build
these values and report what they found wrong as findings; the packaging step adds identities,
relations, checksums and sidecars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from edepot.errors import Finding, Severity
from edepot.mdto.model import Informatieobject
from edepot.ports import FormatIdentification


@dataclass(frozen=True)
class SourceFile:
    """A delivered file, checked to lie inside the submission folder."""

    path: Path  # absolute path of the delivered file
    original_path: str  # POSIX path relative to the submission root, as delivered
    naam: str  # cleaned file name used in the bag (MDTO-SIP naming rules)
    size: int
    format: FormatIdentification
    expected: dict[str, str] = field(default_factory=dict)  # supplier checksums: "sha256"|"md5" -> hex


@dataclass(frozen=True)
class RecordInput:
    """One informatieobject with its files and its children (e.g. Dossier -> Archiefstuk).

    `informatieobject` carries the descriptive metadata from the source; identity, relations
    (isOnderdeelVan, bevatOnderdeel, heeftRepresentatie) are added by packaging.
    """

    folder: str  # cleaned folder name used in the bag
    original_name: str
    informatieobject: Informatieobject
    files: tuple[SourceFile, ...] = ()
    children: tuple[RecordInput, ...] = ()


@dataclass(frozen=True)
class PackageInput:
    """One future AIP."""

    source: str  # analogue | zaaksysteem | teams
    source_key: str  # stable source identity, e.g. "1987-1996/12"
    record: RecordInput
    bag_info: dict[str, str] = field(default_factory=dict)  # extra bag-info.txt fields


@dataclass(frozen=True)
class SubmissionInput:
    source: str
    location: str  # where it came from (a folder, a URL)
    packages: tuple[PackageInput, ...]
    findings: tuple[Finding, ...] = ()
    bag_group: str | None = None  # Bag-Group-Identifier when a batch spans bags
    metadata_files: tuple[SourceFile, ...] = ()  # supplier files kept with every package (inventory, description)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.FOUT]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WAARSCHUWING]
