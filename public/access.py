"""Who reads what on the public site: citizens the published content; a period's members
also its drafts and unpublished follow-up (a preview), once fully signed in. The questions
are the rules' (promises/rules.py, followup/rules.py)."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from promises.models import Document, PromisePeriod


def viewer(request):
    """Whose drafts a public page may show: the signed-in user, but only once fully signed
    in (with the second factor when REQUIRE_2FA is on); anyone else reads as the public."""
    user = request.user
    if settings.REQUIRE_2FA and user.is_authenticated and not user.is_verified():
        return AnonymousUser()
    return user


def may_preview(request, period_pk):
    """Members of a period may see its drafts and unpublished follow-up, marked as such."""
    user = viewer(request)
    if not user.is_authenticated:
        return False
    period = PromisePeriod.objects.filter(pk=period_pk).first()
    return period is not None and user.has_perm("promises.preview_promiseperiod", period)


def may_download(user, document):
    """A stored PDF: the documents of published periods and agreements and the reports of
    public tertials for everyone; every file for the members of its period or agreement."""
    if document.kind == Document.Kind.TERTIAL_REPORT:
        return user.has_perm("followup.download_reportdocument", document)
    return user.has_perm("promises.download_document", document)


def document_for(user, sha256):
    document = (
        Document.objects.select_related("period", "agreement")
        .filter(sha256=sha256.lower()).first()
    )
    if document is None or not may_download(user, document):
        return None
    return document
