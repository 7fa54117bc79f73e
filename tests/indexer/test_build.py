from __future__ import annotations

from indexer.build import build_index, load_generation
from indexer.pipeline import discover, parse_files
from policy_search import store


def _index(sources, out):
    files, missing = discover(sources)
    result = parse_files(files)
    return build_index(out, result.documents, read_sources=result.sources, failures=result.failures + missing)


def test_reindexing_unchanged_documents_keeps_every_id(tmp_path, law_file, speech_file):
    out = tmp_path / "idx"
    first = _index([law_file, speech_file], out)
    ids = [c.clause_id for c in store.read_clauses(store.IndexStore(out).require_current())]
    second = _index([law_file, speech_file], out)
    assert second.unchanged == 2 and second.added == 0 and first.added == 2
    assert ids == [c.clause_id for c in store.read_clauses(store.IndexStore(out).require_current())]


def test_new_files_extend_and_changed_files_replace(tmp_path, law_file, speech_file):
    out = tmp_path / "idx"
    _index([speech_file], out)
    _index([law_file], out)
    generation = load_generation(store.IndexStore(out))
    docs, clauses = generation.documents, generation.clauses
    assert {d.source for d in docs} == {law_file.name, speech_file.name}
    law_file.write_text(law_file.read_text(encoding="utf-8").replace("制定本法。", "制定本法，特此规定。"), encoding="utf-8")
    summary = _index([law_file], out)
    assert summary.replaced == 1 and summary.documents == 2
    generation = load_generation(store.IndexStore(out))
    docs, clauses = generation.documents, generation.clauses
    texts = [c.text for doc in docs for c in clauses[doc.doc_id]]
    assert "为了保护和改善环境，制定本法，特此规定。" in texts
    assert "为了保护和改善环境，制定本法。" not in texts


def test_links_of_unchanged_documents_carry_over_and_changed_ones_are_redone(tmp_path, speech_file, monkeypatch):
    from indexer import links
    from tests.indexer.test_links import LAW

    law_file = tmp_path / "示例法(2020-01-01).txt"
    law_file.write_text(LAW, encoding="utf-8")
    out = tmp_path / "idx"
    _index([law_file, speech_file], out)
    first = store.read_links(store.IndexStore(out).require_current())
    assert first, "the sample law links its duties to its penalty articles"
    worked_out = []
    real = links.document_links
    monkeypatch.setattr(links, "document_links", lambda clauses: worked_out.append(clauses[0].doc_id) or real(clauses))
    _index([law_file, speech_file], out)
    assert worked_out == []
    assert store.read_links(store.IndexStore(out).require_current()) == first

    law_file.write_text(LAW.replace("处罚款。", "处五万元罚款。"), encoding="utf-8")
    _index([law_file], out)
    generation = load_generation(store.IndexStore(out))
    law = next(d for d in generation.documents if d.source == law_file.name)
    assert worked_out == [law.doc_id]
    assert generation.links[law.doc_id] == real(generation.clauses[law.doc_id])

    monkeypatch.setattr(links, "VERSION", links.VERSION + 1)  # another method: nothing carries over
    worked_out.clear()
    _index([law_file, speech_file], out)
    assert len(worked_out) == 2


def test_a_failing_file_does_not_spoil_what_was_indexed(tmp_path, law_file):
    out = tmp_path / "idx"
    _index([law_file], out)
    before = [c.clause_id for c in store.read_clauses(store.IndexStore(out).require_current())]
    law_file.write_bytes(b"\x00\x01binary" * 100)  # the same file, now broken
    summary = _index([law_file, tmp_path / "missing.txt"], out)
    assert {f.reason for f in summary.failures} >= {"looks like a binary file, not text", "no such file or folder"}
    after = [c.clause_id for c in store.read_clauses(store.IndexStore(out).require_current())]
    assert after == before


def test_two_versions_are_both_kept_and_the_older_marked(tmp_path):
    for date, extra in (("2017-03-16", ""), ("2022-03-29", "，修订")):
        (tmp_path / f"农药管理条例({date}).txt").write_text(
            f"农药管理条例\n第一条　为了加强农药管理{extra}。\n第二条　本条例自公布之日起施行。\n", encoding="utf-8"
        )
    _index([tmp_path], tmp_path / "idx")
    docs = load_generation(store.IndexStore(tmp_path / "idx")).documents
    assert sorted((d.date, d.superseded) for d in docs) == [("2017-03-16", True), ("2022-03-29", False)]


def test_embeddings_are_cached_by_text(tmp_path, law_file, speech_file):
    from tests.fakes import BigramEmbedder

    embedder = BigramEmbedder()
    out = tmp_path / "idx"

    def index():
        files, _ = discover([law_file, speech_file])
        result = parse_files(files)
        return build_index(out, result.documents, read_sources=result.sources, embedder=embedder)

    first = index()
    assert first.embedded == embedder.calls == first.clauses - 1  # 同志们： stands twice in the speech, embedded once
    assert index().embedded == 0 and embedder.calls == first.embedded
    law_file.write_text(law_file.read_text(encoding="utf-8").replace("制定本法。", "制定本法，特此规定。"), encoding="utf-8")
    assert index().embedded == 1  # only the changed clause's text is new


def test_the_manifest_records_the_model_and_its_adapter(tmp_path, law_file):
    from tests.fakes import BigramEmbedder

    embedder = BigramEmbedder()
    embedder.adapter_sha256 = "ab" * 32  # as the tuned default model carries it
    files, _ = discover([law_file])
    build_index(tmp_path / "idx", parse_files(files).documents, embedder=embedder)
    embedding = store.read_manifest(store.IndexStore(tmp_path / "idx").require_current())["embedding"]
    assert embedding["model_id"] == embedder.model_id and embedding["adapter_sha256"] == "ab" * 32
