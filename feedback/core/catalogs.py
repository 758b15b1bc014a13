"""Translation catalogs: extract, update, compile, and the completeness check CI runs.

Imports nothing of the project; used by the CLI and the install/start scripts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from feedback.core.config import PROJECT_ROOT

SOURCE_DIRS = ("feedback", "surveys", "messaging", "analysis", "templates")
KEYWORDS = ("_", "_l", "gettext", "ngettext:1,2", "lazy_gettext", "lazy_ngettext:1,2")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(pot_path: Path | None = None, root: Path = PROJECT_ROOT) -> Path:
    """Write every translatable string of the code and templates into a .pot file."""
    pot_path = pot_path or root / "translations" / "messages.pot"
    keyword_args = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    cwd = os.getcwd()
    os.chdir(root)  # babel.cfg patterns are relative to the project root
    try:
        _pybabel(
            "extract", "-F", "babel.cfg", "--no-location", "--omit-header", "--sort-output",
            *keyword_args, "-o", str(pot_path),
            *[d for d in SOURCE_DIRS if (root / d).exists()],
        )
    finally:
        os.chdir(cwd)
    return pot_path


def update(root: Path = PROJECT_ROOT) -> None:
    """Merge the template into every locale's .po (new strings appear untranslated)."""
    _pybabel(
        "update", "-i", str(root / "translations" / "messages.pot"),
        "-d", str(root / "translations"), "--no-fuzzy-matching", "--ignore-obsolete",
    )


def compile_all(root: Path = PROJECT_ROOT) -> int:
    """Build the .mo files (not committed) from the committed .po files; returns how many.

    Fuzzy entries are left out: a guessed translation may carry the wrong placeholders, and
    the English text is a better fallback than a wrong sentence.
    """
    directory = root / "translations"
    count = len(list(directory.glob("*/LC_MESSAGES/messages.po")))
    if count:
        _pybabel("compile", "-d", str(directory))
    return count


def _msgids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def check(locales: list[str], root: Path = PROJECT_ROOT, source_locale: str = "en") -> list[str]:
    """Problems that make a catalog unfit to ship: stale template, missing or fuzzy entries."""
    problems: list[str] = []
    committed_pot = root / "translations" / "messages.pot"
    with tempfile.TemporaryDirectory() as tmp:
        fresh_pot = extract(Path(tmp) / "messages.pot", root=root)
        with open(fresh_pot, "rb") as fh:
            fresh = _msgids(read_po(fh))
    if not committed_pot.exists():
        return [f"{committed_pot} is missing: run 'flask --app wsgi translate update'."]
    with open(committed_pot, "rb") as fh:
        committed = _msgids(read_po(fh))
    for msgid in sorted(map(str, fresh - committed)):
        problems.append(f"messages.pot is out of date: new string {msgid!r}")
    for msgid in sorted(map(str, committed - fresh)):
        problems.append(f"messages.pot is out of date: string no longer used {msgid!r}")
    for locale in locales:
        if locale == source_locale:
            continue
        po_path = root / "translations" / locale / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            problems.append(f"{locale}: catalog {po_path} is missing")
            continue
        with open(po_path, "rb") as fh:
            catalog = read_po(fh, locale=locale)
        present = {m.id: m for m in catalog if m.id}
        for msgid in sorted(fresh, key=str):
            message = present.get(msgid)
            label = msgid if isinstance(msgid, str) else msgid[0]
            if message is None:
                problems.append(f"{locale}: missing {label!r}")
            elif message.fuzzy:
                problems.append(f"{locale}: fuzzy {label!r}")
            elif not message.string or (
                isinstance(message.string, tuple) and not all(message.string)
            ):
                problems.append(f"{locale}: untranslated {label!r}")
    return problems
