"""The citation check (引用核验): every citation in a text, each with a verdict.

Citations are read as the indexer reads references (《X》第N条第M款第（K）项, runs of places, 文号), plus
short names without 《》 (环保法第五十九条) and 本法/该法/同法 第N条, resolved from context: the document being
checked when one is named, otherwise the document named last before it. Verdicts:

    ok                 the document and place exist and are in force; the text is quoted
    unknown_document   no indexed document has that name or 文号 (similar titles suggested)
    ambiguous          a short name that fits several documents
    no_article         the document has no such article or numbered part (the nearest ones suggested)
    no_paragraph       the article has no such 款
    no_item            the article or 款 has no such 项
    older_version      a version that is no longer current is cited, and a newer one is indexed (the current
                       citation given); a text its source marks 已被修改 whose newer version is not indexed is
                       ok, with the notice 库中未收录修正后的版本，请核对 (it never counts as a problem)
    repealed           the document is repealed (by the indexed text that says so, when known)
    not_in_force       the document's 施行日期 is still to come
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from policy_search.citations import CitationQuery, Mention, find_citations, mentions
from policy_search.model import Citation
from policy_search.resolve import OK, Resolution
from policy_search.text import fold
from policy_search.validity import AMENDED, AMENDMENT_NOT_INDEXED, NOT_YET, REPEALED, validity
from service.retrieval.searcher import Searcher
from service.retrieval.successors import successors_of

VERDICTS = ("ok", "unknown_document", "ambiguous", "no_article", "no_paragraph", "no_item", "older_version",
            "repealed", "not_in_force")
MAX_CHECK_CHARS = 200_000
COUNTERPART_SHARE = 0.4  # share of an older article's bigrams the current article must hold to be its counterpart
_KINDS = "法|条例|办法|规定|细则|决定|措施|方案|意见|通知|解释|规则|纲要|规划"
_ANAPHORA = re.compile(rf"(本|该|同|上述|前述)({_KINDS})$")
_TITLE_END = re.compile(rf"(?:{_KINDS})$")
# words before a name typed without 《》 that are not part of it
_BEFORE_NAME = re.compile(r".*(?:根据|依据|依照|按照|违反|参照|对照|落实|执行|贯彻|适用|引用|符合|见|按|依|据|对|[，。；：、,;:\s])")
_YEAR = re.compile(r"(\d{4})年")
_RESOLUTION_VERDICT = {"article_not_found": "no_article", "paragraph_not_found": "no_paragraph", "item_not_found": "no_item",
                       "document_not_found": "unknown_document", "ambiguous": "ambiguous"}


@dataclass
class Found:
    """A citation found in the text, with the document it names when that is known from context."""

    query: CitationQuery
    start: int
    end: int
    note: str | None = None  # version or 文号 written after the title
    refers_to: int | None = None  # document position, for 本法/该法
    anaphora: str | None = None  # 本法, 该条例 … as written


def citations_in(text: str) -> list[Found]:
    """Every citation in the text, in order."""
    found: list[Found] = []
    # 《X》第（二十九）项 and 《X》附件1第二部分 are read by the query parser; a document's references stop at 《X》
    precise = {c.span[0]: c for c in find_citations(text) if c.text.startswith("《") and (c.unit == "项" or c.attachment)}
    for m in mentions(text):
        c = precise.get(m.start) if m.article is None else None
        found.append(Found(c, *c.span, m.note) if c else Found(_query(m), m.start, m.end, m.note))
    taken = [(f.start, max(f.end, f.start + 1)) for f in found] + [(m.start, m.after) for m in mentions(text)]
    for c in find_citations(text):
        start, end = c.span
        if c.article is None or any(s <= start < e or s < end <= e for s, e in taken) or len(c.names) < 1:
            continue
        if c.text.lstrip().startswith("《"):
            continue
        bare = c.names[0]
        offset = start + (len(c.text) - len(c.text.lstrip()))
        anaphora = _ANAPHORA.search(bare)
        if anaphora:
            name = anaphora.group(0)
        else:
            lead = _BEFORE_NAME.match(bare)
            name = bare[lead.end() :] if lead else bare
            if len(name) < 2 or not _TITLE_END.search(name):
                continue  # 要求第三条…: not a document's name
        at = offset + bare.rfind(name)
        query = CitationQuery(names=(name,), article=c.article, article_number=c.article_number, paragraph=c.paragraph,
                              item=c.item, span=(at, end), unit=c.unit, text=text[at:end])
        found.append(Found(query, at, end, anaphora=name if anaphora else None))
    return sorted(found, key=lambda f: f.start)


def _query(m: Mention) -> CitationQuery:
    return CitationQuery(names=(m.title,) if m.title else (), article=m.label, article_number=m.article, paragraph=m.paragraph,
                         item=m.item, span=(m.start, m.end), unit=m.unit, doc_number=m.doc_number, text=m.text)


class CitationChecker:
    """Checks the citations of a text against one loaded generation."""

    def __init__(self, searcher: Searcher, today: str | None = None) -> None:
        self.index = searcher.index
        self.resolver = searcher.resolver
        self.succession = searcher.succession
        self.today = today

    def check(self, text: str, doc_id: str | None = None) -> dict[str, Any]:
        own = self.index.doc_pos.get(doc_id) if doc_id else None
        last: int | None = None
        results = []
        for found in citations_in(text):
            if found.anaphora:
                found.refers_to = own if found.anaphora.startswith("本") and own is not None else last
            result, doc = self._check(found)
            if doc is not None and not found.anaphora:
                last = doc
            results.append(result)
        summary: dict[str, int] = {}
        for result in results:
            summary[result["verdict"]] = summary.get(result["verdict"], 0) + 1
        return {"citations": results, "summary": summary, "problems": sum(r["verdict"] != "ok" for r in results),
                "index_generation": self.index.generation}

    # -- one citation ----------------------------------------------------------------------------------

    def _check(self, found: Found) -> tuple[dict[str, Any], int | None]:
        index, query = self.index, found.query
        base = {"text": query.text, "span": [found.start, found.end]}
        if found.anaphora:
            if found.refers_to is None:
                return {**base, "verdict": "unknown_document",
                        "message": f"无法从上下文确定“{found.anaphora}”所指的文件"}, None
            docs = [found.refers_to]
        else:
            docs, candidates = self.resolver.documents(query, None)
            if candidates:
                titles = [index.documents[pos].title for pos in candidates[:5]]
                return {**base, "verdict": "ambiguous", "message": "可指多个文件：" + "、".join(f"《{t}》" for t in titles),
                        "suggestions": titles}, None
            if not docs:
                typed = query.names[0] if query.names else query.doc_number
                return {**base, "verdict": "unknown_document", "message": f"索引中没有“{typed}”",
                        "suggestions": self.resolver.similar_titles(typed or "")}, None
        chosen = self._version(docs, found)
        current = self._current(chosen)
        if query.document_only:
            return self._verdict(base, chosen, current, None), chosen
        resolution = self.resolver.in_document(query, chosen)
        if resolution.status == "article_not_found" and chosen == current:
            for older in self._older(current):  # cited by an older version's numbering
                earlier = self.resolver.in_document(query, older)
                if earlier.status != "article_not_found":
                    result = self._verdict(base, older, current, earlier)
                    result["message"] = (f"现行《{index.documents[current].title}》没有{query.article}，"
                                         f"该条见于{index.documents[older].date or '旧'}版本")
                    result["suggestions"] = resolution.suggestions
                    return result, older
        if resolution.status != OK:
            return {**base, "verdict": _RESOLUTION_VERDICT[resolution.status], "message": resolution.message,
                    "suggestions": resolution.suggestions, **self._document_fields(chosen)}, chosen
        return self._verdict(base, chosen, current, resolution), chosen

    def _version(self, docs: list[int], found: Found) -> int:
        """The version cited: the one whose year the note names, else the best the resolver found (the
        current text, or the version a 文号 names)."""
        documents = self.index.documents
        docs = [d for d in docs if documents[d].version_key == documents[docs[0]].version_key]  # the text meant
        year = _YEAR.search(found.note or "")
        if year:
            named = [d for d in docs if (documents[d].date or "").startswith(year.group(1))]
            if named:
                return named[0]
        return docs[0]

    def _older(self, current: int) -> list[int]:
        documents = self.index.documents
        key = documents[current].version_key
        older = [pos for pos, meta in enumerate(documents) if meta.version_key == key and pos != current]
        return sorted(older, key=lambda pos: documents[pos].date or "", reverse=True)

    def _current(self, doc: int) -> int:
        """The current version of a document: the newest of its versions not superseded, or itself."""
        documents = self.index.documents
        key = documents[doc].version_key
        versions = [pos for pos, meta in enumerate(documents) if meta.version_key == key and not meta.superseded]
        return max(versions, key=lambda pos: documents[pos].date or "") if versions else doc

    def _verdict(self, base: dict, doc: int, current: int, resolution: Resolution | None) -> dict[str, Any]:
        index = self.index
        meta = index.documents[doc]
        status = validity(meta, self.today)
        result = {**base, **self._document_fields(doc)}
        if resolution is not None:
            result.update(self._place(resolution))
        if status == REPEALED:
            by = index.documents[index.doc_pos[meta.repealed_by]].title if meta.repealed_by in index.doc_pos else None
            result.update(verdict="repealed", message=f"《{meta.title}》已废止" + (f"（见《{by}》）" if by else ""))
            self._add_successors(result, resolution)
        elif doc == current and status == AMENDED:  # amended, but no newer version is indexed to compare with
            result.update(verdict="ok", notice=AMENDMENT_NOT_INDEXED, message=f"《{meta.title}》已被修改，{AMENDMENT_NOT_INDEXED}")
        elif doc != current:
            now = index.documents[current]
            result.update(verdict="older_version", message=f"引用的是{meta.date or '旧'}版本，现行版本为{now.date or '较新'}版本")
            counterpart = self._counterpart(resolution.position, current) if resolution is not None else None
            if counterpart is not None:
                result["current"] = self._place(Resolution(resolution.citation, OK, doc=current, position=counterpart))
                result["current"]["citation"] = self._citation_of(counterpart)
            else:
                result["current"] = {"citation": f"《{now.title}》", "doc_id": now.doc_id}
            if self._add_successors(result, resolution) and result["successors"]:
                first = result["successors"][0]
                result["current"] = {"citation": first["citation"], "clause_id": first["clause_id"],
                                     "doc_id": first["document"]["doc_id"], "quote": first["text"].strip()}
        elif status == NOT_YET:
            result.update(verdict="not_in_force", message=f"《{meta.title}》自{meta.effective_date}起施行，尚未施行")
        else:
            result.update(verdict="ok")
        return result

    def _add_successors(self, result: dict[str, Any], resolution: Resolution | None) -> bool:
        """The articles in force that carry the cited rule (新旧条文对照), and the citation to write instead:
        `replacement`, None where no article carries it. False where the index has no alignment for it."""
        if resolution is None or resolution.position is None:
            return False
        found = successors_of(self.index, self.succession, resolution.position, resolution.citation.paragraph)
        if found is None:
            return False
        result["successors"] = found["successors"]
        result["alignment"] = found["alignment"]
        result["replacement"] = _joined([s["citation"] for s in found["successors"]])
        if result["replacement"]:
            result["message"] += f"，现行对应条文：{result['replacement']}"
        else:
            result["message"] += "，现行文本中没有对应条文"
        return True

    def _counterpart(self, position: int, current: int) -> int | None:
        """The article of the current version that says most of what the cited one of an older version said
        (articles are renumbered when a text is revised): the first unit of its group, or None."""
        index = self.index
        old = _bigrams("".join(index.clauses[m].text for m in index.group_members[int(index.group_of[position])]))
        if not old:
            return None
        best, best_share = None, COUNTERPART_SHARE
        for unit in index.doc_clauses[current]:
            if not index.clauses[unit].locator.article or index.clauses[unit].locator.part != 1:
                continue
            group = index.group_members[int(index.group_of[unit])]
            share = len(old & _bigrams("".join(index.clauses[m].text for m in group))) / len(old)
            if share > best_share:
                best, best_share = unit, share
        return best

    def _citation_of(self, position: int) -> str:
        clause = self.index.clauses[position]
        return Citation(self.index.documents[int(self.index.doc_of[position])].title, clause.locator.article).render()

    def _document_fields(self, doc: int) -> dict[str, Any]:
        meta = self.index.documents[doc]
        return {"doc_id": meta.doc_id, "title": meta.title, "status": validity(meta, self.today)}

    def _place(self, resolution: Resolution) -> dict[str, Any]:
        """The cited clause: its citation as it should be written, its id and the words quoted."""
        index = self.index
        query = resolution.citation
        position = resolution.position
        clause = index.clauses[position]
        meta = index.documents[int(index.doc_of[position])]
        locator = clause.locator
        quote = "".join(index.clauses[m].text for m in index.group_members[int(index.group_of[position])])
        item_label = None
        if query.item:
            item = next((it for it in locator.items if it.level == 1 and it.number == query.item
                         and (query.paragraph is None or it.paragraph == query.paragraph)), None)
            if item is not None:
                item_label, quote = item.label, clause.text[item.start : item.end]
        elif query.paragraph and locator.paragraph_count > 1:
            index_in_clause = query.paragraph - locator.first_paragraph
            if 0 <= index_in_clause < len(locator.paragraphs):
                start, end = locator.paragraphs[index_in_clause]
                quote = clause.text[start:end]
        if meta.part_label:
            units = resolution.units or [position]
            quote = "".join(index.clauses[u].text for u in units)
            citation = query.text
        else:
            paragraph = query.paragraph if locator.paragraph_count > 1 else None
            citation = Citation(meta.title, locator.article, paragraph, item_label).render()
        return {"citation": citation, "clause_id": clause.clause_id, "doc_id": meta.doc_id, "quote": quote.strip()}


def _joined(citations: list[str]) -> str | None:
    """《法典》第一条、第五条 for several articles of one text; each cited in full otherwise."""
    if not citations:
        return None
    parts = [citations[0]]
    title = citations[0].split("》")[0] + "》"
    for citation in citations[1:]:
        parts.append(citation.removeprefix(title) if citation.startswith(title) else citation)
    return "、".join(parts)


def _bigrams(text: str) -> set[str]:
    folded = re.sub(r"[\s，。；：、,.;:（）()“”]", "", fold(text))
    return {folded[i : i + 2] for i in range(len(folded) - 1)}
