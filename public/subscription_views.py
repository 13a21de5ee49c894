"""The subscription pages: subscribe (a POST on its own, uncached page), confirm and
unsubscribe (each link opens a page with a button, so a mail scanner that follows links
changes nothing), and the privacy text. No page says whether an address is subscribed."""

from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from municipalities.models import Municipality
from public import subscriptions
from public.cache import cache_public_page
from public.models import CONFIRMATION_DAYS, Subscription
from public.throttle import retry_after, retry_after_for

ADDRESS_WINDOW_SECONDS = 60 * 60


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a whole e-mail address, like namn@example.se."),
            "max_length": _(
                "That address is too long: an e-mail address has at most 254 characters."
            ),
        },
    )


def place_for(slug):
    return get_object_or_404(Municipality, slug=slug) if slug is not None else None


def address_key(email):
    # Counted under a keyed hash: the cache never holds the address.
    digest = salted_hmac("subscribe-throttle", email, algorithm="sha256").hexdigest()
    return f"subscribe-address:{digest}"


def too_many(request, context, seconds, *, per_address):
    if per_address:
        minutes = -(-seconds // 60)
        message = ngettext(
            "Too many requests for this e-mail address. Wait %(minutes)s minute and try "
            "again.",
            "Too many requests for this e-mail address. Wait %(minutes)s minutes and try "
            "again.",
            minutes,
        ) % {"minutes": minutes}
    else:
        message = ngettext(
            "Too many requests from your connection. Wait %(seconds)s second and try again.",
            "Too many requests from your connection. Wait %(seconds)s seconds and try again.",
            seconds,
        ) % {"seconds": seconds}
    response = render(
        request, "public/subscribe.html", {**context, "limit_error": message}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request, slug=None):
    place = place_for(slug)
    context = {"municipality": place, "confirmation_days": CONFIRMATION_DAYS}
    if request.method != "POST":
        return render(request, "public/subscribe.html", {**context, "form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    context["form"] = form
    wait = retry_after(
        request, action="subscribe", per_minute=settings.SUBSCRIBE_REQUESTS_PER_MINUTE
    )
    if wait:
        return too_many(request, context, wait, per_address=False)
    if not form.is_valid():
        return render(request, "public/subscribe.html", context, status=400)
    email = subscriptions.normalize(form.cleaned_data["email"])
    wait = retry_after_for(
        address_key(email), limit=settings.SUBSCRIBE_REQUESTS_PER_ADDRESS_PER_HOUR,
        window=ADDRESS_WINDOW_SECONDS,
    )
    if wait:
        return too_many(request, context, wait, per_address=True)
    subscriptions.request_subscription(
        email=email, municipality=place, language=get_language()
    )
    if place is None:
        return redirect("public:subscribe_sent")
    return redirect("public:municipality_subscribe_sent", slug=place.slug)


@never_cache
@require_safe
def subscribe_sent(request, slug=None):
    context = {"municipality": place_for(slug), "confirmation_days": CONFIRMATION_DAYS}
    return render(request, "public/subscribe_sent.html", context)


def gone(request):
    return render(
        request, "public/subscription_gone.html",
        {"confirmation_days": CONFIRMATION_DAYS}, status=404,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    subscription = Subscription.objects.select_related("municipality").by_token(token)
    if subscription is None:
        return gone(request)
    if request.method == "POST":
        subscriptions.confirm(subscription)
        # Back to the same link, now showing the confirmed subscription.
        return redirect("public:subscription_confirm", token=token)
    return render(request, "public/subscription_confirm.html", {"subscription": subscription})


# RFC 8058: a mail client's one-click unsubscribe is a POST without cookies or a form token;
# the unguessable token in the address is what proves the right to unsubscribe.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscription = Subscription.objects.select_related("municipality").filter(
        token=token
    ).first()
    if subscription is None:
        return gone(request)
    if request.method == "POST":
        place = subscription.place_name
        subscriptions.unsubscribe(subscription)
        return render(request, "public/subscription_unsubscribed.html", {"place": place})
    return render(request, "public/subscription_unsubscribe.html", {"subscription": subscription})


@require_safe
@cache_public_page
def privacy(request):
    context = {
        "operator": settings.PORTAL_OPERATOR,
        "contact_email": settings.PORTAL_CONTACT_EMAIL,
        "controller": settings.PRIVACY_CONTROLLER,
        "confirmation_days": CONFIRMATION_DAYS,
    }
    return render(request, "public/privacy.html", context)
