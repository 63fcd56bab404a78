"""The relay notices that its listening connection is gone even when the pool already took it back
(after a database restart asking such a proxy raises instead of answering)."""

from __future__ import annotations

from typing import cast

import asyncpg

from reloop_shared.db.types import Connection
from reloop_shared.outbox.relay import _still_listening


class Listener:
    def __init__(self, answer: bool | Exception) -> None:
        self.answer = answer

    def is_closed(self) -> bool:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def listener(answer: bool | Exception) -> Connection:
    return cast(Connection, Listener(answer))


def test_a_listener_the_pool_took_back_is_not_listening_and_raises_nothing() -> None:
    released = asyncpg.InterfaceError(
        "cannot call Connection.is_closed(): connection has been released back to the pool"
    )
    assert _still_listening(listener(released)) is False


def test_an_open_listener_listens_and_a_closed_one_does_not() -> None:
    assert _still_listening(listener(False)) is True
    assert _still_listening(listener(True)) is False
