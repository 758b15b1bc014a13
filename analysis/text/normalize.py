"""Folding and texting-spelling normalisation shared by every text model.

Why this exists: respondents type on phones. Spanish arrives without accents ("autobus"),
Vietnamese very often without any diacritics ("truong hoc rat tot"), and both with SMS
shorthand ("xq", "tmb", "ko", "dc", "j"). Folding the text the same way on the model side and
on the input side makes a keyword, a training sentence and a respondent's message meet.

`fold` keeps the string length unchanged (one character in, one character out) so theme
matches found in the folded text can be cut from the original text as evidence.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "EMPTY_TOKENS",
    "expand_texting",
    "fold",
    "letter_count",
    "prepare",
]

# Vietnamese đ has no decomposition in Unicode, so NFD alone leaves it alone.
_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"}


def _build_fold_table() -> dict[int, str]:
    """One-to-one map of Latin letters to unaccented lower case (Latin-1 to Extended Additional)."""
    table: dict[int, str] = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    ranges = [range(0x00C0, 0x0250), range(0x1E00, 0x1F00)]
    for block in ranges:
        for cp in block:
            ch = chr(cp)
            if ch in _SPECIAL:
                table[cp] = _SPECIAL[ch]
                continue
            base = "".join(
                c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
            ).lower()
            if len(base) == 1 and base != ch:
                table[cp] = base
    # Typographic apostrophes and quotes: "don’t" must look like "don't" to every model.
    table[0x2019] = "'"
    table[0x2018] = "'"
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case and strip diacritics (đ→d), keeping one output character per input character.

    The input should already be NFC (see `prepare`); characters outside the Latin blocks, emoji
    included, pass through unchanged.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE)


def prepare(text: object) -> str:
    """Turn any answer value into clean NFC text: None becomes "", whitespace runs stay as typed."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    return unicodedata.normalize("NFC", text).strip()


# Texting shorthand, keyed by folded token. Only unambiguous expansions: "hong" is left alone
# because folded it is also "hỏng" (broken), which would flip the meaning of a complaint.
_TEXTING = {
    "en": {
        "u": "you", "ur": "your", "r": "are", "bc": "because", "cuz": "because",
        "coz": "because", "bcuz": "because", "idk": "i do not know", "dont": "do not",
        "doesnt": "does not", "didnt": "did not", "isnt": "is not", "cant": "can not",
        "wont": "will not", "wasnt": "was not", "arent": "are not", "aint": "is not",
        "havent": "have not", "thx": "thanks", "ty": "thank you", "pls": "please",
        "plz": "please", "gr8": "great", "luv": "love", "rly": "really", "tho": "though",
        "ppl": "people", "govt": "government", "b4": "before", "im": "i am",
    },
    "es": {
        "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque",
        "porq": "porque", "xk": "porque", "tmb": "tambien", "tb": "tambien",
        "tbn": "tambien", "x": "por", "d": "de", "pa": "para", "xa": "para", "bn": "bien",
        "mxo": "mucho", "mxs": "muchos", "nd": "nada", "tons": "entonces",
        "xfa": "por favor", "porfa": "por favor", "toy": "estoy", "stoy": "estoy",
        "sta": "esta", "aki": "aqui", "dnd": "donde", "salu2": "saludos", "grax": "gracias",
        "msj": "mensaje", "hno": "hermano", "hna": "hermana",
    },
    "vi": {
        "ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "khg": "khong",
        "kg": "khong", "hem": "khong", "dc": "duoc", "dk": "duoc", "j": "gi", "ng": "nguoi",
        "vs": "voi", "wa": "qua", "r": "roi", "mk": "minh", "mik": "minh", "bjt": "biet",
        "bit": "biet", "cx": "cung", "ntn": "nhu the nao", "bh": "bao gio",
        "ns": "noi", "trc": "truoc", "ms": "moi", "lm": "lam", "nhiu": "nhieu",
        "hc": "hoc", "thik": "thich", "iu": "yeu",
    },
}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
#: One alternation per language: the replacement callback runs only on actual shorthand.
_TEXTING_RE = {
    language: re.compile(r"(?<![^\W_])(?:" + "|".join(
        re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")(?![^\W_])")
    for language, table in _TEXTING.items()
}


def expand_texting(folded: str, language: str | None) -> str:
    """Replace SMS shorthand tokens of `language` in already folded text ("xq" → "porque")."""
    regex = _TEXTING_RE.get(language or "")
    if regex is None:
        return folded
    table = _TEXTING[language]
    return regex.sub(lambda m: table[m.group(0)], folded)


#: Tokens that say nothing about the language a person writes in.
EMPTY_TOKENS = frozenset(
    {"ok", "okay", "oki", "okey", "k", "kk", "lol", "haha", "hahaha", "jaja", "jajaja", "jeje",
     "hehe", "hihi", "xd", "omg", "wow", "hmm", "mmm", "ah", "oh", "eh", "uh", "um", "sms",
     "stop", "help"}
)


_NOT_LETTERS = re.compile(r"[\W\d_]+")
#: Texts with more letters than this cannot be made short by discounting `EMPTY_TOKENS`.
_EXACT_BELOW = 24


def letter_count(folded: str) -> int:
    """Letters outside `EMPTY_TOKENS` words: how much evidence of a language the text holds.

    Exact up to `_EXACT_BELOW` letters, which is all the callers compare against; longer texts
    are counted without the word-by-word pass.
    """
    fast = len(_NOT_LETTERS.sub("", folded))
    if fast >= _EXACT_BELOW:
        return fast
    total = 0
    for match in _TOKEN.finditer(folded):
        word = match.group(0)
        if word in EMPTY_TOKENS:
            continue
        total += sum(1 for c in word if c.isalpha())
    return total
