"""publishing/slots.py: examples and properties (hypothesis)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publishing.slots import SlotRules, ceil_hour, is_free, next_free_slot, spread_slots

NOW = datetime(2026, 3, 10, 14, 20, tzinfo=UTC)
H = timedelta(hours=1)


def at(hour, minute=0, day=10):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_first_slot_is_the_next_whole_hour_at_least_the_offset_ahead():
    assert next_free_slot(now=NOW, taken=[]) == at(16)  # 14:20 + 1 h = 15:20 → 16:00
    assert next_free_slot(now=at(14), taken=[]) == at(15)  # exactly on the hour: 15:00 is 1 h ahead
    assert next_free_slot(now=NOW, taken=[], rules=SlotRules(offset_hours=3)) == at(18)


def test_taken_hours_are_skipped():
    assert next_free_slot(now=NOW, taken=[at(16), at(17)]) == at(18)


def test_spacing_keeps_posts_apart_even_off_the_hour():
    # A post at 16:30 blocks 16:00 and 17:00 (each is only 30 min away) with 1 h spacing.
    assert next_free_slot(now=NOW, taken=[at(16, 30)]) == at(18)
    # With 2 h spacing a post at 17:00 blocks 16:00, 17:00 and 18:00.
    assert next_free_slot(now=NOW, taken=[at(17)], rules=SlotRules(spacing_hours=2)) == at(19)


def test_posts_in_the_past_do_not_matter():
    assert next_free_slot(now=NOW, taken=[at(9), at(14)]) == at(16)


def test_spread_hands_out_n_distinct_spaced_slots():
    assert spread_slots(now=NOW, count=3, taken=[at(17)]) == [at(16), at(18), at(19)]
    assert spread_slots(now=NOW, count=3, taken=[], rules=SlotRules(spacing_hours=2)) == [at(16), at(18), at(20)]
    assert spread_slots(now=NOW, count=0, taken=[]) == []


def test_bad_rules_are_refused():
    with pytest.raises(ValueError):
        SlotRules(spacing_hours=0)
    with pytest.raises(ValueError):
        SlotRules(offset_hours=-1)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 1, 8), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=0)
)
rules_st = st.builds(SlotRules, offset_hours=st.integers(0, 5), spacing_hours=st.integers(1, 4))


@settings(max_examples=300, deadline=None)
@given(now=moments, taken=st.lists(moments, max_size=30), rules=rules_st)
def test_next_slot_is_a_whole_hour_far_enough_ahead_spaced_and_the_earliest(now, taken, rules):
    slot = next_free_slot(now=now, taken=taken, rules=rules)
    spacing = timedelta(hours=rules.spacing_hours)
    earliest = now + timedelta(hours=rules.offset_hours)
    assert slot == ceil_hour(slot)
    assert slot >= earliest
    assert is_free(slot, taken, spacing=spacing)
    # No earlier whole hour would do.
    candidate = ceil_hour(earliest)
    while candidate < slot:
        assert not is_free(candidate, taken, spacing=spacing)
        candidate += H


@settings(max_examples=200, deadline=None)
@given(now=moments, taken=st.lists(moments, max_size=15), count=st.integers(0, 12), rules=rules_st)
def test_spread_slots_are_increasing_pairwise_spaced_and_clear_of_taken(now, taken, count, rules):
    slots = spread_slots(now=now, count=count, taken=taken, rules=rules)
    spacing = timedelta(hours=rules.spacing_hours)
    assert len(slots) == count
    assert slots == sorted(slots)
    for i, slot in enumerate(slots):
        assert is_free(slot, taken, spacing=spacing)
        assert is_free(slot, slots[:i] + slots[i + 1 :], spacing=spacing)
        assert slot >= now + timedelta(hours=rules.offset_hours)
