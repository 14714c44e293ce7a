"""The blame-language detector: finds blameful wording and offers a system-focused reframe.

Rules are package data (``pmconsole/data/blame_rules.toml``). They are compiled once into
one alternation, so a scan is a single left-to-right pass: a 1 MB paste or 10,000 lines is
checked in well under a second, and no rule can backtrack catastrophically on its own.
Rules that mention attendees (``{named}``, ``{who}``) are compiled per set of names and
cached.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pendulum import DateTime

from pmconsole.domain.model import BlameFlag, EntityKind, FlagCategory

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "blame_rules.toml"

# How far back ``not_after`` looks for a neutralising word ("the alert should have ...").
_LOOKBACK = 48

# Apostrophe look-alikes, mapped one character to one character so offsets stay valid.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})

_PRONOUNS = r"he|she|you|someone|somebody|anyone|anybody"
# Capitalised words that begin sentences without naming anyone.
_NOT_NAMES = (
    "The|This|That|These|Those|It|Its|We|Our|Us|They|Their|Them|There|Here|And|But|Or|If|"
    "When|Then|So|Also|Nobody|Everyone|Everybody|No|Nothing|Something|Somehow|What|Which|"
    "Who|Why|How|Yesterday|Today|Later|Initially|Maybe|Perhaps|Again|Someone|Somebody|"
    "Anyone|Anybody|You|He|She|Team|Apparently|Just|Obviously|Clearly|Finally|Eventually"
)
_CAPITALISED = rf"(?-i:(?!(?:{_NOT_NAMES})\b)[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
_ROLE = (
    r"(?:the\s+|our\s+|an?\s+)?(?:engineer|on-?call(?:\s+engineer)?|operator|developer|dev|"
    r"reviewer|intern|sre|dba|new\s+hire|contractor|admin|sysadmin|release\s+manager)s?"
)
# "should have" as hindsight ("should have checked"), not possession ("should have a runbook").
_PERFECT = (
    r"(?!\s+(?:a|an|the|some|more|no|any|better|one|two|three|clear|our|their|its|his|her|"
    r"enough|fewer|less|to|at\s+least|[0-9]+|many|much|several|multiple|separate|dedicated|"
    r"automated|alerts?|tests?|monitoring|dashboards?|runbooks?|backups?|retries|limits?)\b)"
)


@dataclass(frozen=True)
class Match:
    """One blameful phrase: where it is in the text, and what to say instead."""

    start: int
    end: int
    phrase: str
    """``text[start:end]``."""
    category: FlagCategory
    explanation: str
    suggestion: str
    card_id: str
    rule_id: str = ""
    replacement: str | None = None
    """Neutral words that can replace the phrase, or ``None`` when no mechanical rewrite fits."""


@dataclass(frozen=True)
class Rule:
    """One rule from ``blame_rules.toml``, with its category defaults applied."""

    id: str
    category: FlagCategory
    pattern: str
    explanation: str
    suggestion: str
    card_id: str
    replacement: str | None
    not_after: re.Pattern[str] | None
    uses_names: bool


class RuleFileError(ValueError):
    """The rules file is broken (a packaging bug, not a user problem)."""


# -- loading ------------------------------------------------------------------------------------


def rules() -> list[Rule]:
    """Every rule, in priority order (the earlier wins when two match at the same place)."""
    return list(_rules())


def rule_counts() -> dict[FlagCategory, int]:
    """How many rules each category has."""
    counts = {category: 0 for category in FlagCategory}
    for rule in _rules():
        counts[rule.category] += 1
    return counts


@lru_cache(maxsize=1)
def _rules() -> tuple[Rule, ...]:
    return tuple(parse_rules(tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))))


def parse_rules(data: dict[str, Any]) -> list[Rule]:
    """Rules from parsed TOML; raises ``RuleFileError`` naming the rule and field at fault."""
    categories = data.get("categories", {})
    parsed = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("rule", [])):
        rule_id = raw.get("id") or f"#{index + 1}"
        if rule_id in seen:
            raise RuleFileError(f"rule {rule_id!r} is defined twice")
        seen.add(rule_id)
        try:
            category = FlagCategory(raw["category"])
        except (KeyError, ValueError) as error:
            raise RuleFileError(f"rule {rule_id!r}: bad or missing category") from error
        defaults = categories.get(category.value, {})
        fields = {}
        for key in ("explanation", "suggestion", "card"):
            value = raw.get(key, defaults.get(key))
            if not isinstance(value, str) or not value:
                raise RuleFileError(f"rule {rule_id!r}: no {key} (nor a category default)")
            fields[key] = value
        pattern = raw.get("pattern")
        if not isinstance(pattern, str) or not pattern:
            raise RuleFileError(f"rule {rule_id!r}: missing pattern")
        replacement = raw.get("replacement")
        if replacement is not None and not isinstance(replacement, str):
            raise RuleFileError(f"rule {rule_id!r}: replacement must be a string")
        not_after = raw.get("not_after")
        source = _expand(pattern, names=("Name",))
        try:
            compiled = re.compile(source, re.IGNORECASE)
        except re.error as error:
            raise RuleFileError(f"rule {rule_id!r}: bad pattern: {error}") from error
        if compiled.groupindex:
            raise RuleFileError(f"rule {rule_id!r}: use (?:...) groups, not named groups")
        parsed.append(
            Rule(
                id=rule_id,
                category=category,
                pattern=pattern,
                explanation=fields["explanation"],
                suggestion=fields["suggestion"],
                card_id=fields["card"],
                replacement=replacement,
                not_after=(
                    re.compile(rf"\b(?:{_spaces(not_after)})\s*$", re.IGNORECASE)
                    if not_after
                    else None
                ),
                uses_names="{named}" in pattern or "{who}" in pattern,
            )
        )
    if not parsed:
        raise RuleFileError("no rules")
    return parsed


def _spaces(pattern: str) -> str:
    """A space in a rule matches any run of whitespace (``\\s`` inside a character class)."""
    out = []
    in_class = False
    escaped = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
            out.append(char)
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == " ":
            out.append(r"\s" if in_class else r"\s+")
        else:
            out.append(char)
    return "".join(out)


def _expand(pattern: str, *, names: Sequence[str]) -> str:
    names_alternation = "|".join(_name_pattern(name) for name in names)
    named = f"(?:{names_alternation}|{_PRONOUNS})" if names_alternation else f"(?:{_PRONOUNS})"
    who = (
        f"(?:{names_alternation}|{_PRONOUNS}|{_CAPITALISED})"
        if names_alternation
        else f"(?:{_PRONOUNS}|{_CAPITALISED})"
    )
    source = _spaces(pattern)
    return (
        source.replace("{named}", named)
        .replace("{who}", who)
        .replace("{role}", _ROLE)
        .replace("{perfect}", _PERFECT)
    )


def _name_pattern(name: str) -> str:
    return r"\s+".join(re.escape(part) for part in name.translate(_APOSTROPHES).split())


def _name_variants(names: Sequence[str]) -> tuple[str, ...]:
    """Full names and each part of them ("Priya Natarajan", "Priya", "Natarajan"), longest first."""
    variants: set[str] = set()
    for name in names:
        words = name.split()
        if not words:
            continue
        variants.add(" ".join(words))
        for word in words:
            if len(word.strip(".-'")) >= 2:
                variants.add(word)
    return tuple(sorted(variants, key=lambda v: (-len(v), v)))


@dataclass(frozen=True)
class _Compiled:
    combined: re.Pattern[str]
    singles: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...]


@lru_cache(maxsize=64)
def _compile(variants: tuple[str, ...]) -> _Compiled:
    all_rules = _rules()
    sources = [_expand(rule.pattern, names=variants) for rule in all_rules]
    # One leading \b for all: most positions are inside words and fail at once.
    combined = re.compile(
        r"\b(?:" + "|".join(f"(?P<r{i}>{src})" for i, src in enumerate(sources)) + r")\b",
        re.IGNORECASE,
    )
    singles = tuple(re.compile(rf"\b(?:{src})\b", re.IGNORECASE) for src in sources)
    return _Compiled(combined, singles, all_rules)


# -- detecting --------------------------------------------------------------------------------


def detect(text: str, *, names: Sequence[str] = ()) -> list[Match]:
    """Blameful phrases in ``text``, sorted by start and never overlapping.

    ``names`` are the session's people (facilitator, scribe, attendees): "Dave broke prod"
    is flagged as attribution when Dave is one of them. Offsets index into ``text`` as given.
    """
    if not text:
        return []
    compiled = _compile(_name_variants(tuple(n for n in names if isinstance(n, str))))
    scan = text.translate(_APOSTROPHES)
    found: list[Match] = []
    position = 0
    length = len(scan)
    while position < length:
        hit = compiled.combined.search(scan, position)
        if hit is None:
            break
        assert hit.lastgroup is not None
        index = int(hit.lastgroup[1:])
        start, end = hit.start(), hit.end()
        rule = compiled.rules[index]
        if _neutralised(rule, scan, start):
            # Another rule may still apply here ("should have" after "alert" is neutral,
            # but a later rule could match the same words differently).
            start, end, index = _next_rule_at(compiled, scan, start, index)
            if index < 0:
                position = hit.start() + 1
                continue
            rule = compiled.rules[index]
        if end <= start:
            position = start + 1
            continue
        found.append(
            Match(
                start=start,
                end=end,
                phrase=text[start:end],
                category=rule.category,
                explanation=rule.explanation,
                suggestion=rule.suggestion,
                card_id=rule.card_id,
                rule_id=rule.id,
                replacement=rule.replacement,
            )
        )
        position = end
    return found


def _neutralised(rule: Rule, scan: str, start: int) -> bool:
    if rule.not_after is None:
        return False
    return rule.not_after.search(scan, max(0, start - _LOOKBACK), start) is not None


def _next_rule_at(compiled: _Compiled, scan: str, start: int, after: int) -> tuple[int, int, int]:
    for index in range(after + 1, len(compiled.rules)):
        hit = compiled.singles[index].match(scan, start)
        if hit is not None and not _neutralised(compiled.rules[index], scan, start):
            return hit.start(), hit.end(), index
    return start, start, -1


# -- using a match ------------------------------------------------------------------------------


def to_flag(
    match: Match, session_id: int, entity: EntityKind, entity_id: int, now: DateTime
) -> BlameFlag:
    """The match as an open ``BlameFlag`` on one entry, raised at ``now``."""
    return BlameFlag(
        session_id=session_id,
        entity=entity,
        entity_id=entity_id,
        start=match.start,
        end=match.end,
        phrase=match.phrase,
        category=match.category,
        explanation=match.explanation,
        suggestion=match.suggestion,
        card_id=match.card_id,
        raised_at=now,
    )


def flags_for(
    text: str,
    *,
    names: Sequence[str],
    session_id: int,
    entity: EntityKind,
    entity_id: int,
    now: DateTime,
) -> list[BlameFlag]:
    """``detect`` then ``to_flag`` for each match: what a save hands to the store."""
    return [to_flag(m, session_id, entity, entity_id, now) for m in detect(text, names=names)]


def apply_reframe(text: str, match: Match) -> str | None:
    """``text`` with the flagged phrase replaced by its neutral rewrite.

    ``None`` when the rule has no mechanical rewrite, or when the text no longer holds the
    phrase at the match's place (it was edited since). The replacement takes a capital
    letter where the phrase began a sentence.
    """
    if match.replacement is None:
        return None
    if not (0 <= match.start <= match.end <= len(text)) or text[match.start : match.end] != match.phrase:
        return None
    before, after = text[: match.start], text[match.end :]
    replacement = match.replacement
    if not replacement:
        # Dropping a word ("obviously", "clearly"): take a following comma and one space along.
        after = re.sub(r"^\s*,", "", after, count=1)
        if before.endswith((" ", "\t")) or not before:
            after = after.lstrip(" \t")
        elif after[:1] not in ("", " ", "\t", "\n"):
            after = " " + after
        if _sentence_start(before) and after[:1].isalpha():  # "Obviously, the" -> "The"
            after = after[:1].upper() + after[1:]
        return before + after
    if _sentence_start(before) or (before.rstrip().endswith(":") and match.phrase[:1].isupper()):
        replacement = replacement[:1].upper() + replacement[1:]
    return before + replacement + after


def _sentence_start(before: str) -> bool:
    """Whether a word placed right after ``before`` begins a sentence or a list item."""
    stripped = before.rstrip()
    return not stripped or stripped[-1] in ".!?\"“(-—*#>" or "\n" in before[len(stripped):]
