"""Drafting a rectification plan: bases per problem, most relevant first, with obligations and penalties."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from policy_search.authority import DOC_TYPES, authority_level
from policy_search.errors import InvalidQuery
from service.drafting.obligations import obligation_sentences
from service.drafting.signoff import find_signoff_rules
from service.retrieval.filters import SearchFilters
from service.retrieval.results import clause_result, hit_result
from service.retrieval.searcher import Searcher
from service.retrieval.successors import in_force_bases
from service.retrieval.weak import coverage as word_coverage

# A base must hold this share of the problem's words, weighted by rarity (BM25's idf), to be suggested at
# all: a plan cites nothing rather than a clause that only resembles the problem. Embedding similarity was
# measured as a floor too and left out: on the eco queries the cosines of relevant and unrelated bases
# overlap (0.87–0.94 against 0.85–0.92 for e5-small), while every relevant drafting base shares ≥ 13%.
MIN_COVERAGE = 0.12
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
    target: str | None = None  # 整改目标
    leader: str | None = None  # 责任领导
    partners: str | None = None  # 配合单位
    owner: str | None = None  # 责任人
    deadline_kind: str | None = None  # 立行立改, 限期整改 or 长期坚持
    evidence: str | None = None  # 佐证材料


# The plan's columns besides the problem itself, as a draft's rows and the export carry them.
PLAN_FIELDS = ("target", "measures", "leader", "unit", "partners", "owner", "deadline_kind", "deadline", "signoff", "evidence")


@dataclass(frozen=True)
class DraftOptions:
    bases_per_problem: int = 10
    doc_types: tuple[str, ...] = ()
    region: str | None = None
    penalties_per_problem: int = 5
    include_samples: bool = False  # sample documents are nobody's authority: bases only when asked for

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
    issuer: str | None = None  # the 落款's unit
    date: str | None = None  # the 落款's date, ISO (YYYY-MM-DD); the export's day when None
    signoff_rules: list[dict[str, str]] = field(default_factory=list)  # the 销号办法 clauses the drafted 销号标准 cite

    def to_dict(self) -> dict[str, Any]:
        return {"draft_id": self.draft_id, "title": self.title, "index_generation": self.index_generation,
                "issuer": self.issuer, "date": self.date, "signoff_rules": self.signoff_rules, "problems": self.problems}


def authority_rank(result: dict) -> tuple[int, int]:
    """The authority scale, then, within one level, the order of the scale's types (行政法规 before 司法解释)."""
    doc_type = result["document"]["doc_type"]
    return authority_level(doc_type), DOC_TYPES.index(doc_type) if doc_type in DOC_TYPES else len(DOC_TYPES)


def coverage(searcher: Searcher, tokens: list[str], position: int) -> float:
    """The share of the problem's words a unit holds, weighted by rarity (service/retrieval/weak.py)."""
    return word_coverage(searcher.index, tokens, position)


def draft_problem(searcher: Searcher, problem: Problem, options: DraftOptions) -> dict[str, Any]:
    """Bases (the most relevant first, laws and local texts alike; the authority is for grouping on display), their
    obligations, and the penalties linked to them. A local base of the problem's region comes with the national
    clause it rests on."""
    text = problem.text.strip()
    if not text:
        raise InvalidQuery("a problem's text is empty")
    if len(text) > MAX_PROBLEM_CHARS:
        raise InvalidQuery(f"a problem is {len(text)} characters; at most {MAX_PROBLEM_CHARS}")
    region = problem.region or options.region
    query = f"{region} {text}" if region and region not in text else text
    filters = SearchFilters(doc_types=options.doc_types, include_samples=options.include_samples)
    # a plan cites the texts in force: no older versions brought in beside the bases (companions.py); no dense
    # feedback, which lost on the drafting problems' folds (BENCHMARKS.md)
    searcher = searcher.with_config(dense_weight=searcher.config.drafting_dense_weight,
                                    dense_floor=searcher.config.drafting_dense_floor, companions=0, feedback_k=0)
    outcome = searcher.search(query, filters, top_k=options.bases_per_problem)
    index = searcher.index
    hits = [hit for hit in outcome.hits if hit.citation is not None or coverage(searcher, outcome.tokens, hit.clause) >= MIN_COVERAGE]
    bases = in_force_bases(index, searcher.succession, [hit_result(index, hit, outcome.tokens) for hit in hits])
    for rank, base in enumerate(bases):
        base["relevance_rank"] = rank + 1
    # A local base's national base may itself be repealed: it too gives way to the article in force.
    national = with_national_bases(searcher, bases, searcher.regions_named(query), options)
    bases = in_force_bases(index, searcher.succession, national)[: options.bases_per_problem]
    hits = [hit for hit in hits if any(b["clause_id"] == index.clauses[hit.clause].clause_id for b in bases)]

    obligations = [
        {"clause_id": base["clause_id"], "citation": base["citation"], "sentence": sentence}
        for base in bases
        for sentence in obligation_sentences(base["text"])
    ]
    chosen = {hit.group for hit in hits}
    penalties = []
    for hit in hits:
        for group in index.penalties.get(hit.group, []):
            if group not in chosen and len(penalties) < options.penalties_per_problem:
                chosen.add(group)
                penalties.append(clause_result(index, index.group_members[group][0], hit.score, outcome.tokens))
    row = {
        "problem": text,
        "bases": bases,
        "obligations": obligations,
        "penalties": penalties,
        **{name: getattr(problem, name) for name in PLAN_FIELDS},
    }
    if not bases:
        row["notice"] = "没有找到足够相关的依据：请换用问题的关键词，或补充相关文件后再试"
    elif outcome.notice:
        row["notice"] = outcome.notice
    return row


def with_national_bases(searcher: Searcher, bases: list[dict], regions: set[str], options: DraftOptions) -> list[dict]:
    """Each local base of a region the problem names followed by the national clause it cites or restates (the
    higher base the indexer linked it to), unless that clause is already among the bases before it."""
    if not regions:
        return bases
    index = searcher.index
    relations = searcher.relations
    out: list[dict] = []
    seen: set[str] = set()
    for base in bases:
        if base["clause_id"] in seen:
            continue
        out.append(base)
        seen.add(base["clause_id"])
        if base["document"]["region"] not in regions:
            continue
        group = int(index.group_of[index.clause_pos[base["clause_id"]]])
        for higher in relations.bases(group):
            if higher.get("clause_id") and higher["document"]["region"] == "全国" and not higher["document"]["sample"]:
                if higher["clause_id"] not in seen:
                    later = next((b for b in bases if b["clause_id"] == higher["clause_id"]), None)
                    if later is None and options.doc_types and higher["document"]["doc_type"] not in options.doc_types:
                        break
                    national = later or higher | {"national_base_of": base["clause_id"]}
                    out.append(national)
                    seen.add(national["clause_id"])
                break
    return out


def draft_plan(searcher: Searcher, problems: list[Problem], options: DraftOptions, title: str | None = None,
               issuer: str | None = None, date: str | None = None) -> Draft:
    if not problems:
        raise InvalidQuery("no problems given")
    if len(problems) > MAX_PROBLEMS:
        raise InvalidQuery(f"at most {MAX_PROBLEMS} problems per draft, got {len(problems)}")
    rows = [draft_problem(searcher, problem, options) for problem in problems]
    rules = find_signoff_rules(searcher.index, options.region or next((p.region for p in problems if p.region), None))
    if rules:  # what the person typed stays; an empty 销号标准 or 佐证材料 is drafted from the 销号办法
        for row in rows:
            row["signoff"] = row["signoff"] or rules.standard() or None
            row["evidence"] = row["evidence"] or rules.evidence() or None
    return Draft(uuid.uuid4().hex[:12], title or DEFAULT_TITLE, rows, searcher.index.generation, issuer=issuer, date=date,
                 signoff_rules=rules.citations() if rules else [])


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
