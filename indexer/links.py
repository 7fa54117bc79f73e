"""Duty ↔ penalty links within a document.

A penalty article either names the duty it enforces (违反本法第X条规定) or describes the violation
(有下列行为之一：（二）未取得排污许可证排放污染物…) in the words of the duty (未取得排污许可证的，不得排放污染物).
Named references are taken as they are; a described violation is linked to the duty article of the same
document that contains most of its words, weighted by how rare each word is in that document.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from policy_search.model import Clause
from policy_search.numerals import CHINESE_NUMERAL_CHARS, int_to_chinese, numeral_value
from policy_search.text import fold

_N = CHINESE_NUMERAL_CHARS
_OWN = r"本(?:法|条例|规定|办法|细则|决定|实施办法|实施细则)"
# 违反本法第十九条、第二十条第一款规定 — the run of article numbers after 违反本X
_VIOLATION = re.compile(rf"违反{_OWN}((?:第[{_N}]+条(?:第[{_N}]+款)?(?:第[（(][{_N}]+[)）]项)?[、，,和及或与]?)+)")
_ARTICLE = re.compile(rf"第([{_N}]+)条")
_SANCTION = re.compile(r"罚款|拘留|没收|吊销|责令停|责令关闭|责令停业|处分|追究刑事责任|按日连续处罚|责令限期|责令改正")
_DUTY = re.compile(r"应当|不得|禁止|必须|严禁")
# Words every penalty item carries that say nothing about which duty it enforces.
_BOILERPLATE = re.compile(
    rf"违反(?:{_OWN}|法律|有关法律|国家有关)?(?:法律、?法规)?(?:的)?规定[，,]?|被责令[^，,；;。]*?[，,]?拒不(?:执行|改正)的?|"
    r"有下列行为之一的?|[（(][一二三四五六七八九十]+[)）]"
)
VERSION = 1  # recorded in the manifest; links of unchanged documents are reused only from the same version
MIN_SHARE = 0.45  # share of a violation's (weighted) words that the duty must contain
NEAR_BEST = 0.05  # duties this close to the best match are linked too (a violation may breach several)


def referenced_duties(text: str) -> list[str]:
    """Labels of the articles of the same document whose violation this text names."""
    labels: list[str] = []
    for match in _VIOLATION.finditer(text):
        for written in _ARTICLE.findall(match.group(1)):
            number = numeral_value(written)
            if number is None:  # 第十十条 names no article
                continue
            label = f"第{int_to_chinese(number)}条"
            if label not in labels:
                labels.append(label)
    return labels


def _bigrams(text: str) -> set[str]:
    folded = re.sub(r"[\s，。；：、,.;:（）()“”]", "", fold(text))
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


def is_penalty(text: str) -> bool:
    return bool(_SANCTION.search(text)) and (text.startswith("违反") or "下列行为之一" in text or "处" in text[:80])


def violations(text: str, items: list[tuple[int, int]]) -> list[str]:
    """The violations a penalty article describes: each item, or the condition before the sanction."""
    if items:
        return [_BOILERPLATE.sub("", text[start:end]) for start, end in items]
    condition = re.split(r"的，由|的，处|的，责令|，由", text, maxsplit=1)[0]
    return [_BOILERPLATE.sub("", condition)]


def article_texts(clauses: list[Clause]) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    """Whole articles of one document (parts joined) with their 项 spans, keyed by the first part's clause id."""
    articles: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    key = None
    for clause in clauses:
        if not clause.locator.article:
            continue
        if clause.locator.part == 1:
            key = clause.clause_id
            articles[key] = ("", [])
        text, items = articles[key]
        offset = len(text)
        items += [(offset + i.start, offset + i.end) for i in clause.locator.items if i.level == 1]
        articles[key] = (text + clause.text, items)
    return articles


def document_links(clauses: list[Clause]) -> list[tuple[str, str]]:
    """(duty, penalty) pairs of one document's articles, as the clause ids of their first parts."""
    articles = article_texts(clauses)
    if not articles:
        return []
    by_label = {}
    for clause in clauses:
        if clause.locator.article and clause.locator.part == 1:
            by_label.setdefault(clause.locator.article, clause.clause_id)
    grams = {key: _bigrams(text) for key, (text, _) in articles.items()}
    frequency = Counter(g for found in grams.values() for g in found)
    weight = {g: math.log(1 + len(articles) / df) for g, df in frequency.items()}
    duty_keys = [k for k, (text, _) in articles.items() if _DUTY.search(text) and not is_penalty(text)]
    pairs: list[tuple[str, str]] = []
    for key, (text, items) in articles.items():
        found = [by_label[label] for label in referenced_duties(text) if label in by_label]
        if is_penalty(text):
            for violation in violations(text, items):
                wanted = _bigrams(violation)
                total = sum(weight.get(g, 0.0) for g in wanted)
                if len(wanted) < 4 or total == 0:
                    continue
                shares = [(sum(weight.get(g, 0.0) for g in wanted & grams[d]) / total, d) for d in duty_keys]
                best = max((share for share, _ in shares), default=0.0)
                found += [d for share, d in shares if share >= max(MIN_SHARE, best - NEAR_BEST)]
        for duty in dict.fromkeys(found):
            if duty != key and (duty, key) not in pairs:
                pairs.append((duty, key))
    return pairs
