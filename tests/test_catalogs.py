"""The catalog check CI runs: it fails on a stale template and on untranslated or fuzzy entries.

Everything happens in a temporary copy of the project, so the real catalogs are never touched
and the test does not depend on the translators having finished.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from feedback.core import catalogs
from feedback.core.config import PROJECT_ROOT

LOCALES = ["en", "es", "vi"]


def _fill(po_path: Path, locale: str) -> None:
    """Pretend a translator translated every entry (and left nothing fuzzy)."""
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale=locale)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(
                f"[{locale}] {message.id[0]}" for _ in range(catalog.num_plurals)
            )
        else:
            message.string = f"[{locale}] {message.id}"
        message.flags.discard("fuzzy")
    with open(po_path, "wb") as fh:
        write_po(fh, catalog)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The source packages, templates and babel.cfg, with complete es and vi catalogs."""
    root = tmp_path_factory.mktemp("project")
    for name in catalogs.SOURCE_DIRS:
        if (PROJECT_ROOT / name).exists():
            shutil.copytree(
                PROJECT_ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__")
            )
    shutil.copy(PROJECT_ROOT / "babel.cfg", root / "babel.cfg")
    (root / "translations").mkdir()
    catalogs.extract(root=root)
    for locale in ("es", "vi"):
        catalogs._pybabel(
            "init", "-i", str(root / "translations" / "messages.pot"),
            "-d", str(root / "translations"), "-l", locale,
        )
        _fill(root / "translations" / locale / "LC_MESSAGES" / "messages.po", locale)
    assert catalogs.check(LOCALES, root=root) == []
    return root


@pytest.fixture
def copy(project_copy, tmp_path) -> Path:
    """A private copy per test, so one test's damage does not leak into the next."""
    target = tmp_path / "p"
    shutil.copytree(project_copy, target)
    return target


def test_a_new_untranslated_string_in_a_template_fails_the_check(copy):
    (copy / "templates" / "zz_new.html").write_text(
        '<p>{{ _("A brand new sentence nobody translated") }}</p>\n', encoding="utf-8"
    )
    problems = catalogs.check(LOCALES, root=copy)
    assert any(
        "messages.pot is out of date" in p and "A brand new sentence" in p for p in problems
    )
    assert any(p.startswith("es: missing") and "A brand new sentence" in p for p in problems)
    assert any(p.startswith("vi: missing") and "A brand new sentence" in p for p in problems)

    # 'translate update' brings the template and catalogs up to date; the entry then shows up
    # as untranslated until a translator fills it in.
    catalogs.extract(root=copy)
    catalogs.update(root=copy)
    problems = catalogs.check(LOCALES, root=copy)
    assert problems and all("untranslated" in p for p in problems)
    assert {p.split(":")[0] for p in problems} == {"es", "vi"}


def test_a_string_used_in_code_is_found_too(copy):
    target = copy / "feedback" / "zz_new.py"
    target.write_text(
        'from flask_babel import lazy_gettext as _l\nLABEL = _l("A label only code uses")\n',
        encoding="utf-8",
    )
    assert any("A label only code uses" in p for p in catalogs.check(LOCALES, root=copy))


@pytest.mark.parametrize("damage", ["fuzzy", "untranslated"])
def test_fuzzy_or_empty_entries_in_spanish_fail_the_check(copy, damage):
    po_path = copy / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale="es")
    victim = next(m for m in catalog if m.id and isinstance(m.id, str))
    if damage == "fuzzy":
        victim.flags.add("fuzzy")
    else:
        victim.string = ""
    with open(po_path, "wb") as fh:
        write_po(fh, catalog)
    problems = catalogs.check(LOCALES, root=copy)
    assert problems == [f"es: {damage} {victim.id!r}"]


def test_a_missing_catalog_for_an_enabled_locale_fails_the_check(copy):
    problems = catalogs.check(["en", "es", "vi", "fr"], root=copy)
    assert len(problems) == 1 and problems[0].startswith("fr: catalog")


def test_compile_builds_the_files_flask_babel_reads(copy):
    catalogs.compile_all(root=copy)
    assert (copy / "translations" / "es" / "LC_MESSAGES" / "messages.mo").stat().st_size > 0


def test_every_template_folder_is_extracted():
    """pybabel skips folders whose name starts with "_" or ".": a template kept in one would
    show its interface text in English on every Spanish and Vietnamese page."""
    hidden = [p.relative_to(PROJECT_ROOT) for p in (PROJECT_ROOT / "templates").rglob("*")
              if p.is_dir() and p.name.startswith(("_", "."))]
    assert hidden == []
    with (PROJECT_ROOT / "translations" / "messages.pot").open("rb") as fh:
        ids = {m.id for m in read_po(fh)}
    assert {"Previous page", "Next page", "Please check your answers"} <= ids
