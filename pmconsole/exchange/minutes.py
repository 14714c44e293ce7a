"""Markdown minutes of a session, after the Google SRE and PagerDuty post-mortem templates.

``render_minutes`` is a pure function of a ``SessionRecord``. The output is CommonMark
with GitHub tables, so it drops into a wiki page, a pull request or a repository.

How user text is written
------------------------
Whatever was typed reads back exactly as typed when the minutes are parsed (checked
with markdown-it-py in the tests); it can never become a heading, list, quote, code
block, table, link, HTML or emphasis:

- Every character with a meaning in CommonMark or GitHub Markdown
  (``\\ ` * _ [ ] < > & | ~ $ #``) is escaped with a backslash wherever it appears, and so
  is the first character of a line when it is ``-``, ``+``, ``=`` or ``:``, or the ``.``
  or ``)`` after a number that starts a line (``1.`` would start a list).
- Whitespace at the start or end of a line, which a parser drops (four leading spaces
  would even start a code block), is written as character references (``&#32;``).
- In table cells and headings, which hold one line, **each line break becomes a single
  space**: the cell reads back as the typed text with ``\\n`` replaced by ``" "``.
- In paragraphs (summary, impact, findings) line breaks are kept as hard line breaks (a
  backslash at the end of the line); an empty line is a line holding only that
  backslash, so the paragraph goes on. Line breaks at the very start or end of the text
  are dropped (a CommonMark paragraph cannot end with a line break), and blank text is
  shown as "No ... was recorded."
- Text is passed through ``clean_text`` first (control characters removed), as the
  store does, in case it did not come from the store.

A link to a ticket or dashboard is made clickable only when it is an ``http(s)`` URL;
anything else (``javascript:...``) is shown as plain text.

Linting the minutes
-------------------
``pmconsole lint minutes.md`` (in CI, say) must pass unless the meeting's own words hold
blameful wording that nobody resolved. The minutes repeat flagged wording on purpose in
places that are not the meeting's words, and hold wording the room already resolved, so
they tell lint which is which with ``<!-- pmconsole-lint ... -->`` comments, which a reader
of the rendered page never sees (their syntax is documented above ``_DIRECTIVE`` in
``pmconsole/cli/scripts.py``, which reads them):

- ``names``: the session's people, so lint recognises "Dave broke prod" as the console did.
- ``off``/``on`` around the blameless-language review table and the scripted-responses
  table: generated text about the meeting whose subject is blameful wording (the flagged
  phrases, card titles quoting objections such as "Who is responsible?"). Lint reads each
  phrase where the meeting wrote it instead.
- ``allow`` before a block (table, list or paragraph), naming the lines of one entry and the
  phrases of its flags that the room accepted or dismissed: the console never raises those
  again on that entry, and lint agrees. An open flag's phrase is never allowed, and the
  same words on other lines are still reported.

Blanket rules (skipping every table, every quotation) were rejected: they would also hide
the meeting's own unresolved wording. Rewording our own sentences is still the first fix:
the rules' suggestions pass the detector (a test checks it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import tzinfo

import pendulum
from pendulum import DateTime

from pmconsole.domain.agenda import actual_minutes
from pmconsole.domain.blame import SCANNED_TEXT, session_names
from pmconsole.domain.metrics import format_duration, session_metrics
from pmconsole.domain.model import (
    ActionItem,
    AgendaItem,
    BlameFlag,
    EntityKind,
    Finding,
    FindingCategory,
    FindingKind,
    FlagStatus,
    SessionRecord,
    TimelineEvent,
)
from pmconsole.domain.text import clean_text

_SPECIAL = "\\`*_[]<>&|~$#"
_ESCAPE = str.maketrans({ch: "\\" + ch for ch in _SPECIAL})
# str.translate with multi-character replacements is slow, and most lines have nothing to
# escape: look first (a 10,000-event timeline renders in half the time).
_NEEDS_ESCAPE = re.compile("[" + re.escape(_SPECIAL) + "]")
_LINE_START = frozenset("-+=:")
_ORDERED_MARKER = re.compile(r"[0-9]{1,9}(?=[.)])")
_URL = re.compile(r"https?://[^\s<>\\]+")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NOT_RECORDED = "—"


# -- writing user text ---------------------------------------------------------------------


def _line(text: str) -> str:
    """One line of (cleaned) user text as Markdown inline content that reads back as typed."""
    if not text:
        return ""
    out = text.translate(_ESCAPE) if _NEEDS_ESCAPE.search(text) else text
    first = out[0]
    if first in _LINE_START:
        out = "\\" + out
    elif "0" <= first <= "9" and (marker := _ORDERED_MARKER.match(out)):
        out = f"{out[:marker.end()]}\\{out[marker.end():]}"
    if out[0].isspace() or out[-1].isspace():
        core = out.strip()
        if not core:
            return _references(out)
        start = len(out) - len(out.lstrip())
        end = len(out.rstrip())
        out = _references(out[:start]) + core + _references(out[end:])
    return out


def _references(whitespace: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in whitespace)


def inline(text: str) -> str:
    """User text for a table cell or heading: one line, each line break shown as a space."""
    return _line(clean_text(text).replace("\n", " "))


def paragraph(text: str, indent: str = "") -> str:
    """User text as paragraph content keeping its line breaks (``indent`` for list items).

    The caller checks for blank text first: a paragraph cannot be empty.
    """
    lines = clean_text(text).strip("\n").split("\n")
    return ("\\\n" + indent).join(_line(line) for line in lines)


def link(url: str) -> str:
    """A clickable link for http(s) URLs, the URL as plain text otherwise."""
    cleaned = clean_text(url).replace("\n", " ")
    if _URL.fullmatch(cleaned):
        # Inside <...> only backslash escapes and entity references are interpreted.
        return f"[{_line(cleaned)}](<{cleaned.replace('&', chr(92) + '&')}>)"
    return _line(cleaned)


def _is_blank(text: str) -> bool:
    return not clean_text(text).strip()


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub table; cells are already Markdown (escaped with ``inline``)."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


# -- what `pmconsole lint` reads (see the module docstring) -----------------------------------

LINT_OFF = "<!-- pmconsole-lint off -->"
LINT_ON = "<!-- pmconsole-lint on -->"


def _lint_strings(strings: Iterable[str]) -> str:
    """Cleaned text as JSON strings for a directive: one line (JSON escapes line breaks),
    and ``>`` written ``\\u003e`` so that no text ends the comment early."""
    return ", ".join(json.dumps(clean_text(s), ensure_ascii=False).replace(">", "\\u003e")
                     for s in strings)


class _Resolved:
    """The phrases of each entry's accepted or dismissed flags, for lint ``allow`` comments."""

    def __init__(self, record: SessionRecord) -> None:
        self._flags: dict[tuple[EntityKind, int], list[BlameFlag]] = {}
        for flag in record.flags:
            self._flags.setdefault((flag.entity, flag.entity_id), []).append(flag)
        self.texts = _flagged_texts(record) if record.flags else {}
        """The text the detector read in each entry (see ``_flagged_texts``)."""

    def phrases(self, entity: EntityKind, entry_id: int | None) -> list[str]:
        """Resolved phrases still in one entry's text; none that overlaps an open one."""
        if entry_id is None or (entity, entry_id) not in self._flags:
            return []
        flags = self._flags[(entity, entry_id)]
        text = self.texts.get((entity, entry_id), "")
        still_open = [f.phrase.casefold() for f in flags if f.status is FlagStatus.OPEN]
        phrases = [
            f.phrase for f in flags
            if f.status is not FlagStatus.OPEN and f.phrase.strip() and f.phrase in text
            and not any(f.phrase.casefold() in o or o in f.phrase.casefold() for o in still_open)
        ]
        return list(dict.fromkeys(phrases))

    def allowing(self, block: str, entries: Iterable[tuple[int, int, EntityKind, int | None]]
                 ) -> list[str]:
        """``block`` after an ``allow`` comment for each entry with resolved phrases.

        ``entries``: (first line, number of lines, entity, id); lines of the block from 1.
        """
        comments = []
        for first, count, entity, entry_id in entries:
            phrases = self.phrases(entity, entry_id)
            if phrases:
                lines = str(first) if count == 1 else f"{first}-{first + count - 1}"
                comments.append(f"<!-- pmconsole-lint allow {lines}: {_lint_strings(phrases)} -->")
        return ["\n".join(comments), block] if comments else [block]


def _table_rows(entries: Iterable[tuple[EntityKind, int | None]]
                ) -> list[tuple[int, int, EntityKind, int | None]]:
    """Where each row of a ``_table`` is: one line each, after the header and its rule."""
    return [(3 + index, 1, entity, entry_id) for index, (entity, entry_id) in enumerate(entries)]


def _item_lines(items: Sequence[tuple[str, EntityKind, int | None]]
                ) -> list[tuple[int, int, EntityKind, int | None]]:
    """Where each item of ``_bullets`` (or paragraph) is; an item may hold line breaks."""
    out, line = [], 1
    for text, entity, entry_id in items:
        count = text.count("\n") + 1
        out.append((line, count, entity, entry_id))
        line += count
    return out


# -- times -----------------------------------------------------------------------------------


def _local(moment: DateTime, zone: tzinfo) -> DateTime:
    return moment.astimezone(zone)


def _clock(moment: DateTime, seconds: bool) -> str:
    if seconds:
        return f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _day(moment: DateTime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


def _stamp(moment: DateTime | None, zone: tzinfo) -> str:
    """``2026-11-19 13:58`` (with seconds when they are not zero); blank when unknown."""
    if moment is None:
        return ""
    local = _local(moment, zone)
    return f"{_day(local)} {_clock(local, bool(local.second))}"


def _times_column(moments: Sequence[DateTime], zone: tzinfo) -> list[str]:
    """Times for a table: the date on the first row and whenever the day changes."""
    local = [_local(m, zone) for m in moments]
    seconds = any(m.second for m in local)
    column = []
    previous = None
    for moment in local:
        day = _day(moment)
        clock = _clock(moment, seconds)
        column.append(clock if day == previous else f"{day} {clock}")
        previous = day
    return column


# -- sections --------------------------------------------------------------------------------


def render_minutes(
    record: SessionRecord,
    *,
    linked: dict[int, str] | None = None,
    now: DateTime | None = None,
) -> str:
    """The minutes of a session as Markdown.

    ``linked`` maps ids of related sessions to their titles: the session this one follows
    up (``session.follows_up``) and any sessions that follow this one up (every other id).
    ``now`` is used for the actual length of an agenda item still running; without it such
    an item shows "in progress".
    """
    linked = linked or {}
    session = record.session
    zone = pendulum.timezone(session.timezone)
    resolved = _Resolved(record)
    parts: list[str] = []
    add = parts.append

    title = inline(session.title) if not _is_blank(session.title) else "(untitled)"
    add(f"# Post-mortem: {title}")
    add(_header(record, zone))
    names = session_names(session)
    if names:
        add(f"<!-- pmconsole-lint names: {_lint_strings(names)} -->")

    add("## Summary")
    parts.extend(_session_text(session.summary, "No summary was recorded.", session.id,
                               resolved))

    add("## Impact")
    parts.extend(_session_text(session.impact, "No impact statement was recorded.",
                               session.id, resolved))
    parts.extend(_impact_metrics(record, zone))

    add("## Timeline")
    parts.extend(_timeline(record.timeline, zone, resolved))

    findings: dict[FindingKind, list[Finding]] = {kind: [] for kind in FindingKind}
    for finding in record.findings:
        findings[finding.kind].append(finding)

    add("## Contributing factors and root causes")
    parts.extend(_finding_groups(findings, (
        (FindingKind.ROOT_CAUSE, "Root causes", "No root causes were recorded."),
        (FindingKind.CONTRIBUTING_FACTOR, "Contributing factors",
         "No contributing factors were recorded."),
    ), "No contributing factors or root causes were recorded.", resolved))

    add("## Lessons learned")
    parts.extend(_finding_groups(findings, (
        (FindingKind.WENT_WELL, "What went well", "Nothing was recorded."),
        (FindingKind.WENT_WRONG, "What went wrong", "Nothing was recorded."),
        (FindingKind.GOT_LUCKY, "Where we got lucky", "Nothing was recorded."),
    ), "No lessons learned were recorded.", resolved))

    add("## Open questions")
    questions = findings[FindingKind.OPEN_QUESTION]
    parts.extend(_finding_list(questions, resolved) if questions
                 else ["No open questions were recorded."])

    add("## Action items")
    parts.extend(_actions(record, linked, resolved))

    add("## Agenda")
    parts.extend(_agenda(record.agenda, now, resolved))

    add("## Blameless-language review")
    parts.extend(_flags(record, zone, resolved.texts))

    add("## Scripted responses used")
    uses = record.script_uses
    if uses:
        ordered = sorted(uses, key=lambda u: u.shown_at)
        times = _times_column([u.shown_at for u in ordered], zone)
        # Card titles quote the objection each card answers ("Who is responsible?"): lint
        # skips them (see the module docstring).
        parts.extend((LINT_OFF, _table(
            ("Time", "Card"),
            ((time, inline(use.title)) for time, use in zip(times, ordered, strict=True))),
            LINT_ON))
    else:
        add("No scripted responses were used.")

    add("## Follow-up")
    add(_follow_up(record, linked))

    return "\n\n".join(parts) + "\n"


def _header(record: SessionRecord, zone: tzinfo) -> str:
    session = record.session
    attendees = ", ".join(inline(name) for name in session.attendees)
    fields = (
        ("Date", _meeting_time(record, zone)),
        ("Time zone", f"{inline(session.timezone)} (all times below)"),
        ("Severity", session.severity.value),
        ("Service", inline(session.service) if session.service else _NOT_RECORDED),
        ("Status", session.status.value),
        ("Facilitator", inline(session.facilitator) if session.facilitator else _NOT_RECORDED),
        ("Scribe", inline(session.scribe) if session.scribe else _NOT_RECORDED),
        ("Attendees", attendees or _NOT_RECORDED),
    )
    return _bullets(f"**{name}:** {value}" for name, value in fields)


def _meeting_time(record: SessionRecord, zone: tzinfo) -> str:
    session = record.session
    start = session.started or session.scheduled
    if start is None:
        return "not scheduled"
    begin = _local(start, zone)
    text = f"{_WEEKDAYS[begin.weekday()]} {_day(begin)} {_clock(begin, False)}"
    if session.ended is not None and session.started is not None:
        end = _local(session.ended, zone)
        same_day = _day(end) == _day(begin)
        text += "–" + (_clock(end, False) if same_day else f"{_day(end)} {_clock(end, False)}")
    return text


def _impact_metrics(record: SessionRecord, zone: tzinfo) -> list[str]:
    session = record.session
    metrics = session_metrics(session)
    budget = ""
    if metrics.budget_consumed is not None and metrics.budget_minutes is not None:
        budget = (f"{metrics.budget_consumed * 100:.1f}% of {metrics.budget_minutes:.1f} min "
                  f"(SLO {session.slo_target:g}% over {session.slo_window_days} days)")
    rows = (
        ("Impact started", _stamp(session.impact_started, zone)),
        ("Detected", _stamp(session.detected, zone)),
        ("Acknowledged", _stamp(session.acknowledged, zone)),
        ("Mitigated", _stamp(session.mitigated, zone)),
        ("Resolved", _stamp(session.resolved, zone)),
        ("Time to detect (TTD)", format_duration(metrics.ttd, blank="")),
        ("Time to acknowledge (TTA)", format_duration(metrics.tta, blank="")),
        ("Time to mitigate (TTM)", format_duration(metrics.ttm, blank="")),
        ("Time to resolve (TTR)", format_duration(metrics.ttr, blank="")),
        ("Impact duration", format_duration(metrics.impact, blank="")),
        ("Error budget consumed", budget),
    )
    parts = [_table(("Metric", "Value"), rows)]
    if metrics.problems:
        parts.append("**Timestamp problems** (the durations they affect are left blank):")
        parts.append(_bullets(metrics.problems))
    return parts


def _session_text(text: str, empty: str, session_id: int | None, resolved: _Resolved
                  ) -> list[str]:
    """The summary or the impact statement: a paragraph, or ``empty`` when blank."""
    if _is_blank(text):
        return [empty]
    block = paragraph(text)
    return resolved.allowing(block, _item_lines([(block, EntityKind.SESSION, session_id)]))


def _timeline(events: Sequence[TimelineEvent], zone: tzinfo, resolved: _Resolved
              ) -> list[str]:
    if not events:
        return ["No timeline events were recorded."]
    ordered = sorted(events, key=lambda e: e.at)
    times = _times_column([e.at for e in ordered], zone)
    rows = [
        (time, "★" if event.starred else "", event.kind.value, inline(event.text),
         link(event.link) if event.link else "")
        for time, event in zip(times, ordered, strict=True)
    ]
    starred = sum(1 for e in ordered if e.starred)
    count = f"{len(ordered)} event{'s' if len(ordered) != 1 else ''}"
    note = f"{count}; ★ marks the {starred} starred." if starred else f"{count}."
    table = _table(("Time", "★", "Kind", "Event", "Link"), rows)
    return [note, *resolved.allowing(
        table, _table_rows((EntityKind.TIMELINE, e.id) for e in ordered))]


def _finding_item(finding: Finding) -> str:
    text = paragraph(finding.text, "  ") if not _is_blank(finding.text) else "(no text)"
    if finding.category is FindingCategory.OTHER:
        return text
    return f"**{finding.category.value.capitalize()}:** {text}"


def _finding_list(findings: Sequence[Finding], resolved: _Resolved) -> list[str]:
    items = [(_finding_item(f), EntityKind.FINDING, f.id) for f in findings]
    return resolved.allowing(_bullets(text for text, _, _ in items), _item_lines(items))


def _finding_groups(
    findings: dict[FindingKind, list[Finding]],
    groups: Sequence[tuple[FindingKind, str, str]],
    none_at_all: str,
    resolved: _Resolved,
) -> list[str]:
    if not any(findings[kind] for kind, _, _ in groups):
        return [none_at_all]
    parts = []
    for kind, heading, empty in groups:
        parts.append(f"### {heading}")
        items = findings[kind]
        parts.extend(_finding_list(items, resolved) if items else [empty])
    return parts


_ACTION_HEADER = ("#", "Action", "Type", "Owner", "Due", "Priority", "Status", "Link")


def _action_rows(actions: Sequence[ActionItem]) -> list[tuple[str, ...]]:
    return [
        (str(number), inline(a.text), a.type.value, inline(a.owner),
         a.due.isoformat() if a.due else "", a.priority.value, a.status.value,
         link(a.link) if a.link else "")
        for number, a in enumerate(actions, 1)
    ]


def _action_table(actions: Sequence[ActionItem], resolved: _Resolved) -> list[str]:
    return resolved.allowing(_table(_ACTION_HEADER, _action_rows(actions)),
                             _table_rows((EntityKind.ACTION, a.id) for a in actions))


def _actions(record: SessionRecord, linked: dict[int, str], resolved: _Resolved) -> list[str]:
    own_id = record.session.id
    own = [a for a in record.actions if own_id is None or a.session_id == own_id]
    carried = [a for a in record.actions if own_id is not None and a.session_id != own_id]
    parts = _action_table(own, resolved) if own else ["No action items were recorded."]
    by_session: dict[int, list[ActionItem]] = {}
    for action in carried:
        by_session.setdefault(action.session_id, []).append(action)
    for session_id, actions in by_session.items():
        parts.append(f"### Carried over from {_session_name(session_id, linked)}")
        parts.extend(_action_table(actions, resolved))
    return parts


def _session_name(session_id: int, linked: dict[int, str]) -> str:
    title = linked.get(session_id)
    return f"session #{session_id}: {inline(title)}" if title else f"session #{session_id}"


def _minutes(value: float) -> str:
    return f"{round(value)} min"


def _agenda(agenda: Sequence[AgendaItem], now: DateTime | None, resolved: _Resolved
            ) -> list[str]:
    if not agenda:
        return ["No agenda was recorded."]
    with_notes = any(item.notes for item in agenda)
    header = ["Item", "Planned", "Actual", "Difference"] + (["Notes"] if with_notes else [])
    rows = []
    planned_total = 0
    actual_total = 0.0
    complete = True
    for item in agenda:
        planned = _minutes(item.planned_minutes)
        if item.extra_minutes:
            planned += f" (+{item.extra_minutes} extended)"
        planned_total += item.planned_minutes
        running = item.ended is None and item.paused_at is None
        if item.started is None:
            actual, difference = "not started", ""
            complete = False
        elif running and now is None:
            actual, difference = "in progress", ""
            complete = False
        else:
            spent = actual_minutes(item, now or item.started) or 0.0
            actual_total += spent
            actual, difference = _minutes(spent), _difference(spent - item.planned_minutes)
        row = [inline(item.title), planned, actual, difference]
        if with_notes:
            row.append(inline(item.notes))
        rows.append(row)
    total = ["**Total**", _minutes(planned_total),
             _minutes(actual_total) if complete else "",
             _difference(actual_total - planned_total) if complete else ""]
    rows.append(total + ([""] if with_notes else []))
    return resolved.allowing(_table(header, rows),
                             _table_rows((EntityKind.AGENDA, item.id) for item in agenda))


def _difference(minutes: float) -> str:
    rounded = round(minutes)
    if rounded == 0:
        return "on time"
    return f"+{rounded} min" if rounded > 0 else f"-{-rounded} min"


def _flags(record: SessionRecord, zone: tzinfo, texts: dict[tuple[EntityKind, int], str]
           ) -> list[str]:
    """The blameless-language review: how many phrases were flagged and what became of them.

    Dismissed phrases are only counted: the room judged them fine as written, and listing
    them as blameful would say the opposite. An accepted flag whose words were replaced
    shows the reframe, not the words the room chose to replace. Open flags, and accepted
    ones whose words are still in the text, are quoted.
    """
    flags = record.flags
    if not flags:
        return ["No blameful wording was flagged."]
    counts = {status: sum(1 for f in flags if f.status is status) for status in FlagStatus}
    summary = ", ".join(f"{counts[s]} {s.value}" for s in FlagStatus if counts[s])
    noun = "phrase was" if len(flags) == 1 else "phrases were"
    parts = [f"{len(flags)} {noun} flagged as blameful: {summary}."]
    dismissed = counts[FlagStatus.DISMISSED]
    if dismissed:
        parts[0] += (" The room judged the dismissed one fine as written; it is not listed."
                     if dismissed == 1 else
                     f" The room judged the {dismissed} dismissed ones fine as written; they "
                     "are not listed.")
    where = _flag_places(record, zone)
    rows = [
        ("(reframed)" if flag.status is FlagStatus.ACCEPTED
         and flag.phrase not in texts.get((flag.entity, flag.entity_id), flag.phrase)
         else inline(flag.phrase),
         flag.category.value,
         where.get((flag.entity, flag.entity_id), _ENTITY_WORDS[flag.entity]),
         inline(flag.suggestion), flag.status.value)
        for flag in flags if flag.status is not FlagStatus.DISMISSED
    ]
    if rows:
        # The table quotes the open phrases, and suggestions stored when each flag was
        # raised: lint reads the phrases where the meeting wrote them (module docstring).
        parts.extend((LINT_OFF,
                      _table(("Phrase", "Category", "Where", "Suggestion", "Resolution"), rows),
                      LINT_ON))
    return parts


def _flagged_texts(record: SessionRecord) -> dict[tuple[EntityKind, int], str]:
    """The text the detector read in each entry (summary and impact for the session)."""
    texts: dict[tuple[EntityKind, int], str] = {}
    if record.session.id is not None:
        texts[(EntityKind.SESSION, record.session.id)] = (
            f"{record.session.summary}\n{record.session.impact}")
    for entries in (record.agenda, record.timeline, record.findings, record.actions):
        for entry in entries:
            entity, field = SCANNED_TEXT[type(entry)]
            if entry.id is not None:
                texts[(entity, entry.id)] = getattr(entry, field)
    return texts


_ENTITY_WORDS = {
    EntityKind.SESSION: "session details",
    EntityKind.AGENDA: "agenda item",
    EntityKind.TIMELINE: "timeline event",
    EntityKind.FINDING: "finding",
    EntityKind.ACTION: "action item",
    EntityKind.SCRIPT: "scripted response",
}


def _flag_places(record: SessionRecord, zone: tzinfo) -> dict[tuple[EntityKind, int], str]:
    """Where each flagged text is, in words a reader can find in the minutes."""
    places: dict[tuple[EntityKind, int], str] = {}
    for number, item in enumerate(record.agenda, 1):
        if item.id is not None:
            places[(EntityKind.AGENDA, item.id)] = f"agenda item {number}"
    for event in record.timeline:
        if event.id is not None:
            places[(EntityKind.TIMELINE, event.id)] = (
                f"timeline event at {_stamp(event.at, zone)}")
    for finding in record.findings:
        if finding.id is not None:
            places[(EntityKind.FINDING, finding.id)] = f"finding ({finding.kind.value})"
    own_id = record.session.id
    own = [a for a in record.actions if own_id is None or a.session_id == own_id]
    for number, action in enumerate(own, 1):
        if action.id is not None:
            places[(EntityKind.ACTION, action.id)] = f"action item {number}"
    for use in record.script_uses:
        if use.id is not None:
            places[(EntityKind.SCRIPT, use.id)] = "scripted response"
    return places


def _follow_up(record: SessionRecord, linked: dict[int, str]) -> str:
    session = record.session
    lines = []
    if session.follow_up_date is not None:
        lines.append(f"Follow-up meeting: {session.follow_up_date.isoformat()}")
    if session.follows_up is not None:
        lines.append(f"Follows up {_session_name(session.follows_up, linked)}")
    for session_id in sorted(linked):
        if session_id not in (session.follows_up, session.id):
            lines.append(f"Followed up by {_session_name(session_id, linked)}")
    return _bullets(lines) if lines else "No follow-up is planned."


