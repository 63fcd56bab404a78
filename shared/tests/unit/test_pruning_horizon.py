"""How long a consumer keeps the rows that recognise redeliveries, from its topics' retention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import TopicSpec
from reloop_shared.consumer.pruning import KEEP_AT_LEAST, SEGMENT_ROLL, Pruning
from shared.tests.support import CounterIncremented


def _topic(retention: timedelta | None) -> TopicSpec:
    return TopicSpec(
        name=f"test.retention-{retention}.v1",
        key="counter_id",
        events=(CounterIncremented,),
        producers=("counter-test",),
        description="a topic of a given retention",
        retention_ms=-1 if retention is None else int(retention.total_seconds() * 1000),
    )


def test_a_consumer_of_topics_kept_for_ever_keeps_its_rows_for_the_configured_age() -> None:
    assert Pruning(keep_for=timedelta(days=7)).horizon([_topic(None)]) == timedelta(days=7)


def test_a_consumer_of_a_topic_with_a_longer_retention_keeps_its_rows_until_the_broker_drops_the_records() -> None:
    horizon = Pruning(keep_for=timedelta(days=7)).horizon([_topic(None), _topic(timedelta(days=30))])

    assert horizon == timedelta(days=30) + SEGMENT_ROLL


def test_a_short_retention_never_shortens_the_configured_age() -> None:
    assert Pruning(keep_for=timedelta(days=20)).horizon([_topic(timedelta(hours=1))]) == timedelta(days=20)


def test_an_age_under_the_floor_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        Pruning(keep_for=KEEP_AT_LEAST - timedelta(seconds=1))
