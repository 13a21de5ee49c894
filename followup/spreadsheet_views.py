"""The tertial in a spreadsheet, from the tertial screen (served by FollowUpAdmin.get_urls):
  …/tertial/<period>/<year>/<n>/spreadsheet.xlsx     download the rows the user may enter
  …/tertial/<period>/<year>/<n>/upload/              POST a filled-in file: the preview
  …/tertial/<period>/<year>/<n>/upload/confirm/      POST the preview's token: save it all

The preview's changes wait in the session under a token, so confirming never needs the
file again; the versions are checked once more when they are saved.
"""

import secrets
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from followup.forms import TertialSheet
from followup.services import (
    FollowUpInput, TertialSaveRefused, is_public_now, save_tertial_followups,
)
from followup.spreadsheet import filename, tertial_workbook
from followup.spreadsheet_preview import Comparison, Preview, Problem
from followup.spreadsheet_upload import UnreadableUpload, read_workbook
from followup.views import readable_period, screen_url, tertial_in_period
from municipalities.versioning import NewerVersion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "tertial_uploads"
KEPT_UPLOADS = 3  # previews a session keeps waiting at once
# Room for the multipart envelope around the file.
ENVELOPE_BYTES = 64 * 1024


def too_large_message():
    return _("The file is too large: at most %(size)s is accepted.") % {
        "size": filesizeformat(settings.TERTIAL_UPLOAD_MAX_BYTES)}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in spreadsheet (.xlsx)"),
        error_messages={"required": gettext_lazy("Choose the .xlsx file to upload."),
                        "empty": gettext_lazy("The file is empty.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.TERTIAL_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_large_message(), code="too_large")
        return upload.read()


def editable_sheet(request, period_pk, year, number):
    period = readable_period(request, period_pk)
    tertial = tertial_in_period(period, year, number)
    sheet = TertialSheet(period, tertial, request.user)
    if not sheet.is_editable:
        raise PermissionDenied(_("You may not enter any row of this tertial."))
    return sheet


def download(request, period_pk, year, number, *, model_admin):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    sheet = editable_sheet(request, period_pk, year, number)
    response = HttpResponse(tertial_workbook(sheet), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, filename(sheet.period, sheet.tertial))
    response["Cache-Control"] = "private, no-store"
    return response


def upload(request, period_pk, year, number, *, model_admin):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    sheet = editable_sheet(request, period_pk, year, number)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0  # the form's own limit below still applies
    if declared > settings.TERTIAL_UPLOAD_MAX_BYTES + ENVELOPE_BYTES:
        return refused(request, model_admin, sheet, "too_large", too_large_message(),
                       status=413)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = form.errors.as_data()["file"]
        status = 413 if any(error.code == "too_large" for error in errors) else 400
        return refused(request, model_admin, sheet, errors[0].code or "invalid", " ".join(
            message for error in errors for message in error.messages), status=status)
    try:
        rows = read_workbook(form.cleaned_data["file"])
    except UnreadableUpload as unreadable:
        return refused(request, model_admin, sheet, unreadable.code, unreadable.message,
                       status=400)
    preview = Comparison(sheet).preview(rows)
    token = keep(request, sheet, preview) if preview.can_save else None
    status = 409 if preview.is_stale else 400 if preview.problems else 200
    return render_preview(request, model_admin, sheet, preview, token, status)


def confirm(request, period_pk, year, number, *, model_admin):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    sheet = editable_sheet(request, period_pk, year, number)
    waiting = request.session.get(SESSION_KEY, {})
    kept = waiting.get(request.POST.get("token", ""))
    if kept is None or kept["scope"] != scope_of(sheet):
        return refused(request, model_admin, sheet, "expired", _(
            "This preview is no longer waiting (it was saved, replaced or the session "
            "ended). Upload the file again."), status=400)
    inputs = [(entry["row"], entry["what"], to_input(entry)) for entry in kept["rows"]]
    subjects = sheet.subjects()
    editable = {row.key for row in sheet.rows if row.editable}
    gone = [Problem(number, _("You may no longer enter this row, or it was removed."), what,
                    "unknown_row") for number, what, row in inputs if row.key not in editable]
    if gone:
        forget(request, kept["token"])
        return render_preview(request, model_admin, sheet, Preview(problems=gone), None, 409)
    try:
        written = save_tertial_followups(
            period=sheet.period, tertial=sheet.tertial, rows=[row for _n, _w, row in inputs],
            subjects=subjects, by=request.user,
        )
    except TertialSaveRefused as refused_save:
        forget(request, kept["token"])
        problems = [
            Problem(number, saved_after_preview(refused_save.conflicts[row.key]), what,
                    "stale")
            for number, what, row in inputs if row.key in refused_save.conflicts
        ]
        return render_preview(request, model_admin, sheet, Preview(problems=problems), None,
                              409)
    forget(request, kept["token"])
    messages.success(request, ngettext(
        "Saved %(count)s row from the spreadsheet for %(tertial)s.",
        "Saved %(count)s rows from the spreadsheet for %(tertial)s.", written,
    ) % {"count": written, "tertial": sheet.tertial})
    return HttpResponseRedirect(screen_url(sheet.period, sheet.tertial))


def saved_after_preview(conflict):
    if isinstance(conflict, NewerVersion):
        when = (formats.date_format(timezone.localtime(conflict.at), "DATETIME_FORMAT")
                if conflict.at else "?")
        return _("%(user)s saved this row (%(when)s) after the preview, so nothing was "
                 "saved. Upload the file again to see what changed.") % {
            "user": conflict.username or _("Someone"), "when": when}
    return _("Someone removed this row's follow-up after the preview, so nothing was saved. "
             "Upload the file again.")


# The waiting preview ----------------------------------------------------------------------

def scope_of(sheet):
    return [sheet.period.pk, sheet.tertial.year, sheet.tertial.number]


def keep(request, sheet, preview):
    token = secrets.token_urlsafe(24)
    waiting = dict(request.session.get(SESSION_KEY, {}))
    for old in sorted(waiting, key=lambda t: waiting[t]["serial"])[:-(KEPT_UPLOADS - 1)]:
        del waiting[old]
    waiting[token] = {
        "token": token,
        "serial": max((entry["serial"] for entry in waiting.values()), default=0) + 1,
        "scope": scope_of(sheet),
        "rows": [{
            "row": change.row, "what": change.what, "kind": change.input.kind,
            "subject_id": change.input.subject_id, "status": change.input.status,
            "account": change.input.account, "internal_note": change.input.internal_note,
            "value": None if change.input.value is None else str(change.input.value),
            "loaded_version": change.input.loaded_version,
        } for change in preview.changes],
    }
    request.session[SESSION_KEY] = waiting
    return token


def forget(request, token):
    waiting = dict(request.session.get(SESSION_KEY, {}))
    waiting.pop(token, None)
    request.session[SESSION_KEY] = waiting


def to_input(entry):
    return FollowUpInput(
        kind=entry["kind"], subject_id=entry["subject_id"], status=entry["status"],
        account=entry["account"], internal_note=entry["internal_note"],
        value=None if entry["value"] is None else Decimal(entry["value"]),
        loaded_version=entry["loaded_version"],
    )


# Pages ------------------------------------------------------------------------------------

def refused(request, model_admin, sheet, code, message, *, status):
    """The page for a file refused as a whole."""
    problem = Problem(None, message, code=code)
    return render_preview(request, model_admin, sheet, Preview(problems=[problem]), None, status)


def render_preview(request, model_admin, sheet, preview, token, status):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Spreadsheet for %(period)s, %(tertial)s: preview") % {
            "period": sheet.period, "tertial": sheet.tertial},
        "opts": model_admin.model._meta,
        "period": sheet.period,
        "tertial": sheet.tertial,
        "preview": preview,
        "token": token,
        "screen_url": screen_url(sheet.period, sheet.tertial),
        "max_size": filesizeformat(settings.TERTIAL_UPLOAD_MAX_BYTES),
        "is_public": is_public_now(sheet.period, sheet.tertial),
    }
    return TemplateResponse(request, "admin/followup/tertial_upload_preview.html", context,
                            status=status)

