"""Obligation sentences in a clause: what a plan must meet (应当, 必须, 不得, 禁止, 责令, 限期 …)."""

from __future__ import annotations

import re

MARKERS = ("应当", "必须", "不得", "禁止", "严禁", "责令", "限期", "须", "应")
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
_WEAK = re.compile(r"应用|应急|相应|适应|供应|对应|反应|响应|效应")  # 应 inside words that carry no duty


def obligation_sentences(text: str) -> list[str]:
    """Sentences (or clauses split at ；) that state a duty or prohibition, in order."""
    sentences = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0).strip()
        if not sentence:
            continue
        stripped = _WEAK.sub("", sentence)
        if any(marker in stripped for marker in MARKERS):
            sentences.append(sentence)
    return sentences
