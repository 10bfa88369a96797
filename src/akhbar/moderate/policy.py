"""The rules a report is judged by, from the settings (report_*)."""

from __future__ import annotations

from akhbar.errors import ConfigError
from akhbar.types import ReportPolicy


def report_policy(settings) -> ReportPolicy:
    """ReportPolicy from settings report_threshold, report_reader_limit,
    report_network_limit, report_burst_limit and report_burst_seconds."""
    policy = ReportPolicy(
        threshold=int(settings.report_threshold),
        reader_limit=int(settings.report_reader_limit),
        network_limit=int(settings.report_network_limit),
        burst_limit=int(settings.report_burst_limit),
        burst_window=float(settings.report_burst_seconds),
    )
    if policy.threshold < 1:
        raise ConfigError(f"report_threshold must be at least 1, not {policy.threshold}")
    if min(policy.reader_limit, policy.network_limit, policy.burst_limit) < 1 \
            or policy.burst_window <= 0:
        raise ConfigError("report_reader_limit, report_network_limit, report_burst_limit and "
                          "report_burst_seconds must be positive")
    return policy
