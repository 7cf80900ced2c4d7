"""Counting words people read: "1 service", "3 services" (the timeline, the queue's advice)."""


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"
