"""Chinese numerals as used in legal labels (第一百零三条, 第（十二）项), both ways."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万两"


def chinese_to_int(text: str) -> int:
    """Parse 一百零三 → 103, 十二 → 12, 一万零一 → 10001; plain ASCII digits are accepted too."""
    if text.isdigit():
        return int(text)
    for big, value in (("亿", 100_000_000), ("万", 10_000)):
        if big in text:
            high, _, low = text.rpartition(big)
            return chinese_to_int(high or "一") * value + (chinese_to_int(low) if low else 0)
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
    return total + (digit or 0)


def int_to_chinese(number: int) -> str:
    """Render 103 → 一百零三, 12 → 十二, 20 → 二十, 10001 → 一万零一, as in article labels."""
    if number < 0:
        raise ValueError(f"article numbers are not negative, got {number}")
    if number >= 10000:
        high, low = divmod(number, 10000)
        if not low:
            return f"{int_to_chinese(high)}万"
        joiner = "零" if low < 1000 else ""
        tail = int_to_chinese(low)
        return f"{int_to_chinese(high)}万{joiner}{'一' + tail if tail.startswith('十') else tail}"
    if number == 0:
        return "零"
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = number // unit_value % 10
        if d == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(digits[d] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text
