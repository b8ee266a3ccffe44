"""Frames produced ahead on a thread: the same items in the same order, errors handed over,
and a consumer that stops early stops the producer."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.camera.ahead import read_ahead


def test_every_item_arrives_in_order_while_the_next_is_being_made():
    made_on = set()

    def produce():
        for i in range(50):
            made_on.add(threading.current_thread().name)
            yield i

    assert list(read_ahead(produce(), depth=2)) == list(range(50))
    assert made_on == {"kiosk-read-ahead"}


def test_an_error_in_the_producer_reaches_the_consumer_after_the_items_before_it():
    def produce():
        yield 1
        yield 2
        raise ValueError("the video ended badly")

    got = []
    with pytest.raises(ValueError, match="ended badly"):
        for item in read_ahead(produce()):
            got.append(item)
    assert got == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer_within_a_few_items():
    made = []

    def produce():
        for i in range(10_000):
            made.append(i)
            yield i

    items = read_ahead(produce(), depth=2)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()
    time.sleep(0.2)
    assert len(made) <= 3 + 2 + 1  # taken, queued, and the one in hand when it stopped
