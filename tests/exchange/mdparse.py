"""Reading exported minutes back with markdown-it-py, as a wiki or GitHub would.

``parse_minutes`` returns the document as a flat list of blocks (headings, paragraphs,
bullet lists, tables) with the plain text a reader sees. It is strict: any block or
inline construct the minutes never write on purpose (code, quotes, HTML, images,
emphasis, ...) raises, because its presence means typed text broke out of its place.
The one HTML the minutes write, comments for ``pmconsole lint``, is skipped (a reader
never sees it); ``lint_comments`` lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

MD = MarkdownIt("commonmark").enable("table")
# What the minutes write for `pmconsole lint`, one comment a line.
LINT_COMMENT = re.compile(r'<!-- pmconsole-lint (?:off|on|names: ".*"|allow [0-9]+(?:-[0-9]+)?: ".*") -->')

# Inline markup the minutes write themselves: bold labels and links.
_OUR_MARKUP = {"strong_open", "strong_close", "link_open", "link_close"}


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "list" or "table"
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # hrefs, in order of appearance


def inline_text(token: Token, links: list[str] | None = None) -> str:
    """The text a reader sees; line breaks as ``\\n``."""
    out = []
    for child in token.children or []:
        if child.type == "text":
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type in _OUR_MARKUP:
            if child.type == "link_open" and links is not None:
                links.append(str(child.attrs.get("href", "")))
        else:
            raise AssertionError(f"unexpected inline {child.type} {child.content!r} "
                                 f"in {token.content!r}")
    return "".join(out)


def parse_minutes(markdown: str) -> list[Block]:
    tokens = MD.parse(markdown)
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            blocks.append(Block("heading", inline_text(tokens[i + 1]), level=int(token.tag[1])))
            i += 3
        elif token.type == "paragraph_open":
            links: list[str] = []
            blocks.append(Block("paragraph", inline_text(tokens[i + 1], links), links=links))
            i += 3
        elif token.type == "bullet_list_open":
            block = Block("list")
            i += 1
            while tokens[i].type != "bullet_list_close":
                t = tokens[i]
                if t.type == "list_item_open":
                    block.items.append("")
                elif t.type == "inline":
                    if block.items[-1]:
                        raise AssertionError(f"a list item with two paragraphs: {t.content!r}")
                    block.items[-1] = inline_text(t, block.links)
                elif t.type not in ("list_item_close", "paragraph_open", "paragraph_close"):
                    raise AssertionError(f"unexpected {t.type} in a list: {t.content!r}")
                i += 1
            blocks.append(block)
            i += 1
        elif token.type == "table_open":
            block = Block("table")
            i += 1
            while tokens[i].type != "table_close":
                t = tokens[i]
                if t.type == "tr_open":
                    block.rows.append([])
                elif t.type == "inline":
                    block.rows[-1].append(inline_text(t, block.links))
                i += 1
            blocks.append(block)
            i += 1
        elif token.type == "html_block" and all(
            LINT_COMMENT.fullmatch(line) for line in token.content.splitlines()
        ):
            i += 1
        else:
            raise AssertionError(f"unexpected block {token.type}: {token.content!r}")
    return blocks


def lint_comments(markdown: str) -> list[str]:
    """The comments for `pmconsole lint` in the minutes, as written."""
    return [line for t in MD.parse(markdown) if t.type == "html_block"
            for line in t.content.splitlines() if LINT_COMMENT.fullmatch(line)]


def section(blocks: list[Block], title: str) -> list[Block]:
    """The blocks under the heading ``title``, up to the next heading of its level or above."""
    for start, block in enumerate(blocks):
        if block.kind == "heading" and block.text == title:
            out = []
            for following in blocks[start + 1:]:
                if following.kind == "heading" and following.level <= block.level:
                    break
                out.append(following)
            return out
    raise AssertionError(f"no heading {title!r}; headings: "
                         f"{[b.text for b in blocks if b.kind == 'heading']}")


def headings(blocks: list[Block], level: int) -> list[str]:
    return [b.text for b in blocks if b.kind == "heading" and b.level == level]


def only_table(blocks: list[Block]) -> list[list[str]]:
    tables = [b for b in blocks if b.kind == "table"]
    assert len(tables) == 1, blocks
    return tables[0].rows


def header_fields(blocks: list[Block]) -> dict[str, str]:
    """The ``Name: value`` list under the title."""
    first_list = next(b for b in blocks if b.kind == "list")
    fields = {}
    for item in first_list.items:
        name, _, value = item.partition(": ")
        fields[name] = value
    return fields
