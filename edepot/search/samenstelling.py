"""Dutch compound words (samenstellingen) split into their parts, so a search for a part finds them.

Dutch writes a compound as one word: "omgevingsvergunning" is "omgeving" + linking s + "vergunning".
A visitor who searches "vergunning" expects it. `Ontleder.delen` splits a word into known words of
the word list (at least MIN_DEEL letters each, none a stopword), joined directly or by the linking
morphemes -s-, -e- or -en-; the last part may carry a plural or inflection ending ("-en", "-s",
"-n", "-e"). Of all splits the one with the fewest parts wins, and each part is split again, so
"omgevingsvergunningaanvraag" yields "omgevingsvergunning", "omgeving", "vergunning", "aanvraag".
Only the compound -> parts direction is served: parts are indexed beside the whole word (in a field
of their own, weighted lower), the query is never decompounded.

The rules are deliberately strict: a part shorter than MIN_DEEL letters is never split off
("beleid" is not "bel" + "eid"), a word that is not split into known words stays whole, a name
(place names such as "Roermond", not "roer" + "mond") stays whole, and so does the -ing noun of a
known verb ("waardering" from "waarderen", not "waarde" + "ring").
The core is pure (word lists are parameters); `standaard_ontleder()` loads the vendored OpenTaal
lists (edepot/data/opentaal/: words and names, BSD or CC BY 3.0) once, on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from functools import lru_cache
from importlib import resources

from edepot.search.dutch import MAX_TOKEN_CHARS, STOPWORDS, words

MIN_DEEL = 4  # shortest part that is split off
TUSSENKLANKEN = ("", "s", "e", "en")  # linking morphemes between parts
UITGANGEN = ("", "en", "s", "n", "e")  # endings the last part may carry (vergunningen, plannen)
WOORDENLIJST = "opentaal/woorden.txt"  # in edepot/data: lowercase words of >= MIN_DEEL letters
NAMENLIJST = "opentaal/namen.txt"  # in edepot/data: names (places, ...) of >= 2 * MIN_DEEL letters, lowercase
MAX_CACHE = 200_000
_PUNCTUATION = ".,;:!?'\"()[]«»„“”‘’"

Split = tuple[str, ...]


class Ontleder:
    """Splits compounds into parts that are words of `woorden` (lowercase, letters only)."""

    def __init__(
        self,
        woorden: Collection[str],
        *,
        namen: Collection[str] = (),
        min_deel: int = MIN_DEEL,
        max_cache: int = MAX_CACHE,
    ) -> None:
        if min_deel < 2:
            raise ValueError("min_deel must be at least 2")
        self._woorden = frozenset(w for w in woorden if len(w) >= min_deel and w not in STOPWORDS)
        self._namen = frozenset(namen)
        self.min_deel = min_deel
        self.delen: Callable[[str], Split] = lru_cache(maxsize=max_cache)(self._delen)

    def __contains__(self, woord: object) -> bool:
        return woord in self._woorden

    def _delen(self, woord: str) -> Split:
        """The parts of `woord` (lowercase), parts of parts included, in order; () when it is no compound."""
        if len(woord) < 2 * self.min_deel or len(woord) > MAX_TOKEN_CHARS or not woord.isalpha():
            return ()
        if woord in self._namen or self._is_verbal_noun(woord):
            return ()
        best = self._split(woord, {}, whole=True)
        if best is None:
            return ()
        found: list[str] = []
        for deel in best:
            found.append(deel)
            found.extend(self.delen(deel))
        return tuple(dict.fromkeys(found))

    def _is_verbal_noun(self, woord: str) -> bool:
        """An -ing noun of a known verb (waardering <- waarderen, vergunning <- vergunnen)."""
        return woord.endswith("ing") and woord[:-3] + "en" in self._woorden

    def _known_head(self, deel: str) -> bool:
        """A last part: a known word, possibly with an ending (vergunningen, plannen -> plan)."""
        for uitgang in UITGANGEN:
            if not deel.endswith(uitgang):
                continue
            stam = deel[: len(deel) - len(uitgang)]
            if len(stam) < self.min_deel:
                continue
            if stam in self._woorden:
                return True
            doubled = uitgang == "en" and len(stam) > self.min_deel and stam[-1] == stam[-2]
            if doubled and stam[:-1] in self._woorden:  # plannen -> plan
                return True
        return False

    def _split(self, rest: str, memo: dict[tuple[str, bool], Split | None], *, whole: bool) -> Split | None:
        """The split of `rest` into the fewest known parts (two at least when `whole`), or None."""
        key = (rest, whole)
        if key in memo:
            return memo[key]
        best: Split | None = None if whole or not self._known_head(rest) else (rest,)
        if best is None or len(best) > 1:
            for cut in range(self.min_deel, len(rest) - self.min_deel + 1):
                modifier = rest[:cut]
                if modifier not in self._woorden:
                    continue
                for link in TUSSENKLANKEN:
                    if not rest.startswith(link, cut):
                        continue
                    tail = rest[cut + len(link) :]
                    if len(tail) < self.min_deel:
                        continue
                    found = self._split(tail, memo, whole=False)
                    if found is not None and (best is None or len(found) + 1 < len(best)):
                        best = (modifier, *found)
        memo[key] = best
        return best

    def samenstellingsdelen(self, texts: Iterable[str]) -> list[str]:
        """The parts of every compound in `texts`, each distinct part once, in order of appearance."""
        shortest = 2 * self.min_deel
        candidates: dict[str, None] = {}
        for text in texts:
            # the same words as `dutch.words`, but only the long ones, and fast: this runs per document
            for token in text.lower().split():
                if len(token) < shortest:
                    continue
                token = token.strip(_PUNCTUATION)
                if token.isalpha():
                    candidates[token] = None
                else:
                    candidates.update((w, None) for w in words(token) if len(w) >= shortest)
        found: dict[str, None] = {}
        for woord in candidates:
            found.update(dict.fromkeys(self.delen(woord)))
        return list(found)


def lees_woordenlijst(text: str) -> frozenset[str]:
    """The words of a word list: one per line, lowercased; blank lines and `#` comments skipped."""
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


@lru_cache(maxsize=1)
def standaard_ontleder() -> Ontleder:
    """The decompounder over the vendored OpenTaal word list (read once per process)."""
    data = resources.files("edepot").joinpath("data")
    woorden = data.joinpath(*WOORDENLIJST.split("/")).read_text(encoding="utf-8")
    namen = data.joinpath(*NAMENLIJST.split("/")).read_text(encoding="utf-8")
    return Ontleder(lees_woordenlijst(woorden), namen=lees_woordenlijst(namen))


def delen_tekst(*texts: str) -> str:
    """What both engines index in their `delen` field: the compound parts of `texts`, space-separated."""
    return " ".join(standaard_ontleder().samenstellingsdelen(texts))
