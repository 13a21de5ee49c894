"""The period's own change page holds its document: the signature state, a warning when the
text being edited is in a signed version, and the buttons only for those who may use them."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from promises.documents.storage import newest_state
from tests.factories import make_member, sign_all


@pytest.fixture
def period(katrineholm, signing_keys):
    return katrineholm[2022]


def change_page(client, period):
    response = client.get(reverse("admin:promises_promiseperiod_change", args=[period.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_says_when_no_document_has_been_made(client, period):
    client.force_login(make_member("coordinator", municipality=period.municipalities.get()))
    page = change_page(client, period)
    assert "document-panel" in page
    assert escape(gettext("No PDF has been made yet.")) in page


def test_a_signed_version_shows_its_signatures_and_warns_the_editor(client, period):
    sign_all(period)
    state = newest_state(period)
    client.force_login(make_member("coordinator", municipality=period.municipalities.get()))
    page = change_page(client, period)
    assert reverse("public:document", args=[state.document.sha256]) in page
    warning = gettext(
        "This text is in version %(version)s of the document, which carries signatures. "
        "Saving a change to it supersedes that version: a new one must then be made and "
        "signed."
    ) % {"version": state.version}
    assert escape(warning) in page
    assert page.count(escape(gettext("Signed"))) >= len(state.signed)


@pytest.mark.parametrize("role, may_generate", [
    ("coordinator", True), ("publisher", True), ("signer", True), ("reviewer", False),
    ("police", False),
])
def test_only_those_who_may_make_the_pdf_are_offered_it(client, period, role, may_generate):
    client.force_login(make_member(role, municipality=period.municipalities.get()))
    page = change_page(client, period)
    assert ('form="make-document"' in page) is may_generate
    # Nobody signs before a version exists.
    assert 'form="sign-' not in page
