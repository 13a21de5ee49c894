"""The interface is Swedish by default: every string in the catalogue has a translation,
and the compiled catalogue is the one in the repository."""

from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_swedish_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [] and fuzzy == []


def test_compiled_catalogue_matches_the_source():
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    source = polib.pofile(str(CATALOGUE))
    assert {e.msgid: e.msgstr for e in compiled} == {
        e.msgid: e.msgstr for e in source.translated_entries() if not e.msgid_plural
    } | {e.msgid: e.msgstr for e in compiled if e.msgid_plural or e.msgid == ""}


def test_swedish_is_the_default_and_english_is_available():
    assert settings.LANGUAGE_CODE == "sv"
    with translation.override("sv"):
        assert str(translation.gettext("Done and continuing")) == "Utfört och pågående"
    with translation.override("en"):
        assert str(translation.gettext("Done and continuing")) == "Done and continuing"


SOURCES = ["config", "municipalities", "promises", "followup", "public", "templates"]


def test_every_message_in_the_code_has_a_swedish_translation(settings, tmp_path, monkeypatch):
    """The catalogue is not merely complete in itself: every message the code and templates
    ask for (those the third-party apps show in the admin included, config/
    third_party_strings.py) is in it, translated, both plural forms too."""
    import shutil

    from django.core.management import call_command

    for name in SOURCES:
        shutil.copytree(Path(settings.BASE_DIR) / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (tmp_path / "locale").mkdir()
    # makemessages writes to the first of LOCALE_PATHS: here, never to the real catalogue.
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["sv"], verbosity=0)
    asked = polib.pofile(str(tmp_path / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    catalogue = polib.pofile(str(CATALOGUE))
    translated = {
        (entry.msgctxt, entry.msgid) for entry in catalogue.translated_entries()
        if not entry.msgid_plural or all(entry.msgstr_plural.values())
    }
    missing = sorted(entry.msgid for entry in asked
                     if entry.msgid and (entry.msgctxt, entry.msgid) not in translated)
    assert missing == []
