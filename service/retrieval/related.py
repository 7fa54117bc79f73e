"""What a clause rests on and what rests on it: the references the indexer stored, read both ways.

- bases: clauses of a higher authority this one cites (cited) or restates (restates), best first, then the
  documents its own document says it rests on (根据《X》…制定本办法: document);
- implemented_by: lower-level clauses citing or restating it (which local rules carry out 环保法第四十二条);
- cites / cited_by: every explicit reference, whatever the authority; unresolved ones as written;
- penalties / duties: the duty ↔ penalty links inside a document;
- successors / predecessors: the articles in force that carry a repealed or older article's rule, and the
  old articles an article in force took over (新旧条文对照, service/retrieval/succession.py);
- chain: from the clause up through each best base to the law at the top; a repealed or older article is
  followed by its successor in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policy_search.authority import rests_on
from policy_search.errors import ClauseNotFound
from policy_search.model import CITES, RESTATES, Citation, ClauseKind, Reference
from service.retrieval.loaded import LoadedIndex
from service.retrieval.results import clause_result, document_json
from service.retrieval.succession import Succession
from service.retrieval.successors import predecessors_of, step_result

CHAIN_STEPS = 6
# A clause saying why the document exists: 为了…，根据《X》…，制定本办法 / 结合本市实际，制定如下措施
_PURPOSE = re.compile(r"制定本|特制定|制定如下|制定以下|提出如下|提出以下|现就.{0,20}(?:通知|意见)")


@dataclass
class Relations:
    """The stored references of one generation, indexed by clause position and document."""

    index: LoadedIndex
    succession: Succession | None = None
    outgoing: dict[int, list[Reference]] = field(default_factory=dict)  # source clause → references
    incoming: dict[int, list[tuple[int, Reference]]] = field(default_factory=dict)  # target clause → (source, ref)
    document_bases: dict[int, list[Reference]] = field(default_factory=dict)  # doc → what its purpose clause cites

    def __post_init__(self) -> None:
        index = self.index
        for reference in index.references:
            source = index.clause_pos.get(reference.source)
            if source is None:
                continue
            self.outgoing.setdefault(source, []).append(reference)
            target = index.clause_pos.get(reference.target) if reference.target else None
            if target is not None:
                self.incoming.setdefault(target, []).append((source, reference))
            clause = index.clauses[source]
            if (reference.kind == CITES and reference.target_doc and reference.target_doc in index.doc_pos
                    and (clause.kind == ClauseKind.PREAMBLE or _PURPOSE.search(clause.text))):
                self.document_bases.setdefault(int(index.doc_of[source]), []).append(reference)

    def higher(self, target_doc: int, source_doc: int) -> bool:
        """Of higher authority; where it stands was settled when the reference was made (a text cites it, or
        the indexer found it national or of the text's region)."""
        upper, lower = self.index.documents[target_doc], self.index.documents[source_doc]
        return rests_on(upper.doc_type, upper.region, lower.doc_type, lower.region, named=True)

    # -- one clause ------------------------------------------------------------------------------------

    def related(self, clause_id: str) -> dict[str, Any]:
        index = self.index
        position = index.clause_pos.get(clause_id)
        if position is None:
            raise ClauseNotFound(f"no clause {clause_id!r} in generation {index.generation}")
        group = int(index.group_of[position])
        return {
            "clause": self._clause(index.group_members[group][0], 0.0),
            "bases": self.bases(group),
            "implemented_by": self.implemented_by(group),
            "cites": self.cites(group),
            "cited_by": self.cited_by(group),
            "penalties": [self._group_result(g, "penalty") for g in index.penalties.get(group, [])],
            "duties": [self._group_result(g, "duty") for g in index.duties.get(group, [])],
            "successors": [step_result(index, step) for step in self._successor_steps(group)],
            "predecessors": predecessors_of(index, self.succession, position) if self.succession else [],
            "chain": self.chain(group),
            "index_generation": index.generation,
        }

    def bases(self, group: int) -> list[dict[str, Any]]:
        """Higher clauses cited, then restated (most similar first), then the documents the text rests on."""
        index = self.index
        own_doc = int(index.doc_of[index.group_members[group][0]])
        cited, restated, documents = [], [], []
        seen: set[tuple[str | None, str | None]] = set()
        for reference in self._outgoing(group):
            if not reference.target_doc or reference.target_doc not in index.doc_pos:
                continue
            target_doc = index.doc_pos[reference.target_doc]
            if not self.higher(target_doc, own_doc) or (reference.target_doc, reference.target) in seen:
                continue
            seen.add((reference.target_doc, reference.target))
            if reference.target is None:
                documents.append(reference)
            elif reference.kind == CITES:
                cited.append(reference)
            elif reference.kind == RESTATES:
                restated.append(reference)
        restated.sort(key=lambda r: -(r.similarity or 0.0))
        for reference in self.document_bases.get(own_doc, []):
            key = (reference.target_doc, reference.target)
            if key not in seen and reference.target_doc != index.documents[own_doc].doc_id:
                seen.add(key)
                documents.append(reference)
        # a document named as the basis says no more than one of its clauses already found
        found_docs = {r.target_doc for r in cited + restated}
        documents = [r for r in documents if r.target_doc not in found_docs]
        return [self._target_result(r) for r in cited + restated + documents]

    def implemented_by(self, group: int) -> list[dict[str, Any]]:
        """Lower clauses that cite or restate this one, cited first."""
        index = self.index
        own_doc = int(index.doc_of[index.group_members[group][0]])
        found = [(source, r) for source, r in self._incoming(group)
                 if r.kind in (CITES, RESTATES) and self.higher(own_doc, int(index.doc_of[source]))]
        found.sort(key=lambda pair: (pair[1].kind != CITES, -(pair[1].similarity or 0.0)))
        return self._source_results(found)

    def cites(self, group: int) -> list[dict[str, Any]]:
        return [self._target_result(r) for r in self._outgoing(group) if r.kind == CITES]

    def cited_by(self, group: int) -> list[dict[str, Any]]:
        return self._source_results([(s, r) for s, r in self._incoming(group) if r.kind == CITES])

    def chain(self, group: int) -> list[dict[str, Any]]:
        """The clause, then each step's first base, up to a clause with none (or a document named as basis)."""
        index = self.index
        steps = [self._clause(index.group_members[group][0], 0.0)]
        visited = {group}
        for _ in range(CHAIN_STEPS):
            successor = next((s for s in self._successor_steps(group) if int(index.group_of[s.position]) not in visited), None)
            if successor is not None:  # a repealed or older article: the chain goes on from the one in force
                steps.append(step_result(index, successor) | {"relation": {**successor.relation(), "how": "successor", "alignment": successor.how}})
                group = int(index.group_of[successor.position])
                visited.add(group)
                continue
            bases = self.bases(group)
            following = next((b for b in bases if b.get("clause_id") and int(index.group_of[index.clause_pos[b["clause_id"]]]) not in visited), None)
            if following is None:
                if bases and not bases[0].get("clause_id"):
                    steps.append(bases[0])
                break
            steps.append(following)
            group = int(index.group_of[index.clause_pos[following["clause_id"]]])
            visited.add(group)
        return steps

    def _successor_steps(self, group: int):
        if self.succession is None:
            return []
        return self.succession.successors(self.index.group_members[group][0])[1]

    # -- shapes ----------------------------------------------------------------------------------------

    def _outgoing(self, group: int) -> list[Reference]:
        return [r for m in self.index.group_members[group] for r in self.outgoing.get(m, [])]

    def _incoming(self, group: int) -> list[tuple[int, Reference]]:
        return [pair for m in self.index.group_members[group] for pair in self.incoming.get(m, [])]

    def _target_result(self, reference: Reference) -> dict[str, Any]:
        """A referenced clause in the usual result shape (cited down to the 款/项 named), a document named
        alone, or a reference that resolves to nothing, as written."""
        index = self.index
        relation = _relation(reference)
        if reference.target_doc is None or reference.target_doc not in index.doc_pos:
            return {"clause_id": None, "citation": reference.text, "resolved": False, "relation": relation}
        meta = index.documents[index.doc_pos[reference.target_doc]]
        if reference.target is None or reference.target not in index.clause_pos:
            return {"clause_id": None, "citation": f"《{meta.title}》", "resolved": True, "document": document_json(meta),
                    "relation": relation}
        position = index.clause_pos[reference.target]
        result = self._clause(position, reference.similarity or 1.0)
        locator = index.clauses[position].locator
        if locator.article and (reference.paragraph or reference.item):
            item = next((it.label for it in locator.items if it.level == 1 and it.number == reference.item
                         and (reference.paragraph is None or it.paragraph == reference.paragraph)), None)
            paragraph = reference.paragraph if locator.paragraph_count > 1 else None
            result["citation"] = Citation(meta.title, locator.article, paragraph, item).render()
            result["location"].update(paragraph=paragraph, item=item)
        result["relation"] = relation
        return result

    def _source_results(self, pairs: list[tuple[int, Reference]]) -> list[dict[str, Any]]:
        results, seen = [], set()
        for source, reference in pairs:
            group = int(self.index.group_of[source])
            if group in seen:
                continue
            seen.add(group)
            result = self._clause(self.index.group_members[group][0], reference.similarity or 1.0)
            result["relation"] = _relation(reference)
            results.append(result)
        return results

    def _group_result(self, group: int, how: str) -> dict[str, Any]:
        result = self._clause(self.index.group_members[group][0], 1.0)
        result["relation"] = {"how": how}
        return result

    def _clause(self, position: int, score: float) -> dict[str, Any]:
        """A clause in the result shape, cited as a whole (its article or numbered part, no 款 picked)."""
        index = self.index
        result = clause_result(index, position, score, [])
        clause, meta = index.clauses[position], index.documents[int(index.doc_of[position])]
        result["citation"] = Citation(meta.title, clause.locator.article, None, None, clause.locator.path, meta.part_label).render()
        result["location"].update(paragraph=None, item=None)
        return result


def _relation(reference: Reference) -> dict[str, Any]:
    how = {CITES: "cited", RESTATES: "restates"}.get(reference.kind, reference.kind)
    if reference.kind == CITES and reference.target is None:
        how = "document" if reference.target_doc else "unresolved"
    relation: dict[str, Any] = {"how": how}
    if reference.text:
        relation["text"] = reference.text
    if reference.similarity is not None:
        relation["similarity"] = reference.similarity
    return relation

