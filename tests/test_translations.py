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
