"""The faults of one run, drawn from the seed: which move, in which order, after which pause.
Played in a thread beside the day (every move blocks until the system is back)."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from tests.faults.fault_stack import SERVICES, FaultStack

KILLS_PER_SERVICE = 2
KAFKA_PAUSE_S = 16.0
"""Longer than a consumer's session timeout (10 s by default): the group rebalances under it."""


@dataclass(frozen=True)
class Move:
    kind: str  # "kill", "kafka-restart", "kafka-pause", "postgres-restart", "relay-start", "relay-stop"
    target: str = ""
    pause_s: float = 0.0  # before the move


def draw(seed: int) -> list[Move]:
    rng = random.Random(seed ^ 0xFA17)
    moves = [Move("kill", s) for s in SERVICES for _ in range(KILLS_PER_SERVICE)]
    moves += [Move("kafka-restart"), Move("kafka-pause"), Move("postgres-restart")]
    rng.shuffle(moves)
    # Two relays of orders for a stretch of the run: from a third of the moves to two thirds.
    moves.insert(len(moves) // 3, Move("relay-start", "orders"))
    moves.insert(2 * len(moves) // 3, Move("relay-stop", "orders"))
    return [Move(m.kind, m.target, round(rng.uniform(2.0, 8.0), 1)) for m in moves]


MOVE_COST_S = {"kill": 9.0, "kafka-restart": 8.0, "kafka-pause": KAFKA_PAUSE_S, "postgres-restart": 4.0}
"""What a move takes on this machine, roughly (a kill waits for the restarted service to be ready),
as the last runs' logs show."""


def window_s(moves: list[Move]) -> float:
    """About how long the moves take to play: the day's traffic is spread over this window."""
    return sum(m.pause_s + MOVE_COST_S.get(m.kind, 0.0) for m in moves)


class Chaos:
    def __init__(self, stack: FaultStack, moves: list[Move]) -> None:
        self.stack = stack
        self.moves = moves
        self.played = 0
        self.half_way = threading.Event()
        self.error: BaseException | None = None

    def play(self) -> None:
        relay = None
        try:
            for n, move in enumerate(self.moves):
                time.sleep(move.pause_s)
                if move.kind == "kill":
                    self.stack.kill(move.target)
                    self.stack.restart(move.target)
                elif move.kind == "kafka-restart":
                    self.stack.restart_kafka(down_s=5.0)
                elif move.kind == "kafka-pause":
                    with self.stack.kafka_paused():
                        time.sleep(KAFKA_PAUSE_S)
                elif move.kind == "postgres-restart":
                    self.stack.restart_postgres()
                elif move.kind == "relay-start":
                    relay = self.stack.second_relay(move.target)
                elif move.kind == "relay-stop" and relay is not None:
                    self.stack.kill_relay(relay)
                    relay = None
                self.played += 1
                if n + 1 >= len(self.moves) // 2:
                    self.half_way.set()
        except BaseException as error:  # reported by the test, after the day
            self.error = error
            self.stack.log(f"chaos stopped: {error!r}")
        finally:
            self.half_way.set()
