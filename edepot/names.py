"""Name rules of the MDTO-SIP specification and DESIGN.md, as pure functions.

A name in a bag (folder or file) may not contain ``\\ / : * ? " < > | # &``, whitespace or
control characters, may not be a DOS device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, also with an
extension such as ``NUL.tif``), may not start or end with a dot, and a bag path may not exceed the
maximum length (255 characters by default). `clean_name` repairs a name deterministically (the
extension is kept); `unique_names` cleans the names of one folder and resolves collisions; the
caller reports a cleaned name as a warning and keeps the original (MDTO `naam`,
`original-filepaths.txt`). No I/O here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

FORBIDDEN_CHARACTERS = frozenset('\\/:*?"<>|#&')
DOS_DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)
DEFAULT_MAX_PATH_LENGTH = 255
REPLACEMENT = "_"

_SUFFIX = re.compile(r"^(?P<stem>.*?)(?P<ext>\.[^.]*)?$", re.DOTALL)


def _is_bad_character(char: str) -> bool:
    return char in FORBIDDEN_CHARACTERS or char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}


def is_dos_device_name(name: str) -> bool:
    """True for CON, nul.tif, LPT1.txt ...: the part before the first dot is a device name."""
    return name.split(".", 1)[0].rstrip(" ").upper() in DOS_DEVICE_NAMES


def name_problems(name: str) -> list[str]:
    """Every rule `name` breaks, as short readable reasons (empty list: the name is fine)."""
    problems: list[str] = []
    if not name:
        return ["empty name"]
    bad = sorted({c for c in name if _is_bad_character(c)})
    if bad:
        problems.append("forbidden characters " + " ".join(repr(c) for c in bad))
    if is_dos_device_name(name):
        problems.append("DOS device name")
    if name.startswith(".") or name.endswith("."):
        problems.append("leading or trailing dot")
    if unicodedata.normalize("NFC", name) != name:
        problems.append("not in Unicode NFC form")
    return problems


def split_extension(name: str) -> tuple[str, str]:
    """('scan', '.tif') for 'scan.tif'; ('.bashrc' has no stem) -> ('', '.bashrc'); ('a', '') for 'a'."""
    match = _SUFFIX.match(name)
    assert match is not None  # the pattern matches every string
    return match.group("stem"), match.group("ext") or ""


def clean_name(name: str) -> str:
    """A name that follows the rules, derived deterministically from `name`; the extension is kept.

    Forbidden characters, whitespace and control characters become `_`, leading dots become `_`,
    trailing dots are dropped, a DOS device name gets `_` appended to its first part
    (`CON.tif` -> `CON_.tif`) and the result is NFC-normalised. A clean name is returned unchanged.
    """
    text = "".join(REPLACEMENT if _is_bad_character(c) else c for c in unicodedata.normalize("NFC", name))
    text = text.rstrip(".")
    stripped = text.lstrip(".")
    text = REPLACEMENT * (len(text) - len(stripped)) + stripped
    if is_dos_device_name(text):
        first, dot, rest = text.partition(".")
        text = f"{first}{REPLACEMENT}{dot}{rest}"
    return text or REPLACEMENT


def shorten_name(name: str, room: int) -> str | None:
    """`name` cut to at most `room` characters, extension kept, with a short hash of the original
    so that shortened names stay distinct; None when even the shortest form does not fit."""
    if len(name) <= room:
        return name
    stem, ext = split_extension(name)
    tag = "_" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    keep = room - len(ext) - len(tag)
    if keep < 1 or not stem:
        return None
    return stem[:keep].rstrip(".") + tag + ext


def _with_counter(name: str, counter: int) -> str:
    stem, ext = split_extension(name)
    return f"{stem}_{counter}{ext}" if stem else f"{REPLACEMENT}_{counter}{ext}"


def unique_names(names: Iterable[str]) -> dict[str, str]:
    """Map every original name of one folder to a clean name, unique ignoring case.

    Names that are already clean keep their name; the others are cleaned in sorted order and, when
    the cleaned name is taken, get `_2`, `_3`, ... before the extension. Deterministic: the same
    set of names gives the same mapping in any input order.
    """
    originals = sorted(set(names))
    result: dict[str, str] = {}
    taken: set[str] = set()
    for original in originals:
        if clean_name(original) == original:
            result[original] = original
            taken.add(original.casefold())
    for original in originals:
        if original in result:
            continue
        candidate = clean_name(original)
        counter = 1
        while candidate.casefold() in taken:
            counter += 1
            candidate = _with_counter(clean_name(original), counter)
        result[original] = candidate
        taken.add(candidate.casefold())
    return result


def path_too_long(path: str, max_length: int = DEFAULT_MAX_PATH_LENGTH) -> bool:
    return len(path) > max_length
