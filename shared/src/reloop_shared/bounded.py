"""A mapping that keeps at most `bound` entries, dropping the least recently used first.

For caches in long-lived processes whose keys come from the input (a subject's data key, one per
customer): without a bound they hold every key ever met, and a process serving millions of
customers grows until it is killed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LeastRecentlyUsed(MutableMapping[K, V], Generic[K, V]):
    def __init__(self, bound: int) -> None:
        if bound < 1:
            raise ValueError(f"a cache holds at least one entry, not {bound}")
        self.bound = bound
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __getitem__(self, key: K) -> V:
        value = self._entries[key]
        self._entries.move_to_end(key)  # a read is a use: it stays longest
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.bound:
            self._entries.popitem(last=False)

    def __delitem__(self, key: K) -> None:
        del self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries  # asking is not using: the order stays

    def __iter__(self) -> Iterator[K]:
        # Over a copy: reading each entry while iterating (`dict(cache)`, `.items()`) reorders them.
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()  # at once, not entry by entry as MutableMapping's would
