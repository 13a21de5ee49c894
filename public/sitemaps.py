"""sitemap.xml: the public pages, in Swedish with their English alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from followup.models import TertialReport
from municipalities.models import Municipality
from promises.models import Agreement, PromisePeriod


class PublicSitemap(Sitemap):
    i18n = True
    languages = ["sv", "en"]
    alternates = True
    x_default = True


class StaticSitemap(PublicSitemap):
    def items(self):
        return ["public:home", "public:search", "public:accessibility"]

    def location(self, item):
        return reverse(item)


class MunicipalitySitemap(PublicSitemap):
    def items(self):
        return Municipality.objects.filter(
            periods__in=PromisePeriod.objects.published()
        ).distinct().order_by("code")


class PeriodSitemap(PublicSitemap):
    def items(self):
        return PromisePeriod.objects.published().order_by("pk")

    def lastmod(self, period):
        return period.updated_at


class AgreementSitemap(PublicSitemap):
    def items(self):
        return Agreement.objects.published().order_by("pk")

    def lastmod(self, agreement):
        return agreement.updated_at


class TertialReportSitemap(PublicSitemap):
    def items(self):
        return TertialReport.objects.public().order_by("pk")

    def lastmod(self, report):
        return report.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "municipalities": MunicipalitySitemap,
    "periods": PeriodSitemap,
    "agreements": AgreementSitemap,
    "reports": TertialReportSitemap,
}
