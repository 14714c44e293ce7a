"""Incident metrics as a reviewer reads them: TTx, impact, error budget, MTTx across sessions."""

from __future__ import annotations

import dataclasses

import pendulum
import pytest

from pmconsole.domain.metrics import (
    aggregate,
    error_budget_minutes,
    format_duration,
    percentile,
    session_metrics,
    timestamp_problems,
)
from pmconsole.domain.model import Session

T0 = pendulum.datetime(2026, 11, 20, 9, 0, tz="UTC")


def at(minutes: float) -> pendulum.DateTime:
    return T0.add(seconds=int(minutes * 60))


# Impact starts 09:00, alert fires 09:12, on-call acknowledges 09:15, rollback mitigates
# at 09:47, root cause fixed and incident resolved at 11:30. SLO 99.9 % over 30 days.
REALISTIC = Session(
    title="Checkout 502s",
    timezone="Europe/Berlin",
    impact_started=at(0),
    detected=at(12),
    acknowledged=at(15),
    mitigated=at(47),
    resolved=at(150),
    slo_target=99.9,
    slo_window_days=30,
)


def test_realistic_session() -> None:
    metrics = session_metrics(REALISTIC)
    assert metrics.ttd == 12 * 60
    assert metrics.tta == 15 * 60
    assert metrics.ttm == 47 * 60
    assert metrics.ttr == 150 * 60
    # Impact ends when service is restored: at mitigation, not at the final fix.
    assert metrics.impact == 47 * 60
    assert metrics.budget_minutes == pytest.approx(43.2)
    assert metrics.budget_consumed == pytest.approx(47 / 43.2)
    assert metrics.problems == ()


def test_metrics_do_not_depend_on_the_timezone_timestamps_were_entered_in() -> None:
    shifted = dataclasses.replace(
        REALISTIC,
        detected=REALISTIC.detected.in_timezone("America/New_York"),  # type: ignore[union-attr]
        resolved=REALISTIC.resolved.in_timezone("Asia/Kolkata"),  # type: ignore[union-attr]
    )
    assert session_metrics(shifted) == session_metrics(REALISTIC)


def test_missing_timestamps_give_none_not_zero() -> None:
    metrics = session_metrics(Session(title="x", impact_started=at(0), resolved=at(90)))
    assert (metrics.ttd, metrics.tta, metrics.ttm) == (None, None, None)
    assert metrics.ttr == 90 * 60
    # Without a mitigation time, impact lasts until resolution.
    assert metrics.impact == 90 * 60
    assert metrics.budget_minutes is None and metrics.budget_consumed is None


def test_without_impact_start_nothing_can_be_measured() -> None:
    session = dataclasses.replace(REALISTIC, impact_started=None)
    metrics = session_metrics(session)
    assert metrics.as_dict() == {"ttd": None, "tta": None, "ttm": None, "ttr": None,
                                 "impact": None}
    assert metrics.budget_minutes == pytest.approx(43.2)
    assert metrics.budget_consumed is None
    assert metrics.problems == ()


def test_detection_before_impact_start_is_a_problem_and_ttd_unknown() -> None:
    session = dataclasses.replace(REALISTIC, detected=at(-5))
    metrics = session_metrics(session)
    assert "detected is before impact start" in metrics.problems
    assert metrics.ttd is None
    # The other values do not involve the bad timestamp.
    assert metrics.ttr == 150 * 60 and metrics.ttm == 47 * 60


def test_mitigation_before_impact_start_leaves_impact_unknown_not_stretched_to_resolution() -> None:
    session = dataclasses.replace(REALISTIC, mitigated=at(-10))
    metrics = session_metrics(session)
    assert "mitigated is before impact start" in metrics.problems
    assert metrics.ttm is None
    assert metrics.impact is None
    assert metrics.budget_consumed is None


def test_every_out_of_order_pair_is_reported() -> None:
    swapped = dataclasses.replace(REALISTIC, mitigated=at(150), resolved=at(47))
    assert timestamp_problems(swapped) == ["resolved is before mitigated"]
    all_backwards = Session(title="x", impact_started=at(40), detected=at(30),
                            acknowledged=at(20), mitigated=at(10), resolved=at(0))
    assert len(timestamp_problems(all_backwards)) == 10


def test_equal_timestamps_are_not_a_problem() -> None:
    session = Session(title="x", impact_started=at(0), detected=at(0), resolved=at(0))
    metrics = session_metrics(session)
    assert metrics.problems == ()
    assert (metrics.ttd, metrics.ttr) == (0, 0)


@pytest.mark.parametrize(
    ("target", "days", "minutes"),
    [(99.9, 30, 43.2), (99.99, 30, 4.32), (99.5, 7, 50.4), (99.0, 28, 403.2), (99.9, 1, 1.44)],
)
def test_error_budget_minutes(target: float, days: int, minutes: float) -> None:
    assert error_budget_minutes(target, days) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("target", "days"), [(None, 30), (99.9, None), (100.0, 30), (0.0, 30), (120.0, 30),
                         (99.9, 0), (99.9, -7)],
)
def test_error_budget_is_none_when_undefined(target: float | None, days: int | None) -> None:
    assert error_budget_minutes(target, days) is None


def test_budget_consumed_is_a_fraction_of_the_window_budget() -> None:
    # 21.6 minutes of impact is exactly half of 43.2.
    session = Session(title="x", impact_started=at(0), mitigated=at(21.6), resolved=at(60),
                      slo_target=99.9, slo_window_days=30)
    assert session_metrics(session).budget_consumed == pytest.approx(0.5)


def test_percentile_by_hand() -> None:
    values = [240.0, 60.0, 600.0, 120.0, 180.0]  # sorted: 60 120 180 240 600
    assert percentile(values, 0.5) == 180.0
    # position (5 - 1) * 0.9 = 3.6: 240 + 0.6 * (600 - 240)
    assert percentile(values, 0.9) == pytest.approx(456.0)
    assert percentile(values, 0.0) == 60.0 and percentile(values, 1.0) == 600.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([], 0.5) is None


def test_aggregate_median_and_p90_across_sessions() -> None:
    sessions = [
        Session(title=f"s{i}", impact_started=at(0), detected=at(ttd), resolved=at(ttr))
        for i, (ttd, ttr) in enumerate([(4, 60), (1, 30), (10, 240), (2, 45), (3, 90)])
    ]
    # One session without a detection time and one with detection before impact start:
    # neither may pull the MTTD down.
    sessions.append(Session(title="no detection", impact_started=at(0), resolved=at(120)))
    sessions.append(Session(title="backwards", impact_started=at(0), detected=at(-30)))
    result = aggregate(sessions)
    ttd = result["ttd"]
    assert ttd.count == 5
    assert ttd.median == 3 * 60  # 1 2 3 4 10 minutes
    assert ttd.p90 == pytest.approx((4 + 0.6 * 6) * 60)  # 7.6 minutes
    ttr = result["ttr"]
    assert ttr.count == 6  # 30 45 60 90 120 240 minutes
    assert ttr.median == pytest.approx(75 * 60)  # between 60 and 90
    assert ttr.p90 == pytest.approx((120 + 0.5 * 120) * 60)  # position 4.5
    assert result["ttm"].count == 0 and result["ttm"].median is None


def test_aggregate_of_no_sessions() -> None:
    result = aggregate([])
    assert set(result) == {"ttd", "tta", "ttm", "ttr", "impact"}
    assert all(a.count == 0 and a.median is None and a.p90 is None for a in result.values())


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0s"), (45, "45s"), (59.6, "1m 00s"), (750, "12m 30s"),
     (3600, "1h 00m"), (3900, "1h 05m"), (9000, "2h 30m"), (86400, "1d 00h"),
     (90000, "1d 01h"), (3 * 86400 + 7 * 3600 + 59, "3d 07h")],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_duration_blank_for_unknown() -> None:
    assert format_duration(None, blank="n/a") == "n/a"
    assert format_duration(0, blank="n/a") == "0s"
