"""A cache folder is published whole or not at all, and a racing writer's copy is kept."""

from __future__ import annotations

import pytest

from policy_search.folders import published_folder


def test_a_folder_appears_with_all_its_files_and_no_staging_is_left(tmp_path):
    target = tmp_path / "cache" / "form"
    with published_folder(target, "meta.json", ".form-") as staging:
        (staging / "data.bin").write_bytes(b"123")
        (staging / "meta.json").write_text("{}", encoding="utf-8")
        assert not target.exists()
    assert sorted(p.name for p in target.iterdir()) == ["data.bin", "meta.json"]
    assert [p.name for p in target.parent.iterdir()] == ["form"]


def test_a_folder_another_writer_published_first_is_kept(tmp_path):
    target = tmp_path / "form"
    target.mkdir()
    (target / "meta.json").write_text("theirs", encoding="utf-8")
    with published_folder(target, "meta.json", ".form-") as staging:
        (staging / "meta.json").write_text("ours", encoding="utf-8")
    assert (target / "meta.json").read_text(encoding="utf-8") == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["form"]


def test_a_failed_write_publishes_nothing(tmp_path):
    target = tmp_path / "form"
    with pytest.raises(OSError), published_folder(target, "meta.json", ".form-") as staging:
        (staging / "meta.json").write_text("{}", encoding="utf-8")
        raise OSError("disk full")
    assert not any(tmp_path.iterdir())
