"""The public pages: what citizens see, what they never see, and how the pages are built.

Text still waiting for its Swedish translation is asserted on the English pages (/en/…),
where it reads as the code writes it."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from followup.models import FollowUp, TertialReport
from municipalities.models import Municipality
from promises.models import Document, Promise, PromisePeriod
from promises.publishing import publish, unpublish
from public import selectors
from tests import factories
from tests.factories import make_member, make_period, police_area_for


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


# A request under /en/ leaves English active in the test's thread: addresses are asked for
# in Swedish, the site's default, and given /en in front where a test wants English.

def url_of(obj):
    with translation.override("sv"):
        return obj.get_absolute_url()


def period_url(period):
    return url_of(period)


def report_url(period, year, tertial):
    with translation.override("sv"):
        return reverse(
            "public:tertial_report", kwargs={"pk": period.pk, "year": year, "tertial": tertial}
        )


@pytest.fixture
def media(settings, tmp_path):
    """Publishing a tertial report stores its PDF: under a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def municipality_of(period):
    return period.municipalities.get()


def text_of(html):
    """The text a reader sees: tags dropped, entities kept as written, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def cards(html):
    """{promise id: the text of its card}, in the order the page shows them."""
    found = re.findall(
        r'<article class="promise-card" id="promise-(\d+)"(.*?)</article>', html, re.S
    )
    return {int(pk): text_of(body) for pk, body in found}


def test_period_page_shows_the_real_2018_document(client, katrineholm):
    period = katrineholm[2018]
    html = page(client, period_url(period))
    assert "<h1>Lokala medborgarlöften i Katrineholms kommun år 2018</h1>" in html
    assert "Kommunen lovar" in html and "Vi lovar gemensamt" in html
    shown = cards(html)
    assert list(shown) == list(period.promises.order_by("order").values_list("pk", flat=True))
    sig = next(text for text in shown.values() if "Arbeta i SIG grupper" in text)
    # The latest published tertial (3) is the one shown, with its account and status.
    assert "Socialen och polisen träffas minst en gång i månaden" in sig
    assert "Utfört och pågående" in sig
    assert "221 narkotikabrott har rapporterats under 2018" in html
    assert "158 narkotikabrott" not in html  # tertial 2's account is on tertial 2's page
    assert "Kommunen har med hjälp av KfV marknadsföring" in html  # year-end comment
    walks = next(text for text in shown.values() if "Två trygghetsvandringar" in text)
    assert "Genomförd" in walks and "Två trygghetsvandringar gjorda" in walks


def test_period_page_answers_first_with_the_latest_published_tertial(client, katrineholm):
    period = katrineholm[2018]
    html = page(client, "/en" + period_url(period))
    summary = html.index('class="summary"')
    assert summary < html.index('id="promises"') < html.index('<details class="background"')
    answer = text_of(html[summary:html.index('id="promises"')])
    assert "Latest report: tertial 3 2018" in answer
    # The document follows up activity by activity and gives no promise a status of its
    # own: the promises count as not reported (never an invented status), and each card
    # says how its activities stand.
    assert "0 of 5 promises completed or under way" in answer
    assert "Not reported: 5" in answer
    # ...and the summary says how their activities stand, in words, beside the count.
    assert ("5 promises have no status of their own, but their activities and indicators "
            "are completed or under way.") in answer
    bar = re.search(r'<div class="status-bar" aria-hidden="true">(.*?)</div>', html).group(1)
    assert re.findall(r'class="bar-part status-(\w+)"', bar) == ["not_reported"] * 5
    assert all("its activities:" in text for text in cards(html).values())
    # The tertials, each a link to its own page, the shown one marked.
    for tertial in (1, 2, 3):
        assert f'href="/en{report_url(period, 2018, tertial)}"' in html
    assert re.search(r'aria-current="true">T3 2018<', html)


def test_promise_cards_follow_the_documents_order_not_the_order_of_entry(client, db):
    period = make_period(promises=4, reports=(1,))
    promises = list(period.promises.order_by("pk"))
    for position, promise in enumerate(reversed(promises), start=1):
        promise.order = position
        promise.save()
    shown = cards(page(client, period_url(period)))
    assert list(shown) == [promise.pk for promise in reversed(promises)]


def test_period_page_lists_signatories_and_is_in_english_under_en(client, katrineholm):
    html = page(client, "/en" + period_url(katrineholm[2020]))
    assert '<html lang="en">' in html
    assert "The police promise" in html and "The municipality promises" in html
    assert "Liselotte Jergard" in html and "Göran Dahlström (S)" in html
    assert "Signatures and documents" in html


def test_a_promise_without_activities_is_shown_with_its_own_status(client, db):
    period = make_period(promises=1, activities=0, indicators=0, reports=(1, 2, 3))
    FollowUp.objects.filter(tertial=3).update(status="completed", account="Klart i december")
    shown = cards(page(client, "/en" + period_url(period)))
    [text] = shown.values()
    assert "Completed" in text and "Klart i december" in text
    assert "its activities:" not in text
    assert "Activity" not in text


def test_period_without_any_report_lists_promises_without_statuses(client, katrineholm):
    html = page(client, "/en" + period_url(katrineholm[2020]))
    assert "No tertial has been reported yet." in html
    shown = cards(html)
    assert len(shown) == katrineholm[2020].promises.count() == 7
    assert not re.search(r'class="status status-', html.split('id="promises"')[1])
    assert "Öka närvaron i centrala delen av Katrineholm" in html


def set_target(subject, **target):
    for name, value in target.items():
        setattr(subject, f"target_{name}", value)
    subject.save()


def test_targets_and_results_are_shown_truthfully(client, db):
    period = make_period(year=2024, promises=1, activities=1, indicators=1, reports=(1, 2, 3))
    promise = period.promises.get()
    activity, indicator = promise.activities.get(), promise.indicators.get()
    set_target(promise, comparison="at_least", value=100, unit="kvällar", span="period")
    set_target(activity, comparison="at_most", value=10, unit="anmälda brott",
               measure="level")
    set_target(indicator, comparison="between", value=5, value_max=8, unit="möten",
               measure="level")
    for tertial, value in ((1, 30), (2, 40), (3, 34)):
        FollowUp.objects.filter(promise=promise, activity=None, indicator=None,
                                tertial=tertial).update(value=value)
    FollowUp.objects.filter(activity=activity, tertial=3).update(value=56)
    FollowUp.objects.filter(indicator=indicator, tertial=3).update(value=Decimal("6.5"))

    text = text_of(page(client, "/en" + period_url(period)))
    # The count adds up over the period, which has ended: reached, with the percentage.
    assert "104 of at least 100 kvällar – target reached (104 %)" in text
    # A level counts its latest value; "at most" and "between" give no percentage.
    assert "56, target at most 10 anmälda brott – not reached" in text
    assert "6.5, target between 5 and 8 möten – target reached" in text
    assert "56, target at most 10 anmälda brott – not reached (" not in text
    # In Swedish the number is written the Swedish way.
    assert "6,5" in text_of(page(client, period_url(period)))


def test_a_running_target_says_so_far(client, db):
    period = make_period(year=timezone.localdate().year, promises=1, indicators=1, reports=(1,))
    text = text_of(page(client, "/en" + period_url(period)))
    # The factory's indicator: at least 10 over the period, 3 in tertial 1.
    assert "3 of at least 10 st – not reached so far (30 %)" in text


def test_an_indicator_with_a_value_is_not_called_unreported(client, db):
    period = make_period(promises=1, activities=0, indicators=1, reports=(1,))
    [text] = cards(page(client, "/en" + period_url(period))).values()
    assert "Indicator: Indikator 0" in text and "Not reported" not in text


def test_tertials_not_reported_are_listed_as_not_yet_or_late(client, db):
    today = timezone.localdate()
    period = make_period(year=today.year - 1, years=3, promises=1, reports=())
    html = page(client, "/en" + period_url(period))
    pattern = (r'<li class="tertial tertial-(\w+)">\s*<span>(T\d \d{4})</span>\s*'
               r'<span class="meta">(?:<strong class="late">)?([\w ]+)<')
    listed = {name: (state, label) for state, name, label in re.findall(pattern, html)}
    assert len(listed) == 9  # every tertial of the three years, none a link
    assert listed[f"T1 {today.year - 1}"] == ("late", "Late")
    assert listed[f"T3 {today.year + 1}"] == ("not_due", "Not reported yet")
    assert "No tertial has been reported yet." in html
    # No empty table or card for a tertial nobody has reported.
    assert client.get(report_url(period, today.year - 1, 1)).status_code == 404


def test_tertial_states_follow_the_calendar(db):
    period = make_period(year=2024, promises=1, reports=(1,))
    reports = selectors.reports_of(period, preview=False)

    def states_on(day):
        return [s.state for s in selectors.tertial_states(period, reports, day)]

    # T1 published; T2 ended on 31 August: due for 8 weeks, then late; T3 not yet ended.
    assert states_on(datetime.date(2024, 9, 15)) == ["published", "due", "not_due"]
    assert states_on(datetime.date(2024, 11, 15)) == ["published", "late", "not_due"]
    assert states_on(datetime.date(2025, 6, 1)) == ["published", "late", "late"]


def test_year_end_comment_belongs_to_the_years_last_tertial(client, db):
    period = make_period(year=2024, promises=1, reports=(1, 2, 3))
    assert "Året 2024 gick bra." not in page(client, report_url(period, 2024, 2))
    assert "Året 2024 gick bra." in page(client, report_url(period, 2024, 3))


@pytest.mark.django_db
def test_draft_period_is_404_for_the_public_and_other_coordinators(client):
    draft = make_period(published=False)
    assert client.get(period_url(draft)).status_code == 404
    assert client.get(period_url(draft) + "?preview=1").status_code == 404
    assert client.get(report_url(draft, 2024, 1)).status_code == 404
    client.force_login(make_member("coordinator", municipality=Municipality.objects.get(
        slug="håbo")))
    assert client.get(period_url(draft)).status_code == 404


@pytest.mark.django_db
def test_drafts_are_listed_nowhere_public(client):
    draft = make_period(published=False)
    draft_url = period_url(draft)
    place = municipality_of(draft)
    for url in [
        reverse("public:home"),
        url_of(place),
        reverse("public:search") + "?q=" + draft.title,
        reverse("public:national_feed"),
        reverse("public:municipality_feed", kwargs={"slug": place.slug}),
        "/sitemap.xml",
    ]:
        assert draft_url not in page(client, url), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "reviewer", "publisher"])
def test_members_see_a_marked_preview_of_a_draft(client, role):
    draft = make_period(published=False)
    place = municipality_of(draft)
    client.force_login(make_member(role, municipality=place))
    html = page(client, "/en" + period_url(draft))
    assert "preview-banner" in html and "This citizen promise is a draft" in html
    assert '<meta name="robots" content="noindex">' in html
    listing = page(client, "/en" + url_of(place))
    assert "Drafts you may preview" in listing and period_url(draft) in listing
    # Anyone else, afterwards, still gets nothing: the preview is never cached for them.
    client.logout()
    assert client.get("/en" + period_url(draft)).status_code == 404


@pytest.mark.django_db
def test_unpublished_tertial_follow_up_is_for_the_marked_preview_only(client):
    period = make_period(reports=(1,))
    html = page(client, report_url(period, 2024, 1))
    assert "Redovisning T1 för aktivitet 0" in html
    assert "Redovisning T2 för aktivitet 0" not in page(client, period_url(period))
    assert client.get(report_url(period, 2024, 2)).status_code == 404
    assert client.get(period_url(period) + "?preview=1").status_code == 200

    client.force_login(make_member("coordinator", municipality=municipality_of(period)))
    assert "Redovisning T2 för aktivitet 0" not in page(client, period_url(period))
    preview = page(client, period_url(period) + "?preview=1")
    assert "Redovisning T3 för aktivitet 0" in preview  # the latest tertial, a draft
    assert "Inte publicerad ännu" in preview and '<meta name="robots"' in preview
    draft_report = page(client, report_url(period, 2024, 2))
    assert "Redovisning T2 för aktivitet 0" in draft_report and "preview-banner" in draft_report

    client.logout()
    public = page(client, period_url(period) + "?preview=1")
    assert "Redovisning T3 för aktivitet 0" not in public and "preview-banner" not in public


def test_tertial_report_page_shows_that_tertials_accounts(client, katrineholm):
    html = page(client, report_url(katrineholm[2018], 2018, 2))
    assert "Uppföljning för tertial 2 2018" in html
    assert "Socialen och polisen träffas minst en gång i månaden" in html
    assert "158 narkotikabrott har rapporteras" in html
    assert "221 narkotikabrott" not in html  # that is tertial 3
    assert period_url(katrineholm[2018]) in html


def test_tertial_report_page_links_to_its_pdf_and_groups_rows_under_each_promise(
    client, katrineholm, media, django_capture_on_commit_callbacks
):
    period = katrineholm[2018]
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    unpublish(report, by=None, reason="Rättelse")
    with django_capture_on_commit_callbacks(execute=True):
        publish(report, by=None)
    document = Document.objects.filter(
        period=period, kind=Document.Kind.TERTIAL_REPORT, year=2018, tertial=3
    ).latest("version")
    html = page(client, report_url(period, 2018, 3))
    pdf = reverse("public:document", kwargs={"sha256": document.sha256})
    assert f'href="{pdf}" type="application/pdf"' in html
    # Each promise's text once, its activities beneath it: not repeated row by row.
    for promise in period.promises.all():
        assert html.count(escape(promise.text.splitlines()[0])) == 1
    assert html.count('class="promise-card"') == period.promises.count()


def test_tertial_report_of_unknown_tertial_is_404(client, katrineholm):
    assert client.get(report_url(katrineholm[2018], 2018, 4)).status_code == 404
    assert client.get(report_url(katrineholm[2018], 2019, 1)).status_code == 404
    assert client.get(report_url(katrineholm[2020], 2020, 1)).status_code == 404


def test_withdrawn_tertial_report_leaves_the_public_pages(client, katrineholm, media):
    period = katrineholm[2018]
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    unpublish(report, by=None, reason="Fel siffror")
    assert client.get(report_url(period, 2018, 3)).status_code == 404
    html = page(client, period_url(period))
    assert "221 narkotikabrott" not in html
    assert "158 narkotikabrott har rapporteras" in html  # tertial 2 is now the latest
    publish(report, by=None)
    assert "221 narkotikabrott" in page(client, period_url(period))


def test_municipality_page_lists_periods_police_area_and_feed(client, katrineholm):
    html = page(client, reverse("public:municipality", kwargs={"slug": "katrineholm"}))
    for period in katrineholm.values():
        assert html.count(f'href="{period_url(period)}"') == 1
    assert "Lokalpolisområde Katrineholm" in html
    assert reverse("public:municipality_feed", kwargs={"slug": "katrineholm"}) in html


def shared_period(*codes):
    """A published period of several municipalities served by one police area."""
    places = [Municipality.objects.get(code=code) for code in codes]
    area = police_area_for(places[0])
    area.municipalities.add(*places[1:])
    period = PromisePeriod.objects.create(
        police_area=area, title="Gemensamt medborgarlöfte 2024",
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31),
    )
    period.municipalities.add(*places)
    Promise.objects.create(period=period, order=1, party="municipality", text="Vi lovar ljus")
    publish(period, by=None)
    return period, places


@pytest.mark.django_db
def test_a_period_of_several_municipalities_appears_once_on_each_ones_page(client, media):
    period, places = shared_period("0482", "0483", "0484")
    for place in places:
        html = page(client, url_of(place))
        assert html.count(f'href="{period_url(period)}"') == 1, place.name
    html = page(client, "/en" + period_url(period))
    assert "Eskilstuna kommun, Flens kommun, Katrineholms kommun" in text_of(html)
    assert "The municipalities promise" in html
    home = page(client, reverse("public:home"))
    for place in places:
        assert url_of(place) in home
    # Once among the periods published last, with every municipality's name.
    assert text_of(home).count("Gemensamt medborgarlöfte 2024") == 1
    assert "Eskilstuna, Flen, Katrineholm: Gemensamt medborgarlöfte 2024" in text_of(home)


@pytest.mark.django_db
def test_unicode_municipality_address_works(client):
    make_period(Municipality.objects.get(slug="håbo"))
    html = page(client, "/kommun/håbo/")
    assert "Medborgarlöften i Håbo" in html
    assert client.get("/kommun/habo/").status_code == 200  # Habo is another municipality
    assert client.get("/kommun/ingen-sadan/").status_code == 404


def test_home_leads_to_every_published_period(client, katrineholm):
    html = page(client, reverse("public:home"))
    municipality_url = reverse("public:municipality", kwargs={"slug": "katrineholm"})
    assert municipality_url in html
    municipality_html = page(client, municipality_url)
    for period in katrineholm.values():
        assert period_url(period) in municipality_html
    assert "Södermanlands län" in municipality_html
    assert 'action="/sok/"' in html


def test_home_counts_current_promises_by_party(client, db):
    today = timezone.localdate()
    make_period(year=today.year, promises=3)
    html = page(client, reverse("public:home"))
    assert re.search(r"<strong>1</strong>\s*kommuner med ett gällande medborgarlöfte", html)


def test_language_switch_links_to_the_same_page_in_the_other_language(client, katrineholm):
    url = period_url(katrineholm[2018])
    search = reverse("public:search") + "?q=Katrineholm"
    html = page(client, url)
    assert f'<a class="language-switch" href="/en{url}" lang="en" hreflang="en">' in html
    english = page(client, "/en" + url)
    assert f'<a class="language-switch" href="{url}" lang="sv" hreflang="sv">' in english
    assert 'lang="en"' in english and "In English" not in english
    # The address alone decides the language: no cookie is set or needed.
    assert not client.cookies
    assert f'href="/en{search}"' in page(client, search).replace("&amp;", "&")


def test_dates_are_written_the_swedish_way(client, katrineholm):
    html = page(client, period_url(katrineholm[2018]))
    assert "1 januari 2018–31 december 2018" in html


def test_missing_page_is_a_404_in_the_sites_look(client, db):
    html = page(client, "/finns-inte/", status=404)
    assert "Sidan finns inte" in html and 'class="skip-link"' in html


def test_accessibility_statement_page(client, db):
    html = page(client, reverse("public:accessibility"))
    assert "<h1>Tillgänglighetsredogörelse</h1>" in html
    assert "DIGG" in html


def make_agreement(katrineholm, *, published=True):
    return factories.make_agreement(katrineholm[2022], published=published)


def test_agreement_page_shows_its_text_and_its_periods(client, katrineholm):
    agreement = make_agreement(katrineholm)
    html = page(client, url_of(agreement))
    assert "<h1>Samverkansöverenskommelse 2022–2025</h1>" in html
    assert "Ett tryggare Katrineholm." in html
    assert f'href="{period_url(katrineholm[2022])}"' in html
    assert url_of(agreement) in page(client, period_url(katrineholm[2022]))


def test_draft_agreement_is_404_for_the_public(client, katrineholm):
    agreement = make_agreement(katrineholm, published=False)
    assert client.get(url_of(agreement)).status_code == 404
    assert url_of(agreement) not in page(client, period_url(katrineholm[2022]))


class Structure(HTMLParser):
    """Collects what the accessibility checks need from a page."""

    def __init__(self):
        super().__init__()
        self.headings, self.tables, self.problems = [], [], []
        self.landmarks = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.problems.append(f"style attribute on <{tag}>")
        if tag == "script" or tag == "style":
            self.problems.append(f"<{tag}> element")
        if any(name.startswith("on") for name in attrs):
            self.problems.append(f"event handler on <{tag}>")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in {"header", "main", "footer", "nav"}:
            self.landmarks.add(tag)
        if tag == "table":
            self.tables.append({"caption": False, "th_without_scope": 0})
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        if tag == "th" and self.tables and "scope" not in attrs:
            self.tables[-1]["th_without_scope"] += 1


def public_urls(katrineholm):
    period = katrineholm[2018]
    return [
        reverse("public:home"),
        reverse("public:municipality", kwargs={"slug": "katrineholm"}),
        period_url(period),
        period_url(katrineholm[2020]),
        period_url(katrineholm[2022]),
        report_url(period, 2018, 3),
        url_of(make_agreement(katrineholm)),
        reverse("public:search") + "?q=Katrineholm",
        reverse("public:search") + "?q=",
        reverse("public:verify"),
        reverse("public:accessibility"),
    ]


def test_every_page_has_landmarks_one_h1_ordered_headings_and_labelled_tables(
    client, katrineholm
):
    urls = public_urls(katrineholm)
    for url in urls + ["/en" + u for u in urls]:
        html = page(client, url, status=200)
        structure = Structure()
        structure.feed(html)
        assert structure.problems == [], url
        assert {"header", "main", "footer", "nav"} <= structure.landmarks, url
        assert structure.headings.count(1) == 1 and structure.headings[0] == 1, url
        for before, after in zip(structure.headings, structure.headings[1:]):
            assert after <= before + 1, (url, structure.headings)
        for table in structure.tables:
            assert table["caption"] and table["th_without_scope"] == 0, url
        assert 'href="#main"' in html and 'id="main"' in html


INTERNAL = "HEMLIG-INTERN-ANTECKNING-7f3a"


@pytest.mark.django_db
def test_internal_notes_never_appear_on_any_public_page_feed_or_export(client):
    period = make_period(note=INTERNAL, reports=(1, 2, 3))
    FollowUp.objects.filter(promise__period=period).update(account="Redovisning med trygghet")
    place = municipality_of(period)
    urls = [
        reverse("public:home"),
        url_of(place),
        period_url(period),
        period_url(period) + "?preview=1",
        report_url(period, 2024, 1),
        reverse("public:search") + "?q=trygghet",
        reverse("public:period_json", kwargs={"pk": period.pk}),
        reverse("public:period_csv", kwargs={"pk": period.pk}),
        reverse("public:national_json"),
        reverse("public:national_csv"),
        reverse("public:national_feed"),
        reverse("public:municipality_feed", kwargs={"slug": place.slug}),
        "/sitemap.xml",
    ]
    # The note is on the promise's own follow-ups, its activities' and its indicators'.
    assert {
        ("promise" if f.activity_id is None and f.indicator_id is None
         else "activity" if f.activity_id else "indicator")
        for f in FollowUp.objects.filter(internal_note=INTERNAL)
    } == {"promise", "activity", "indicator"}
    # Searching for the note finds nothing (the page only echoes the query back).
    found = page(client, reverse("public:search") + "?q=" + INTERNAL)
    assert "0 träffar" in found
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert INTERNAL.encode() not in body, url
        assert b"Redovisning" in body or "search" in url or url.endswith(".xml") or url in (
            "/", url_of(place)
        ), url


def test_superuser_sees_the_preview_link_on_a_published_period(
    superuser_client, katrineholm, media
):
    period = katrineholm[2018]
    html = page(superuser_client, period_url(period))
    assert "?preview=1" in html
    unpublish(TertialReport.objects.get(period=period, tertial=3), by=None, reason="Rättas")
    assert "221 narkotikabrott" not in page(superuser_client, period_url(period))
    preview = page(superuser_client, period_url(period) + "?preview=1")
    assert "221 narkotikabrott" in preview and "Inte publicerad ännu" in preview
    assert PromisePeriod.objects.filter(pk=period.pk).exists()


def test_public_pages_answer_head_as_monitors_send_it(client, katrineholm):
    period = katrineholm[2018]
    for url in ["/", period_url(period), reverse("public:national_csv"), "/healthz"]:
        response = client.head(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body == b"", url  # the test client, like a server, drops a HEAD's body
    assert client.post("/").status_code == 405

