"""The demo episode `make run` loads: a recap episode following a four-part essay."""

DEMO_SLUG = "2024-recap"
DEMO_TITLE = "2024 Recap"
DEMO_INTRO = """\
**Last call!** Send us your questions and messages for our big 2024 recap episode.

We are walking through an essay about what one researcher saw coming, era by era.
Ask about any part of it, or just tell us what the year meant for you. Type it, or
leave a voice message of up to 90 seconds: the best ones get played on the show.
"""

# Short summaries in our own words; the essay itself stays outside the project.
DEMO_TOPICS = [
    (
        "What Ilya Saw in 2014",
        "The 2014 sequence-to-sequence talk: big networks, next-token prediction, "
        "the scaling bet and why those simple ideas aged well.",
    ),
    (
        "What Ilya Saw in 2016-2017",
        "Early OpenAI strategy from the published emails: talent over compute, much larger "
        "GPU clusters, hardware speed-ups, self-play agents and curious AI.",
    ),
    (
        "What Ilya Sees in 2024",
        "The NeurIPS 2024 talk: pre-training as we know it ending because data runs out, and "
        "what may follow: agents, synthetic data, inference-time compute, superintelligence.",
    ),
    (
        "Bonus: What Did Ilya See in 2023?",
        "Speculation about 2023: the superalignment team, the Q*/Strawberry demos, "
        "weak-to-strong generalisation and the events around the board crisis.",
    ),
]
