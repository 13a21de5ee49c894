"""The public site's addresses. A period keeps its address for good: /medborgarloften/<id>/."""

from django.urls import path

from promises.documents.rendering import VERIFY_PATH
from public import (
    document_views, exports, feeds, national_views, overview_views, spreadsheets,
    subscription_views, views,
)
from public.cache import cache_public_page

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("sok/", views.search, name="search"),
    path("hela-landet/", overview_views.national_overview, name="overview"),
    path("hela-landet/oversikt.csv", overview_views.overview_csv, name="overview_csv"),
    path("hela-landet/oversikt.xlsx", overview_views.overview_xlsx, name="overview_xlsx"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("kommun/<str:slug>/", views.municipality, name="municipality"),
    path(
        "kommun/<str:slug>/prenumerera/", subscription_views.subscribe,
        name="municipality_subscribe",
    ),
    path(
        "kommun/<str:slug>/prenumerera/skickat/", subscription_views.subscribe_sent,
        name="municipality_subscribe_sent",
    ),
    path(
        "kommun/<str:slug>/atom.xml", cache_public_page(feeds.MunicipalityFeed()),
        name="municipality_feed",
    ),
    path("medborgarloften/<int:pk>/", views.period, name="period"),
    path(
        "medborgarloften/<int:pk>/<int:year>/tertial-<int:tertial>/",
        views.tertial_report,
        name="tertial_report",
    ),
    path("samverkan/<int:pk>/", views.agreement, name="agreement"),
    path("medborgarloften/<int:pk>/data.json", exports.period_json, name="period_json"),
    path("medborgarloften/<int:pk>/data.csv", exports.period_csv, name="period_csv"),
    path("medborgarloften/<int:pk>/data.xlsx", spreadsheets.period_xlsx, name="period_xlsx"),
    path("oppna-data/medborgarloften.json", national_views.national_json, name="national_json"),
    path("oppna-data/medborgarloften.csv", national_views.national_csv, name="national_csv"),
    path("oppna-data/medborgarloften.xlsx", national_views.national_xlsx, name="national_xlsx"),
    path("atom.xml", cache_public_page(feeds.NationalFeed()), name="national_feed"),
    path(VERIFY_PATH.lstrip("/"), document_views.verify, name="verify"),
    path("dokument/<str:sha256>.pdf", document_views.download, name="document"),
    path("prenumerera/", subscription_views.subscribe, name="subscribe"),
    path("prenumerera/skickat/", subscription_views.subscribe_sent, name="subscribe_sent"),
    path(
        "prenumeration/bekrafta/<str:token>/", subscription_views.confirm,
        name="subscription_confirm",
    ),
    path(
        "prenumeration/avsluta/<str:token>/", subscription_views.unsubscribe,
        name="subscription_unsubscribe",
    ),
    path("integritet/", subscription_views.privacy, name="privacy"),
]
