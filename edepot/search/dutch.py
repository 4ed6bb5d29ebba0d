"""Dutch text analysis shared by both engines: one token rule, one stopword list, one stemmer.

Both engines run the same pipeline: split into letter/digit runs, lowercase, drop stopwords,
drop tokens longer than MAX_TOKEN_CHARS, stem with the Snowball Dutch stemmer, fold accents.
Tantivy runs it natively (`Filter.stemmer("dutch")` is Snowball's Dutch); whoosh runs `analyse`
here, through the `snowballstemmer` package, which implements the same Snowball algorithm, so
"vergunningen" and "vergunning" become the same term in both.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

STEMMER_LANGUAGE = "dutch"  # the Snowball name, for tantivy's Filter.stemmer and snowballstemmer
MAX_TOKEN_CHARS = 40

TOKEN = re.compile(r"[^\W_]+")  # runs of letters and digits, as tantivy's simple tokenizer splits

# Function words that carry no meaning for search: articles, pronouns, prepositions,
# conjunctions, auxiliaries and common adverbs of Dutch.
STOPWORDS: frozenset[str] = frozenset(
    (
        "de", "het", "een", "der", "den", "des",
        "en", "of", "maar", "want", "dus", "noch", "doch",
        "ik", "je", "jij", "u", "hij", "zij", "ze", "wij", "we", "jullie", "zij", "mij", "me", "jou", "hem",
        "haar", "ons", "hen", "hun",
        "mijn", "jouw", "zijn", "uw", "onze",
        "die", "dat", "deze", "dit", "wie", "wat", "welke", "waar", "wanneer", "hoe",
        "er", "hier", "daar", "daarom", "toen", "nu", "dan", "al", "ook", "nog", "wel", "niet", "geen", "zo",
        "in", "op", "aan", "te", "van", "voor", "met", "door", "bij", "tot", "om", "uit", "naar", "over",
        "onder", "tussen", "tegen", "sinds", "zonder",
        "na", "als", "dan",
        "is", "ben", "bent", "was", "waren", "zijn", "wordt", "worden", "werd", "werden", "word", "ben",
        "heeft", "hebben", "had", "hadden", "heb",
        "kan", "kunnen", "kon", "konden", "zal", "zullen", "zou", "zouden", "moet", "moeten", "moest", "mag",
        "mogen", "wil", "willen",
        "zich", "zelf", "iets", "niets", "veel", "meer",
    )
)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(STEMMER_LANGUAGE)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The Snowball Dutch stem of a lowercase word."""
    result: str = _stemmer().stemWord(word)
    return result


_NOT_DECOMPOSABLE = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d"})


@lru_cache(maxsize=100_000)
def fold(term: str) -> str:
    """Strip accents (é -> e, ë -> e), as tantivy's ascii_fold does for Latin letters."""
    if term.isascii():
        return term
    decomposed = unicodedata.normalize("NFKD", term.translate(_NOT_DECOMPOSABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The lowercase tokens of `text`, stopwords included."""
    return TOKEN.findall(text.lower())


def is_stopword(word: str) -> bool:
    return word.lower() in STOPWORDS


def analyse(text: str) -> list[str]:
    """The index terms of `text`: the reference pipeline (tantivy's analyzer gives the same terms)."""
    return [fold(stem(w)) for w in words(text) if w not in STOPWORDS and len(w) <= MAX_TOKEN_CHARS]
