"""Uncertain dates, as testimony gives them: "spring 1998", "about 2003", "between 1997 and 1999".

A date is kept as the interval it could fall in (earliest, latest) plus its ESF date type
(micro-thesaurus 48, extended with exact/range/unknown). The interval is what sorting and
filtering need: a record "in 1998" matches a filter for March 1998 by overlap, and sorts by its
earliest day. The text form is a subset of the Library of Congress Extended Date/Time Format
(EDTF, ISO 8601-2), so exports stay readable and standard:

    ""                     unknown
    1998-03-02             exact day
    1998-03                unknown day
    1998                   unknown month and day
    1998~  1998-03-02~     estimate (EDTF "approximate"; "?" is read as the same)
    1997/1999  1998-03/1998-05   range (each end at any precision)
    199X                   a decade (a range)
Korean and everyday forms are read too (1998년 3월, 1998.3.2, c. 1998, 1998년경, 약 1998년).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

EXACT = "exact"
ESTIMATE = "estimate"
UNKNOWN_DAY = "unknown_day"
UNKNOWN_MONTH_AND_DAY = "unknown_month_and_day"
RANGE = "range"
UNKNOWN = "unknown"
DATE_TYPES = (EXACT, ESTIMATE, UNKNOWN_DAY, UNKNOWN_MONTH_AND_DAY, RANGE, UNKNOWN)


class DateError(ValueError):
    """A date the parser cannot read; the message says which forms it accepts."""


_PART = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DECADE = re.compile(r"^(\d{3})X$", re.IGNORECASE)
_KOREAN = re.compile(r"^(\d{4})\s*년(?:\s*(\d{1,2})\s*월(?:\s*(\d{1,2})\s*일)?)?$")
_DOTTED = re.compile(r"^(\d{4})\.(\d{1,2})(?:\.(\d{1,2}))?\.?$")
_APPROX_PREFIX = re.compile(r"^(?:c\.|ca\.|circa|about|around|approx\.?|약)\s*", re.IGNORECASE)
_APPROX_SUFFIX = re.compile(r"(?:\s*경|\s*무렵|\s*쯤|[~?]+)$")
HINT = "use YYYY, YYYY-MM, YYYY-MM-DD, add ~ for an estimate, or FROM/TO for a range (e.g. 1997/1999)"


def _bounds(text: str) -> tuple[date, date, str]:
    """Read one end of a date: its earliest and latest day and its precision type."""
    text = text.strip()
    decade = _DECADE.match(text)
    if decade:
        start = int(decade.group(1)) * 10
        return date(start, 1, 1), date(start + 9, 12, 31), RANGE
    m = _PART.match(text) or _KOREAN.match(text) or _DOTTED.match(text)
    if not m:
        raise DateError(f"cannot read date {text!r}: {HINT}")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if year < 1:
        raise DateError(f"year {year} is out of range")
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31), UNKNOWN_MONTH_AND_DAY
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last), UNKNOWN_DAY
        d = date(year, month, day)
    except ValueError as exc:
        raise DateError(f"no such date {text!r} ({exc})") from None
    return d, d, EXACT


def _format_bounds(earliest: date, latest: date) -> str:
    """The shortest EDTF text for an interval."""
    if earliest == latest:
        return earliest.isoformat()
    if earliest.day == 1 and earliest.year == latest.year:
        if earliest.month == 1 and latest.month == 12 and latest.day == 31:
            return f"{earliest.year:04d}"
        if earliest.month == latest.month and latest.day == calendar.monthrange(latest.year, latest.month)[1]:
            return f"{earliest.year:04d}-{earliest.month:02d}"
    return f"{_format_end(earliest, True)}/{_format_end(latest, False)}"


def _format_end(d: date, start: bool) -> str:
    if start and d.month == 1 and d.day == 1:
        return f"{d.year:04d}"
    if not start and d.month == 12 and d.day == 31:
        return f"{d.year:04d}"
    if start and d.day == 1:
        return f"{d.year:04d}-{d.month:02d}"
    if not start and d.day == calendar.monthrange(d.year, d.month)[1]:
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


@dataclass(frozen=True, slots=True)
class UncertainDate:
    """An interval of possible days and the ESF type that says how it was known."""

    earliest: date | None = None
    latest: date | None = None
    type: str = UNKNOWN

    @classmethod
    def parse(cls, value: "str | date | UncertainDate | None") -> "UncertainDate":
        if value is None:
            return UNKNOWN_DATE
        if isinstance(value, UncertainDate):
            return value
        if isinstance(value, date):
            return cls(value, value, EXACT)
        return _parse_text(str(value))

    @classmethod
    def _parse(cls, value: str) -> "UncertainDate":
        text = " ".join(value.split())
        if not text or text.lower() in {"unknown", "미상", "모름"}:
            return UNKNOWN_DATE
        approx = False
        stripped = _APPROX_PREFIX.sub("", text)
        stripped2 = _APPROX_SUFFIX.sub("", stripped)
        if stripped2 != text:
            approx = True
        text = stripped2.strip()
        if "/" in text:
            left, _, right = text.partition("/")
            earliest = _bounds(left)[0]
            latest = _bounds(right)[1]
            if latest < earliest:
                raise DateError(f"range {value!r} ends before it starts")
            kind = RANGE
        else:
            earliest, latest, kind = _bounds(text)
        result = cls(earliest, latest, ESTIMATE if approx else kind)
        return result.normalized()

    def normalized(self) -> "UncertainDate":
        """Recompute the type from the interval, so equal meanings compare equal."""
        if self.earliest is None or self.latest is None:
            return UNKNOWN_DATE
        if self.type == ESTIMATE:
            return self
        text = _format_bounds(self.earliest, self.latest)
        if "/" in text:
            kind = RANGE
        elif len(text) == 10:
            kind = EXACT
        elif len(text) == 7:
            kind = UNKNOWN_DAY
        else:
            kind = UNKNOWN_MONTH_AND_DAY
        return UncertainDate(self.earliest, self.latest, kind)

    @classmethod
    def from_columns(cls, earliest: date | None, latest: date | None, kind: str | None) -> "UncertainDate":
        if earliest is None or latest is None:
            return UNKNOWN_DATE
        return cls(earliest, latest, kind or EXACT)

    @property
    def is_known(self) -> bool:
        return self.earliest is not None

    def overlaps(self, earliest: date | None, latest: date | None) -> bool:
        """Could this date fall within [earliest, latest]? Unknown dates never match a filter."""
        if not self.is_known:
            return False
        return (latest is None or self.earliest <= latest) and (earliest is None or self.latest >= earliest)

    def sort_key(self) -> tuple:
        return (self.earliest or date.max, self.latest or date.max)

    def __str__(self) -> str:
        if not self.is_known:
            return ""
        text = _format_bounds(self.earliest, self.latest)
        return text + "~" if self.type == ESTIMATE else text

    def __bool__(self) -> bool:
        return self.is_known


UNKNOWN_DATE = UncertainDate()


@lru_cache(maxsize=1 << 16)
def _parse_text(value: str) -> UncertainDate:
    """Dates repeat across a collection (there are only ~27,000 days since 1950): parse each once."""
    return UncertainDate._parse(value)
