"""A citizen subscribes to news from Katrineholm in a real browser: the form on its own page,
the confirmation message sent by the worker, the page behind its link (opening it confirms
nothing), the button that does; then unsubscribes the same way."""

from django.core import mail
from django.urls import reverse
from selenium.webdriver.common.keys import Keys

from municipalities.models import Municipality
from public.models import Subscription


def path_of(url):
    return url.removeprefix("http://127.0.0.1:8000")


def link_in(message, marker):
    return next(path_of(word) for word in message.body.split() if marker in word)


def test_double_opt_in_and_one_click_out(browser, demo, run_worker):
    place = Municipality.objects.get(code="0483")
    subscribe_path = reverse("public:municipality_subscribe", args=[place.slug])

    browser.get(reverse("public:municipality", args=[place.slug]))
    link = browser.find(f'main a[href="{subscribe_path}"]')
    browser.navigate_by(link.click)
    assert browser.path == subscribe_path
    browser.assert_accessible()

    field = browser.find("#subscribe-form input[name=email]")
    field.send_keys("Anna.Medborgare@example.se")
    browser.navigate_by(lambda: field.send_keys(Keys.ENTER))
    assert browser.path == reverse("public:municipality_subscribe_sent", args=[place.slug])
    browser.assert_accessible()
    # The request only stored the address and queued the message.
    assert mail.outbox == []
    assert not Subscription.objects.get().is_confirmed

    run_worker()
    [message] = mail.outbox
    assert message.to == ["anna.medborgare@example.se"]
    confirm_path = link_in(message, "/prenumeration/bekrafta/")

    browser.get(confirm_path)
    browser.assert_accessible()
    assert not Subscription.objects.get().is_confirmed  # a mail scanner stops here
    button = browser.find(".confirm-form button")
    browser.navigate_by(button.click)
    assert browser.path == confirm_path
    assert Subscription.objects.get().is_confirmed
    assert not browser.find_all(".confirm-form")
    browser.screenshot()

    unsubscribe_path = path_of(message.extra_headers["List-Unsubscribe"].strip("<>"))
    browser.get(unsubscribe_path)
    browser.assert_accessible()
    assert Subscription.objects.exists()
    browser.navigate_by(browser.find(".unsubscribe-form button").click)
    assert not Subscription.objects.exists()
    browser.assert_accessible()
    assert browser.csp_violations() == []
    assert len(mail.outbox) == 1
