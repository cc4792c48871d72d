"""Message normalisation: width, case, traditional characters, dialect, pinyin, homophones."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp import tokenizer

LEXICON = Path(__file__).parent / "data" / "lexicon.toml"

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_LATIN_RUN = re.compile(r"[a-z]+(?: +[a-z]+)*")
# Pictographs and their modifiers; the few that stand for a word are mapped in ``[emoji]`` first.
_EMOJI = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]+")
_SPACES = re.compile(r"\s+")
# Southwestern Mandarin speakers merge these, so pinyin is compared after folding them.
_FOLD = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ing", "in"), ("eng", "en"), ("ang", "an"))
_COMMON_FREQ = 300
# Function characters never belong to a misheard term (可不可以 must not become 客服可以).
_FUNCTION_CHARS = frozenset("不没的了是吗呢吧么也都就还和与")
_MAX_TERM = 6


def to_half_width(text: str) -> str:
    """Full-width ASCII and the ideographic space to their half-width forms."""
    return text.translate(_WIDTH)


def fold_syllable(syllable: str) -> str:
    """A toneless syllable with the merged initials and finals folded together."""
    for src, dst in _FOLD:
        syllable = syllable.replace(src, dst)
    return syllable


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Normalizer:
    """Precompiled tables; build with :func:`load`."""

    simplify: dict[int, int]
    dialect: re.Pattern[str]
    dialect_map: dict[str, str]
    dialect_regex: tuple[tuple[re.Pattern[str], str], ...]
    typos: re.Pattern[str]
    typo_map: dict[str, str]
    emoji: re.Pattern[str]
    emoji_map: dict[str, str]
    pinyin_terms: dict[str, str]
    char_syllables: dict[str, frozenset[str]]
    char_exact: dict[str, frozenset[str]]
    terms_by_syllable: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]]
    term_set: frozenset[str]
    anchors: re.Pattern[str]
    freq: dict[str, int]

    def __call__(self, text: str) -> str:
        """The normalised form of one message."""
        text = to_half_width(text)
        if _EMOJI.search(text):
            text = self.emoji.sub(lambda m: self.emoji_map[m.group()], text)
            text = _EMOJI.sub(" ", text)
        text = _SPACES.sub(" ", text).strip().lower().translate(self.simplify)
        text = self.dialect.sub(lambda m: self.dialect_map[m.group()], text)
        text = self.typos.sub(lambda m: self.typo_map[m.group()], text)
        for pattern, repl in self.dialect_regex:
            text = pattern.sub(repl, text)
        text = _LATIN_RUN.sub(self._pinyin_run, text)
        return self.correct_homophones(text)

    def _pinyin_run(self, match: re.Match[str]) -> str:
        words = match.group().split(" ")
        out: list[str] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + 4), i, -1):
                hit = self.pinyin_terms.get("".join(words[i:j])) or self._segment(
                    "".join(words[i:j])
                )
                if hit:
                    out.append(hit)
                    i = j
                    break
            else:
                out.append(words[i] + " ")
                i += 1
        return "".join(out).strip()

    def _segment(self, word: str) -> str | None:
        """Greedy longest-prefix split of glued pinyin (woyaojubao) into known words, or None."""
        pieces: list[str] = []
        pos = 0
        while pos < len(word):
            for end in range(min(len(word), pos + 24), pos + 1, -1):
                hit = self.pinyin_terms.get(word[pos:end])
                if hit:
                    pieces.append(hit)
                    pos = end
                    break
            else:
                return None
        return "".join(pieces) if len(pieces) > 1 else None

    def correct_homophones(self, text: str) -> str:
        """Replace character windows that sound like a domain term (修服 → 修复, 举抱 → 举报)."""
        syllables = self.char_syllables
        out: list[str] = []
        i, n = 0, len(text)
        anchored: bool | None = None
        while i < n:
            best = None
            exact: tuple[str, ...] = ()
            for syl in syllables.get(text[i], ()):
                for term, term_syl, term_exact in self.terms_by_syllable.get(syl, ()):
                    k = len(term)
                    if (
                        (best is None or k > len(best))
                        and i + k <= n
                        and self._sounds(text, i, term_syl, self.char_syllables)
                    ):
                        best, exact = term, term_exact
            if best is None:
                out.append(text[i])
                i += 1
                continue
            k = len(best)
            window = text[i : i + k]
            if (
                window != best
                and window not in self.term_set
                and _FUNCTION_CHARS.isdisjoint(window)
            ):
                if self.freq.get(window, 0) < _COMMON_FREQ:
                    if not self._crosses_word(text, i, i + k):
                        window = best
                elif self._sounds(text, i, exact, self.char_exact):
                    # A real word that sounds exactly like the term (意义/异议): only in context.
                    if anchored is None:
                        anchored = bool(self.anchors.search(text))
                    if anchored:
                        window = best
            out.append(window)
            i += k
        return "".join(out)

    @staticmethod
    def _sounds(
        text: str, start: int, term_syl: tuple[str, ...], index: dict[str, frozenset[str]]
    ) -> bool:
        get = index.get
        return all(s in get(text[start + j], ()) for j, s in enumerate(term_syl))

    def _crosses_word(self, text: str, start: int, end: int) -> bool:
        """True when a common word straddles the window edge (新用户 must not become 信用户)."""
        freq = self.freq
        for a in range(max(0, start - 2), start):
            for b in range(start + 1, end):
                if freq.get(text[a:b], 0) >= _COMMON_FREQ:
                    return True
        for a in range(start + 1, end):
            for b in range(end + 1, min(len(text), end + 2) + 1):
                if freq.get(text[a:b], 0) >= _COMMON_FREQ:
                    return True
        return False


def _pinyin_of(term: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(term)


def _char_index(
    wanted: set[str],
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """Folded and exact toneless readings of every CJK character that can sound like a term."""
    from pypinyin.pinyin_dict import pinyin_dict

    folded_index: dict[str, frozenset[str]] = {}
    exact_index: dict[str, frozenset[str]] = {}
    for cp, readings in pinyin_dict.items():
        if 0x4E00 <= cp <= 0x9FFF:
            exact = {_toneless(r) for r in readings.split(",")}
            hit = {fold_syllable(r) for r in exact} & wanted
            if hit:
                folded_index[chr(cp)] = frozenset(hit)
                exact_index[chr(cp)] = frozenset(exact)
    return folded_index, exact_index


def _alternation(words: dict[str, str] | list[str]) -> re.Pattern[str]:
    """One regex matching any of ``words``, longest first."""
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


@lru_cache(maxsize=1)
def load() -> Normalizer:
    """The process-wide normaliser (builds the pinyin index of the domain terms once)."""
    with LEXICON.open("rb") as fh:
        lex = tomllib.load(fh)
    pairs = lex["traditional"].split()
    simplify = {ord(p[0]): ord(p[1]) for p in pairs if p[0] != p[1]}
    dialect_map: dict[str, str] = lex["dialect"]
    dialect = _alternation(dialect_map)
    dialect_regex = tuple((re.compile(k), v) for k, v in lex["dialect_regex"].items())
    typo_map: dict[str, str] = lex["typos"]

    emoji_map: dict[str, str] = lex["emoji"]
    # English words typed in a Chinese message (cancel, login) join the pinyin lookup.
    pinyin_terms: dict[str, str] = {k.replace(" ", ""): v for k, v in lex["english"].items()}
    for term in [*lex["pinyin"]["terms"], *lex["homophone"]["terms"]]:
        pinyin_terms.setdefault("".join(_pinyin_of(term)), term)

    by_syllable: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {}
    for term in lex["homophone"]["terms"]:
        exact = tuple(_pinyin_of(term))
        syl = tuple(fold_syllable(s) for s in exact)
        if 2 <= len(term) <= _MAX_TERM and len(syl) == len(term):
            by_syllable.setdefault(syl[0], []).append((term, syl, exact))
    wanted = {s for entries in by_syllable.values() for _, syl, _ in entries for s in syl}
    folded_index, exact_index = _char_index(wanted)
    anchors = _alternation(lex["homophone"]["anchors"])
    return Normalizer(
        simplify=simplify,
        dialect=dialect,
        dialect_map=dialect_map,
        dialect_regex=dialect_regex,
        typos=_alternation(typo_map),
        typo_map=typo_map,
        emoji=_alternation(emoji_map),
        emoji_map=emoji_map,
        pinyin_terms=pinyin_terms,
        char_syllables=folded_index,
        char_exact=exact_index,
        terms_by_syllable={k: tuple(v) for k, v in by_syllable.items()},
        term_set=frozenset(t for entries in by_syllable.values() for t, _, _ in entries),
        anchors=anchors,
        freq=tokenizer.load().FREQ,
    )


def normalize(text: str) -> str:
    """Normalise one message with the process-wide tables."""
    return load()(text)
