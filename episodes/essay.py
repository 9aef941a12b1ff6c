"""Split a Markdown essay into topics: one per heading, with a plain-text summary and body.

Pure text processing, no database: the import service decides what to do with the sections.
Essays are often pasted from Substack or a blog export, so links, images, footnote markers
and emphasis are stripped: summaries are shown to hosts and bodies are fed to the matcher,
and neither should carry URLs or markup.
"""

import bisect
import html
import re
from dataclasses import dataclass

SUMMARY_MAX_CHARS = 300
# Stop adding sentences to a summary once it is this long: one good sentence is enough.
SUMMARY_ENOUGH_CHARS = 120
SUMMARY_MAX_SENTENCES = 2


@dataclass(frozen=True)
class EssaySection:
    title: str
    summary: str
    body: str  # plain text of the whole section, paragraphs separated by blank lines


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# The closing `#`s are taken off by _heading_text: a pattern doing it would backtrack over a
# long run of spaces once per space.
_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})[ \t]+(.*)$")

# A link destination: a URL that may hold one level of balanced parentheses (Wikipedia) and an
# optional "title".
_DEST = r"\(\s*<?(?:[^\s()<>]|\([^\s()]*\))*>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
# Alt text stops at the next `[`, so a paste of "![![![..." costs one look per `![`.
_IMAGE = re.compile(r"!\[[^\[\]]*\]" + _DEST)
_IMAGE_REF = re.compile(r"!\[[^\[\]]*\]\[[^\[\]]*\]")
# Substack numbers its footnotes with plain links: [3](https://...#footnote-3-123).
# Possessive runs and no `#` before the anchor: a URL of "#footnote-1#footnote-1..." is read once.
_FOOTNOTE_LINK = re.compile(r"\[\d{1,3}\]\(\s*[^\s()#]*#footnote-\d++[^\s()]*+\s*\)")
_FOOTNOTE_DEF_LINK = re.compile(
    r"^\s*\[(\d{1,3})\]\(\s*[^\s()#]*#footnote-anchor-(\d++)[^)]*+\)\s*"
)
_FOOTNOTE_REF = re.compile(r"\[\^[^\[\]\s]+\]")
_FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^([^\]\s]+)\]:\s*")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]" + _DEST)
_REF_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\[[^\]]*\]")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^<>\s]*>", re.IGNORECASE)
# A bare URL never ends in punctuation: "see www.example.com." keeps its full stop.
_BARE_URL = re.compile(
    r"(?:https?://|www\.)(?:[^\s<>()\[\]]|\([^\s()]*\))*"
    r"(?:[^\s<>()\[\].,;:!?'\"”’]|\([^\s()]*\))",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Spans never cross a blank line, and their text never holds their own delimiter: each
# opening marker then looks no further than the next one, which keeps every pattern linear
# on hostile input (a paragraph of "*a *a *a ..." would otherwise take minutes).
_LINE_GAP = r"\n(?![ \t]*\n)"
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _span(delimiter: str) -> str:
    char = re.escape(delimiter[0])
    if len(delimiter) == 1:
        return rf"(?:[^{char}\n]|{_LINE_GAP})+?"
    return rf"(?:[^{char}\n]|{char}(?!{char})|{_LINE_GAP})+?"


# Emphasis: `*` glued to a word (Q*) or `_` inside one (a_b) is text, not markup.
_STRONG_STAR = re.compile(r"\*\*(?=\S)(" + _span("**") + r")(?<=\S)\*\*")
_STRONG_UNDER = re.compile(r"__(?=\S)(" + _span("__") + r")(?<=\S)__")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(" + _span("*") + r")(?<=[^\s*])\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=[^\s_])(" + _span("_") + r")(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(" + _span("~~") + r")~~")
_EMPTY_LINK = re.compile(r"!?\[\s*\]" + _DEST)
_EMPTY_BRACKETS = re.compile(r"\[\s*\]")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_ESCAPED = re.compile("\ue000(\\d+)\ue001")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_QUOTE_MARKER = re.compile(r"^\s{0,3}(?:>\s?)+")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
# Matched against a stripped line: no two runs of spaces may sit side by side in a pattern.
_TABLE_RULE = re.compile(r"^\|?[ \t]*:?-{3,}:?(?:[ \t]*\|[ \t]*:?-{3,}:?)*[ \t]*\|?$")
# A sentence is terminated by one of these, possibly followed by closing quotes or brackets.
_TERMINATORS = ".!?…"
_CLOSERS = '"”’)]'
# Only the first space of a run may start a match, else each space rescans the run.
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<![ \t])[ \t]+([.,;:!?])")
# Rounds of peeling nested links and emphasis in _strip_inline (each round is one pass).
_MAX_NESTING = 5
# A line starting with none of these (or a digit) is no fence, rule, table rule, heading,
# quote or list item.
_BLOCK_MARKS = "`~-*_|:#=>+"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def essay_parse(markdown: str, *, heading_level: int = 2) -> list[EssaySection]:
    """Sections of `markdown`, one per heading of exactly `heading_level`, in essay order.

    Text before the first such heading (byline, intro) belongs to no topic. A section runs
    until the next heading of the same or a higher level; deeper headings stay inside it.
    Footnote definitions are moved to the section that cites them, so an essay whose notes
    sit at the very end does not lend them all to its last section.
    """
    if not 1 <= heading_level <= 6:
        raise ValueError("heading_level must be between 1 and 6")
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    raw_sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    in_fence = False
    for line in lines:
        if "#" not in line[:4] and "`" not in line[:4] and "~" not in line[:4]:
            heading = None  # neither a fence nor a heading: both start within 3 spaces
        else:
            if _FENCE.match(line):
                in_fence = not in_fence
            heading = None if in_fence else _ATX_HEADING.match(line)
        if heading and len(heading.group(1)) <= heading_level:
            if len(heading.group(1)) == heading_level:
                current = []
                raw_sections.append((_heading_text(heading), current))
            else:
                current = None  # a higher-level heading closes the section
            continue
        if current is not None:
            current.append(line)

    sources = [_split_footnotes("\n".join(body)) for _, body in raw_sections]
    notes: dict[str, str] = {}
    for _, section_notes in sources:
        notes.update(section_notes)

    sections = []
    for (raw_title, _), (text, _) in zip(raw_sections, sources, strict=True):
        title = _inline_plain(raw_title)
        if not title:
            continue
        own = _plain_blocks(text)
        cited = [notes[key] for key in _cited_footnotes(text) if key in notes]
        blocks = own + [b for note in cited for b in _plain_blocks(note)]
        sections.append(EssaySection(title=title, summary=_summary(own), body="\n\n".join(blocks)))
    return sections


def _heading_text(heading: re.Match[str]) -> str:
    """An ATX heading's text without its optional closing run of `#`s (`## Title ##`)."""
    text = heading.group(2).rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and bare[-1:] in (" ", "\t"):
        return bare.rstrip(" \t")
    return text


def _split_footnotes(text: str) -> tuple[str, dict[str, str]]:
    """Remove footnote definitions from `text`; return them keyed by their label."""
    kept: list[str] = []
    notes: dict[str, str] = {}
    label = None
    for line in text.split("\n"):
        definition = _FOOTNOTE_DEF_LINK.match(line) or _FOOTNOTE_DEF.match(line)
        if definition:
            label = definition.group(1)
            notes[label] = line[definition.end() :]
            continue
        if label is not None and (line.startswith(("    ", "\t")) or not line.strip()):
            # Indented continuation of a footnote (or a blank line inside it).
            notes[label] += "\n" + line.strip()
            continue
        label = None
        kept.append(line)
    return "\n".join(kept), {key: value.strip() for key, value in notes.items()}


def _cited_footnotes(text: str) -> list[str]:
    labels = [m.group(0)[2:-1] for m in _FOOTNOTE_REF.finditer(text)]
    labels += [m.group(0)[1 : m.group(0).index("]")] for m in _FOOTNOTE_LINK.finditer(text)]
    return list(dict.fromkeys(labels))


def _plain_blocks(markdown: str) -> list[str]:
    """Markdown to a list of plain-text paragraphs (list items and headings are paragraphs)."""
    text = _LINK_DEF.sub("", markdown)
    text = _strip_inline(text)
    blocks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        joined = " ".join(part for part in paragraph if part)
        joined = re.sub(r"\s+", " ", joined).strip()
        if re.search(r"\w", joined):
            blocks.append(joined)
        paragraph.clear()

    for line in text.split("\n"):
        content = line.lstrip()
        if not content:
            flush()
            continue
        if content[0] not in _BLOCK_MARKS and not content[0].isdigit():
            # Most lines are prose: one look at the first character spares them every pattern.
            paragraph.append(line.strip().strip("|").replace(" | ", " ").strip())
            continue
        if _FENCE.match(line) or _RULE.match(line) or _TABLE_RULE.match(content.rstrip()):
            flush()
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            flush()
            paragraph.append(_heading_text(heading))
            flush()
            continue
        if _SETEXT_UNDERLINE.match(line) and paragraph:
            flush()
            continue
        stripped = _QUOTE_MARKER.sub("", line)
        if _LIST_MARKER.match(stripped):
            flush()
            stripped = _LIST_MARKER.sub("", stripped)
        stripped = stripped.strip().strip("|").replace(" | ", " ")
        paragraph.append(stripped.strip())
    flush()
    return blocks


def _strip_inline(text: str) -> str:
    # Escaped characters are set aside first so that no rule below reads them as markup.
    text = _ESCAPE.sub(lambda m: f"\ue000{ord(m.group(1))}\ue001", text)
    text = _IMAGE.sub("", text)
    text = _IMAGE_REF.sub("", text)
    text = _FOOTNOTE_LINK.sub("", text)
    text = _FOOTNOTE_REF.sub("", text)
    # Substack wraps images in a link; once the image is gone only `[ ](url)` is left (or
    # `![](url)` when the image was inside another image's alt text).
    text = _EMPTY_LINK.sub("", text)
    previous = None
    # Links nest inside emphasis and vice versa; each round peels one level, and a few rounds
    # cover any essay written by a person (a paste nested a million deep keeps its brackets).
    for _ in range(_MAX_NESTING):
        if previous == text:
            break
        previous = text
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub("", text)
    text = _BARE_URL.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _code_spans(text)
    previous = None
    for _ in range(_MAX_NESTING):
        if previous == text:
            break
        previous = text
        text = _STRONG_STAR.sub(r"\1", text)
        text = _STRONG_UNDER.sub(r"\1", text)
        text = _EM_STAR.sub(r"\1", text)
        text = _EM_UNDER.sub(r"\1", text)
        text = _STRIKE.sub(r"\1", text)
    text = _EMPTY_BRACKETS.sub("", text)
    text = _ESCAPED.sub(lambda m: chr(int(m.group(1))), text)
    text = html.unescape(text).replace("\u00a0", " ")
    # Stray punctuation left where a link or footnote used to sit: "word ." -> "word."
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    return text


def _code_spans(text: str) -> str:
    """Code spans as their plain text: a run of backticks up to the next run of the same
    length (CommonMark), never across a blank line.

    The runs are paired in one pass, each with the next run of its length, so a paste of
    lone backticks costs no more than its length (a pattern would rescan for every one).
    """
    runs = [match.span() for match in _BACKTICKS.finditer(text)]
    gaps = [match.start() for match in _BLANK_LINE.finditer(text)]
    closer: list[int | None] = [None] * len(runs)
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        closer[index] = last_of_length.get(length)
        last_of_length[length] = index
    pieces: list[str] = []
    done = index = 0
    while index < len(runs):
        opening, close = runs[index], closer[index]
        if close is not None:
            content_start, content_end = opening[1], runs[close][0]
            gap = bisect.bisect_left(gaps, content_start)
            if gap == len(gaps) or gaps[gap] >= content_end:
                pieces += [text[done : opening[0]], text[content_start:content_end].strip()]
                done = runs[close][1]
                index = close + 1
                continue
        index += 1
    return "".join(pieces) + text[done:]


def _inline_plain(markdown: str) -> str:
    return re.sub(r"\s+", " ", _strip_inline(markdown)).strip()


def _summary(blocks: list[str]) -> str:
    """The section's first sentence or two, at most SUMMARY_MAX_CHARS characters.

    The first sentence is always taken (with any lead-in such as "From his talk:" before it).
    More are added only while they read as full sentences: a caption or the remains of a
    stripped link ("see also comments on X") ends the summary.
    """
    taken: list[str] = []
    pending: list[str] = []
    counted = 0
    for block in blocks:
        for sentence in _SENTENCE_END.split(block):
            sentence = sentence.strip()
            if not sentence:
                continue
            if sentence.endswith(":"):
                pending.append(sentence)
                continue
            if counted and not _terminated(sentence):
                return _clip(" ".join(taken))
            taken += pending + [sentence]
            pending = []
            counted += 1
            if counted >= SUMMARY_MAX_SENTENCES or len(" ".join(taken)) >= SUMMARY_ENOUGH_CHARS:
                return _clip(" ".join(taken))
    return _clip(" ".join(taken or pending))


def _terminated(sentence: str) -> bool:
    """Whether `sentence` ends like one: a full stop (or ! ? …), maybe inside quotes."""
    bare = sentence.rstrip(_CLOSERS)
    return bool(bare) and bare[-1] in _TERMINATORS


def _clip(text: str) -> str:
    if len(text) > SUMMARY_MAX_CHARS:
        cut = text[: SUMMARY_MAX_CHARS - 1]
        if " " in cut:
            cut = cut[: cut.rindex(" ")]
        text = cut.rstrip(" ,;:-–—") + "…"
    if text.count("“") > text.count("”"):
        text += "”"  # a quotation cut short still reads as one
    return text
