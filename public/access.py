"""Who reads what on the public site: citizens the published content; a period's editors
also its drafts and unpublished follow-up (a preview), once fully signed in."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from followup.models import TertialReport
from promises.models import Document, PromisePeriod


def viewer(request):
    """Whose drafts a public page may show: the signed-in user, but only once fully signed
    in (with the second factor when REQUIRE_2FA is on); anyone else reads as the public."""
    user = request.user
    if settings.REQUIRE_2FA and user.is_authenticated and not user.is_verified():
        return AnonymousUser()
    return user


def may_preview(request, period_pk):
    """Editors of a period may see its drafts and unpublished follow-up, marked as such."""
    user = viewer(request)
    if not user.is_authenticated:
        return False
    return PromisePeriod.objects.readable_by(user).filter(pk=period_pk).exists()


def downloadable_documents(user):
    """Stored PDFs the user may download: agreements of the periods they may see, and the
    reports of tertials that are public now (a withdrawn report's PDF goes with it); the
    period's editors get every file of their periods."""
    public_report = TertialReport.objects.public().filter(
        period=OuterRef("period"), year=OuterRef("year"), tertial=OuterRef("tertial")
    )
    return Document.objects.filter(
        period__in=PromisePeriod.objects.visible_to(user)
    ).filter(
        Q(kind=Document.Kind.AGREEMENT)
        | Q(Exists(public_report))
        | Q(period__in=PromisePeriod.objects.readable_by(user))
    )
