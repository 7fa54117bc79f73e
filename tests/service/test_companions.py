"""Companions: a hit of a text with another version (or the text that replaced it) brings its counterpart."""

from __future__ import annotations

import numpy as np
import pytest

from policy_search.alignment import NONE, REPEAL, VERSION, Alignment, Successor
from service.retrieval.companions import bring_companions, companion_map
from service.retrieval.hits import Hit
from service.retrieval.ranking import RankingConfig

GROUPS = {"old1": 1, "new1": 11, "old2": 2, "new2": 12, "law3": 3, "code3": 13, "law4": 4, "code4": 14}


def rows() -> list[Alignment]:
    return [
        Alignment("old1", "a", "b", "amended", successors=(Successor("new1", similarity=0.8),), reason=VERSION),
        Alignment("old2", "a", "b", "split", reason=VERSION,
                  successors=(Successor("new2", similarity=0.5), Successor("new1", paragraph=2, similarity=0.6))),
        Alignment("law3", "c", "d", "same", successors=(Successor("code3", similarity=0.9),), reason=REPEAL),
        Alignment("law4", "c", "d", NONE, successors=(), similarity=0.2, reason=REPEAL),
        Alignment("gone", "c", "d", "same", successors=(Successor("code4", similarity=0.9),), reason=REPEAL),
    ]


def test_versions_go_both_ways_and_a_repealed_text_only_forward():
    companions = companion_map(rows(), GROUPS.get)
    assert companions[1] == (11,)
    assert companions[2] == (11, 12)  # most similar first: 0.6 before 0.5
    assert set(companions[11]) == {1, 2} and companions[12] == (2,)
    assert companions[3] == (13,) and 13 not in companions  # a code does not bring the law it repealed
    assert 4 not in companions and 14 not in companions  # none gives nothing; an unindexed clause neither


def test_counterparts_come_right_after_their_bringer_within_the_lead_and_the_scope():
    companions = {1: (11,), 5: (15,), 7: (17,)}
    hits = [Hit(5, 50, 0.9), Hit(1, 10, 0.8), Hit(6, 60, 0.7), Hit(11, 110, 0.3), Hit(7, 70, 0.2)]
    allowed = np.ones(200, dtype=bool)
    allowed[150] = False  # group 15 lies outside the search's filters
    ordered = bring_companions(hits, companions, 2, lambda g: g * 10, allowed)
    assert [h.group for h in ordered] == [5, 1, 11, 6, 7]  # 11 moved up, 15 out of scope, 7 past the lead
    moved = ordered[2]
    assert moved.components["companion"] == 1.0 and 0.79 < moved.score < 0.8
    added = bring_companions([Hit(1, 10, 0.8)], companions, 1, lambda g: g * 10, allowed)
    assert [(h.group, h.clause) for h in added] == [(1, 10), (11, 110)]
    assert bring_companions(hits, companions, 0, lambda g: g * 10, allowed) == hits


def test_the_knob_is_checked():
    with pytest.raises(ValueError, match="companions"):
        RankingConfig(companions=-1)
