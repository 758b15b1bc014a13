"""Codebooks: the themes staff tag answers with, as plain data.

Why plain data: a coalition edits its codebook as its agenda changes (adding "immigration" or a
local word for a bus line), so a codebook is built from a dict that can live in the database or a
JSON file, and round-trips with `to_dict`. Keywords are listed per language for the people who
maintain them, but every keyword matches in every answer, whatever its language, because answers
mix languages ("el bus", "xe bus").

Keyword syntax: a word or phrase ("ride to school"); a trailing `*` makes the last word a prefix
("bull*" matches bully, bullied, bullying). Matching ignores case and accents. `exclude` lists
phrases inside which the theme's keywords do not count: "bị bắt nạt" (bullied) contains "bị bắt"
(arrested), "good job" is praise rather than employment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["Codebook", "Theme"]


def _freeze(mapping: Mapping[str, object] | None, *, many: bool) -> Mapping[str, object]:
    """Read-only copy; keyword lists become tuples of stripped, non-empty strings."""
    frozen: dict[str, object] = {}
    for language, value in (mapping or {}).items():
        if many:
            if isinstance(value, str):
                value = [value]
            words = tuple(w.strip() for w in value if isinstance(w, str) and w.strip())
            frozen[str(language)] = words
        else:
            frozen[str(language)] = str(value)
    return MappingProxyType(frozen)


@dataclass(frozen=True, eq=False)
class Theme:
    """One theme: a stable `key`, display `labels`, `keywords` and `exclude` phrases by language."""

    key: str
    labels: Mapping[str, str] = field(default_factory=dict)
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Example sentences by language; a comment close in meaning to any of them matches, in
    #: any language (docs/analysis.md, "Themes by meaning").
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.key, str) or not self.key.strip():
            raise ValueError("a theme needs a non-empty key")
        object.__setattr__(self, "labels", _freeze(self.labels, many=False))
        object.__setattr__(self, "keywords", _freeze(self.keywords, many=True))
        object.__setattr__(self, "exclude", _freeze(self.exclude, many=True))
        object.__setattr__(self, "examples", _freeze(self.examples, many=True))
        identity = (self.key, tuple(sorted(self.labels.items())),
                    tuple(sorted(self.keywords.items())), tuple(sorted(self.exclude.items())),
                    tuple(sorted(self.examples.items())))
        object.__setattr__(self, "_identity", identity)
        object.__setattr__(self, "_hash", hash(identity))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Theme) and self._identity == other._identity

    def __hash__(self) -> int:
        return self._hash

    def label(self, language: str = "en") -> str:
        """Display label in `language`, else English, else the key."""
        return self.labels.get(language) or self.labels.get("en") or self.key

    def all_keywords(self) -> list[tuple[str, str]]:
        """(language, keyword) pairs, in the order they were given."""
        return [(lang, word) for lang, words in self.keywords.items() for word in words]

    def all_exclusions(self) -> list[tuple[str, str]]:
        """(language, phrase) pairs of `exclude`."""
        return [(lang, phrase) for lang, phrases in self.exclude.items() for phrase in phrases]


@dataclass(frozen=True)
class Codebook:
    """An ordered set of themes; results list themes in this order."""

    themes: tuple[Theme, ...] = ()

    def __post_init__(self):
        themes = tuple(self.themes)
        keys = [t.key for t in themes]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"duplicate theme keys: {duplicates}")
        object.__setattr__(self, "themes", themes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, object]]) -> Codebook:
        """Build from `{key: {"labels": {lang: text}, "keywords": {lang: [words]}}}`
        (optionally with `"exclude": {lang: [phrases]}` and `"examples": {lang: [sentences]}`)."""
        themes = []
        for key, spec in data.items():
            spec = spec or {}
            unknown = set(spec) - {"labels", "keywords", "exclude", "examples"}
            if unknown:
                raise ValueError(f"theme {key!r}: unknown fields {sorted(unknown)}")
            themes.append(Theme(key, spec.get("labels") or {}, spec.get("keywords") or {},
                                spec.get("exclude") or {}, spec.get("examples") or {}))
        return cls(tuple(themes))

    def to_dict(self) -> dict[str, dict[str, dict]]:
        """The inverse of `from_dict` (plain dicts and lists, ready for JSON)."""
        out: dict[str, dict[str, dict]] = {}
        for t in self.themes:
            out[t.key] = {"labels": dict(t.labels),
                          "keywords": {lang: list(words) for lang, words in t.keywords.items()}}
            if t.exclude:
                out[t.key]["exclude"] = {lang: list(p) for lang, p in t.exclude.items()}
            if t.examples:
                out[t.key]["examples"] = {lang: list(p) for lang, p in t.examples.items()}
        return out

    @property
    def keys(self) -> tuple[str, ...]:
        """Theme keys in order."""
        return tuple(t.key for t in self.themes)

    def get(self, key: str) -> Theme | None:
        """The theme with `key`, or None."""
        return next((t for t in self.themes if t.key == key), None)

    def replace(self, *themes: Theme, remove: Iterable[str] = ()) -> Codebook:
        """A new codebook with `themes` added or replacing same-key ones, `remove` keys gone."""
        gone = set(remove)
        incoming = {t.key: t for t in themes}
        kept = [incoming.pop(t.key, t) for t in self.themes if t.key not in gone]
        return Codebook(tuple(kept) + tuple(incoming.values()))
