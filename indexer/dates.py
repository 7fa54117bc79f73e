"""Dates as written in Chinese documents: 2023年5月10日, 二〇二三年五月十日, 2023-05-10, (2019-08-27) in file names."""

from __future__ import annotations

import re
from datetime import date

from policy_search.numerals import numeral_value

_YEAR_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4",
                "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_DATE = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_NUM_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
FILENAME_DATE = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[)）]")


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[str]:
    """Every valid date in the text, in order of appearance, as ISO strings."""
    found: list[tuple[int, str]] = []
    for match in _NUM_DATE.finditer(text):
        iso = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if iso:
            found.append((match.start(), iso))
    for match in _CN_DATE.finditer(text):
        year = int("".join(_YEAR_DIGITS[ch] for ch in match.group(1)))
        month, day = numeral_value(match.group(2)), numeral_value(match.group(3))
        iso = _iso(year, month, day) if month is not None and day is not None else None  # 十十月 is no month
        if iso:
            found.append((match.start(), iso))
    for match in _ISO_DATE.finditer(text):
        iso = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if iso:
            found.append((match.start(), iso))
    return [iso for _, iso in sorted(found)]


def parse_date(text: str) -> str | None:
    """A single date value (sidecar field, API filter) as ISO, or None when there is none."""
    dates = find_dates(text)
    return dates[0] if dates else None


def is_date_line(line: str) -> bool:
    """A line that is only a date, as the 成文日期 under a signature."""
    stripped = re.sub(r"[\s\u3000]", "", line)
    return bool(stripped) and bool(_CN_DATE.fullmatch(stripped) or _NUM_DATE.fullmatch(stripped))
