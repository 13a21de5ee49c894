"""The tertial screen: one page to enter a whole tertial's follow-up for a period.

Served inside the admin (FollowUpAdmin.get_urls) with the admin's templates:
  /admin/followup/followup/tertial/                          choose a period
  /admin/followup/followup/tertial/<period>/                 its default tertial
  /admin/followup/followup/tertial/<period>/<year>/<n>/      the screen (GET shows, POST saves)
  /admin/followup/followup/tertial/<period>/<year>/<n>/publish/   approve (where both parties
      approve) or publish the tertial report
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import FilteredRelation, Q, prefetch_related_objects
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from followup.forms import ChooseTertialForm, TertialSheet, default_tertial, readable_periods
from followup.models import TertialReport
from followup.progress import period_tertials
from followup.services import TertialSaveRefused, save_tertial_followups, tertial_report_for
from followup.tertials import Tertial
from promises import publishing
from promises.approval import missing_sides, requires_both_parties, sides_open_to
from promises.models import PromisePeriod


def screen_url(period, tertial):
    return reverse("admin:followup_tertial", args=[period.pk, tertial.year, tertial.number])


def readable_period(request, period_pk):
    return get_object_or_404(
        PromisePeriod.objects.readable_by(request.user).select_related("police_area")
        .prefetch_related("municipalities"),
        pk=period_pk,
    )


def screen_period(request, period_pk, year, number):
    """The screen's period and the periods its chooser offers, in one query: every period
    the user may read, each with its police area and its report for the tertial asked for
    (`shown_report`, None when there is none) joined in; the screen's period is one of
    them (404 when not). Then its municipalities (the rules read its scope)."""
    tertial = tertial_of(year, number)
    periods = list(
        readable_periods(request.user).annotate(shown_report=FilteredRelation(
            "tertial_reports", condition=Q(
                tertial_reports__year=tertial.year, tertial_reports__tertial=tertial.number,
            ),
        )).select_related("police_area", "shown_report")
    )
    period = next((period for period in periods if period.pk == period_pk), None)
    if period is None:
        raise Http404(_("No %s matches the given query.") % PromisePeriod._meta.object_name)
    prefetch_related_objects([period], "municipalities")
    # Django sets the joined row only where there is one.
    period.shown_report = getattr(period, "shown_report", None)
    if period.shown_report is not None:
        period.shown_report.period = period  # its scope is the period's, already read
    return period, tertial_in_period(period, year, number), periods


def tertial_of(year, number):
    try:
        return Tertial(year, number)
    except ValueError:
        raise Http404(_("There is no such tertial.")) from None


def tertial_in_period(period, year, number):
    tertial = tertial_of(year, number)
    if not tertial.overlaps(period.valid_from, period.valid_to):
        raise Http404(_("%(tertial)s lies outside the period.") % {"tertial": tertial})
    return tertial


def choose(request, *, model_admin):
    """Pick a period (and optionally a year and tertial), then go to its screen."""
    form = ChooseTertialForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
        year, number = form.cleaned_data["year"], form.cleaned_data["tertial"]
        tertial = default_tertial(period, timezone.localdate())
        if year and number:
            candidate = Tertial(year, number)
            if candidate.overlaps(period.valid_from, period.valid_to):
                tertial = candidate
            else:
                messages.warning(request, _(
                    "%(tertial)s lies outside the period; showing %(shown)s instead."
                ) % {"tertial": candidate, "shown": tertial})
        return HttpResponseRedirect(screen_url(period, tertial))
    periods = form.fields["period"].queryset
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Tertial follow-up"),
        "opts": model_admin.model._meta,
        "choose_form": form,
        "periods": [(period, screen_url(period, default_tertial(period, timezone.localdate())))
                    for period in periods],
    }
    return TemplateResponse(
        request, "admin/followup/tertial_choose.html", context,
        status=400 if form.is_bound else 200,
    )


def default(request, period_pk, *, model_admin):
    period = readable_period(request, period_pk)
    return HttpResponseRedirect(screen_url(period, default_tertial(period, timezone.localdate())))


def screen(request, period_pk, year, number, *, model_admin):
    period, tertial, periods = screen_period(request, period_pk, year, number)
    status = 200
    if request.method == "POST":
        sheet = TertialSheet(period, tertial, request.user, data=request.POST)
        if not sheet.is_editable:
            raise PermissionDenied(_(
                "Your role lets you read this tertial, but not enter any of its rows."
            ))
        if sheet.is_valid():
            try:
                written = save_tertial_followups(
                    period=period, tertial=tertial, rows=sheet.changed_inputs(),
                    subjects=sheet.subjects(), by=request.user,
                )
            except TertialSaveRefused as refused:
                sheet.mark_conflicts(refused.conflicts)
                messages.error(request, _(
                    "Nothing was saved: someone else changed %(count)s of these rows after "
                    "you opened the page. Their versions are shown beside yours."
                ) % {"count": len(refused.conflicts)})
                status = 409
            else:
                if written:
                    messages.success(request, ngettext(
                        "Saved %(count)s row for %(tertial)s.",
                        "Saved %(count)s rows for %(tertial)s.", written,
                    ) % {"count": written, "tertial": tertial})
                else:
                    messages.info(request, _("Nothing had changed, so nothing was saved."))
                return HttpResponseRedirect(screen_url(period, tertial))
        else:
            invalid = len(sheet.invalid_rows())
            messages.error(request, ngettext(
                "Nothing was saved: %(count)s row needs correcting. It is marked below.",
                "Nothing was saved: %(count)s rows need correcting. They are marked below.",
                invalid,
            ) % {"count": invalid})
            status = 400
    elif request.method in ("GET", "HEAD"):
        sheet = TertialSheet(period, tertial, request.user)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render_screen(request, model_admin, period, tertial, sheet, status, periods)


def render_screen(request, model_admin, period, tertial, sheet, status, periods):
    report = period.shown_report
    both_parties = report is not None and requires_both_parties(report)
    if both_parties and not report.is_published:
        # Read once for "may approve" and "waiting for" (a published report needs neither).
        prefetch_related_objects([report], "approvals")
    tertials = period_tertials(period)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Tertial follow-up: %(period)s, %(tertial)s") % {
            "period": period, "tertial": tertial},
        "opts": model_admin.model._meta,
        "period": period,
        "tertial": tertial,
        "sheet": sheet,
        "groups": sheet.groups,
        "invalid_rows": sheet.invalid_rows(),
        "report": report,
        "can_publish": request.user.has_perm(publish_permission(), report or period)
        and not (report and report.is_published)
        and not (both_parties and not sides_open_to(request.user, report)),
        "needs_both_parties": requires_both_parties(TertialReport),
        "waiting_for": [side.label for side in missing_sides(report)]
        if both_parties and not report.is_published else [],
        "choose_form": ChooseTertialForm(
            initial={"period": period.pk, "year": tertial.year, "tertial": tertial.number},
            user=request.user, periods=periods,
        ),
        "tertial_links": [
            (t, screen_url(period, t), t == tertial) for t in tertials
        ],
        "period_change_url": reverse("admin:promises_promiseperiod_change", args=[period.pk]),
        "upload_max_size": filesizeformat(settings.TERTIAL_UPLOAD_MAX_BYTES),
    }
    return TemplateResponse(request, "admin/followup/tertial_screen.html", context, status=status)


def publish_permission():
    """Where both parties approve, a party's publisher approves; else a publisher publishes."""
    if requires_both_parties(TertialReport):
        return "followup.approve_tertialreport"
    return "followup.publish_tertialreport"


def publish(request, period_pk, year, number, *, model_admin):
    """Approve this tertial's report for the user's party, which publishes it when the other
    party has approved it too; or, where one publisher suffices, publish it (creating a
    draft first when there is none)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    period = readable_period(request, period_pk)
    tertial = tertial_in_period(period, year, number)
    report = tertial_report_for(period, tertial)
    if not request.user.has_perm(publish_permission(), report):
        raise PermissionDenied(_("You may not publish this report."))
    try:
        report = publishing.approve(report, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if report.is_published:
            messages.success(request, _(
                "The report for %(tertial)s is published: its follow-up is now public."
            ) % {"tertial": tertial})
        else:
            messages.success(request, _(
                "You have approved the report for %(tertial)s. It is published when the "
                "other party has approved it too; its publishers have been told."
            ) % {"tertial": tertial})
    return HttpResponseRedirect(screen_url(period, tertial))
