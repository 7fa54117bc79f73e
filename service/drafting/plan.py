"""Drafting a rectification plan: bases per problem, ordered by authority, with obligations and penalties."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from policy_search.errors import InvalidQuery
from service.drafting.obligations import obligation_sentences
from service.retrieval.filters import SearchFilters
from service.retrieval.results import clause_result, hit_result
from service.retrieval.searcher import Searcher

AUTHORITY = {"法律": 0, "行政法规": 1, "司法解释": 2, "地方性法规": 3, "规章": 4, "规范性文件": 4, "其他": 4, "讲话": 5}
MAX_PROBLEMS = 50
MAX_PROBLEM_CHARS = 500
MAX_BASES = 20
DEFAULT_TITLE = "生态环境保护督察反馈问题整改方案"


@dataclass(frozen=True)
class Problem:
    text: str
    unit: str | None = None
    deadline: str | None = None
    region: str | None = None
    measures: str | None = None
    signoff: str | None = None


@dataclass(frozen=True)
class DraftOptions:
    bases_per_problem: int = 8
    doc_types: tuple[str, ...] = ()
    region: str | None = None
    penalties_per_problem: int = 5

    def __post_init__(self) -> None:
        if not 1 <= self.bases_per_problem <= MAX_BASES:
            raise InvalidQuery(f"bases_per_problem must be between 1 and {MAX_BASES}, got {self.bases_per_problem}")


@dataclass
class Draft:
    draft_id: str
    title: str
    problems: list[dict[str, Any]]
    index_generation: str
    created: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {"draft_id": self.draft_id, "title": self.title, "index_generation": self.index_generation, "problems": self.problems}


def authority_rank(result: dict) -> int:
    return AUTHORITY.get(result["document"]["doc_type"] or "其他", 4)


def draft_problem(searcher: Searcher, problem: Problem, options: DraftOptions) -> dict[str, Any]:
    """Bases (best first within each authority level), their obligations, and the penalties linked to them."""
    text = problem.text.strip()
    if not text:
        raise InvalidQuery("a problem's text is empty")
    if len(text) > MAX_PROBLEM_CHARS:
        raise InvalidQuery(f"a problem is {len(text)} characters; at most {MAX_PROBLEM_CHARS}")
    region = problem.region or options.region
    query = f"{region} {text}" if region and region not in text else text
    filters = SearchFilters(doc_types=options.doc_types)
    outcome = searcher.search(query, filters, top_k=options.bases_per_problem)
    index = searcher.index
    bases = [hit_result(index, hit, outcome.tokens) for hit in outcome.hits]
    for rank, base in enumerate(bases):
        base["relevance_rank"] = rank + 1
    bases.sort(key=lambda b: (authority_rank(b), b["relevance_rank"]))

    obligations = [
        {"clause_id": base["clause_id"], "citation": base["citation"], "sentence": sentence}
        for base in bases
        for sentence in obligation_sentences(base["text"])
    ]
    chosen = {hit.group for hit in outcome.hits}
    penalties = []
    for hit in outcome.hits:
        for group in index.penalties.get(hit.group, []):
            if group not in chosen and len(penalties) < options.penalties_per_problem:
                chosen.add(group)
                penalties.append(clause_result(index, index.group_members[group][0], hit.score, outcome.tokens))
    return {
        "problem": text,
        "bases": bases,
        "obligations": obligations,
        "penalties": penalties,
        "measures": problem.measures,
        "unit": problem.unit,
        "deadline": problem.deadline,
        "signoff": problem.signoff,
    }


def draft_plan(searcher: Searcher, problems: list[Problem], options: DraftOptions, title: str | None = None) -> Draft:
    if not problems:
        raise InvalidQuery("no problems given")
    if len(problems) > MAX_PROBLEMS:
        raise InvalidQuery(f"at most {MAX_PROBLEMS} problems per draft, got {len(problems)}")
    rows = [draft_problem(searcher, problem, options) for problem in problems]
    return Draft(uuid.uuid4().hex[:12], title or DEFAULT_TITLE, rows, searcher.index.generation)


class DraftStore:
    """Recent drafts kept in memory, so that GET /drafts/{id}.docx can export what POST returned."""

    def __init__(self, capacity: int = 200) -> None:
        self.capacity = capacity
        self._drafts: OrderedDict[str, Draft] = OrderedDict()

    def put(self, draft: Draft) -> None:
        self._drafts[draft.draft_id] = draft
        while len(self._drafts) > self.capacity:
            self._drafts.popitem(last=False)

    def get(self, draft_id: str) -> Draft | None:
        return self._drafts.get(draft_id)
