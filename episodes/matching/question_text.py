"""The part of a listener's message that carries the question.

Voice messages open with "Hi guys, this is Tom from Leeds, love the show" and close with
"thanks!". That chatter says nothing about the essay, and two messages that share it are
not the same question, so matching looks only at what is left. A message that is nothing
but chatter stays as it is (and then matches no topic).
"""

import re

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_CHATTER = re.compile(
    r"^(?:(?:hi|hey|hello|hiya|howdy|greetings|good (?:morning|afternoon|evening))\b"
    r"|(?:this is|it'?s|i'?m|my name is|name'?s) [a-z]"
    r"|(?:long[- ]time|first[- ]time|big|huge) (?:listener|fan|caller)"
    r"|(?:i )?(?:really |just )?(?:love|loved|enjoy|enjoyed|adore) (?:the|your|this) "
    r"(?:show|podcast|pod|episodes?)"
    r"|(?:many |so much |a lot of )?(?:thanks|thank you|cheers|keep (?:it up|up the)|bye"
    r"|take care|all the best)\b)",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^(?:(?:so|and|um|uh|okay|ok),? )*"
    r"(?:my question (?:is|was)|i(?: was| am|'m) (?:wondering|curious)"
    r"|i(?: wanted| want| would like|'d like) to ask|quick question)[,:]?\s*(?:whether |if )?",
    re.IGNORECASE,
)


def question_core(text: str) -> str:
    """`text` without greetings, sign-offs and "my question is"; `text` itself if that is all."""
    sentences = [part.strip() for part in _SENTENCE_BREAK.split(text.strip()) if part.strip()]
    kept = [s for s in sentences if "?" in s or not _CHATTER.match(s)]
    core = " ".join(filter(None, (_LEAD_IN.sub("", s).strip() for s in kept)))
    return core or text.strip()
