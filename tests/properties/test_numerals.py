"""Numerals: every number below 10^16 goes to words and back, however its digits are written, and no
string makes chinese_to_int raise anything but ValueError."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policy_search.numerals import (
    CHINESE_NUMERAL_CHARS,
    MAX_NUMBER,
    chinese_to_int,
    int_to_chinese,
    numeral_value,
)
from tests.properties import PROPERTY

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
# numbers of every size, not just the huge ones a uniform draw over 16 digits gives
NUMBERS = st.one_of(
    st.integers(0, 1000),
    st.integers(0, MAX_NUMBER),
    st.builds(lambda digit, power: digit * 10**power, st.integers(1, 9), st.integers(0, 15)),
    st.builds(lambda high, power, low: high * 10**power + low, st.integers(1, 99), st.integers(4, 14), st.integers(0, 99)),
)
NUMERAL_SOUP = st.text(st.sampled_from("0123456789０１２零〇一二三四五六七八九十百千万亿两点负第条.-"), max_size=40)


@given(NUMBERS)
@settings(PROPERTY, max_examples=300)
@example(10001)  # 第一万零一条
@example(MAX_NUMBER)
def test_words_read_back_as_the_number(number):
    words = int_to_chinese(number)
    assert chinese_to_int(words) == number
    assert set(words) <= set(CHINESE_NUMERAL_CHARS)
    assert not words.startswith("一十")  # labels write 十二, not 一十二


@given(NUMBERS)
@settings(PROPERTY, max_examples=300)
def test_arabic_full_width_and_chinese_digits_agree(number):
    arabic = str(number)
    assert chinese_to_int(arabic) == number
    assert chinese_to_int(arabic.translate(FULL_WIDTH)) == number
    assert chinese_to_int(arabic.translate(CHINESE_DIGITS)) == number  # 二〇二三, as years are written


@given(st.integers(MAX_NUMBER + 1, 10**40))
@settings(PROPERTY, max_examples=50)
def test_more_than_16_digits_is_a_value_error_both_ways(number):
    with pytest.raises(ValueError, match=str(MAX_NUMBER)):
        int_to_chinese(number)
    with pytest.raises(ValueError):
        chinese_to_int(str(number))
    assert numeral_value(str(number).translate(FULL_WIDTH)) is None


@given(st.one_of(NUMERAL_SOUP, st.text(max_size=40)))
@settings(PROPERTY, max_examples=500)
@example("两82")  # cn2an itself raises KeyError here
@example("十十")
@example("一" * 5000)
@example("9" * 5000)
def test_any_string_is_a_number_in_range_or_a_value_error(text):
    try:
        number = chinese_to_int(text)
    except ValueError:
        assert numeral_value(text) is None
        return
    assert 0 <= number <= MAX_NUMBER
    assert numeral_value(text) == number


@pytest.mark.parametrize(
    "written, number",
    [("一百零三", 103), ("十二", 12), ("一十二", 12), ("两", 2), ("两百", 200), ("〇", 0), ("零", 0),
     ("一万零一", 10001), ("１２", 12), ("1万2千", 12000), ("一亿零一", 100_000_001)],
)
def test_forms_labels_and_queries_use(written, number):
    assert chinese_to_int(written) == number


@pytest.mark.parametrize("number, words", [(12, "十二"), (20, "二十"), (103, "一百零三"), (110, "一百一十"),
                                           (10001, "一万零一"), (100_000_000, "一亿")])
def test_labels_are_written_as_laws_write_them(number, words):
    assert int_to_chinese(number) == words


def test_negative_numbers_are_refused():
    with pytest.raises(ValueError):
        int_to_chinese(-1)
    assert numeral_value("负三") is None
