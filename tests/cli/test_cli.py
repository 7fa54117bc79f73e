from __future__ import annotations

import json

import pytest

from cli.main import main


def test_index_prints_a_summary_with_failures(tmp_path, law_file, speech_file, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    code = main(["index", str(law_file), str(speech_file), str(bad), "--out", str(tmp_path / "idx"), "--quiet", "--no-embed"])
    out = capsys.readouterr().out
    assert code == 0
    assert "documents: 2 (2 added" in out
    assert "讲话: 1" in out and "法律: 1" in out
    assert "failed: 1 file(s)" in out and "empty.txt: file is empty" in out


def test_inspect_json_prints_one_object_per_document(law_file, speech_file, capsys):
    assert main(["inspect", str(law_file), str(speech_file), "--json"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 2
    law = json.loads(lines[0])
    assert law["document"]["title"] == "中华人民共和国示例保护法"
    article = next(c for c in law["clauses"] if c["locator"]["article"] == "第四条")
    assert article["locator"]["path"] == ["第二章　监督管理", "第一节　一般规定"]
    assert [i["label"] for i in article["locator"]["items"]] == ["（一）", "（二）", "（三）"]
    assert article["text"].startswith("有下列情形之一的")


def test_inspect_tree_shows_headings_articles_and_counts(law_file, capsys):
    assert main(["inspect", str(law_file)]) == 0
    out = capsys.readouterr().out
    assert "《中华人民共和国示例保护法》  法律 · 全国 · 2014-04-24" in out
    assert "第二章　监督管理" in out
    assert any(line.strip().startswith("第四条") and "款2 项3" in line for line in out.splitlines())


def test_query_command_refuses_a_dense_weight_outside_0_1(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["query", "排污", "--dense-weight", "1.5"])
    assert exit_info.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_query_prints_the_notice_before_the_hits(tmp_path, law_file, capsys):
    assert main(["index", str(law_file), "--out", str(tmp_path / "idx"), "--quiet", "--no-embed"]) == 0
    capsys.readouterr()
    assert main(["query", "示例保护法第四条第九款", "--index", str(tmp_path / "idx"), "--mode", "bm25"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "注意：《中华人民共和国示例保护法》第四条只有两款。"
    assert lines[1].startswith(" 1. 《中华人民共和国示例保护法》第四条 ")
    assert main(["query", "大气法第九条", "--index", str(tmp_path / "idx"), "--mode", "bm25", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["citations"][0]["status"] == "document_not_found" and "大气法" in answer["notice"]


def test_query_marks_the_counterpart_in_another_version(tmp_path, capsys):
    from tests.alignment import write_alignment_corpus

    corpus = write_alignment_corpus(tmp_path / "corpus")
    assert main(["index", str(corpus), "--out", str(tmp_path / "idx"), "--quiet", "--no-embed"]) == 0
    capsys.readouterr()
    assert main(["query", "海洋特别保护区内新建排污口", "--index", str(tmp_path / "idx"), "--mode", "bm25", "--top-k", "3"]) == 0
    hits = [line for line in capsys.readouterr().out.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert hits[0].startswith(" 1. 《中华人民共和国示例海洋法》第三条  [") and "上条的另一版本" not in hits[0]
    assert hits[1].startswith(" 2. 《中华人民共和国示例海洋法》第三条（已被修改）") and hits[1].endswith("↑ 上条的另一版本")


def test_index_reads_the_packaged_national_laws(tmp_path, capsys, monkeypatch):
    from indexer.readers import lawdb

    monkeypatch.setitem(lawdb.SELECTIONS, "environment", ("环境影响评价法", "湿地保护法"))
    try:
        lawdb.packaged_database()
    except Exception as exc:  # noqa: BLE001 - the package is a dependency; say why when it is missing
        pytest.skip(str(exc))
    assert main(["index", "--national-laws", "environment", "--out", str(tmp_path / "idx"), "--quiet", "--no-embed"]) == 0
    out = capsys.readouterr().out
    assert "documents: 2 (2 added" in out and "法律: 2" in out


def test_a_bm25_query_never_loads_the_model(small_index, capsys, monkeypatch):
    """The index has vectors, but a BM25 search needs none: the model is not loaded (that costs seconds)."""
    out, _ = small_index

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("policy_search.embedding.loading.load_embedder", refuse)
    monkeypatch.setattr("service.retrieval.engine.load_embedder", refuse)
    assert main(["query", "排污 暗管", "--index", str(out), "--mode", "bm25", "--top-k", "2"]) == 0
    assert "《" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="model was loaded"):
        main(["query", "排污 暗管", "--index", str(out), "--mode", "hybrid"])
