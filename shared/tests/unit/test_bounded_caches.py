"""A least-recently-used mapping keeps at most its bound, dropping what was used longest ago."""

from __future__ import annotations

import pytest

from reloop_shared.bounded import LeastRecentlyUsed


def test_the_bound_holds_after_one_entry_more_than_it_allows() -> None:
    cache: LeastRecentlyUsed[str, int] = LeastRecentlyUsed(3)
    for n, subject in enumerate(["a", "b", "c", "d"]):
        cache[subject] = n

    assert len(cache) == 3
    assert "a" not in cache
    assert dict(cache) == {"b": 1, "c": 2, "d": 3}


def test_an_entry_read_recently_outlives_one_written_after_it() -> None:
    cache: LeastRecentlyUsed[str, int] = LeastRecentlyUsed(2)
    cache["a"] = 1
    cache["b"] = 2
    assert cache.get("a") == 1  # a read counts as a use

    cache["c"] = 3

    assert set(cache) == {"a", "c"}


def test_many_entries_at_once_keep_only_the_last_ones_within_the_bound() -> None:
    cache: LeastRecentlyUsed[int, None] = LeastRecentlyUsed(10)
    cache.update({n: None for n in range(25)})

    assert sorted(cache) == list(range(15, 25))
    cache.clear()
    assert len(cache) == 0


def test_a_bound_under_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LeastRecentlyUsed[str, str](0)
