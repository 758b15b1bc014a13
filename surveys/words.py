"""Small vocabularies the answer parsers understand in English, Spanish and Vietnamese.

All entries are already normalised (surveys.texts.normalize: no accents, lower case), so
"có", "co" and "CÓ" all meet "co" here. Adding a language means adding its words here and its
survey texts; nothing else.
"""

from __future__ import annotations

#: Number words 0-10 (and a few common variants) -> value.
NUMBER_WORDS: dict[str, int] = {}
for _words in (
    # English
    "zero one two three four five six seven eight nine ten",
    # Spanish
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez",
    # Vietnamese: không một hai ba bốn năm sáu bảy tám chín mười
    "khong mot hai ba bon nam sau bay tam chin muoi",
):
    for _value, _word in enumerate(_words.split()):
        NUMBER_WORDS[_word] = _value
NUMBER_WORDS.update({"none": 0, "una": 1, "un": 1, "bay": 7, "tu": 4, "lam": 5, "nhat": 1})

#: Whole replies that mean yes / no.
YES_PHRASES = {
    "yes", "y", "yeah", "yep", "yup", "ya", "yea", "sure", "ok", "okay", "of course", "true",
    "si", "s", "claro", "claro que si", "por supuesto", "asi es", "sip",
    "co", "vang", "da", "dung", "phai", "co a", "da co", "vang a", "da vang", "dung roi", "co chu",
}
NO_PHRASES = {
    "no", "n", "nope", "nah", "not really", "false", "never",
    "no gracias", "nunca", "para nada",
    "khong", "ko", "khg", "kg", "hong", "hok", "khong co", "khong a", "chua", "khong phai",
    "khong bao gio",
}
#: "k" is the usual short form of "không" in Vietnamese texting, but "ok" in English.
NO_PHRASES_BY_LOCALE = {"vi": {"k"}}

#: Words that may surround a yes/no without changing it ("yes please", "sí, gracias", "có ạ").
FILLER_WORDS = {
    "please", "thanks", "thank", "you", "i", "do", "dont", "it", "is", "am", "a", "of", "course",
    "gracias", "claro", "que", "senor", "senora", "por", "favor",
    "cam", "on", "roi", "chu", "em", "anh", "chi", "toi", "minh",
}
YES_WORDS = {w for w in YES_PHRASES if " " not in w} - {"s", "y"}
NO_WORDS = {w for w in NO_PHRASES if " " not in w} - {"n"}

#: Words that join several choices: "1 and 3", "1 y 3", "1 va 3" (và), "1 e 3", "1 voi 3" (với).
LIST_JOINERS = {"and", "y", "e", "va", "voi", "plus", "con", "cung"}
