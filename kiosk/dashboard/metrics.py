"""Prometheus /metrics: the live loop's counters as the kiosk last stored them, read from the
database at each scrape (a collector of our own, on a registry of our own)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

# States in which the live loop is running (a camera fault is a running loop retrying).
LIVE_STATES = frozenset({"tracking", "no_customer", "paused", "camera_fault", "starting"})
STATES = ("tracking", "no_customer", "paused", "camera_fault", "starting", "stopped", "offline")
LABELS = ("counter", "site")

bp = Blueprint("metrics", __name__)


class KioskCollector(Collector):
    def __init__(self, store: Any, counter: str, site: str):
        self._store = store
        self._counter = counter
        self._site = site

    def describe(self) -> list[Metric]:
        # Registering must not read the database; the names come from collect() at scrape time.
        return []

    def collect(self) -> Iterator[Metric]:
        status = self._store.status(self._counter)
        counters = status.get("counters") or {}
        labels = [status.get("counter") or self._counter, status.get("site") or self._site]

        def counter(name: str, doc: str, value: float) -> CounterMetricFamily:
            family = CounterMetricFamily(name, doc, labels=LABELS)
            family.add_metric(labels, value)
            return family

        yield counter("kiosk_frames", "Frames the camera delivered.", counters.get("frames", 0))
        yield counter(
            "kiosk_frames_processed",
            "Frames that went through tracking and signals (not dropped or paused).",
            counters.get("processed", 0),
        )
        yield counter(
            "kiosk_camera_faults", "Times the camera failed.", counters.get("camera_faults", 0)
        )
        yield counter(
            "kiosk_interactions", "Interactions finished.", counters.get("interactions", 0)
        )
        yield counter(
            "kiosk_bad_frames",
            "Unusable frames skipped (empty, wrong shape or type).",
            counters.get("bad_frames", 0),
        )
        yield counter(
            "kiosk_model_errors",
            "Frames the models failed on (skipped).",
            counters.get("model_errors", 0),
        )
        if counters.get("mqtt_queued") is not None:
            yield _gauge(
                "kiosk_mqtt_queued",
                "Interaction summaries waiting for the MQTT broker's acknowledgement.",
                labels,
                counters["mqtt_queued"],
            )
        if counters.get("mqtt_connected") is not None:
            yield _gauge(
                "kiosk_mqtt_connected",
                "1 while the kiosk is connected to its MQTT broker, else 0.",
                labels,
                1.0 if counters["mqtt_connected"] else 0.0,
            )
        nudges = CounterMetricFamily(
            "kiosk_nudges", "Nudges shown, by cue.", labels=(*LABELS, "cue")
        )
        for cue, count in sorted((counters.get("nudges_by_cue") or {}).items()):
            nudges.add_metric([*labels, cue], count)
        yield nudges

        fps = counters.get("fps")
        if fps is not None:
            yield _gauge("kiosk_fps", "Frames processed per second, recently.", labels, fps)
        stage = GaugeMetricFamily(
            "kiosk_stage_seconds",
            "Recent median time per frame in each pipeline stage.",
            labels=(*LABELS, "stage"),
        )
        for name, ms in sorted((counters.get("stage_ms") or {}).items()):
            if ms is not None:
                stage.add_metric([*labels, name], ms / 1000.0)
        yield stage

        state = status.get("status")
        yield _gauge(
            "kiosk_live_up",
            "1 while the live loop is running and updating its status, else 0.",
            labels,
            1.0 if state in LIVE_STATES else 0.0,
        )
        states = GaugeMetricFamily(
            "kiosk_state", "The counter's status: 1 for the current one.", labels=(*LABELS, "state")
        )
        for name in STATES:
            states.add_metric([*labels, name], 1.0 if state == name else 0.0)
        yield states
        if status.get("updated"):
            yield _gauge(
                "kiosk_status_updated_timestamp_seconds",
                "When the live loop last stored its status (Unix time).",
                labels,
                datetime.fromisoformat(status["updated"]).timestamp(),
            )


def _gauge(name: str, doc: str, labels: list[str], value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=LABELS)
    family.add_metric(labels, value)
    return family


def registry_for(store: Any, counter: str, site: str) -> CollectorRegistry:
    """A registry of our own: the process-wide default would also export Python's own metrics
    and clash when two apps are created in one process (tests, kiosk run with the dashboard)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(KioskCollector(store, counter, site))
    return registry


@bp.get("/metrics")
def metrics():
    registry = current_app.extensions["kiosk_metrics_registry"]
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
