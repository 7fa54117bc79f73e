"""Chinese numerals as used in legal labels (第一百零三条, 第（十二）项), both ways, by cn2an.

cn2an does the converting. What stays here is what labels need around it: the characters a label may
hold, Arabic digits of any width read exactly (cn2an reads 12 as the float 12.0), and one range for both
directions, 0 to MAX_NUMBER, the most cn2an writes, so that every number read can be written back.
"""

from __future__ import annotations

import operator
from functools import cache, lru_cache

MAX_DIGITS = 16  # cn2an writes no more ("超出数据范围，最长支持 16 位")
MAX_NUMBER = 10**MAX_DIGITS - 1
# the longest numeral below 10^16 in words, 九千九百九十九万…九十九, has 31 characters; a longer run of
# numeral characters (or zeros before digits) is not a label, and cn2an's patterns are not given it
MAX_NUMERAL_CHARS = 32
# with 亿, which int_to_chinese writes from 10^8 on, so that label patterns read back every label written
CHINESE_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿两"
_ACCEPTED = frozenset(CHINESE_NUMERAL_CHARS + "0123456789")
_CACHE_SIZE = 4096  # labels repeat: 第一条 … 第三百条 cover nearly every call while indexing


@cache
def _cn2an():
    """cn2an, imported on first use: building its converters is a second of a cold start on a busy machine."""
    import cn2an

    return cn2an


_DIGIT_NAMES = "零一二三四五六七八九"


def _written(number: int) -> str:
    """0–9999 as cn2an writes them (十二, 一百零五, 一千零一十); a test checks every one against cn2an."""
    if number < 10:
        return _DIGIT_NAMES[number]
    if number < 20:
        return "十" + (_DIGIT_NAMES[number % 10] if number % 10 else "")
    out, gap = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            out.append(("零" if gap else "") + _DIGIT_NAMES[digit] + unit)
            gap = False
        elif out:
            gap = True
    return "".join(out)


@cache
def _common() -> dict[str, int]:
    """The labels' numerals in their usual spelling, read without cn2an (a cold start reads only these)."""
    return {_written(number): number for number in range(10_000)}


@lru_cache(maxsize=_CACHE_SIZE)
def chinese_to_int(text: str) -> int:
    """103 from 一百零三, 一〇三, 103 or １０３; 12 from 十二 or 一十二; 2 from 两; 12000 from 1万2千.

    Raises ValueError for anything else: other characters, malformed numerals (十十), 16 digits exceeded.
    """
    if len(text) > MAX_NUMERAL_CHARS:  # checked first: no long string is converted, or kept in the cache
        raise ValueError(f"numerals have at most {MAX_NUMERAL_CHARS} characters, got {len(text)}")
    digits = "".join(str(int(ch)) if ch.isdecimal() else ch for ch in text)  # full-width and other scripts' digits
    if not digits or not _ACCEPTED.issuperset(digits):
        raise ValueError(f"not a numeral: {text!r}")
    if digits.isdigit():  # read exactly, not through cn2an's float
        if len(digits.lstrip("0")) > MAX_DIGITS:
            raise ValueError(f"numbers have at most {MAX_DIGITS} digits, got {text!r}")
        return int(digits)
    if digits in _common():
        return _common()[digits]
    try:
        number = _cn2an().cn2an(digits, "smart")
    except Exception as exc:  # cn2an answers some malformed input (两82, 5一18) with a KeyError
        raise ValueError(f"not a Chinese numeral: {text!r}") from exc
    if not isinstance(number, int) or not 0 <= number <= MAX_NUMBER:
        raise ValueError(f"not a number from 0 to {MAX_NUMBER}: {text!r}")
    return number


def numeral_value(text: str) -> int | None:
    """chinese_to_int, or None where the text is no numeral: for labels read from untrusted text."""
    try:
        return chinese_to_int(text)
    except ValueError:
        return None


@lru_cache(maxsize=_CACHE_SIZE)
def int_to_chinese(number: int) -> str:
    """Render 103 → 一百零三, 12 → 十二, 20 → 二十, 10001 → 一万零一, as in article labels."""
    number = operator.index(number)
    if not 0 <= number <= MAX_NUMBER:
        raise ValueError(f"article numbers run from 0 to {MAX_NUMBER}, got {number}")
    if number < 10_000:  # every label's number: written as cn2an writes it, without importing cn2an
        return _written(number)
    return _cn2an().an2cn(number)
