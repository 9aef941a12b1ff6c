"""Initial prompts that steer Whisper toward an episode's vocabulary and proper names."""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["MAX_PROMPT_CHARS", "build_prompt", "extract_names"]

# Whisper keeps only the last ~224 prompt tokens. English runs about 4 characters per token, so
# 360 characters (~90 tokens) stays well inside, with room for odd spellings that tokenize long.
MAX_PROMPT_CHARS = 360
_CORE_NAMES = 8

_URL = re.compile(r"\]\([^)]*\)|https?://\S+")
_SENTENCE_END = re.compile(r"[.!?:;…\n]+|\s[-–—*#>]+\s|^[\s*#>-]+", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*")
_POSSESSIVE = re.compile(r"['’]s$")

# Words that are capitalised only because they open a sentence or sit in a Title Case heading.
_COMMON_WORDS = """
    a about above after again against all also am an and any are as at back be because been
    before being below between both but by can could did do does doing done down during each
    even every few for from further get gets got had has have having he her here hers him his
    how i if in into is it its just let lets like made make many may me might more most much
    must my new no nor not now of off on once one only or other our ours out over own part
    really said same say says see seen sees saw she should so some still such than that the
    their them then there these they this those through to too two three four five under until
    up us very was we were what when where which while who whom why will with would yes yet you
    your yours hi hello hey dear thanks thank please love question questions episode show
    bonus intro introduction conclusion summary recap update final last first next think thinks
    know knows want wants right left big small great good best better old year years today
    tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january
    february march april june july august september october november december ok okay
"""
_COMMON = frozenset(_COMMON_WORDS.split())


def build_prompt(
    *, episode_title: str, topic_titles: list[str], names: list[str] | None = None
) -> str:
    """A short prompt naming the episode, its topics and key names.

    Whisper continues the prompt's style and spelling, so names that the prompt spells out
    ("Ilya", "Sutskever") come out right instead of as sound-alikes. Without `names` they are
    taken from the title and topic titles. To stay under MAX_PROMPT_CHARS the name list shrinks
    first down to a core of eight, then topics go from the end, then the remaining names.
    """
    title = " ".join(episode_title.split())
    topics = _unique(" ".join(t.split()) for t in topic_titles)
    if names is None:
        names = extract_names("\n".join([title, *topics]))
    names = _unique(" ".join(n.split()) for n in names)

    def render(topics: list[str], names: list[str]) -> str:
        parts = [_sentence(title)]
        if topics:
            parts.append(_sentence("Topics: " + "; ".join(topics)))
        if names:
            parts.append(_sentence("Names: " + ", ".join(names)))
        return " ".join(p for p in parts if p)

    # Long name lists shrink first (they are ranked, the tail matters least), but a core of
    # names outlives the topics: misspelled names are what hosts notice.
    while len(names) > _CORE_NAMES and len(render(topics, names)) > MAX_PROMPT_CHARS:
        names.pop()
    while topics and len(render(topics, names)) > MAX_PROMPT_CHARS:
        topics.pop()
    while names and len(render(topics, names)) > MAX_PROMPT_CHARS:
        names.pop()
    return render(topics, names)[:MAX_PROMPT_CHARS]


def extract_names(text: str) -> list[str]:
    """Likely proper names in `text` (Ilya, Sutskever, AlphaGo, OpenAI), most frequent first.

    A capitalised word counts unless it is a common word, also appears in lower case (so it
    is an ordinary word in a heading), or only ever opens a sentence without an inner capital.
    Ties keep first-appearance order, so the result is deterministic.
    """
    text = _URL.sub(" ", text)
    lowercase_seen: set[str] = set()
    counts: Counter[str] = Counter()
    mid_sentence: set[str] = set()
    order: dict[str, int] = {}
    for sentence in _SENTENCE_END.split(text):
        for index, match in enumerate(_WORD.finditer(sentence)):
            word = _POSSESSIVE.sub("", match.group())
            if word.islower():
                lowercase_seen.add(word)
                continue
            if not word[0].isupper() or len(word) < 2 or word.lower() in _COMMON:
                continue
            counts[word] += 1
            order.setdefault(word, len(order))
            if index > 0:
                mid_sentence.add(word)

    def is_name(word: str) -> bool:
        if word.lower() in lowercase_seen:
            return False
        has_inner_capital = any(c.isupper() for c in word[1:])
        return word in mid_sentence or has_inner_capital

    names = [w for w in counts if is_name(w)]
    return sorted(names, key=lambda w: (-counts[w], order[w]))


def _sentence(text: str) -> str:
    return text if not text or text[-1] in ".!?" else f"{text}."


def _unique(items: object) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:  # type: ignore[attr-defined]
        if item and item not in seen:
            seen[item] = None
    return list(seen)
