"""Closed-form and exact-CTMC models for staffing: Erlang B/C/A queues and Larson's hypercube."""

from __future__ import annotations

from sim.analytic.erlang import (
    ErlangAMetrics,
    MMcMetrics,
    erlang_a,
    erlang_a_service_level,
    erlang_b,
    erlang_c,
    mmc,
    required_servers,
    service_level,
    wait_quantile,
)
from sim.analytic.hypercube import HypercubeResult, hypercube, preferences_by_distance

__all__ = [
    "ErlangAMetrics",
    "HypercubeResult",
    "MMcMetrics",
    "erlang_a",
    "erlang_a_service_level",
    "erlang_b",
    "erlang_c",
    "hypercube",
    "mmc",
    "preferences_by_distance",
    "required_servers",
    "service_level",
    "wait_quantile",
]
