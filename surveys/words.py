"""The small vocabularies the answer parsers understand, from every language's data file.

Number words, yes/no words, the filler words around a yes or no and the words joining several
choices live in each language's ``translations/<code>/language.toml`` (feedback.core.languages), so
adding a language adds its words without code. All entries are folded like
``surveys.texts.normalize`` (no accents, lower case): "có", "co" and "CÓ" all meet "co" here.
A reply is understood in any of the coalition's languages, whatever the respondent chose.
"""

from __future__ import annotations

from feedback.core.languages import LanguageRegistry, registry


def vocabulary() -> LanguageRegistry:
    """The running app's languages (the built-in ones outside an app), whose tables
    ``number_words``, ``yes_phrases``, ``no_phrases``, ``yes_words``, ``no_words``,
    ``filler_words``, ``list_joiners`` and ``no_only_in(locale)`` the parsers read."""
    return registry()
