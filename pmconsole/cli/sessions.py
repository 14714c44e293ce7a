"""Commands: create and inspect sessions (new, incident, list, metrics)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import click
import pendulum

from pmconsole.cli.base import fail, main, opened_store, session_or_fail
from pmconsole.domain import metrics
from pmconsole.domain.agenda import DEFAULT_AGENDA
from pmconsole.domain.model import Session, Severity
from pmconsole.domain.text import clean_text
from pmconsole.domain.times import TimeParseError, parse_time, parse_window_days, valid_timezone

SEVERITIES = [s.value for s in Severity]


def _when(text: str | None, session: Session, option: str) -> pendulum.DateTime | None:
    if text is None:
        return None
    return _parse(text, session, option, session.incident_date, pendulum.now("UTC"))


def _parse(text: str, session: Session, option: str, base_date: pendulum.Date | None,
           now: pendulum.DateTime) -> pendulum.DateTime:
    try:
        return parse_time(text, tz=session.timezone, now=now, base_date=base_date)
    except TimeParseError as error:
        fail(f"{option}: {error}")


# The incident options in milestone order: option name, parameter name, Session field.
INCIDENT_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--impact-start", "impact_start", "impact_started"),
    ("--detected", "detected", "detected"),
    ("--acknowledged", "acknowledged", "acknowledged"),
    ("--mitigated", "mitigated", "mitigated"),
    ("--resolved", "resolved", "resolved"),
)
# Two dates no incident falls on, to tell a bare time from one that carries its own date.
_PROBE_DATES = (pendulum.date(2000, 1, 3), pendulum.date(2000, 1, 4))


def _incident_times(session: Session, typed: dict[str, str | None]) -> dict[str, Any]:
    """The Session fields for the incident times typed, bare times on the incident's date.

    Times typed with a date (or relative to now) are read first, whatever their order on
    the command line, so ``--detected 10:05 --impact-start '2026-03-09 10:00'`` puts the
    detection on 9 March too.
    """
    now = pendulum.now("UTC")
    given = [(option, field, typed[param]) for option, param, field in INCIDENT_OPTIONS
             if typed.get(param) is not None]
    dated: dict[str, Any] = {}
    for _option, field, text in given:
        assert text is not None
        try:
            readings = {parse_time(text, tz=session.timezone, now=now, base_date=d)
                        for d in _PROBE_DATES}
        except TimeParseError:
            continue  # Reported below, with the real date.
        if len(readings) == 1:
            dated[field] = readings.pop()
    base_date = dataclasses.replace(session, **dated).incident_date
    changes = dict(dated)
    for option, field, text in given:
        if field not in dated:
            assert text is not None
            changes[field] = _parse(text, session, option, base_date, now)
    return changes


@main.command()
@click.argument("title")
@click.option("--service", default="", help="The affected service or feature.")
@click.option("--severity", type=click.Choice(SEVERITIES, case_sensitive=False), default="SEV3")
@click.option("--timezone", "zone", default="UTC", help="IANA timezone, e.g. Europe/Berlin.")
@click.option("--facilitator", default="", help="Who leads the meeting.")
@click.option("--scheduled", default=None, help="When the meeting is, e.g. '2026-11-20 14:00'.")
@click.pass_context
def new(
    ctx: click.Context,
    title: str,
    service: str,
    severity: str,
    zone: str,
    facilitator: str,
    scheduled: str | None,
) -> None:
    """Create a session with the default agenda; prints its id alone."""
    if not valid_timezone(zone):
        fail(f"--timezone: unknown timezone {zone!r} (use an IANA name such as Europe/Berlin)")
    title = clean_text(title, multiline=False).strip()
    if not title:
        fail("TITLE must not be empty")
    session = Session(
        title=title,
        service=clean_text(service, multiline=False),
        severity=Severity(severity.upper()),
        timezone=zone,
        facilitator=clean_text(facilitator, multiline=False),
    )
    session = dataclasses.replace(session, scheduled=_when(scheduled, session, "--scheduled"))
    with opened_store(ctx) as store:
        saved = store.create_session(session, DEFAULT_AGENDA)
    click.echo(saved.id)


@main.command()
@click.argument("session_id", metavar="SESSION", type=int)
@click.option("--impact-start", default=None, help="When users were first affected.")
@click.option("--detected", default=None, help="When the problem was noticed.")
@click.option("--acknowledged", default=None, help="When someone took it on.")
@click.option("--mitigated", default=None, help="When users stopped being affected.")
@click.option("--resolved", default=None, help="When the incident was closed.")
@click.option("--slo", type=float, default=None, help="Availability SLO in percent, e.g. 99.9.")
@click.option("--slo-window", default=None, help="SLO window, e.g. 30d or 4w.")
@click.pass_context
def incident(ctx: click.Context, /, session_id: int, slo: float | None, slo_window: str | None,
             **times: str | None) -> None:
    """Set a session's incident timestamps and SLO; prints the resulting metrics."""
    with opened_store(ctx, must_exist=True) as store:
        session = session_or_fail(store, session_id)
        changes = _incident_times(session, times)
        if slo is not None:
            if not 0 < slo < 100:
                fail("--slo: give a percentage between 0 and 100, e.g. 99.9")
            changes["slo_target"] = slo
        if slo_window is not None:
            try:
                changes["slo_window_days"] = parse_window_days(slo_window)
            except TimeParseError as error:
                fail(f"--slo-window: {error}")
        session = dataclasses.replace(session, **changes)
        store.update(session)
    _print_metrics(metrics.session_metrics(session))


def _print_metrics(m: metrics.SessionMetrics) -> None:
    for key, label in metrics.METRIC_NAMES.items():
        click.echo(f"{key.upper():7} {metrics.format_duration(getattr(m, key)):>10}  {label}")
    if m.budget_consumed is not None:
        click.echo(f"{'BUDGET':7} {m.budget_consumed:>9.0%}  of the error budget consumed")
    for problem in m.problems:
        click.echo(f"warning: {problem}", err=True)


def _iso(moment: pendulum.DateTime | None) -> str | None:
    return None if moment is None else moment.in_timezone("UTC").isoformat()


def session_summary(session: Session) -> dict[str, Any]:
    m = metrics.session_metrics(session)
    return {
        "id": session.id,
        "title": session.title,
        "service": session.service,
        "severity": session.severity.value,
        "status": session.status.value,
        "scheduled": _iso(session.scheduled),
        "started": _iso(session.started),
        "ttd": None if m.ttd is None else int(m.ttd),
        "ttr": None if m.ttr is None else int(m.ttr),
    }


@main.command("list")
@click.option("--search", "query", default=None, help="Only sessions with an entry matching.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_sessions(ctx: click.Context, query: str | None, as_json: bool) -> None:
    """List sessions, newest first (or the sessions matching a search)."""
    from pmconsole.store.search import MARK_END, MARK_START

    with opened_store(ctx, readonly=True, missing_ok=True) as store:
        sessions = store.list_sessions()
        hits = store.search(query, limit=200) if query is not None else None
    if hits is not None:
        wanted = {h.session_id for h in hits}
        sessions = [s for s in sessions if s.id in wanted]
    if as_json:
        rows = [session_summary(s) for s in sessions]
        if hits is not None:
            for row in rows:
                row["matches"] = [
                    {"entity": h.entity.value, "id": h.entity_id,
                     "snippet": h.snippet.replace(MARK_START, "").replace(MARK_END, "")}
                    for h in hits if h.session_id == row["id"]
                ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not sessions:
        click.echo("No sessions match." if hits is not None else "No sessions yet.")
        return
    for s in sessions:
        when = (s.scheduled or s.started or s.created).in_timezone(s.timezone)
        click.echo(f"{s.id:>5}  {when.format('YYYY-MM-DD')}  {s.severity.value}  "
                   f"{s.status.value:<8}  {s.title}")
        for h in hits or []:
            if h.session_id == s.id:
                snippet = h.snippet.replace(MARK_START, "«").replace(MARK_END, "»")
                click.echo(f"         {h.entity.value}: {snippet}")


@main.command("metrics")
@click.argument("session_id", metavar="[SESSION]", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (durations in whole seconds).")
@click.pass_context
def metrics_command(ctx: click.Context, session_id: int | None, as_json: bool) -> None:
    """One session's TTD/TTA/TTM/TTR, or MTTx (median and p90) across all sessions."""
    with opened_store(ctx, readonly=True, missing_ok=session_id is None) as store:
        if session_id is not None:
            session = session_or_fail(store, session_id)
            m = metrics.session_metrics(session)
            if as_json:
                data: dict[str, Any] = {
                    k: None if v is None else int(v) for k, v in m.as_dict().items()
                }
                data["error_budget_consumed"] = m.budget_consumed
                data["problems"] = list(m.problems)
                click.echo(json.dumps(data, indent=2))
            else:
                _print_metrics(m)
            return
        from pmconsole.store.review import incident_sessions

        # Follow-up meetings are not incidents: they would skew MTTx (as in the metrics view).
        sessions = incident_sessions(store.list_sessions())
    from pmconsole.domain.trends import trend_report

    report = trend_report(sessions)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{len(sessions)} sessions")
    for key, agg in report.overall.items():
        label = "M" + key.upper() if key.startswith("tt") else key.upper()  # MTTD, MTTR
        click.echo(f"{label:7} median "
                   f"{metrics.format_duration(agg.median):>9}  p90 "
                   f"{metrics.format_duration(agg.p90):>9}  "
                   f"({agg.count} incident{'s' if agg.count != 1 else ''})")
