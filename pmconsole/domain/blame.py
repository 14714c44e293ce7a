"""The blame-language detector: finds blameful wording and offers a system-focused reframe.

Rules are package data (``pmconsole/data/blame_rules.toml``), compiled once into a single
alternation that is run over a lower-cased copy of the text (same length, so offsets hold).
Every alternative starts with a literal letter, which lets the regular-expression engine
skip the ones that cannot match with one comparison: a 1 MB paste or 10,000 lines is
scanned in a few tens of milliseconds, and no rule can backtrack catastrophically.

What comes before a phrase ("Dave" in "Dave forgot to") is checked afterwards, on a short
window, only where a phrase matched. Rules that mention attendees are compiled per set of
names and cached.
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

from pmconsole.domain.model import (
    ActionItem,
    AgendaItem,
    BlameFlag,
    EntityKind,
    Finding,
    FlagCategory,
    Session,
    TimelineEvent,
)

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "blame_rules.toml"

# Apostrophe look-alikes, mapped one character to one character so offsets stay valid.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})
_ASCII_LOWER = str.maketrans(
    {chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}
    | {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"}
)

_PRONOUNS = "he|she|you|someone|somebody|anyone|anybody"
# Capitalised words that begin sentences without naming anyone: never taken for a person.
_NOT_NAMES = frozenset(
    """The This That These Those It Its We Our Us They Their Them There Here And But Or If
    When Then So Also Nobody Everyone Everybody No Nothing Something Somehow What Which Who
    Why How Yesterday Today Tomorrow Later Initially Maybe Perhaps Again Someone Somebody
    Anyone Anybody You He She Team Apparently Just Obviously Clearly Finally Eventually
    Really Simply Actually Basically Totally Completely Accidentally Directly Even Personally
    Everything Anything Monitoring Alerting Automation Nobody One Each Every All Both Either
    Neither Some Many Most Such Production Prod Staging Ops Engineering Management""".split()
)
# ``not_after`` words are short ("load balancer"): this much text before a phrase is enough.
_NOT_AFTER_WINDOW = 32
_WORD = r"[^\W\d_]+(?:-[^\W\d_]+)?"
_CAP_GROUP = "cap"


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
    """Neutral words that can replace the phrase; ``None`` when no mechanical rewrite fits."""


@dataclass(frozen=True)
class Rule:
    """One rule from ``blame_rules.toml``, with the category's defaults applied."""

    id: str
    category: FlagCategory
    pattern: str
    before: str | None
    not_after: str | None
    explanation: str
    suggestion: str
    card_id: str
    replacement: str | None


class RuleFileError(ValueError):
    """The rules file is broken (a packaging bug, not a user problem)."""


# -- loading ------------------------------------------------------------------------------------


def rules() -> list[Rule]:
    """Every rule, in priority order (the earlier wins when two match at the same place)."""
    return list(_ruleset()[0])


def rule_counts() -> dict[FlagCategory, int]:
    """How many rules each category has."""
    counts = {category: 0 for category in FlagCategory}
    for rule in _ruleset()[0]:
        counts[rule.category] += 1
    return counts


@lru_cache(maxsize=1)
def _ruleset() -> tuple[tuple[Rule, ...], tuple[tuple[str, str], ...]]:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    # The rules were checked by the tests; compiling them twice would only slow the start.
    parsed, macros = parse_rules(data, check=False)
    return tuple(parsed), tuple(macros.items())


def parse_rules(
    data: dict[str, Any], *, check: bool = True
) -> tuple[list[Rule], dict[str, str]]:
    """Rules and macros from parsed TOML; raises ``RuleFileError`` naming what is wrong.

    With ``check``, every pattern is also compiled (with a sample name), so a bad rule
    is reported with its id rather than at the first scan.
    """
    macros = data.get("macros", {})
    if not all(isinstance(v, str) for v in macros.values()):
        raise RuleFileError("macros must be strings")
    categories = data.get("categories", {})
    parsed: list[Rule] = []
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
        rule = Rule(
            id=rule_id,
            category=category,
            pattern=pattern,
            before=raw.get("before"),
            not_after=raw.get("not_after"),
            explanation=fields["explanation"],
            suggestion=fields["suggestion"],
            card_id=fields["card"],
            replacement=replacement,
        )
        if "{who}" in pattern or "{possessor}" in pattern:
            raise RuleFileError(f"rule {rule_id!r}: {{who}} belongs in 'before', not 'pattern'")
        if check:
            for field in (rule.pattern, rule.before, rule.not_after):
                unknown = re.search(r"\{([a-z_]+)\}", _expand(field or "", macros, ("x",)))
                if unknown:
                    raise RuleFileError(f"rule {rule_id!r}: unknown macro {unknown.group(0)}")
            try:
                _compile_rule(rule, macros, ("sample name",))
            except re.error as error:
                raise RuleFileError(f"rule {rule_id!r}: bad pattern: {error}") from error
        parsed.append(rule)
    if not parsed:
        raise RuleFileError("no rules")
    return parsed, dict(macros)


# -- compiling ------------------------------------------------------------------------------------


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


def _top_level_alternatives(pattern: str) -> list[str]:
    """``a|b(?:c|d)`` -> ``["a", "b(?:c|d)"]``."""
    parts, depth, start, in_class, escaped = [], 0, 0, False, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts


def _expand(
    pattern: str, macros: dict[str, str], names: Sequence[str], *, named_words: int = 0
) -> str:
    """Macros expanded (repeatedly: a macro may use another) and spaces made flexible.

    With ``named_words``, ``{named}`` stands for any run of up to that many words (a
    superset of every name and pronoun, for the scanner).
    """
    people = "|".join(_name_pattern(name) for name in names)
    if named_words:
        named = rf"(?:\S+(?:\s+\S+){{0,{named_words - 1}}})"
    else:
        named = f"(?:{people}|{_PRONOUNS})" if people else f"(?:{_PRONOUNS})"
    builtin = {
        "named": named,
        "who": (
            f"(?:{people}|{_PRONOUNS}|(?P<{_CAP_GROUP}>{_WORD}))"
            if people
            else f"(?:{_PRONOUNS}|(?P<{_CAP_GROUP}>{_WORD}))"
        ),
        "possessor": (
            f"(?:{people}|(?P<{_CAP_GROUP}>{_WORD}))" if people else f"(?P<{_CAP_GROUP}>{_WORD})"
        ),
        "attendee": f"(?:{people})" if people else "(?!)",
    }
    source = _spaces(pattern)
    for _ in range(5):
        expanded = re.sub(
            r"\{([a-z_]+)\}",
            lambda m: _spaces(macros[m.group(1)])
            if m.group(1) in macros
            else builtin.get(m.group(1), m.group(0)),
            source,
        )
        if expanded == source:
            break
        source = expanded
    return source


def _name_pattern(name: str) -> str:
    return r"\s+".join(re.escape(part) for part in name.split())


def _fold(text: str) -> str:
    """Lower-case with the same length, so offsets into the result are offsets into ``text``."""
    folded = text.lower()
    if len(folded) != len(text):
        # A few characters lower-case to two ("İ"); fall back to ASCII, which is what the
        # rules are written in anyway.
        return text.translate(_ASCII_LOWER)
    return folded.translate(_APOSTROPHES)


def _name_variants(names: Sequence[str]) -> tuple[str, ...]:
    """Full names and each part ("priya natarajan", "priya", "natarajan"), longest first."""
    variants: set[str] = set()
    for name in names:
        words = _fold(name).split()
        if not words:
            continue
        variants.add(" ".join(words))
        for word in words:
            if len(word.strip(".-'")) >= 2:
                variants.add(word)
    return tuple(sorted(variants, key=lambda v: (-len(v), v)))


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    single: re.Pattern[str]
    before: re.Pattern[str] | None
    not_after: re.Pattern[str] | None


def _compile_rule(rule: Rule, macros: dict[str, str], names: Sequence[str]) -> _CompiledRule:
    source = _expand(rule.pattern, macros, names)
    return _CompiledRule(
        rule=rule,
        single=re.compile(rf"\b(?:{source})\b"),
        before=(
            re.compile(rf"\b(?:{_expand(rule.before, macros, names)})\Z") if rule.before else None
        ),
        not_after=(
            re.compile(rf"\b(?:{_trie_of(_expand(rule.not_after, macros, names))})\s*\Z")
            if rule.not_after
            else None
        ),
    )


@dataclass(frozen=True)
class _Compiled:
    finder: re.Pattern[str]
    """Finds every place where some rule may start (one pass, literal trie)."""
    rules: tuple[_CompiledRule, ...]
    by_first: dict[str, tuple[int, ...]]
    """Rule indices (priority order) whose phrase can start with these two characters."""
    lookback: int
    slow_alternatives: tuple[str, ...]
    """Alternatives that do not start with a literal letter (tests keep this empty)."""


_TOKEN = re.compile(r"\\s\+|[a-z0-9'](?![?*+{])|-(?![?*+{])")


def _literal_prefix(alternative: str) -> tuple[tuple[str, ...], str]:
    """An alternative's literal tokens (letters; whitespace as ``" "``) and what follows them."""
    tokens: list[str] = []
    position = 0
    while True:
        token = _TOKEN.match(alternative, position)
        if token is None:
            break
        tokens.append(" " if token.group() == r"\s+" else token.group())
        position = token.end()
    return tuple(tokens), alternative[position:]


def _trie_regex(entries: list[tuple[tuple[str, ...], str, int]]) -> str:
    """One regex for many alternatives, sharing their literal prefixes.

    Every branch starts with a literal character (or whitespace), so the engine rejects the
    branches that cannot match with a single comparison each.
    """
    terminals: list[tuple[int, str]] = []
    children: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
    for tokens, rest, index in entries:
        if tokens:
            children.setdefault(tokens[0], []).append((tokens[1:], rest, index))
        else:
            terminals.append((index, rest))
    items: list[tuple[int, str]] = []
    for index, rest in terminals:
        items.append((index, f"(?:{rest})" if rest else ""))
    for token, group in children.items():
        head = r"\s\s*" if token == " " else re.escape(token)
        items.append((min(i for _, _, i in group), head + _group(_trie_regex(group))))
    items.sort(key=lambda item: item[0])
    texts = [text for _, text in items]
    if "" in texts:
        # An alternative that ends here matches already; keep it last so longer ones win.
        texts = [t for t in texts if t] + [""]
    return "|".join(texts)


def _trie_of(source: str) -> str:
    return _trie_regex([(*_literal_prefix(alt), 0) for alt in _top_level_alternatives(source)])


def _group(source: str) -> str:
    return f"(?:{source})" if "|" in source or not source else source


@lru_cache(maxsize=8)
def _finder(name_words: int) -> tuple[re.Pattern[str], dict[str, tuple[int, ...]], tuple[str, ...]]:
    """The scanner, its first-letter index and any slow alternatives.

    It does not depend on the names themselves: ``{named}`` is widened to "up to
    ``name_words`` words", so the one big expression is compiled once, not per session;
    each place it finds is then checked exactly, names and all, by the rule's own pattern.
    """
    rule_list, macro_items = _ruleset()
    macros = dict(macro_items)
    entries: list[tuple[tuple[str, ...], str, int]] = []
    by_first: dict[str, list[int]] = {}
    anywhere: list[int] = []
    slow: list[str] = []
    for index, rule in enumerate(rule_list):
        source = _expand(rule.pattern, macros, (), named_words=name_words)
        for alternative in _top_level_alternatives(source):
            tokens, rest = _literal_prefix(alternative)
            entries.append((tokens, rest, index))
            if len(tokens) >= 2 and " " not in tokens[:2]:
                by_first.setdefault(tokens[0] + tokens[1], []).append(index)
            elif tokens and tokens[0] != " ":
                by_first.setdefault(tokens[0], []).append(index)
            else:
                slow.append(f"{rule.id}: {alternative}")
                anywhere.append(index)
    finder = re.compile(r"\b(?:" + _trie_regex(entries) + r")\b")
    # Candidates by the first two characters at a place (the first one alone as a fallback).
    first: dict[str, tuple[int, ...]] = {}
    for key in set(by_first) | {""}:
        merged = set(by_first.get(key, [])) | set(by_first.get(key[:1], [])) | set(anywhere)
        first[key] = tuple(sorted(merged))
    return finder, first, tuple(slow)


@lru_cache(maxsize=64)
def _compile(variants: tuple[str, ...]) -> _Compiled:
    rule_list, macro_items = _ruleset()
    macros = dict(macro_items)
    compiled_rules = tuple(_compile_rule(rule, macros, variants) for rule in rule_list)
    name_words = max((len(v.split()) for v in variants), default=1)
    finder, first, slow = _finder(max(name_words, 1))
    lookback = 48 + max((len(v) for v in variants), default=0)
    return _Compiled(finder, compiled_rules, first, lookback, slow)


# -- detecting --------------------------------------------------------------------------------


def detect(text: str, *, names: Sequence[str] = ()) -> list[Match]:
    """Blameful phrases in ``text``, sorted by start and never overlapping.

    ``names`` are the session's people (facilitator, scribe, attendees): with "Dave" among
    them, "Dave broke prod" is flagged as attribution. Offsets index into ``text``.
    """
    if not text:
        return []
    compiled = _compile(_name_variants(tuple(n for n in names if isinstance(n, str))))
    scan = _fold(text)
    found: list[tuple[int, int, int]] = []  # (start, end, rule index)
    position = 0
    while True:
        hit = compiled.finder.search(scan, position)
        if hit is None:
            break
        at = hit.start()
        accepted = _first_rule_at(compiled, text, scan, at, found)
        if accepted is None:
            position = at + 1
            continue
        start, end, index = accepted
        while found and found[-1][0] >= start:
            found.pop()  # Inside the longer span that now begins earlier ("Dave clearly forgot").
        found.append((start, end, index))
        position = max(end, at + 1)
    return [_match(text, start, end, compiled.rules[index].rule) for start, end, index in found]


def _first_rule_at(
    compiled: _Compiled, text: str, scan: str, at: int, found: list[tuple[int, int, int]]
) -> tuple[int, int, int] | None:
    """The highest-priority rule that matches at ``at`` and applies there."""
    by_first = compiled.by_first
    candidates = by_first.get(scan[at : at + 2]) or by_first.get(scan[at]) or by_first[""]
    for index in candidates:
        hit = compiled.rules[index].single.match(scan, at)
        if hit is None:
            continue
        accepted = _accept(compiled, text, scan, at, hit.end(), index, found)
        if accepted is not None:
            return accepted
    return None


def _accept(
    compiled: _Compiled,
    text: str,
    scan: str,
    start: int,
    end: int,
    index: int,
    found: list[tuple[int, int, int]],
) -> tuple[int, int, int] | None:
    """The span to flag if rule ``index`` really applies at ``start``, else ``None``."""
    rule = compiled.rules[index]
    if rule.before is not None:
        prefix = _prefix_start(rule.before, text, scan, start, compiled.lookback)
        if prefix is None:
            return None
        for earlier_start, earlier_end, _ in reversed(found):
            if earlier_end <= prefix:
                break
            if earlier_start < prefix:
                return None  # It would cut an earlier flag in two.
        start = prefix
    if rule.not_after is not None:
        if rule.not_after.search(scan, max(0, start - _NOT_AFTER_WINDOW), start) is not None:
            return None
    return start, end, index


def _prefix_start(
    before: re.Pattern[str], text: str, scan: str, start: int, lookback: int
) -> int | None:
    """Where the required words before a phrase begin, or ``None`` if they are not there."""
    position = max(0, start - lookback)
    while position < start:
        hit = before.search(scan, position, start)
        if hit is None:
            return None
        if hit.groupdict().get(_CAP_GROUP) is None or _looks_like_name(
            text[hit.start(_CAP_GROUP) : hit.end(_CAP_GROUP)]
        ):
            return hit.start()
        position = hit.start() + 1
    return None


def _looks_like_name(word: str) -> bool:
    """A capitalised word that is not an acronym nor a usual sentence opener."""
    return word[:1].isupper() and not word.isupper() and word not in _NOT_NAMES


def _match(text: str, start: int, end: int, rule: Rule) -> Match:
    return Match(
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


# -- which text of an entry is scanned, and for whose names ---------------------------------------

SCANNED_TEXT: dict[type, tuple[EntityKind, str]] = {
    TimelineEvent: (EntityKind.TIMELINE, "text"),
    Finding: (EntityKind.FINDING, "text"),
    ActionItem: (EntityKind.ACTION, "text"),
    AgendaItem: (EntityKind.AGENDA, "notes"),
}
"""For each kind of entry: the flags' ``EntityKind`` and the field the detector reads."""


def session_names(session: Session) -> tuple[str, ...]:
    """The people in the room (attendees, facilitator, scribe), each once, for ``detect``.

    With them, "Dave forgot to" is recognised as being about a person even where "Dave"
    would not look like a name on its own.
    """
    people = (*session.attendees, session.facilitator, session.scribe)
    return tuple(dict.fromkeys(name for name in people if name))


def flags_for(
    text: str,
    *,
    names: Sequence[str],
    session_id: int,
    entity: EntityKind,
    entity_id: int,
    now: DateTime,
) -> list[BlameFlag]:
    """``detect`` then ``to_flag`` on each match: what a save hands to the store."""
    return [to_flag(m, session_id, entity, entity_id, now) for m in detect(text, names=names)]


def apply_reframe(text: str, match: Match) -> str | None:
    """``text`` with the flagged phrase replaced by its neutral rewrite.

    ``None`` when the rule has no mechanical rewrite, or when the text no longer holds the
    phrase at the match's place (it was edited since). The rewrite takes a capital letter
    where the phrase began a sentence.
    """
    if match.replacement is None:
        return None
    if not 0 <= match.start <= match.end <= len(text):
        return None
    if text[match.start : match.end] != match.phrase:
        return None
    before, after = text[: match.start], text[match.end :]
    replacement = match.replacement
    if not replacement:
        # Dropping a word ("obviously", "clearly"): a following comma and space go with it.
        after = re.sub(r"^\s*,", "", after, count=1)
        if not before or before.endswith((" ", "\t", "\n")):
            after = after.lstrip(" \t")
        elif after[:1] not in ("", " ", "\t", "\n"):
            after = " " + after
        if _sentence_start(before) and after[:1].isalpha():
            after = after[:1].upper() + after[1:]
        return before + after
    if _sentence_start(before) or (before.rstrip().endswith(":") and match.phrase[:1].isupper()):
        replacement = replacement[:1].upper() + replacement[1:]
    return before + replacement + after


def _sentence_start(before: str) -> bool:
    """Whether a word placed right after ``before`` begins a sentence or a list item."""
    stripped = before.rstrip()
    return not stripped or stripped[-1] in ".!?\"“(-—*#>" or "\n" in before[len(stripped) :]
