"""Matching listeners' words to the essay and to each other: pure functions, no views, no
database writes.

- `question_text`: the part of a message that carries the question (no greetings).
- `embedding`: sentence vectors (all-MiniLM-L6-v2, loaded once per process).
- `topics`: how relevant each of an episode's topics is to a question.
- `similarity`: how alike two questions are (duplicates).

The model behind `embedding` takes seconds and hundreds of MB to load: only the worker (and
tests, and benchmarks) should call into it.
"""
