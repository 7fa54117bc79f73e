"""The citation check on a synthetic text of 200 citations: 150 valid, 50 broken in each way; precision and recall
of every verdict.

    python scripts/bench_citation_check.py [--index DIR] [--seed 7] [--show-errors]

Uses the eco index of scripts/basis_links.py (var/eco-basis-index, built there when missing) unless --index names
one. The citations are drawn from the index itself, so what each should get is known without the checker:

    ok (150)         an article, 款 or 项 of a current text: full title, a short title that names one text (with
                     or without 《》), 本法 after the text was named, a numbered part of a local text
    unknown_document a title no indexed text has or ends with
    no_article       an article number past the last
    no_paragraph     a 款 past the article's last (第一款 of… none: 第二款 of an article with one)
    no_item          a 项 past the last of the article or 款
    older_version    an article of an older version, named by its year: 《X》（2008年版）第N条
    repealed         an article of a text another indexed text repeals

Prints one line per verdict with its precision and recall; exits 1 when one is under --target (0.95).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from basis_links import eco_index  # noqa: E402

from policy_search.numerals import int_to_chinese  # noqa: E402
from policy_search.text import compact  # noqa: E402
from policy_search.tokenize import short_titles  # noqa: E402
from policy_search.validity import IN_FORCE, validity  # noqa: E402
from service.retrieval.check import CitationChecker  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402

BROKEN = {"unknown_document": 8, "no_article": 8, "no_paragraph": 7, "no_item": 7, "older_version": 10, "repealed": 10}
VALID = 150
LEADS = ("根据", "依照", "按照", "落实", "对照")
TAILS = ("的规定", "", "有关规定", "的要求")
PLACES = ("东海省", "南江市", "北原县", "西岭州")
TOPICS = ("机动车尾气检测", "城市夜景照明", "河湖砂石开采", "农村厕所改造", "建筑垃圾运输")


class Synthesis:
    """Citations drawn from a loaded index, each with the verdict it should get."""

    def __init__(self, index, rng: random.Random) -> None:
        self.index, self.rng = index, rng
        docs = index.documents
        self.articles: dict[int, list[int]] = {}  # doc → first units of its articles
        for (doc, _), group in index.articles.items():
            self.articles.setdefault(doc, []).append(index.group_members[group][0])
        families = Counter(meta.version_key for meta in docs)
        self.current = [d for d in self.articles if validity(docs[d]) == IN_FORCE and not docs[d].part_label]
        self.older = [d for d in self.articles if docs[d].superseded and not docs[d].repealed_by and families[docs[d].version_key] > 1
                      and docs[d].date and not any(o.version_key == docs[d].version_key and o.date and o.date[:4] == docs[d].date[:4]
                                                    for i, o in enumerate(docs) if i != d)]
        self.repealed = [d for d in self.articles if docs[d].repealed_by]
        self.parts = sorted({doc for doc, _ in index.parts if validity(docs[doc]) == IN_FORCE})
        names = Counter(name for meta in docs for name in set(short_titles(meta.title)))
        self.unique_short = {d: [n for n in short_titles(docs[d].title) if names[n] == 1 and n != compact(docs[d].title)]
                             for d in self.current}

    def article(self, doc: int) -> int:
        return self.rng.choice(self.articles[doc])

    def cite(self, position: int, *, paragraph=None, item=None, title=None, note="") -> str:
        index = self.index
        clause = index.clauses[position]
        meta = index.documents[int(index.doc_of[position])]
        text = f"《{title or meta.title}》{note}{clause.locator.article}"
        if paragraph:
            text += f"第{int_to_chinese(paragraph)}款"
        if item:
            text += f"第（{int_to_chinese(item)}）项"
        return text

    def valid(self) -> list[tuple[str, str]]:
        """(sentence, citation) pairs; the citation is where the sentence's citation stands."""
        out = []
        rng, index = self.rng, self.index
        while len(out) < VALID:
            kind = rng.random()
            doc = rng.choice(self.current)
            position = self.article(doc)
            loc = index.clauses[position].locator
            if kind < 0.35:
                citation = self.cite(position)
            elif kind < 0.55 and loc.paragraph_count > 1:
                citation = self.cite(position, paragraph=rng.randint(1, min(loc.paragraph_count, len(loc.paragraphs) + loc.first_paragraph - 1)))
            elif kind < 0.7 and any(it.level == 1 for it in loc.items):
                item = rng.choice([it for it in loc.items if it.level == 1])
                paragraph = item.paragraph if loc.paragraph_count > 1 else None
                citation = self.cite(position, paragraph=paragraph, item=item.number)
            elif kind < 0.82 and self.unique_short[doc]:
                citation = self.cite(position, title=rng.choice(self.unique_short[doc]))
                if rng.random() < 0.5:  # typed without 《》, as in 环境保护法第五十九条
                    citation = citation.replace("《", "").replace("》", "")
            elif kind < 0.92 and len(out) <= VALID - 2:  # a pair: both must fit
                other = self.article(doc)
                first = self.cite(position)
                then = f"本{_kind(index.documents[doc].title)}{index.clauses[other].locator.article}"
                out.append((f"{rng.choice(LEADS)}{first}和{then}{rng.choice(TAILS)}", first))
                out.append(("", then))  # the second citation of the same sentence
                continue
            elif self.parts:
                part_doc = rng.choice(self.parts)
                numbers = sorted({key[1][0] for key in index.parts if key[0] == part_doc and len(key[1]) == 1})
                meta = index.documents[part_doc]
                citation = f"《{meta.title}》第{int_to_chinese(rng.choice(numbers))}{meta.part_label}"
            else:
                continue
            out.append((f"{rng.choice(LEADS)}{citation}{rng.choice(TAILS)}", citation))
        return out[:VALID]

    def broken(self, verdict: str) -> str:
        rng, index = self.rng, self.index
        while True:
            if verdict == "unknown_document":
                title = f"{rng.choice(PLACES)}{rng.choice(TOPICS)}管理{rng.choice(('条例', '办法', '规定'))}"
                return f"《{title}》第{int_to_chinese(rng.randint(2, 30))}条"
            doc = rng.choice({"older_version": self.older, "repealed": self.repealed}.get(verdict, self.current))
            position = self.article(doc)
            loc = index.clauses[position].locator
            if verdict == "no_article":
                last = max(index.clauses[p].locator.article_number or 0 for p in self.articles[doc])
                return f"《{index.documents[doc].title}》第{int_to_chinese(last + rng.randint(1, 40))}条"
            if verdict == "no_paragraph":
                return self.cite(position, paragraph=loc.paragraph_count + rng.randint(1, 2))
            if verdict == "no_item":  # past the last 项 of the whole article (a long one is split into parts)
                group = index.group_members[int(index.group_of[position])]
                items = [it for member in group for it in index.clauses[member].locator.items if it.level == 1]
                if not items:
                    continue
                last = max(it.number for it in items if it.paragraph == items[-1].paragraph)
                paragraph = items[-1].paragraph if loc.paragraph_count > 1 else None
                return self.cite(position, paragraph=paragraph, item=last + rng.randint(1, 3))
            if verdict == "older_version":
                return self.cite(position, note=f"（{index.documents[doc].date[:4]}年版）")
            if verdict == "repealed":
                return self.cite(position)


def _kind(title: str) -> str:
    """How the text calls itself: 本条例, 本办法, 本解释 …"""
    title = re.sub(r"[（(][^（）()]*[)）]$", "", title)
    for word in ("条例", "办法", "规定", "细则", "解释", "决定", "法"):
        if title.endswith(word):
            return word
    return "法"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    args.index = eco_index(args.index)
    if args.index is None:
        return 0
    index = load_index(args.index, None)
    rng = random.Random(args.seed)
    synthesis = Synthesis(index, rng)
    if not synthesis.older or not synthesis.repealed:
        print("the index has no older versions or no repealed texts to cite; use the eco corpus")
        return 1
    pieces = [(sentence, citation, "ok") for sentence, citation in synthesis.valid()]
    for verdict, count in BROKEN.items():
        for _ in range(count):
            citation = synthesis.broken(verdict)
            pieces.append((f"{rng.choice(LEADS)}{citation}{rng.choice(TAILS)}", citation, verdict))
    # 本法 pairs stay together and in order; everything else is shuffled
    units, i = [], 0
    while i < len(pieces):
        take = 2 if i + 1 < len(pieces) and pieces[i + 1][0] == "" else 1
        units.append(pieces[i : i + take])
        i += take
    rng.shuffle(units)
    text, expected = "", {}
    for unit in units:
        for sentence, citation, verdict in unit:
            if sentence:
                start = len(text) + sentence.index(citation)
                text += sentence + "；"
            else:
                start = text.rindex(citation)
            expected[start] = (citation, verdict)
    text = text.rstrip("；") + "。"
    answer = CitationChecker(Searcher(index, None, RankingConfig(rerank=False))).check(text)
    got = {found["span"][0]: found for found in answer["citations"]}
    truth, said = Counter(), Counter()
    hits = Counter()
    errors = []
    for start, (citation, verdict) in expected.items():
        truth[verdict] += 1
        found = got.get(start)
        if found is not None and found["verdict"] == verdict:
            hits[verdict] += 1
        else:
            errors.append((citation, verdict, found["verdict"] if found else "not found", found.get("message") if found else ""))
    for start, found in got.items():
        said[found["verdict"]] += 1
        if start not in expected:
            errors.append((found["text"], "no citation", found["verdict"], found.get("message", "")))
    valid = sum(1 for _, v in expected.values() if v == "ok")
    print(f"index {index.generation}: {len(expected)} citations ({valid} valid, {len(expected) - valid} broken), "
          f"{len(text)} characters; the checker found {len(got)}")
    print(f"{'verdict':<18}{'expected':>9}{'said':>6}{'right':>7}{'precision':>11}{'recall':>8}")
    worst = 1.0
    for verdict in ["ok", *BROKEN]:
        precision = hits[verdict] / said[verdict] if said[verdict] else 0.0
        recall = hits[verdict] / truth[verdict] if truth[verdict] else 0.0
        worst = min(worst, precision, recall)
        print(f"{verdict:<18}{truth[verdict]:>9}{said[verdict]:>6}{hits[verdict]:>7}{precision:>11.3f}{recall:>8.3f}")
    others = {v: n for v, n in said.items() if v not in truth}
    if others:
        print(f"other verdicts said: {others}")
    if args.show_errors:
        for error in errors:
            print("  ", *error)
    print(f"lowest precision or recall: {worst:.3f} (target {args.target})")
    return 0 if worst >= args.target else 1


if __name__ == "__main__":
    raise SystemExit(main())
