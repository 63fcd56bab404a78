"""The one `make up` run the whole-system tests share (see `tests/make_up_run.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reloop_localstack.stack import Endpoints
from tests.make_up_run import MakeUpRun


@pytest.fixture(scope="session")
def make_up(infrastructure: Endpoints) -> Iterator[MakeUpRun]:
    run = MakeUpRun(infrastructure)
    try:
        yield run
    finally:
        run.close()
