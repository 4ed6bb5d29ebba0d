"""What a user typed, read into search clauses the same way for every engine. Pure.

User input is never handed to an engine's query language as is. It is read as words and
"quoted phrases": everything that is not a letter or digit is dropped (so `AND OR`, `title:x`,
`a*`, `[x TO y]`, unbalanced quotes and brackets cannot break or steer a query), operator words
count as ordinary words, an unclosed quote runs to the end of the text. Single words that are
stopwords are dropped; a phrase keeps them so that word positions still line up.
Every clause must match (AND); a clause matches in title, description, full text or kenmerken.
"""

from __future__ import annotations

from dataclasses import dataclass

from edepot.search.dutch import STOPWORDS, words

MAX_CLAUSES = 32


@dataclass(frozen=True)
class Clause:
    """One word (a term) or several (a phrase), lowercase, letters and digits only."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def render(self) -> str:
        """As engine query syntax: safe, since the words contain only letters and digits."""
        return f'"{" ".join(self.words)}"' if self.is_phrase else self.words[0]


@dataclass(frozen=True)
class UserQuery:
    clauses: tuple[Clause, ...]
    had_text: bool  # the user typed something (which may all have been stopwords)

    @property
    def browse(self) -> bool:
        """No text at all: list everything the audience may see (with filters)."""
        return not self.had_text

    @property
    def matches_nothing(self) -> bool:
        """Text typed, but nothing searchable in it (only stopwords or punctuation)."""
        return self.had_text and not self.clauses

    def render(self) -> str:
        return " ".join(clause.render() for clause in self.clauses)


def parse(text: str) -> UserQuery:
    clauses: list[Clause] = []
    # Split on quotes: odd-numbered pieces are inside quotes (an unclosed quote runs to the end).
    for number, piece in enumerate(text.split('"')):
        found = words(piece)
        if number % 2 == 1 and len(found) > 1:
            if any(w not in STOPWORDS for w in found):
                clauses.append(Clause(tuple(found)))
            continue
        clauses.extend(Clause((w,)) for w in found if w not in STOPWORDS)
    unique = tuple(dict.fromkeys(clauses))[:MAX_CLAUSES]
    return UserQuery(clauses=unique, had_text=bool(text.strip()))
