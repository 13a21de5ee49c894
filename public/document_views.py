"""The stored PDFs: download them as issued, and the public page that verifies a copy."""

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import condition, require_http_methods, require_safe
from public.access import document_for, viewer
from public.cache import cache_public_page, document_etag
from public.throttle import retry_after
from promises.documents import verification


@require_safe
@cache_public_page
@condition(etag_func=document_etag)
def download(request, sha256):
    """The stored bytes, exactly as issued; never rendered again."""
    document = document_for(viewer(request), sha256)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=False,
        filename=document.filename,
    )
    response["X-Content-SHA256"] = document.sha256
    return response


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("PDF document"),
        error_messages={
            "required": gettext_lazy("Choose a PDF file to check."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.VERIFY_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(too_large_message(), code="too_large")
        data = upload.read()
        if not data.lstrip()[:5] == b"%PDF-":
            raise forms.ValidationError(
                _("This is not a PDF file. Choose the PDF document you want to check."),
                code="not_pdf",
            )
        return data


def too_large_message():
    return _("The file is too large: at most %(size)s is accepted.") % {
        "size": filesizeformat(settings.VERIFY_MAX_UPLOAD_BYTES)
    }


def too_many_uploads(request, form, seconds):
    response = render(
        request, "public/verify.html",
        {"form": form, "upload_error": ngettext(
            "At most %(count)s files a minute can be checked from one address. Wait "
            "%(seconds)s second and try again.",
            "At most %(count)s files a minute can be checked from one address. Wait "
            "%(seconds)s seconds and try again.",
            seconds,
        ) % {"count": settings.VERIFY_UPLOADS_PER_MINUTE, "seconds": seconds}},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone uploads a PDF and learns whether it is an unaltered document from the portal."""
    status, result, form = 200, None, VerifyForm()
    if request.method == "POST":
        # Counted before the body is read: every upload costs the server work.
        wait = retry_after(
            request, action="verify", per_minute=settings.VERIFY_UPLOADS_PER_MINUTE
        )
        if wait:
            return too_many_uploads(request, form, wait)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # a malformed header: the upload limit below still applies
        # Refuse before Django reads the body, so nothing huge is buffered or spooled.
        if declared > settings.VERIFY_MAX_UPLOAD_BYTES + 64 * 1024:
            return render(
                request, "public/verify.html",
                {"form": form, "upload_error": too_large_message()}, status=413,
            )
        form = VerifyForm(request.POST, request.FILES)
        if not form.is_valid():
            too_large = any(e.code == "too_large" for e in form.errors.as_data().get("file", []))
            return render(
                request, "public/verify.html", {"form": form}, status=413 if too_large else 400
            )
        try:
            result = verification.verify(form.cleaned_data["file"])
        except verification.TooComplex:
            form.add_error("file", _(
                "This PDF is too complex to check here: it has more revisions, objects or "
                "form fields, or deeper nesting, than this page examines, or checking it "
                "took too long. Documents published by this portal are far simpler."
            ))
            status = 400
        except verification.UnreadablePdf:
            form.add_error("file", _(
                "The PDF is damaged and cannot be read, so it cannot be checked."
            ))
            status = 400
        else:
            if not result.is_known and not result.signatures:
                form.add_error("file", _(
                    "This PDF has no signatures and is not a document published by this "
                    "portal."
                ))
                status, result = 400, None
    return render(
        request, "public/verify.html", {"form": form, "result": result}, status=status
    )
