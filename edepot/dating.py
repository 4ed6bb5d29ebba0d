"""Reading the free-text `datering` of an archive inventory into begin and end dates. Pure.

Handles what Dutch inventories contain: a year (`1987`), a range (`1987-1992`, `1987 - 1992`,
`1987 tot 1992`, `1987 t/m 1992`), uncertain dates (`ca. 1988`, `circa 1988`, `[1988]`, `1988?`),
lists (`1990, 1993`, `1988-1990, 1992`), no date (`z.d.`, `zd`, `s.d.`, `zonder datum`, empty),
Dutch day-month-year (`12-03-1988`, `12/03/1988`, `12 maart 1988`), ISO (`1988-03-12`, `1988-03`)
and a month name (`maart 1988`). Dates are ISO strings of the precision given (YYYY, YYYY-MM or
YYYY-MM-DD). Text that cannot be read, or an impossible date or range, gives no dates and a
`reden`; the verbatim text is always kept.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MAANDEN = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "maart": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
ZONDER_DATUM = frozenset({"", "z.d.", "zd", "z.d", "s.d.", "sd", "s.d", "zonder datum", "onbekend"})

_UNCERTAIN_PREFIX = re.compile(r"^(?:ca\.?|circa|c\.|omstreeks|omstr\.)\s*", re.IGNORECASE)
_RANGE_WORDS = re.compile(r"\s+(?:-|–|—|tot en met|t/m|tot)\s+|\s*[–—]\s*")
_YEAR = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_MONTH_NAME = re.compile(r"^(?:(\d{1,2})\s+)?([a-z]+)\.?\s+(\d{4})$")

Datum = tuple[int, int | None, int | None]  # year, month, day at the precision given


@dataclass(frozen=True)
class Datering:
    """A parsed datering: the verbatim text always, begin/eind when it could be read."""

    verbatim: str
    begin: str | None = None
    eind: str | None = None
    zeker: bool = True
    reden: str | None = None  # why no dates were read, for text that is not a date

    @property
    def gelezen(self) -> bool:
        return self.begin is not None


class _Onleesbaar(ValueError):
    pass


def iso(datum: Datum) -> str:
    year, month, day = datum
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _first_day(datum: Datum) -> date:
    year, month, day = datum
    return date(year, month or 1, day or 1)


def _last_day(datum: Datum) -> date:
    year, month, day = datum
    month = month or 12
    return date(year, month, day or calendar.monthrange(year, month)[1])


def _checked(year: int, month: int | None, day: int | None, text: str) -> Datum:
    if month is not None and not 1 <= month <= 12:
        raise _Onleesbaar(f"{text!r}: month {month} does not exist")
    if day is not None:
        assert month is not None
        try:
            date(year, month, day)
        except ValueError:
            raise _Onleesbaar(f"{text!r}: day {day} does not exist in {year:04d}-{month:02d}") from None
    if year < 1000:
        raise _Onleesbaar(f"{text!r}: year {year} is not a four-digit year")
    return (year, month, day)


def _single(text: str) -> Datum:
    """One date at its own precision; raises _Onleesbaar."""
    text = text.strip()
    if match := _YEAR.match(text):
        return _checked(int(match.group(1)), None, None, text)
    if match := _ISO.match(text):
        day = int(match.group(3)) if match.group(3) else None
        return _checked(int(match.group(1)), int(match.group(2)), day, text)
    if match := _DMY.match(text):
        return _checked(int(match.group(3)), int(match.group(2)), int(match.group(1)), text)
    if match := _MONTH_NAME.match(text.lower()):
        month = MAANDEN.get(match.group(2))
        if month is None:
            raise _Onleesbaar(f"{text!r}: {match.group(2)!r} is not a Dutch month name")
        day = int(match.group(1)) if match.group(1) else None
        return _checked(int(match.group(3)), month, day, text)
    raise _Onleesbaar(f"{text!r} is not a date")


def _range(start: Datum, end: Datum, text: str) -> tuple[Datum, Datum]:
    if _first_day(start) > _last_day(end):
        raise _Onleesbaar(f"{text!r}: the range ends ({iso(end)}) before it begins ({iso(start)})")
    return start, end


def _hyphen_splits(text: str) -> list[tuple[str, str]]:
    return [(text[:i], text[i + 1 :]) for i, char in enumerate(text) if char == "-"]


def _part(text: str) -> tuple[Datum, Datum | None]:
    """A single date (end None) or a range."""
    try:
        return _single(text), None
    except _Onleesbaar as single_error:
        pieces = _RANGE_WORDS.split(text)
        if len(pieces) == 2:
            return _range(_single(pieces[0]), _single(pieces[1]), text)
        for left, right in _hyphen_splits(text):
            try:
                start, end = _single(left), _single(right)
            except _Onleesbaar:
                continue
            return _range(start, end, text)
        raise single_error


def _strip_uncertainty(text: str) -> tuple[str, bool]:
    zeker = True
    stripped = _UNCERTAIN_PREFIX.sub("", text)
    if stripped != text:
        zeker = False
    if stripped.startswith("[") and stripped.endswith("]"):
        stripped, zeker = stripped[1:-1].strip(), False
    if stripped.endswith("?"):
        stripped, zeker = stripped[:-1].strip(), False
    return stripped, zeker


def parse_datering(text: str) -> Datering:
    """Read a datering; see the module docstring for what is understood."""
    verbatim = text
    normalised = " ".join(text.split())
    if normalised.lower() in ZONDER_DATUM:
        return Datering(verbatim=verbatim, zeker=False)
    body, zeker = _strip_uncertainty(normalised)
    dates: list[Datum] = []
    ends: list[Datum] = []
    try:
        for raw in body.split(","):
            part, part_zeker = _strip_uncertainty(raw.strip())
            zeker = zeker and part_zeker
            start, end = _part(part)
            dates.append(start)
            ends.append(end or start)
    except _Onleesbaar as error:
        return Datering(verbatim=verbatim, zeker=False, reden=str(error))
    begin = min(dates, key=_first_day)
    eind = max(ends, key=_last_day)
    if len(dates) == 1 and ends[0] is dates[0]:
        return Datering(verbatim=verbatim, begin=iso(begin), zeker=zeker)
    return Datering(verbatim=verbatim, begin=iso(begin), eind=iso(eind), zeker=zeker)
