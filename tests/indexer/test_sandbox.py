from __future__ import annotations

from indexer.sandbox import parse_in_child


def test_a_file_parses_in_the_child(law_file):
    documents, failures = parse_in_child(law_file, timeout_s=60, memory_mb=1024)
    assert not failures
    assert documents[0].meta.title == "中华人民共和国示例保护法"
    assert [c.locator.article for c in documents[0].clauses if c.locator.article][:2] == ["第一条", "第二条"]


def test_a_parse_over_its_memory_limit_is_stopped_and_reported(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("第一条　排放污染物的企业事业单位应当采取措施。\n" * 400_000, encoding="utf-8")  # ~ 26 MB
    documents, failures = parse_in_child(big, timeout_s=60, memory_mb=100)
    assert documents == []
    assert "memory" in failures[0].reason


def test_a_parse_over_its_time_limit_is_stopped_and_reported(law_file):
    documents, failures = parse_in_child(law_file, timeout_s=0.01, memory_mb=1024)
    assert documents == []
    assert "longer than" in failures[0].reason


def test_a_bad_file_is_a_failure_not_a_crash(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 broken")
    documents, failures = parse_in_child(bad, timeout_s=60, memory_mb=1024)
    assert documents == [] and "PDF" in failures[0].reason
