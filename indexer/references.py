"""References between documents, worked out for every generation: what each clause cites, restates or repeals.

- **cites**: 根据/依照《…》第X条第M款第（K）项, a 《title》 alone (in a preamble: 根据《X》…制定本办法) and 文号,
  resolved to the indexed document, the unit holding the cited 款/项, and its number; what does not resolve is
  kept as written. A citation names the version in force when the citing text was made, unless it names one.
- **restates**: a clause of a lower authority most of whose (rarity-weighted) character bigrams appear in one
  clause of a higher authority it may rest on (a national text, or one of its own region), with that share as
  the similarity: how a measure that cites nothing still finds its upper-level basis.
- **repeals**: 本办法自…起施行，《…》同时废止 — the named document is repealed by the citing one.

A reference to the citing document itself, or to another version of it, is not kept.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace

import numpy as np
from scipy import sparse

from indexer import links
from indexer.dates import parse_date
from policy_search.authority import rests_on
from policy_search.catalog import Catalog
from policy_search.citations import TITLE, CitationQuery, Mention, mentions
from policy_search.model import CITES, REPEALS, RESTATES, Clause, ClauseKind, DocumentMeta, Reference
from policy_search.resolve import OK, CitationResolver
from policy_search.text import fold

VERSION = 1  # recorded in the manifest
RESTATE_SHARE = 0.6  # share of a clause's weighted bigrams a higher clause must hold for a restatement
RESTATE_MIN_BIGRAMS = 16  # shorter clauses (施行 dates, one-line definitions) say too little to be matched
RESTATE_LIMIT = 3  # restated clauses kept per clause, best first
MIN_SUPPORT = 2  # restating clauses a document needs towards another it does not cite
COMMON_SHARE = 0.02
AGREEMENT = 0.2  # share of a citing clause's words an article of a younger version must hold to be the one meant  # bigrams in more clauses than this share carry no evidence and are left out

_ALIAS = re.compile(r"以下简称《?([^《》（）()，。]{2,20})》?")
_YEAR = re.compile(r"(\d{4})年")
# 《关于修改〈…〉的决定》修正的《…》同时废止: a title followed by these words is the amending act, not the repealed text
_AMENDING = re.compile(r"^[（(][^（）()]*[)）]?|^(?:修正|修改|修订|第[一二三四五六七八九十]+次|等)")
# 依照《X》第N条的规定处以罚款 / 按照…规定处罚 / …规定给予处分: the cited article is a penalty
_INVOKES_PENALTY = re.compile(r"^(?:的)?(?:有关)?规定(?:[^，。；]{0,6}?)(?:罚款|处罚|处分)")
_CITING_KINDS = (ClauseKind.ARTICLE, ClauseKind.PREAMBLE, ClauseKind.PARAGRAPH, ClauseKind.HEADING)
_EFFECTIVE = re.compile(
    r"本(?:法|条例|规定|办法|细则|决定|措施|方案|意见|通知|解释|规则|实施办法|实施细则|标准)"
    r"(?:自|从|于)\s*((?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年[^日]{1,8}日)\s*起?(?:施行|实施|执行|生效)"
)


def effective_date(clauses: list[Clause]) -> str | None:
    """The 施行日期 a document states (本办法自2025年1月1日起施行), looking from its end."""
    for clause in reversed(clauses[-12:]):
        match = _EFFECTIVE.search(clause.text)
        if match:
            return parse_date(match.group(1))
    return None


def repealed_titles(text: str) -> list[str]:
    """Titles a clause repeals: …《A》、…《B》同时废止 (not an amending act named on the way)."""
    titles = []
    for sentence in re.split(r"[。；;]", text):
        if not re.search(r"(?:同时|予以|即行)废止", sentence):
            continue
        end = re.search(r"(?:同时|予以|即行)废止", sentence).start()
        for match in re.finditer(TITLE, sentence[:end]):
            if not _AMENDING.match(sentence[match.end() : end]) or sentence[match.end() : end].startswith(("（以下", "(以下")):
                titles.append(match.group(1).strip())
    return titles


class Linker:
    """Resolves mentions against the documents of one generation."""

    def __init__(self, documents: list[DocumentMeta], clauses: list[Clause]) -> None:
        self.catalog = Catalog(documents, clauses)
        self.resolver = CitationResolver(self.catalog)
        self.words = Words(self.catalog)

    def resolve(
        self, mention: Mention, source_doc: int, aliases: dict[str, str], context: str = "", exact: bool = False
    ) -> Reference | None:
        """The reference a mention makes from a clause of `source_doc` whose text is `context` (with `exact`,
        only to a text of that very title: what a repeal strikes)."""
        catalog = self.catalog
        source = catalog.documents[source_doc]
        names = ()
        if mention.title:
            title = aliases.get(fold(mention.title), mention.title)
            names = (title,)
        article = mention.label
        query = CitationQuery(names=names, article=article, article_number=mention.article, paragraph=mention.paragraph,
                              item=mention.item, span=(0, len(mention.text)), unit=mention.unit,
                              doc_number=mention.doc_number, text=mention.text)
        docs, _ = self.resolver.documents(query, None, exact=exact)
        docs = [d for d in docs if catalog.documents[d].version_key != source.version_key]
        if not docs:
            return Reference("", CITES, mention.text) if mention.title else None
        docs = self._versions_first(docs, source, mention.note)
        if article is None:
            return Reference("", CITES, mention.text, catalog.documents[docs[0]].doc_id)
        for doc in docs:
            found = self.resolver.in_document(query, doc)
            if found.status == "article_not_found":
                continue
            if not self._agrees(catalog.documents[doc], source, found.group, context, mention):
                break
            ok = found.status == OK
            return Reference("", CITES, mention.text, catalog.documents[doc].doc_id, catalog.clauses[found.position].clause_id,
                             mention.paragraph if ok else None, mention.item if ok else None)
        return Reference("", CITES, mention.text, catalog.documents[docs[0]].doc_id)

    def _agrees(self, cited: DocumentMeta, source: DocumentMeta, group: int, context: str, mention: Mention) -> bool:
        """Whether the article found is the one meant. Articles are renumbered when a text is revised, and an
        implementing text often still cites the old numbers. So an article cited for its penalty
        (依照…第N条的规定处以罚款) must be a penalty; and when every indexed version is younger than the citing
        text, the article is taken only if the citing clause speaks of what it says."""
        article = "".join(self.catalog.clauses[p].text for p in self.catalog.group_members[group])
        if _INVOKES_PENALTY.match(context[mention.after :]) and not links.is_penalty(article):
            return False
        if not (source.date and cited.date and cited.date > source.date):
            return True
        own = context
        for title in {m.group(0) for m in re.finditer(TITLE, context)}:
            own = own.replace(title, "")
        return self.words.share(own, article) >= AGREEMENT

    def _versions_first(self, docs: list[int], source: DocumentMeta, note: str | None) -> list[int]:
        """The versions of the text meant (the resolver's best), the one a citation means first: the year it
        names, else the newest not younger than the citing text."""
        metas = self.catalog.documents
        docs = [d for d in docs if metas[d].version_key == metas[docs[0]].version_key]  # the text meant, any version
        year = _YEAR.search(note or "")
        if year:
            named = [d for d in docs if (metas[d].date or "").startswith(year.group(1))]
            return named + [d for d in docs if d not in named]
        if source.date:
            then = sorted((d for d in docs if metas[d].date and metas[d].date <= source.date), key=lambda d: metas[d].date, reverse=True)
            return then[:1] + [d for d in docs if d not in then[:1]]
        return docs


def document_aliases(clauses: list[Clause]) -> dict[str, str]:
    """Short names a document declares: 《中华人民共和国土地管理法》（以下简称《土地管理法》）."""
    aliases = {}
    for clause in clauses:
        for match in re.finditer(TITLE + r"\s*[（(]\s*" + _ALIAS.pattern, clause.text):
            aliases[fold(match.group(2).strip())] = match.group(1).strip()
    return aliases


def explicit_references(linker: Linker) -> tuple[list[Reference], dict[str, str]]:
    """What every clause cites, and the documents repealed by another (doc id → repealing doc id)."""
    catalog = linker.catalog
    references: list[Reference] = []
    repealed: dict[str, str] = {}
    for doc, positions in enumerate(catalog.doc_clauses):
        clauses = [catalog.clauses[p] for p in positions]
        aliases = document_aliases(clauses)
        source = catalog.documents[doc]
        for clause in clauses:
            repealing = set(repealed_titles(clause.text))
            seen = set()
            for mention in mentions(clause.text):
                if mention.title in repealing and mention.article is None:
                    found = linker.resolve(mention, doc, aliases, exact=True)
                    target = catalog.documents[catalog.doc_pos[found.target_doc]] if found and found.target_doc else None
                    if target is not None and (not target.date or not source.date or target.date <= source.date):
                        repealed.setdefault(target.doc_id, source.doc_id)
                        references.append(replace(found, source=clause.clause_id, kind=REPEALS))
                    continue
                if clause.kind not in _CITING_KINDS:  # an adoption note names the acts that amended the text
                    continue
                found = linker.resolve(mention, doc, aliases, clause.text)
                if found is None or (found.text, found.target) in seen:
                    continue
                seen.add((found.text, found.target))
                references.append(replace(found, source=clause.clause_id))
    return references, repealed


def _bigrams(text: str) -> list[str]:
    folded = re.sub(r"[\s，。；：、,.;:（）()“”《》〈〉]", "", fold(text))
    return list({folded[i : i + 2] for i in range(len(folded) - 1)})


class Words:
    """Character bigrams of the clauses with their rarity, common ones left out: the vocabulary both the
    restatement match and the version check compare clauses with."""

    def __init__(self, catalog: Catalog) -> None:
        self.searchable = [i for i, c in enumerate(catalog.clauses) if catalog.searchable[i]]
        self.grams = {i: _bigrams(catalog.clauses[i].text) for i in self.searchable}
        frequency = Counter(g for i in self.searchable for g in self.grams[i])
        limit_df = max(20, int(COMMON_SHARE * len(self.searchable)))
        self.vocab = {g: n for n, g in enumerate(g for g, df in frequency.items() if df <= limit_df)}
        self.idf = np.array([math.log(1 + len(self.searchable) / frequency[g]) for g in self.vocab], dtype=np.float32)

    def share(self, text: str, other: str) -> float:
        """Weighted share of `text`'s bigrams that `other` holds."""
        wanted = [(g, float(self.idf[self.vocab[g]])) for g in _bigrams(text) if g in self.vocab]
        total = sum(weight for _, weight in wanted)
        if not total:
            return 0.0
        held = set(_bigrams(other))
        return sum(weight for g, weight in wanted if g in held) / total


def higher(target: DocumentMeta, source: DocumentMeta, named: bool = False) -> bool:
    return rests_on(target.doc_type, target.region, source.doc_type, source.region, named=named)


def restatements(catalog: Catalog, words: Words, cited: set[tuple[str, str]] = frozenset(), *,
                 share: float = RESTATE_SHARE, limit: int = RESTATE_LIMIT) -> list[Reference]:
    """Clauses that restate a clause of a document above them, with the share of their words it holds.

    A document restating another does so in several clauses, or says that it rests on it: a lone match with a
    document the citing one never names (two boilerplate 玩忽职守 articles of unrelated texts) is dropped.
    `cited` holds (citing doc id, cited doc id) pairs."""
    docs = catalog.documents
    grams, vocab, idf = words.grams, words.vocab, words.idf
    sources, targets = [], []
    for i in words.searchable:
        if sum(1 for g in grams[i] if g in vocab) >= RESTATE_MIN_BIGRAMS:
            sources.append(i)
        targets.append(i)
    # a text may rest on the texts of a region it cites (a city's measures citing the province's 办法)
    named_regions: dict[str, set[str]] = {}
    by_id = {doc.doc_id: doc for doc in docs}
    for citing, cited_doc in cited:
        if cited_doc in by_id and by_id[cited_doc].region:
            named_regions.setdefault(citing, set()).add(by_id[cited_doc].region)
    above = {s: [t for t in range(len(docs)) if higher(docs[t], docs[s], docs[t].region in named_regions.get(docs[s].doc_id, ()))]
             for s in range(len(docs))}
    sources = [i for i in sources if above[int(catalog.doc_of[i])]]
    target_docs = {t for s in {int(catalog.doc_of[i]) for i in sources} for t in above[s]}
    targets = [i for i in targets if int(catalog.doc_of[i]) in target_docs]
    if not sources or not targets:
        return []

    def matrix(rows: list[int], weighted: bool) -> sparse.csr_matrix:
        indptr, indices = [0], []
        for i in rows:
            indices += [vocab[g] for g in grams[i] if g in vocab]
            indptr.append(len(indices))
        indices = np.array(indices, dtype=np.int32)
        data = idf[indices] if weighted else np.ones(len(indices), dtype=np.float32)
        return sparse.csr_matrix((data, indices, np.array(indptr)), shape=(len(rows), len(vocab)))

    source_m, target_m = matrix(sources, True), matrix(targets, False).T.tocsc()
    totals = np.asarray(source_m.sum(axis=1)).ravel()
    target_doc_of = np.array([int(catalog.doc_of[t]) for t in targets])
    # a penalty restates a penalty, a duty a duty: the words of a duty reappear in the penalty enforcing it
    penalty = np.array([links.is_penalty(catalog.clauses[i].text) for i in range(len(catalog.clauses))])
    target_penalty = penalty[targets]
    found: list[Reference] = []
    for start in range(0, len(sources), 512):
        block = (source_m[start : start + 512] @ target_m).toarray() / totals[start : start + 512, None]
        for row, shares in enumerate(block):
            source = sources[start + row]
            allowed = np.isin(target_doc_of, above[int(catalog.doc_of[source])]) & (target_penalty == penalty[source])
            shares = np.where(allowed, shares, 0.0)
            best = np.argsort(-shares)[: limit * 4]
            kept: set[int] = set()
            for column in best:
                if shares[column] < share or len(kept) >= limit:
                    break
                target = targets[column]
                if target_doc_of[column] in kept:  # one clause per higher document: its best
                    continue
                kept.add(int(target_doc_of[column]))
                found.append(Reference(catalog.clauses[source].clause_id, RESTATES, "", docs[target_doc_of[column]].doc_id,
                                       catalog.clauses[target].clause_id, similarity=round(float(shares[column]), 3)))
    source_doc = {r.source: docs[catalog.doc_of[catalog.clause_pos[r.source]]].doc_id for r in found}
    support = Counter((source_doc[r.source], r.target_doc) for r in found)
    return [r for r in found if support[source_doc[r.source], r.target_doc] >= MIN_SUPPORT or (source_doc[r.source], r.target_doc) in cited]


def link_documents(documents: list[DocumentMeta], clauses: list[Clause]) -> tuple[list[DocumentMeta], list[Reference]]:
    """Every reference of a generation, and the documents updated with what the texts say of them: a 施行日期
    when the metadata had none, and who repeals them."""
    linker = Linker(documents, clauses)
    catalog = linker.catalog
    documents = [
        meta if meta.effective_date else replace(meta, effective_date=effective_date([catalog.clauses[p] for p in positions]))
        for meta, positions in zip(documents, catalog.doc_clauses)
    ]
    references, repealed = explicit_references(linker)
    doc_of = {c.clause_id: c.doc_id for c in catalog.clauses}
    references += restatements(catalog, linker.words, {(doc_of[r.source], r.target_doc) for r in references if r.target_doc})
    documents = [
        replace(meta, repealed_by=repealed[meta.doc_id], superseded=True) if meta.doc_id in repealed else meta
        for meta in documents
    ]
    return documents, references
