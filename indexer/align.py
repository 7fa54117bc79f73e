"""新旧条文对照, worked out for every generation: each article of a repealed or older text aligned with the
articles of the text that replaced it (policy_search/alignment.py has the row it writes).

Which texts: a text repealed by an indexed one (…同时废止, `repealed_by`) is aligned with the repealing text;
an older version with the current version of the same title. How, for each old article and each of its 款:

- the similarity of the old unit to every new article of the same kind (a penalty, in a 法律责任 chapter, only
  to penalties; a duty only to what is not a penalty): the share of the old unit's character bigrams, weighted
  by rarity over both texts, that the new article holds (no bigram spans a number: amounts change), mixed with
  a little of the reverse share (DENSE_SHARE can add the cosine of the two articles' vectors; it is 0: words
  only, as chosen, BENCHMARKS.md);
  the bigrams found only in the bodies a unit names (国务院…主管部门) count BODY_WEIGHT: who acts is the setting;
- the headings: a candidate under the 编, 分编, 章 and 节 whose words hold the old article's chapter and section
  headings gains up to HEADING_BONUS (the part of the code the old law became, found from its own chapters);
- the other old texts the same new text replaced: a candidate in a part their clear successors fill and this
  text's do not loses up to FOREIGN_PENALTY;
- the order of the articles: the old text's neighbours that went to nearby new articles support a candidate
  (a code keeps each old law's rules together in its own part, in much the same order);
- below NONE_BELOW no article carries the rule: none, never the nearest article; an old article that only says
  when the text takes effect or what it repeals has no successor, nor has a rule about a day of the year
  (每年6月5日为环境日) where no article names that day.

An article whose 款 go to different new articles is `split` (with a row per 款); an article of several 款 that
went to one new article is answered with that article whole, and each of its 款 that a 款 of it clearly holds
has a row naming that 款 (so that citing the old 款 never gets another 款); a new article that is the
first successor of several old ones is `merged`; almost the same words both ways is `same`, else `amended`.
The changes in amounts, deadlines and the bodies named are listed.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from scipy import sparse

from policy_search.alignment import AMENDED, MERGED, NONE, REPEAL, SAME, SPLIT, VERSION, Alignment, Successor
from policy_search.model import Clause, ClauseKind, DocumentMeta
from policy_search.numerals import numeral_value
from policy_search.text import fold

ALIGNMENT_VERSION = 4  # recorded in the manifest
NONE_BELOW = 0.34  # a best score below it: no article carries the rule (chosen on the tuning sample, BENCHMARKS.md)
SAME_ABOVE = 0.95  # both shares at least this: the same words
REVERSE_SHARE = 0.2  # weight of the new article's share held by the old unit
DENSE_SHARE = 0.0  # weight of the articles' cosine (scaled from DENSE_FLOOR..1 to 0..1); 0: words only (BENCHMARKS.md)
DENSE_FLOOR = 0.75
ORDER_BONUS = 0.08  # at most this much for a candidate the old neighbours' successors sit next to
ORDER_WINDOW = 6  # new articles within this many numbers of a neighbour's successor support a candidate
HEADING_BONUS = 0.05  # (chosen by cross-validation, BENCHMARKS.md) at most this much for a new article whose part and chapter headings hold the old article's headings' words
MODAL_BONUS = 0.0  # at most this much for a new article with the old unit's kinds of rule (禁止, 应当, 鼓励, 可以, 罚款, 是指 …)
BODY_WEIGHT = 0.5  # weight of the bigrams of the bodies an old unit names (chosen by cross-validation, BENCHMARKS.md)
FOREIGN_PENALTY = 0.1  # (chosen by cross-validation) at most this much off a candidate in a part of the new text another old text clearly went into
TAKEN_PENALTY = 0.0  # times how much better another old article fits a new article that clearly carries its rule
CLAIM_ABOVE = 0.6  # an old article's best score from this up: a clear successor, counted for its part
CLAIM_MIN = 3  # a part with fewer clear successors is not judged
CLAIM_PRIOR = 2.0  # added to a part's count of clear successors
PARAGRAPH_SHARE = 0.6  # a new 款 is named when it holds this share of the old unit …
PARAGRAPH_LEAD = 1.5  # … and this many times the share of the next best 款 of that article

_LABEL = re.compile(r"^\s*第[零一二三四五六七八九十百千万\d]+条(?:之[一二三四五六七八九十]+)?[\s\u3000]*")
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fff]")
_NUMERAL = re.compile(r"[零一二三四五六七八九十百千万亿两]+(?=[万元倍日天个月年%])")
_COMMENCEMENT = re.compile(r"^本(?:法|条例|规定|办法|细则|决定)(?:自.{0,30}起施行|自公布之日起施行)[。，]?(?:.{0,200}同时废止。?)?$")
_PENALTY_PART = "法律责任"
_MODALS = [re.compile(p) for p in (r"禁止|不得", r"应当|必须", r"鼓励|支持|推广", r"可以", r"罚款|处分|拘留", r"是指|本法所称",
                                    r"负责|监督管理", r"制定|编制", r"公开|公布", r"报告|备案|报送")]
_HEADING_LABEL = re.compile(r"第[零一二三四五六七八九十百]+[编章节]|第[零一二三四五六七八九十百]+分编|分编|一般规定|通则|附则")
# a day of the year (每年6月5日为环境日) is what such a rule is about: only an article naming the same day carries it
_DAY = re.compile(r"每年\s*([\d一二三四五六七八九十]+)\s*月\s*([\d一二三四五六七八九十]+)\s*日")
_AMOUNT = re.compile(r"(?:[\d.]+|[零一二三四五六七八九十百千两]+)(?:万元|元|倍)|百分之[零一二三四五六七八九十点]+|[\d.]+%")
_DEADLINE = re.compile(r"(?:\d+|[一二三四五六七八九十百]+)(?:个)?(?:工作日|日|天|个月|年)(?:内|以内|之内|前)")
_SUBJECT = re.compile(r"(?:国务院|[\u4e00-\u9fff]{0,12}?人民政府|[\u4e00-\u9fff]{0,10}?主管部门|公安机关|海事管理机构|[\u4e00-\u9fff]{0,6}?监督管理部门)")
_SUBJECT_CUT = re.compile(r"[报向由的和及或经对将在为、，]")
_SUBJECT_LEAD = re.compile(r"^(?:由|向|经|报|对|的|和|及|与|会同|并|或者|以及|其他|有关|依法|应当)+")


@dataclass
class Article:
    """One article of a text, all its parts together."""

    clause_id: str  # the first unit's
    doc_id: str
    number: int | None
    text: str  # without its label
    penalty: bool  # in a 法律责任 chapter
    paragraphs: list[tuple[int, str]] = field(default_factory=list)  # (款 number, text) where there are several
    rows: list[int] = field(default_factory=list)  # positions of its units among the generation's clauses
    path: tuple[str, ...] = ()  # the 编, 章 and 节 it sits under, one heading each

    @property
    def headings(self) -> str:
        return " ".join(self.path)


def articles_by_document(clauses: list[Clause]) -> dict[str, list[Article]]:
    """The articles of every document, in order."""
    found: dict[str, list[Article]] = defaultdict(list)
    for row, clause in enumerate(clauses):
        loc = clause.locator
        if clause.kind != ClauseKind.ARTICLE or not loc.article:
            continue
        texts = [(loc.first_paragraph + i, clause.text[s:e]) for i, (s, e) in enumerate(loc.paragraphs)] or [(loc.first_paragraph, clause.text)]
        if loc.part == 1 or not found[clause.doc_id]:
            number = numeral_value(loc.article[1:-1]) if loc.article.endswith("条") else None
            found[clause.doc_id].append(Article(clause.clause_id, clause.doc_id, number, "", any(_PENALTY_PART in p for p in loc.path),
                                                path=tuple(loc.path)))
        article = found[clause.doc_id][-1]
        article.rows.append(row)
        article.text += clause.text
        if loc.paragraph_count > 1:
            article.paragraphs.extend(texts)
    for articles in found.values():
        for article in articles:
            article.text = _LABEL.sub("", article.text, count=1)
            article.paragraphs = [(n, _LABEL.sub("", t, count=1)) for n, t in _merge_paragraphs(article.paragraphs)]
    return found


def _merge_paragraphs(paragraphs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A 款 cut between two parts of a long article is one 款."""
    merged: dict[int, str] = {}
    for number, text in paragraphs:
        merged[number] = merged.get(number, "") + text
    return sorted(merged.items())


def text_pairs(documents: list[DocumentMeta]) -> list[tuple[str, str, str]]:
    """(old doc id, new doc id, reason): texts repealed by an indexed text, older versions and their current one."""
    by_id = {meta.doc_id: meta for meta in documents}
    current: dict[str, DocumentMeta] = {}
    for meta in documents:
        if not meta.superseded and not meta.repealed_by and meta.version_key:
            if meta.version_key not in current or (meta.date or "") > (current[meta.version_key].date or ""):
                current[meta.version_key] = meta
    pairs = []
    for meta in documents:
        if meta.repealed_by and meta.repealed_by in by_id and meta.repealed_by != meta.doc_id:
            pairs.append((meta.doc_id, meta.repealed_by, REPEAL))
        elif meta.superseded and meta.version_key in current and current[meta.version_key].doc_id != meta.doc_id:
            pairs.append((meta.doc_id, current[meta.version_key].doc_id, VERSION))
    return pairs


def align_documents(documents: list[DocumentMeta], clauses: list[Clause], vectors: np.ndarray | None = None) -> list[Alignment]:
    """Every alignment row of the generation: for each pair of texts, each old article and split 款."""
    pairs = text_pairs(documents)
    if not pairs:
        return []
    articles = articles_by_document(clauses)
    return _mark_merged(align_pairs(articles, pairs, vectors))


def align_pairs(articles: dict[str, list[Article]], pairs: list[tuple[str, str, str]], vectors: np.ndarray | None = None) -> list[Alignment]:
    """The rows of the pairs (scored by `score_pairs`)."""
    rows: list[Alignment] = []
    for old_doc, new_doc, reason, scored in score_pairs(articles, pairs, vectors):
        rows.extend(align_texts(articles[old_doc], articles[new_doc], reason, scored=scored))
    return rows


def score_pairs(articles: dict[str, list[Article]], pairs: list[tuple[str, str, str]], vectors: np.ndarray | None = None):
    """(old doc, new doc, reason, candidate_scores) of each pair, several old texts replaced by one new text
    scored together: the parts of the new text the other old texts clearly went into count against a candidate
    (FOREIGN_PENALTY)."""
    by_new: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for old_doc, new_doc, reason in pairs:
        if articles.get(old_doc) and articles.get(new_doc):
            by_new[new_doc].append((old_doc, reason))
    for new_doc, olds in by_new.items():
        new = articles[new_doc]
        base = {old_doc: _base_scores(articles[old_doc], new, vectors) for old_doc, _ in olds}
        penalties = _foreign_parts(base, new) if len(olds) > 1 and FOREIGN_PENALTY > 0 else {}
        taken = _taken(base) if TAKEN_PENALTY > 0 else {}
        for old_doc, reason in olds:
            penalty = penalties.get(old_doc)
            if old_doc in taken:
                penalty = taken[old_doc] + (0.0 if penalty is None else penalty[None, :])
            yield old_doc, new_doc, reason, candidate_scores(articles[old_doc], new, vectors, base[old_doc], penalty)


def _taken(base: dict[str, tuple]) -> dict[str, np.ndarray]:
    """Old text → (old unit × new article): how much better another old article (of any of the texts the new one
    replaced) fits a new article that clearly carries its rule (score CLAIM_ABOVE up), times TAKEN_PENALTY. A new
    article is most often one old article's successor: it takes another only on words nearly as strong (merged)."""
    owners: dict[tuple[str, str], int] = {}  # (old text, old article) → a number
    best = second = owner = None  # per new article: the best and second-best article scores, and whose the best
    for old_doc, (units, _, scores) in base.items():
        for u, (article, paragraph, _) in enumerate(units):
            if paragraph is not None:
                continue
            row = scores[u]
            if best is None:
                best, second, owner = np.zeros(len(row)), np.zeros(len(row)), np.full(len(row), -1)
            above = row > best
            second = np.where(above, best, np.maximum(second, row))
            owner = np.where(above, owners.setdefault((old_doc, article.clause_id), len(owners)), owner)
            best = np.where(above, row, best)
    taken = {}
    for old_doc, (units, _, scores) in base.items():
        penalty = np.zeros_like(scores)
        for u, (article, _, _) in enumerate(units):
            other = np.where(owner == owners.get((old_doc, article.clause_id), -2), second, best)
            penalty[u] = np.where(other >= CLAIM_ABOVE, np.maximum(other - scores[u], 0.0), 0.0)
        taken[old_doc] = TAKEN_PENALTY * penalty
    return taken


def _foreign_parts(base: dict[str, tuple], new: list[Article]) -> dict[str, np.ndarray]:
    """Old text → new article: how much more of the new article's part (编, 分编, 章 or 节: the one where it shows
    most) the other old texts' clear successors fill than this text's own, times FOREIGN_PENALTY. A code keeps
    each old law in its own part, so a candidate in another law's part carries the rule only on strong words."""
    claims: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for old_doc, (units, _, scores) in base.items():
        for u, (_, paragraph, _) in enumerate(units):
            if paragraph is None and len(new) and scores[u].max() >= CLAIM_ABOVE:
                path = new[int(np.argmax(scores[u]))].path
                for depth in range(1, len(path) + 1):
                    claims[path[:depth]][old_doc] += 1
    penalties = {}
    for old_doc in base:
        penalty = np.zeros(len(new))
        for j, article in enumerate(new):
            for depth in range(1, len(article.path) + 1):
                counts = claims.get(article.path[:depth])
                total = sum(counts.values()) if counts else 0
                if total < CLAIM_MIN:
                    continue
                others = max((n for d, n in counts.items() if d != old_doc), default=0)
                penalty[j] = max(penalty[j], (others - counts[old_doc]) / (total + CLAIM_PRIOR))
        penalties[old_doc] = FOREIGN_PENALTY * penalty
    return penalties


def candidate_scores(old: list[Article], new: list[Article], vectors: np.ndarray | None = None,
                     base: tuple | None = None, penalty: np.ndarray | None = None):
    """The old units (each article, then each 款 of articles with several), the scorer, and the score of every
    old unit against every new article (`base`: the words and headings already scored; `penalty`: per new
    article, taken off)."""
    units, scorer, scores = base or _base_scores(old, new, vectors)
    scores = scores.copy()
    if penalty is not None:  # per new article, or per old unit and new article
        scores = np.where(scores > 0, np.maximum(scores - (penalty if penalty.ndim == 2 else penalty[None, :]), 1e-6), 0.0)
    return units, scorer, _with_order(scores, old, new, units)


def _base_scores(old: list[Article], new: list[Article], vectors: np.ndarray | None = None):
    """candidate_scores before the order of the articles."""
    units = [(a, None, a.text) for a in old] + [(a, n, t) for a in old for n, t in a.paragraphs]
    scorer = _Scorer([t for _, _, t in units], [a.text for a in new])
    scores = scorer.scores()
    dense = _dense(old, new, vectors) if DENSE_SHARE > 0 else None
    old_row = {a.clause_id: i for i, a in enumerate(old)}
    penalties = np.array([n.penalty for n in new])
    for u, (article, _, text) in enumerate(units):
        if dense is not None:
            scores[u] = (1 - DENSE_SHARE) * scores[u] + DENSE_SHARE * dense[old_row[article.clause_id]]
        if penalties.any():
            scores[u][penalties != article.penalty] = 0.0
        day = _days(text)
        if day:
            scores[u][[_days(n.text) != day for n in new]] = 0.0
    if MODAL_BONUS > 0:
        scores += MODAL_BONUS * _modal_shares(units, new) * (scores > 0)
    if HEADING_BONUS > 0:
        scores += HEADING_BONUS * _heading_shares(old, new, units) * (scores > 0)
    return units, scorer, scores


def _modals(text: str) -> frozenset[int]:
    return frozenset(i for i, pattern in enumerate(_MODALS) if pattern.search(text))


def _modal_shares(units: list, new: list[Article]) -> np.ndarray:
    """Old unit × new article: the share of the old unit's kinds of rule the new article also has."""
    new_modals = [_modals(a.text) for a in new]
    shares = np.zeros((len(units), len(new)))
    for u, (_, _, text) in enumerate(units):
        kinds = _modals(text)
        if kinds:
            shares[u] = [len(kinds & found) / len(kinds) for found in new_modals]
    return shares


def _heading_shares(old: list[Article], new: list[Article], units: list) -> np.ndarray:
    """Old unit × new article: the share of the old article's heading bigrams (chapter, section) that the new
    article's headings (编, 分编, 章, 节) hold, weighted by rarity among the new headings."""
    new_grams = [set(_grams(_HEADING_LABEL.sub(" ", a.headings))) for a in new]
    frequency = Counter(g for grams in new_grams for g in grams)
    column = {g: i for i, g in enumerate(frequency)}
    weights = np.array([math.log(1 + len(new) / f) for f in frequency.values()])
    held = np.zeros((len(new), len(column)))
    for j, grams in enumerate(new_grams):
        held[j, [column[g] for g in grams]] = 1.0
    by_article = {a.clause_id: i for i, a in enumerate(old)}
    wanted = np.zeros((len(old), len(column)))
    for i, article in enumerate(old):
        wanted[i, [column[g] for g in set(_grams(_HEADING_LABEL.sub(" ", article.headings))) if g in column]] = 1.0
    wanted *= weights
    shares = (wanted @ held.T) / np.maximum(wanted.sum(axis=1, keepdims=True), 1e-9)
    return shares[[by_article[article.clause_id] for article, _, _ in units]]


def align_texts(old: list[Article], new: list[Article], reason: str = REPEAL, vectors: np.ndarray | None = None,
                scored: tuple | None = None) -> list[Alignment]:
    """The rows of one pair of texts (`scored`: its candidate_scores, already worked out)."""
    units, scorer, scores = scored or candidate_scores(old, new, vectors)
    old_row = {a.clause_id: i for i, a in enumerate(old)}
    best_of: dict[tuple[str, int | None], tuple[int, float]] = {}
    for u, (article, paragraph, text) in enumerate(units):
        best = int(np.argmax(scores[u])) if len(new) else -1
        score = float(scores[u][best]) if best >= 0 else 0.0
        if _COMMENCEMENT.match(text.strip()) or score < NONE_BELOW:
            best = -1
        best_of[(article.clause_id, paragraph)] = (best, score)

    rows: list[Alignment] = []
    for article in old:
        best, score = best_of[(article.clause_id, None)]
        by_paragraph = [(n, *best_of[(article.clause_id, n)]) for n, _ in article.paragraphs]
        targets = [b for _, b, _ in by_paragraph]
        base = dict(old=article.clause_id, old_doc=article.doc_id, new_doc=new[0].doc_id, reason=reason)
        if by_paragraph and len(set(targets)) > 1:  # its 款 go separate ways
            kept = list(dict.fromkeys(b for b in targets if b >= 0))
            successors = tuple(_successor(scorer, article.text, new[b], float(scores[old_row[article.clause_id]][b]), several=True)
                               for b in kept)
            rows.append(Alignment(**base, how=SPLIT if len(kept) > 1 else AMENDED, successors=successors, similarity=round(score, 4),
                                  changes=_changes(article.text, "".join(new[b].text for b in kept))))
            for (number, text), (_, target, pscore) in zip(article.paragraphs, by_paragraph):
                rows.append(_row(base, number, text, new, target, pscore, scorer))
        elif by_paragraph:  # every 款 went to one article, or none did: the article goes with its 款
            target = targets[0]
            rows.append(_row(base, None, article.text, new, target, float(scores[old_row[article.clause_id]][target]) if target >= 0 else score,
                             scorer, several=True))
            if target >= 0:  # a 款 a 款 of the new article clearly holds has a row of its own, so that citing it names that 款
                own = [_row(base, number, text, new, target, pscore, scorer) for (number, text), (_, _, pscore) in zip(article.paragraphs, by_paragraph)]
                if any(row.successors[0].paragraph is not None for row in own):
                    rows.extend(own)
        else:
            rows.append(_row(base, None, article.text, new, best, score, scorer))
    return rows


def _row(base: dict, paragraph: int | None, text: str, new: list[Article], target: int, score: float, scorer: _Scorer,
         several: bool = False) -> Alignment:
    if target < 0:
        return Alignment(**base, how=NONE, paragraph=paragraph, similarity=round(score, 4))
    there = new[target]
    successor = _successor(scorer, text, there, score, several)
    against = dict(there.paragraphs).get(successor.paragraph, there.text)  # the new 款 where one is named
    forward, backward = scorer.shares(text, against)
    how = SAME if min(forward, backward) >= SAME_ABOVE else AMENDED
    return Alignment(**base, how=how, paragraph=paragraph, successors=(successor,), similarity=round(score, 4),
                     changes=_changes(text, against))


def _successor(scorer: _Scorer, text: str, there: Article, score: float, several: bool = False) -> Successor:
    """The new article, down to its 款 where one 款 clearly holds the old rule. An old article of several 款
    (`several`) is cited whole: one new 款 rarely holds all of them, and a 款 of an article that did not split
    is answered with its article's row, so a 款 named here would be the wrong 款 for the others."""
    paragraph = None
    if len(there.paragraphs) > 1 and not several:
        shares = sorted(((scorer.shares(text, t)[0], n) for n, t in there.paragraphs), reverse=True)
        if shares[0][0] >= PARAGRAPH_SHARE and shares[0][0] >= PARAGRAPH_LEAD * shares[1][0]:
            paragraph = shares[0][1]
    return Successor(there.clause_id, paragraph, round(score, 4))


def _mark_merged(rows: list[Alignment]) -> list[Alignment]:
    """A new article that is the first successor of several old articles took them in: merged."""
    firsts = Counter(r.successors[0].clause_id for r in rows if r.paragraph is None and r.successors and r.how != SPLIT)
    return [
        replace(r, how=MERGED)
        if r.paragraph is None and r.how in (SAME, AMENDED) and firsts[r.successors[0].clause_id] > 1 else r
        for r in rows
    ]


# -- similarity --------------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _grams(text: str) -> tuple[str, ...]:
    """Character bigrams within runs of Chinese text: none across a number, punctuation or a line break."""
    runs = _NOT_TEXT.split(_NUMERAL.sub(" ", fold(text)))
    return tuple({run[i : i + 2] for run in runs for i in range(len(run) - 1)})


def _body_grams(text: str) -> frozenset[str]:
    """The bigrams of a text found only in the bodies it names (国务院生态环境主管部门, 县级以上地方人民政府 …):
    who acts is the setting of a rule, and a code renames bodies."""
    spans = [m.span() for m in _SUBJECT.finditer(text)]
    if not spans:
        return frozenset()
    inside = "，".join(text[a:b] for a, b in spans)
    outside, last = [], 0
    for a, b in spans:
        outside.append(text[last:a])
        last = b
    outside.append(text[last:])
    return frozenset(_grams(inside)) - frozenset(_grams("，".join(outside)))


class _Scorer:
    """Rarity-weighted bigram shares between old units and new articles, over the vocabulary of both texts."""

    def __init__(self, old_texts: list[str], new_texts: list[str]) -> None:
        old_grams = [_grams(t) for t in old_texts]
        new_grams = [_grams(t) for t in new_texts]
        frequency = Counter(g for grams in old_grams + new_grams for g in grams)
        total = len(old_grams) + len(new_grams)
        self.weight = {g: math.log(1 + total / f) for g, f in frequency.items()}
        self.vocabulary = {g: i for i, g in enumerate(self.weight)}
        self.weights = np.fromiter(self.weight.values(), dtype=np.float64, count=len(self.weight))
        bodies = [_body_grams(t) for t in old_texts] if BODY_WEIGHT != 1.0 else None
        self.old = self._matrix(old_grams, bodies)
        self.new = self._matrix(new_grams)

    def _matrix(self, grams: list[tuple[str, ...]], bodies: list[frozenset[str]] | None = None) -> sparse.csr_matrix:
        vocabulary = self.vocabulary
        cols = np.fromiter((vocabulary[g] for found in grams for g in found), dtype=np.int64)
        rows = np.repeat(np.arange(len(grams)), [len(found) for found in grams])
        values = self.weights[cols]
        if bodies is not None:
            values = values * np.fromiter((BODY_WEIGHT if g in body else 1.0 for found, body in zip(grams, bodies) for g in found),
                                          dtype=np.float64, count=len(cols))
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(grams), len(vocabulary)), dtype=np.float64)

    def scores(self) -> np.ndarray:
        """Old unit × new article: forward share mixed with a little of the reverse share."""
        old_mass = np.asarray(self.old.sum(axis=1)).ravel()
        new_mass = np.asarray(self.new.sum(axis=1)).ravel()
        shared = (self.old @ (self.new > 0).T.astype(np.float64)).toarray()
        forward = shared / np.maximum(old_mass[:, None], 1e-9)
        backward = shared / np.maximum(new_mass[None, :], 1e-9)
        return (1 - REVERSE_SHARE) * forward + REVERSE_SHARE * np.minimum(backward, 1.0)

    def shares(self, a: str, b: str) -> tuple[float, float]:
        """The weighted share of a's bigrams in b, and of b's in a."""
        ga, gb = set(_grams(a)), set(_grams(b))
        weight = lambda grams: sum(self.weight.get(g, 1.0) for g in grams)  # noqa: E731
        both = weight(ga & gb)
        return both / max(weight(ga), 1e-9), both / max(weight(gb), 1e-9)


def _dense(old: list[Article], new: list[Article], vectors: np.ndarray | None) -> np.ndarray | None:
    if vectors is None or not len(vectors):
        return None

    def mean(article: Article) -> np.ndarray:
        v = vectors[article.rows].mean(axis=0)
        return v / (np.linalg.norm(v) or 1.0)

    cosine = np.stack([mean(a) for a in old]) @ np.stack([mean(a) for a in new]).T
    return np.clip((cosine - DENSE_FLOOR) / (1 - DENSE_FLOOR), 0.0, 1.0)


def _with_order(scores: np.ndarray, old: list[Article], new: list[Article], units: list) -> np.ndarray:
    """A candidate near where the old article's neighbours went gains up to ORDER_BONUS."""
    article_rows = [u for u, (_, paragraph, _) in enumerate(units) if paragraph is None]
    firsts = [int(np.argmax(scores[u])) if scores[u].max() >= NONE_BELOW else -1 for u in article_rows]
    position = np.arange(len(new))
    support = np.zeros((len(old), len(new)))
    for i in range(len(old)):
        for j in (i - 2, i - 1, i + 1, i + 2):
            if 0 <= j < len(old) and firsts[j] >= 0 and old[j].penalty == old[i].penalty:
                near = np.abs(position - firsts[j]) <= ORDER_WINDOW
                support[i] = np.maximum(support[i], near * (1 - np.abs(position - firsts[j]) / (ORDER_WINDOW + 1)))
    row_of = {a.clause_id: i for i, a in enumerate(old)}
    boosted = scores.copy()
    for u, (article, _, _) in enumerate(units):
        boosted[u] += ORDER_BONUS * support[row_of[article.clause_id]] * (scores[u] > 0)
    return boosted


def _days(text: str) -> set[tuple[int | None, int | None]]:
    return {(numeral_value(m), numeral_value(d)) for m, d in _DAY.findall(text)}


# -- what changed --------------------------------------------------------------------------------------------


def _changes(old: str, new: str) -> dict[str, dict[str, list[str]]]:
    changes = {}
    for kind, pattern in (("amounts", _AMOUNT), ("deadlines", _DEADLINE), ("subjects", _SUBJECT)):
        before, after = _found(pattern, old, kind), _found(pattern, new, kind)
        if before != after:
            changes[kind] = {"old": before, "new": after}
    return changes


def _found(pattern: re.Pattern, text: str, kind: str) -> list[str]:
    found = (m.group(0) for m in pattern.finditer(text))
    if kind == "subjects":  # the body named, not the words before it (…登记表报生态环境主管部门)
        found = (_SUBJECT_LEAD.sub("", _SUBJECT_CUT.split(f)[-1]) for f in found)
    return list(dict.fromkeys(f for f in found if len(f) >= 2))
