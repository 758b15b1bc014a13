"""Languages as data: one ``language.toml`` per language beside its catalog.

Adding a language is adding a folder ``<translations directory>/<code>/`` with its catalog
(``LC_MESSAGES/messages.po``) and a ``language.toml`` holding everything else the app must know
about it: its name in itself, the SMS keywords for stop, start and help, the words that choose
it from the SMS language menu, the number and yes/no words the answer parsers understand, and
the phone region to try for national numbers. No code names a language (docs/architecture.md,
"Languages").

The registry is read from every directory in ``BABEL_TRANSLATION_DIRECTORIES`` (``;``
separated, like Flask-Babel's), later directories overriding earlier ones, when the app starts.
Outside an app (pure unit tests, scripts) the built-in ``translations/`` folder is used.

This module is at the bottom of the import graph: it imports nothing of the project above
``feedback.core.config``.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from flask import current_app, has_app_context

from feedback.core.config import PROJECT_ROOT

log = logging.getLogger(__name__)

#: The data file's name inside each language's folder.
DATA_FILE = "language.toml"


class LanguageDataError(ValueError):
    """A ``language.toml`` that cannot be used (the message names the file and the problem)."""


def fold(text: str | None) -> str:
    """The form every keyword and word is compared in: lower case, accents removed (đ → d),
    punctuation as spaces, single spaces. The same folding as ``surveys.texts.normalize``."""
    if not text:
        return ""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.casefold().replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    return " ".join(text.split())


def _words(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LanguageDataError(f"{where}: expected a list of words")
    return tuple(w for w in (fold(v) for v in value) if w)


@dataclass(frozen=True)
class Language:
    """What the app knows about one language (all words already folded)."""

    code: str
    #: The language's name in itself ("Español"), for switchers and the SMS menu.
    name: str
    #: The label on the SMS language menu ("Soomaali"); the name when the file gives none.
    menu_label: str
    #: Whole messages that switch to this language at any time ("espanol", "spanish").
    switch_words: tuple[str, ...] = ()
    #: Further replies that choose it from the language menu only ("esp").
    menu_words: tuple[str, ...] = ()
    opt_out: tuple[str, ...] = ()
    opt_in: tuple[str, ...] = ()
    #: Opt-in words that are also ordinary answers ("si"): they opt in only an opted-out contact.
    opt_in_ambiguous: tuple[str, ...] = ()
    help: tuple[str, ...] = ()
    #: Accented spellings (kept accented, lower case) that fold onto a keyword but are not one.
    not_keywords: tuple[str, ...] = ()
    numbers: Mapping[str, int] = field(default_factory=dict)
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    #: "No" words that mean no only in this language ("k" is "không" in Vietnamese, "ok" in
    #: English).
    no_only_here: tuple[str, ...] = ()
    #: Words that may surround a yes or no without changing it ("please", "gracias").
    filler: tuple[str, ...] = ()
    #: Words that join several choices ("and", "y", "và").
    list_joiners: tuple[str, ...] = ()
    #: ISO region tried for a national phone number of a contact in this language, after the
    #: coalition's DEFAULT_PHONE_REGION ("" when none).
    phone_region: str = ""
    #: "rtl" for right-to-left scripts.
    direction: str = "ltr"


def load_language(path: Path, code: str | None = None) -> Language:
    """Read one ``language.toml``; the folder's name is the language code."""
    code = code or path.parent.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LanguageDataError(f"{path}: {exc}") from exc
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LanguageDataError(f"{path}: 'name' (the language's name in itself) is required")
    sms = data.get("sms", {})
    words = data.get("words", {})
    numbers_raw = words.get("numbers", [])
    numbers: dict[str, int] = {}
    # ["zero", "one", ...]: a word's place in the list is its value.
    for value, word in enumerate(_words(numbers_raw, f"{path}: words.numbers")):
        numbers.setdefault(word, value)
    extra = words.get("number_variants", {})
    if not isinstance(extra, dict) or not all(isinstance(v, int) for v in extra.values()):
        raise LanguageDataError(f"{path}: words.number_variants must map words to numbers")
    numbers.update({fold(k): v for k, v in extra.items() if fold(k)})
    direction = data.get("direction", "ltr")
    if direction not in ("ltr", "rtl"):
        raise LanguageDataError(f"{path}: direction must be 'ltr' or 'rtl'")
    where = f"{path}: sms"
    return Language(
        code=code,
        name=name.strip(),
        menu_label=str(sms.get("menu_label") or name).strip(),
        switch_words=_words(sms.get("switch"), f"{where}.switch"),
        menu_words=_words(sms.get("menu"), f"{where}.menu"),
        opt_out=_words(sms.get("stop"), f"{where}.stop"),
        opt_in=_words(sms.get("start"), f"{where}.start"),
        opt_in_ambiguous=_words(sms.get("start_only_when_opted_out"), f"{where}.start_only..."),
        help=_words(sms.get("help"), f"{where}.help"),
        not_keywords=tuple(" ".join(re.sub(r"[^\w\s]", " ", w.casefold()).split())
                           for w in sms.get("not_keywords", [])),
        numbers=numbers,
        yes=_words(words.get("yes"), f"{path}: words.yes"),
        no=_words(words.get("no"), f"{path}: words.no"),
        no_only_here=_words(words.get("no_only_in_this_language"), f"{path}: words.no_only..."),
        filler=_words(words.get("filler"), f"{path}: words.filler"),
        list_joiners=_words(words.get("list_joiners"), f"{path}: words.list_joiners"),
        phone_region=str(data.get("phone_region", "")).upper(),
        direction=direction,
    )


class LanguageRegistry:
    """Every language found in the translation directories, and the word tables built from
    them. The keyword tables map a folded word to the language it belongs to; when two files
    claim a word, the first language (in code order, the default locale first) keeps it."""

    def __init__(self, languages: Mapping[str, Language], default: str = "en"):
        order = sorted(languages, key=lambda c: (c != default, c))
        self.languages: dict[str, Language] = {c: languages[c] for c in order}

    @classmethod
    def from_directories(cls, directories: list[Path], default: str = "en") -> LanguageRegistry:
        found: dict[str, Language] = {}
        for directory in directories:
            for path in sorted(Path(directory).glob(f"*/{DATA_FILE}")):
                found[path.parent.name] = load_language(path)
        return cls(found, default)

    def __contains__(self, code: object) -> bool:
        return code in self.languages

    def get(self, code: str | None) -> Language | None:
        return self.languages.get(code or "")

    def name(self, code: str | None) -> str:
        """The language's name in itself; its code when no data file describes it."""
        language = self.get(code)
        return language.name if language else (code or "")

    def menu_label(self, code: str) -> str:
        language = self.get(code)
        return language.menu_label if language else code

    def _table(self, attribute: str) -> dict[str, str]:
        table: dict[str, str] = {}
        for code, language in self.languages.items():
            for word in getattr(language, attribute):
                table.setdefault(word, code)
        return table

    def _union(self, attribute: str) -> frozenset[str]:
        return frozenset(w for lang in self.languages.values() for w in getattr(lang, attribute))

    @cached_property
    def opt_out_words(self) -> dict[str, str]:
        return self._table("opt_out")

    @cached_property
    def opt_in_words(self) -> dict[str, str]:
        return {**self._table("opt_in"), **{
            w: c for w, c in self._table("opt_in_ambiguous").items()
            if w not in self._table("opt_in")}}

    @cached_property
    def ambiguous_opt_in(self) -> frozenset[str]:
        return self._union("opt_in_ambiguous")

    @cached_property
    def help_words(self) -> dict[str, str]:
        return self._table("help")

    @cached_property
    def switch_words(self) -> dict[str, str]:
        return self._table("switch_words")

    @cached_property
    def menu_words(self) -> dict[str, str]:
        return {**self._table("menu_words"), **self.switch_words}

    @cached_property
    def not_keywords(self) -> frozenset[str]:
        return self._union("not_keywords")

    @cached_property
    def number_words(self) -> dict[str, int]:
        table: dict[str, int] = {}
        for language in self.languages.values():
            for word, value in language.numbers.items():
                table.setdefault(word, value)
        return table

    @cached_property
    def yes_phrases(self) -> frozenset[str]:
        return self._union("yes")

    @cached_property
    def no_phrases(self) -> frozenset[str]:
        return self._union("no")

    def no_only_in(self, code: str | None) -> tuple[str, ...]:
        language = self.get(code)
        return language.no_only_here if language else ()

    @cached_property
    def filler_words(self) -> frozenset[str]:
        return self._union("filler")

    @cached_property
    def yes_words(self) -> frozenset[str]:
        """Single words that mean yes inside a longer reply (one-letter "y"/"s" only alone)."""
        return frozenset(w for w in self.yes_phrases if " " not in w and len(w) > 1)

    @cached_property
    def no_words(self) -> frozenset[str]:
        return frozenset(w for w in self.no_phrases if " " not in w and len(w) > 1)

    @cached_property
    def list_joiners(self) -> frozenset[str]:
        return self._union("list_joiners")


def translation_directories(config: Mapping) -> list[Path]:
    """The catalog directories, in the order Flask-Babel reads them."""
    value = config.get("BABEL_TRANSLATION_DIRECTORIES") or str(PROJECT_ROOT / "translations")
    return [Path(p.strip()) for p in str(value).split(";") if p.strip()]


_builtin: LanguageRegistry | None = None


def builtin_registry() -> LanguageRegistry:
    """The languages shipped in the project's ``translations/`` (used outside an app)."""
    global _builtin
    if _builtin is None:
        _builtin = LanguageRegistry.from_directories([PROJECT_ROOT / "translations"])
    return _builtin


def registry() -> LanguageRegistry:
    """The running app's languages, or the built-in ones outside an app."""
    if has_app_context():
        found = current_app.extensions.get("languages")
        if found is not None:
            return found
    return builtin_registry()


def language_name(code: str | None) -> str:
    """A language's name in itself ("Tiếng Việt"); its code when no data file names it."""
    return registry().name(code)


class _Names(Mapping):
    """``{code: name in itself}`` of the current registry, read at each use."""

    def __getitem__(self, code: str) -> str:
        language = registry().get(code)
        if language is None:
            raise KeyError(code)
        return language.name

    def __iter__(self) -> Iterator[str]:
        return iter(registry().languages)

    def __len__(self) -> int:
        return len(registry().languages)


#: Each language's name in itself (never translated), live from the registry.
LANGUAGE_NAMES: Mapping[str, str] = _Names()


def init_app(app) -> None:
    """Load the languages of the app's translation directories; log each enabled language that
    has no data file (its code is shown instead of a name, and no SMS keyword works in it)."""
    languages = LanguageRegistry.from_directories(
        translation_directories(app.config), app.config.get("BABEL_DEFAULT_LOCALE", "en"))
    app.extensions["languages"] = languages
    for code in app.config.get("ENABLED_LOCALES", []):
        if code not in languages:
            log.warning("language %s is enabled but has no %s in %s", code, DATA_FILE,
                        app.config.get("BABEL_TRANSLATION_DIRECTORIES"))
