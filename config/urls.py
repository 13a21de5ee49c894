"""The portal's URLs: the public site (Swedish at /, English under /en/) and the admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from municipalities import accounts
from public import views as public_views
from public.cache import cache_public_page
from public.sitemaps import SITEMAPS


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


admin.site.site_header = _("Medborgarlöften – administration")
admin.site.site_title = _("Medborgarlöften")
admin.site.index_title = _("Citizen promises and follow-up")

# A database outage anywhere (middleware included) answers the friendly 503, not a 500.
handler500 = "config.middleware.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own addresses, which would catch admin/password_reset/.
    *accounts.urlpatterns,
    path("admin/", admin.site.urls),
    path("robots.txt", public_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", cache_public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
urlpatterns += i18n_patterns(
    path("", include("public.urls")),
    prefix_default_language=False,
)
