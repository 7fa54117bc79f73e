"""The 销号（验收）标准 and 佐证材料 of a plan, drafted from a 销号办法 in the index: the clause that states the
conditions a problem must meet to be signed off, and the one that lists the materials to hand in, each quoted
and cited. Found by wording and structure (an article that sets conditions for 销号 and lists them), never by
a document's name, so any bureau's own 销号办法 serves once it is indexed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policy_search.authority import authority_level
from policy_search.model import Citation
from policy_search.validity import IN_FORCE, validity
from service.retrieval.loaded import LoadedIndex

_LIST = "(?:下列|以下|如下)"
# 符合下列条件的，方可申请销号 / 销号应当具备以下条件 / 销号标准为: the conditions. 不得申请销号 and 撤销销号 list
# the cases that bar or undo it; they never name 条件 this way.
CONDITIONS = re.compile(
    rf"(?:符合|满足|具备|达到){_LIST}(?:全部|各项)?(?:条件|要求|标准)[^。；：]{{0,16}}销号"
    rf"|销号[^。；：]{{0,12}}(?:符合|满足|具备|达到){_LIST}(?:条件|要求|标准)"
    r"|销号(?:验收)?(?:条件|标准)(?:为|是|包括|如下)"
)
# By structure: a list (items after a colon) in a chapter or section headed 销号条件 / 销号标准 / 验收标准, when its
# own words do not say so; a list of what bars or undoes 销号 is not one.
CONDITIONS_HEADING = re.compile(r"(?:销号|验收)(?:条件|标准)")
MATERIALS_HEADING = re.compile(r"(?:销号|验收)[^　 ]{0,4}材料")
BARS = re.compile(r"不得|不予|撤销|情形之一")
# 申请销号应当提交下列材料 / 销号申请材料包括: the materials.
MATERIALS = re.compile(
    rf"销号[^。；：]{{0,16}}(?:提交|报送|提供|附送?){_LIST}?[^。；：]{{0,6}}材料"
    r"|销号(?:申请)?材料(?:包括|为|如下)"
)


@dataclass(frozen=True)
class QuotedRule:
    citation: str
    clause_id: str
    lead: str  # the sentence that introduces the list, up to its colon
    body: str  # what follows: the conditions or materials themselves


@dataclass(frozen=True)
class SignoffRules:
    """What a 销号办法 says a problem needs to be signed off."""

    title: str
    conditions: QuotedRule | None
    materials: QuotedRule | None

    def standard(self) -> str:
        """The 销号（验收）标准 cell: the conditions, as the 办法 states them, cited."""
        return f"符合{self.conditions.citation}规定的销号条件：{self.conditions.body}" if self.conditions else ""

    def evidence(self) -> str:
        """The 佐证材料 cell: the materials the 办法 asks for, cited."""
        return f"按照{self.materials.citation}规定提交：{self.materials.body}" if self.materials else ""

    def citations(self) -> list[dict]:
        return [{"citation": rule.citation, "clause_id": rule.clause_id} for rule in (self.conditions, self.materials) if rule]


def _quote(index: LoadedIndex, position: int, match: re.Match) -> QuotedRule:
    """The 款 holding the match, split at its colon into the lead and the list, and its citation."""
    clause = index.clauses[position]
    meta = index.documents[index.doc_of[position]]
    locator = clause.locator
    start, end = 0, len(clause.text)
    for span in locator.paragraphs:
        if span[0] <= match.start() < span[1]:
            start, end = span
    text = clause.text[start:end].strip()
    lead, colon, body = text.partition("：")
    if not colon:
        lead, body = "", text
    body = re.sub(r"\s*\n\s*", "", body).strip()
    if body and body[-1] not in "。；":
        body += "。"
    body = re.sub("；$", "。", body)
    paragraph = locator.paragraph_at(match.start())
    citation = Citation(meta.title, locator.article, paragraph, None, locator.path, meta.part_label).render()
    return QuotedRule(citation, clause.clause_id, lead, body)


def _rank(index: LoadedIndex, doc: int, region: str | None) -> tuple:
    """A document of the plan's region first, then higher authority (the newer first within a rank: sorted so before)."""
    meta = index.documents[doc]
    local = bool(region) and bool(meta.region) and (region in meta.region or meta.region in region)
    return (not local, authority_level(meta.doc_type))


def _listed_under(clause, heading: str, heading_pattern: re.Pattern) -> re.Match | None:
    """The lead of a list (the text up to its colon) in a part headed by `heading_pattern`, unless it bars 销号."""
    if not clause.locator.items or not heading_pattern.search(heading):
        return None
    lead = re.match(r"[^：]{2,80}：", clause.text)
    return lead if lead and not BARS.search(lead.group()) else None


def find_signoff_rules(index: LoadedIndex, region: str | None = None) -> SignoffRules | None:
    """The 销号办法 in force whose articles state 销号 conditions (and, where it has them, materials).

    Several candidates: one of the plan's region first; without a region, texts of more than one region are
    not guessed between (a plan that cites another province's 办法 is worse than an empty cell)."""
    found: dict[int, dict[str, tuple[int, re.Match, bool]]] = {}
    for position, clause in enumerate(index.clauses):
        heading = " ".join(clause.locator.path)
        if ("销号" not in clause.text and "销号" not in heading) or not index.searchable[position]:
            continue
        doc = int(index.doc_of[position])
        if validity(index.documents[doc]) != IN_FORCE:
            continue
        for kind, pattern, heading_pattern in (("conditions", CONDITIONS, CONDITIONS_HEADING), ("materials", MATERIALS, MATERIALS_HEADING)):
            worded = pattern.search(clause.text)
            match = worded or _listed_under(clause, heading, heading_pattern)
            kinds = found.setdefault(doc, {})
            # the first clause that says so in words; else the first list under such a heading
            if match and (kind not in kinds or (worded and not kinds[kind][2])):
                kinds[kind] = (position, match, bool(worded))
    candidates = [doc for doc, kinds in found.items() if "conditions" in kinds]
    if not candidates:
        return None
    candidates.sort(key=lambda doc: index.documents[doc].date or "", reverse=True)
    candidates.sort(key=lambda doc: _rank(index, doc, region))
    best = index.documents[candidates[0]]
    regions = {index.documents[doc].region for doc in candidates}
    if len(regions) > 1 and _rank(index, candidates[0], region)[0]:
        return None
    kinds = found[candidates[0]]
    conditions = _quote(index, *kinds["conditions"][:2])
    materials = _quote(index, *kinds["materials"][:2]) if "materials" in kinds else None
    return SignoffRules(best.title, conditions, materials)
