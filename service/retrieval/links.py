"""Duty ↔ penalty links: a penalty article that says 违反本法第X条规定 points back to the duty it enforces."""

from __future__ import annotations

import re

from policy_search.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int, int_to_chinese

_N = CHINESE_NUMERAL_CHARS
_OWN = r"本(?:法|条例|规定|办法|细则|决定|实施办法|实施细则)"
# 违反本法第十九条、第二十条第一款规定 — the run of article numbers after 违反本X
_VIOLATION = re.compile(rf"违反{_OWN}((?:第[{_N}]+条(?:第[{_N}]+款)?(?:第[（(][{_N}]+[)）]项)?[、，,和及或与]?)+)")
_ARTICLE = re.compile(rf"第([{_N}]+)条")


def referenced_duties(text: str) -> list[str]:
    """Labels of the articles of the same document whose violation this text punishes."""
    labels: list[str] = []
    for match in _VIOLATION.finditer(text):
        for number in _ARTICLE.findall(match.group(1)):
            label = f"第{int_to_chinese(chinese_to_int(number))}条"
            if label not in labels:
                labels.append(label)
    return labels


def build_links(index) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """(penalties of each duty group, duties of each penalty group), by article group within each document."""
    penalties: dict[int, list[int]] = {}
    duties: dict[int, list[int]] = {}
    for position, clause in enumerate(index.clauses):
        if not clause.locator.article:
            continue
        doc = int(index.doc_of[position])
        penalty_group = int(index.group_of[position])
        for label in referenced_duties(clause.text):
            duty_group = index.articles.get((doc, label))
            if duty_group is None or duty_group == penalty_group:
                continue
            if penalty_group not in penalties.setdefault(duty_group, []):
                penalties[duty_group].append(penalty_group)
            if duty_group not in duties.setdefault(penalty_group, []):
                duties[penalty_group].append(duty_group)
    return penalties, duties
