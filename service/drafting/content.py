"""What a plan says, whatever file it goes into: each problem's parts in full sentences for the 方案's text,
the 整改清单's cells, the 落款's date. The Word, Markdown and spreadsheet writers only lay these out."""

from __future__ import annotations

import re
from datetime import date as Date

from policy_search.errors import InvalidQuery
from policy_search.numerals import int_to_chinese

# The columns of the 整改清单 bureaus file with the 督察 team.
LIST_COLUMNS = ("序号", "督察反馈问题", "整改目标", "整改措施", "责任领导", "牵头（责任）单位", "配合单位", "责任人",
                "整改时限", "销号（验收）标准", "依据", "佐证材料")
ATTACHMENT_TITLE = "整改清单"
DEADLINE_KINDS = ("立行立改", "限期整改", "长期坚持")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # control characters XML 1.0 cannot hold


def chinese_date(iso: str | None, today: Date | None = None) -> str:
    """2026-12-07 → 2026年12月7日: Arabic numerals without leading zeros, as GB/T 9704-2012 writes 成文日期."""
    try:
        day = Date.fromisoformat(iso) if iso else (today or Date.today())
    except ValueError:
        raise InvalidQuery(f"date must be a date as YYYY-MM-DD, got {iso!r}") from None
    return f"{day.year}年{day.month}月{day.day}日"


def _sentence(text: str | None) -> str:
    """A field as a sentence: trimmed, ending with a full stop unless it ends with other punctuation."""
    text = (text or "").strip()
    return text if not text or text[-1] in "。；！？…”）)" else text + "。"


def basis_lines(problem: dict) -> list[str]:
    """The kept bases and penalties, one citation each; penalties marked （罚则）."""
    bases = [base["citation"] for base in problem.get("bases", [])]
    bases += [f"{penalty['citation']}（罚则）" for penalty in problem.get("penalties", [])]
    return bases


def basis_by_document(problem: dict) -> list[str]:
    """The kept bases and penalties, one line per document: 《X》第四十二条第四款、第六十三条第（三）项（罚则）."""
    grouped: dict[str, list[str]] = {}
    for line in basis_lines(problem):
        title, mark, rest = line.partition("》")
        if not mark or not title.startswith("《"):
            grouped.setdefault(line, [])
            continue
        grouped.setdefault(title + mark, []).append(rest)
    return [title + "、".join(part for part in parts if part) for title, parts in grouped.items()]


def requirement_lines(problem: dict) -> list[str]:
    """Every kept obligation, grouped under the citation it comes from, each citation named once."""
    grouped: dict[str, list[str]] = {}
    for obligation in problem.get("obligations", []):
        grouped.setdefault(obligation["citation"], []).append(obligation["sentence"].strip())
    return [f"{citation}规定：{''.join(sentences)}" for citation, sentences in grouped.items()]


def deadline_text(problem: dict) -> str:
    """限期整改，2025年6月底前: the kind of deadline and the date, whichever are given."""
    return "，".join(part for part in (problem.get("deadline_kind"), problem.get("deadline")) if part and part.strip())


def duty_text(problem: dict) -> str:
    names = (("leader", "责任领导"), ("unit", "牵头（责任）单位"), ("partners", "配合单位"), ("owner", "责任人"))
    return "".join(f"{label}：{problem[key].strip()}。" for key, label in names if (problem.get(key) or "").strip())


def problem_sections(problems: list[dict]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Each problem as a 一、 heading over its （一） parts, each part a list of full sentences; parts left
    empty on the page are left out, and the rest numbered on."""
    out = []
    for number, problem in enumerate(problems, start=1):
        bases = basis_lines(problem)
        basis_part = ([f"依据{'；'.join(bases)}。"] if bases else []) + requirement_lines(problem)
        parts = [
            ("整改目标", [_sentence(problem.get("target"))]),
            ("整改依据和要求", basis_part),
            ("整改措施", [_sentence(problem.get("measures"))]),
            ("责任分工", [duty_text(problem)]),
            ("整改时限", [_sentence(deadline_text(problem))]),
            ("销号（验收）标准", [_sentence(problem.get("signoff"))]),
            ("佐证材料", [_sentence(problem.get("evidence"))]),
        ]
        kept = [(name, [line for line in lines if line]) for name, lines in parts]
        kept = [(name, lines) for name, lines in kept if lines]
        numbered = [(f"（{int_to_chinese(at)}）{name}。", lines) for at, (name, lines) in enumerate(kept, start=1)]
        out.append((f"{int_to_chinese(number)}、{_sentence(problem['problem'])}", numbered))
    return out


def list_cells(number: int, problem: dict) -> list[str]:
    """One row of the 整改清单, in LIST_COLUMNS' order; a cell's lines separated by newlines. The 依据 cell
    names the citations: the requirements they state are quoted in full in the 方案's text."""
    return [
        str(number),
        problem["problem"],
        problem.get("target") or "",
        problem.get("measures") or "",
        problem.get("leader") or "",
        problem.get("unit") or "",
        problem.get("partners") or "",
        problem.get("owner") or "",
        deadline_text(problem),
        problem.get("signoff") or "",
        "\n".join(basis_by_document(problem)),
        problem.get("evidence") or "",
    ]


def plan_citations(problems: list[dict]) -> str:
    """The plan's text that cites: every basis and penalty, the measures, the sign-off standard and the
    evidence (both may quote a 销号办法), one per line."""
    lines = []
    for problem in problems:
        lines += basis_lines(problem)
        lines += [problem[key] for key in ("measures", "signoff", "evidence") if problem.get(key)]
    return "\n".join(lines)
