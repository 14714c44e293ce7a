"""Commands: scripts (list or show the response cards), lint (blame language in files) and
invite (the pre-meeting email).

None of these imports Textual, and ``lint`` never opens the database.
"""

from __future__ import annotations

import json
import os
import re
import sys
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import click

from pmconsole.cli.base import EXIT_USAGE, fail, main, opened_store, session_or_fail
from pmconsole.domain.model import SessionRecord
from pmconsole.domain.scripts import (
    GROUP_TITLES,
    USER_FILE_NAME,
    Card,
    fill,
    find_card,
    load_cards,
)

EXIT_FLAGGED = 1


def user_scripts_file() -> Path:
    """Where the user's own cards live: ``scripts.toml`` in the user config folder."""
    from pmconsole.paths import config_dir

    return config_dir() / USER_FILE_NAME


def _cards_with_warnings() -> tuple[list[Card], list[str]]:
    cards, errors = load_cards(user_scripts_file())
    for error in errors:
        click.echo(f"pmconsole: {error}", err=True)
    return cards, errors


def _emit(text: str) -> None:
    """Write UTF-8 to standard output whatever the locale; a closed pipe is not an error."""
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            buffer.write(text.encode("utf-8", errors="replace"))
            buffer.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FLAGGED)


# -- scripts --------------------------------------------------------------------------------------


@main.command("scripts")
@click.argument("card_id", metavar="[CARD]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--session",
    "session_id",
    type=int,
    default=None,
    help="With CARD: fill the card's placeholders from this session.",
)
@click.pass_context
def scripts_command(
    ctx: click.Context, card_id: str | None, as_json: bool, session_id: int | None
) -> None:
    """List the script cards (id, group, title, source), or show one CARD filled in.

    Your own cards go in scripts.toml in the pmconsole config folder
    ($PMCONSOLE_CONFIG_DIR if set): a card with a new id is added, one with a built-in id
    replaces it. Problems in that file are reported (exit status 1) and the built-in cards
    still work.
    """
    cards, errors = _cards_with_warnings()
    if card_id is not None:
        _show_card(ctx, cards, card_id, session_id, as_json)
    else:
        if session_id is not None:
            fail("--session needs a CARD to fill")
        _list_cards(cards, as_json)
    if errors:
        sys.exit(EXIT_FLAGGED)


def _list_cards(cards: list[Card], as_json: bool) -> None:
    if as_json:
        rows = [
            {
                "id": card.id,
                "group": card.group,
                "title": card.title,
                "source": card.source,
                "when": card.when,
                "tags": list(card.tags),
            }
            for card in cards
        ]
        _emit(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    width_id = max((len(card.id) for card in cards), default=2)
    width_group = max((len(card.group) for card in cards), default=5)
    width_title = min(max((len(card.title) for card in cards), default=5), 60)
    lines = [
        f"{'ID':<{width_id}}  {'GROUP':<{width_group}}  {'TITLE':<{width_title}}  SOURCE",
    ]
    for card in cards:
        title = card.title if len(card.title) <= 60 else card.title[:59] + "…"
        lines.append(
            f"{card.id:<{width_id}}  {card.group:<{width_group}}  {title:<{width_title}}  "
            f"{card.source}"
        )
    _emit("\n".join(lines) + "\n")


def _show_card(
    ctx: click.Context, cards: list[Card], card_id: str, session_id: int | None, as_json: bool
) -> None:
    card = find_card(cards, card_id)
    if card is None:
        fail(f"no card with id {card_id!r} (`pmconsole scripts` lists them)")
    record: SessionRecord | None = None
    if session_id is not None:
        with opened_store(ctx, readonly=True) as store:
            session_or_fail(store, session_id)
            record = store.load(session_id)
    text = fill(card, record)
    if as_json:
        row = {
            "id": card.id,
            "group": card.group,
            "title": card.title,
            "when": card.when,
            "tags": list(card.tags),
            "source": card.source,
            "text": text,
        }
        _emit(json.dumps(row, ensure_ascii=False, indent=2) + "\n")
        return
    header = f"{card.title}  [{GROUP_TITLES.get(card.group, card.group)}]"
    parts = [header]
    if card.when:
        parts.append(f"When: {card.when}")
    _emit("\n".join(parts) + "\n\n" + text.rstrip("\n") + "\n")


# -- lint -----------------------------------------------------------------------------------------

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def blank_code(text: str) -> str:
    """Markdown code (fenced blocks and `inline spans`) replaced by spaces, offsets kept.

    Code quotes logs and commands ("failed to connect"), not how people talk.
    """
    lines = text.split("\n")
    out = []
    fence: str | None = None
    for line in lines:
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * len(opening.group(1))
            out.append(" " * len(line))
            continue
        if fence is not None:
            if opening and opening.group(1).startswith(fence) and not line.strip(" \t`~"):
                fence = None
            out.append(" " * len(line))
            continue
        out.append(_INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line))
    return "\n".join(out)


# Directives for lint, in HTML comments a Markdown reader never sees (the convention of prose
# linters: Vale's `<!-- vale off -->`, alex's `<!--alex ignore-->`). Each stands alone on its
# line. The minutes write them (pmconsole/exchange/minutes.py) so that exported minutes lint
# clean unless the meeting's own words hold blameful wording that nobody resolved:
#
#   <!-- pmconsole-lint off -->  ...  <!-- pmconsole-lint on -->
#       Not read at all, like code. The minutes put two generated tables here: the
#       blameless-language review, which quotes the flagged phrases as its subject, and the
#       scripted responses used, whose card titles quote the objection each card answers
#       ("Who is responsible?"). They are pmconsole's record about the meeting; the words
#       they quote are linted where the meeting wrote them.
#   <!-- pmconsole-lint allow: "Dave forgot to", "Chidi" -->
#   <!-- pmconsole-lint allow 3: "Dave forgot to" -->    (or 3-5: lines of the block)
#       In the next block (the lines up to a blank line), or only in those of its lines,
#       findings that overlap these phrases are not reported. The minutes allow the wording
#       the room resolved in the console (a flag accepted or dismissed), on the lines of the
#       entry that held the flag: the console does not raise a resolved flag again, and lint
#       agrees with it. The same words anywhere else are still reported.
#   <!-- pmconsole-lint names: "Ana Souza", "Dave Kim" -->
#       The people in the room, as --name gives them, for the whole file: the minutes list
#       the session's, so lint reads the text as the console did ("Dave broke prod").
#
# User text in the minutes cannot forge a directive: every "<" in it is escaped.
_DIRECTIVE = re.compile(
    r"[ \t]{0,3}<!--[ \t]*pmconsole-lint[ \t]+(?P<verb>off|on|allow|names)"
    r"(?:[ \t]+(?P<first>[0-9]{1,9})(?:-(?P<last>[0-9]{1,9}))?)?"
    r"(?::[ \t]*(?P<strings>.*?))?[ \t]*-->[ \t]*\r?"
)


@dataclass
class _Directive:
    verb: str  # off, on, allow or names
    strings: list[str]
    first: int | None = None  # allow: the block's lines (from 1); None: the whole block
    last: int | None = None


def _directive(line: str) -> _Directive | None:
    """The directive ``line`` holds, if it is one.

    A directive lint cannot read (its phrases not JSON strings, its lines not ``N`` or
    ``N-M`` from 1) is not one: it is read as text, so the mistake shows.
    """
    match = _DIRECTIVE.fullmatch(line)
    if match is None:
        return None
    verb, raw, first, last = match.group("verb", "strings", "first", "last")
    if verb in ("off", "on"):
        return _Directive(verb, []) if raw is None and first is None else None
    if raw is None or (first is not None and verb != "allow"):
        return None
    try:
        strings = json.loads("[" + raw + "]")
    except ValueError:
        return None
    if not strings or not all(isinstance(s, str) for s in strings):
        return None
    if first is None:
        return _Directive(verb, strings)
    lines = (int(first), int(last or first))
    if not 1 <= lines[0] <= lines[1]:
        return None
    return _Directive(verb, strings, *lines)


def _phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """The phrase as Markdown may write it: any punctuation backslash-escaped, any run of
    whitespace (a wrapped line, a hard line break) for a space; case ignored."""
    parts = []
    for token in re.findall(r"\s+|\S", phrase.strip()):
        if token.isspace():
            parts.append(r"(?:\\?\s)+")
        elif token.isalnum():
            parts.append(re.escape(token))
        else:
            parts.append(r"\\?" + re.escape(token))
    return re.compile("".join(parts), re.IGNORECASE) if parts else None


@dataclass
class LintScope:
    """What lint reads in a text, after code and directives."""

    text: str
    """The text with code, directive lines and ``off`` regions blanked (offsets kept)."""
    allowed: list[tuple[int, int]]
    """Spans of the phrases ``allow`` directives name: findings overlapping them are not
    reported."""
    names: tuple[str, ...]
    """People named by ``names`` directives."""

    def allowed_overlaps(self) -> Callable[[int, int], bool]:
        """A test of whether a span overlaps an allowed one (a bisection, not a scan: the
        minutes of a long meeting can allow thousands of phrases)."""
        spans = sorted(self.allowed)
        starts = [start for start, _ in spans]
        furthest = list(accumulate((end for _, end in spans), max))

        def overlaps(start: int, end: int) -> bool:
            index = bisect_left(starts, end) - 1  # the spans that begin before ``end``
            return index >= 0 and furthest[index] > start

        return overlaps


def lint_scope(text: str) -> LintScope:
    """Apply the directives (see above) and skip code."""
    lines = blank_code(text).split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    blocks: list[tuple[int, int, list[_Directive]]] = []  # first line, end line, allows
    names: list[str] = []
    pending: list[_Directive] = []
    current: tuple[int, list[_Directive]] | None = None
    off = False
    for number, line in enumerate(lines):
        directive = _directive(line)
        if (directive is not None or off or not line.strip()) and current is not None:
            blocks.append((current[0], number, current[1]))
            current = None
        if directive is not None:
            if directive.verb in ("off", "on"):
                off = directive.verb == "off"
                pending = []
            elif directive.verb == "names":
                names.extend(directive.strings)
            elif not off:
                pending.append(directive)
        if directive is not None or off:
            lines[number] = " " * len(line)
        elif line.strip() and current is None:
            current, pending = (number, pending), []
    if current is not None:
        blocks.append((current[0], len(lines), current[1]))
    scanned = "\n".join(lines)
    allowed: list[tuple[int, int]] = []
    for begin, end, allows in blocks:
        for allow in allows:
            first, last = begin, end
            if allow.first is not None and allow.last is not None:
                first, last = begin + allow.first - 1, min(end, begin + allow.last)
            if first >= last:
                continue
            for pattern in filter(None, map(_phrase_pattern, allow.strings)):
                allowed.extend(
                    found.span()
                    for found in pattern.finditer(scanned, starts[first], starts[last] - 1)
                )
    return LintScope(scanned, allowed, tuple(dict.fromkeys(names)))


def _read_input(name: str) -> tuple[str | None, str | None]:
    """(text, None) or (None, one-line problem)."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else None
            if data is None:
                return sys.stdin.read(), None
        else:
            path = Path(name)
            if path.is_dir():
                return None, f"{name}: is a folder, not a file"
            data = path.read_bytes()
    except FileNotFoundError:
        return None, f"{name}: no such file"
    except PermissionError:
        return None, f"{name}: permission denied"
    except OSError as error:
        return None, f"{name}: cannot be read ({error.strerror or error})"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, f"{name}: not UTF-8 text (line {line}); save it as UTF-8"


def lint_text(text: str, *, names: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Findings in ``text`` as dicts with 1-based line and column (directives applied)."""
    from pmconsole.domain.blame import detect

    findings = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    line_index = 0
    scope = lint_scope(text)
    allowed = scope.allowed_overlaps()
    for match in detect(scope.text, names=(*names, *scope.names)):
        if allowed(match.start, match.end):
            continue
        while line_index + 1 < len(line_starts) and line_starts[line_index + 1] <= match.start:
            line_index += 1
        findings.append(
            {
                "line": line_index + 1,
                "column": match.start - line_starts[line_index] + 1,
                "category": match.category.value,
                "phrase": " ".join(text[match.start : match.end].split()),
                "suggestion": match.suggestion,
            }
        )
    return findings


@main.command("lint")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of lines.")
@click.option(
    "--name",
    "names",
    multiple=True,
    metavar="NAME",
    help="A person's name to watch for, e.g. --name Dave (repeatable).",
)
def lint_command(files: tuple[str, ...], as_json: bool, names: tuple[str, ...]) -> None:
    """Check Markdown or text files for blameful language, like a linter.

    Prints FILE:LINE:COL: CATEGORY: PHRASE — SUGGESTION for each finding; "-" reads
    standard input. Code is skipped, and so is what <!-- pmconsole-lint ... --> comments
    exclude (minutes from `pmconsole export` use them, so they lint clean unless the
    meeting's own words hold wording nobody resolved; see the README). Exit status:
    0 clean, 1 something flagged, 2 a file could not be read.
    """
    results: list[dict[str, Any]] = []
    unreadable = False
    for name in files:
        text, problem = _read_input(name)
        if problem is not None or text is None:
            click.echo(f"pmconsole: {problem}", err=True)
            unreadable = True
            continue
        shown = "<stdin>" if name == "-" else name
        for finding in lint_text(text, names=names):
            results.append({"file": shown, **finding})
    if as_json:
        _emit(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    elif results:
        _emit(
            "".join(
                f"{r['file']}:{r['line']}:{r['column']}: {r['category']}: {r['phrase']} — "
                f"{r['suggestion']}\n"
                for r in results
            )
        )
    if unreadable:
        sys.exit(EXIT_USAGE)
    if results:
        sys.exit(EXIT_FLAGGED)


# -- invite ---------------------------------------------------------------------------------------


@main.command("invite")
@click.argument("session_id", metavar="SESSION", type=int)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the email to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.pass_context
def invite_command(
    ctx: click.Context, session_id: int, output: Path | None, force: bool
) -> None:
    """Print the pre-meeting email for a session: subject, then body.

    It states the meeting's objectives and blameless framing and lists the agenda with
    planned start times. Anything the session lacks shows as a gap such as [service?].
    Your own version of the `pre-meeting-email` card (see `pmconsole scripts`) is used
    when you have one.
    """
    from pmconsole.domain.invite import INVITE_CARD_ID, invite_text

    cards, _ = _cards_with_warnings()
    card = find_card(cards, INVITE_CARD_ID)
    with opened_store(ctx, readonly=True) as store:
        session_or_fail(store, session_id)
        record = store.load(session_id)
    text = invite_text(record, card=card)
    if output is None:
        _emit(text)
        return
    _write_file(output, text, force=force)
    click.echo(str(output))


def _write_file(path: Path, text: str, *, force: bool) -> None:
    """Atomically, and never over an existing file unless ``force``."""
    from pmconsole.exchange.files import WouldOverwrite, write_text_atomic

    if not path.parent.is_dir():
        fail(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        write_text_atomic(path, text, force=force)
    except WouldOverwrite as error:
        fail(f"{error}; use --force to replace it")
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")
