"""The numerals read without cn2an are read exactly as cn2an reads them."""

import cn2an

from policy_search import numerals


def test_every_common_spelling_is_cn2ans_own():
    for number in range(10_000):
        written = numerals._written(number)
        assert written == cn2an.an2cn(number), number
        assert cn2an.cn2an(written, "smart") == number


def test_common_and_other_spellings_read_alike():
    assert numerals.chinese_to_int("一百零三") == 103
    assert numerals.chinese_to_int("一千零六十") == 1060
    assert numerals.chinese_to_int("一十二") == 12  # not the usual spelling: read by cn2an
    assert numerals.chinese_to_int("两千") == 2000
    assert numerals.chinese_to_int("一〇三") == 103


def test_labels_are_written_as_cn2an_writes_them_without_it():
    for number in (0, 7, 10, 12, 20, 103, 1060, 9999):
        assert numerals.int_to_chinese(number) == cn2an.an2cn(number)
    assert numerals.int_to_chinese(10_001) == cn2an.an2cn(10_001) == "一万零一"  # past the common range: cn2an
