"""The database goes away: public pages and the admin answer a friendly translated 503
with Retry-After, nothing saved before is lost, and the portal recovers by itself.

The outage is simulated by pointing the request's database connection at an address where
no database listens (a closed port on PostgreSQL, an unreachable file on SQLite); the real
PostgreSQL stop/start drill is in bench/load.
"""

import copy
import socket

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client

from followup.models import FollowUp
from promises.models import PromisePeriod


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Outage:
    """Swaps the default connection for one that cannot reach any database."""

    def __init__(self):
        self.original = connections["default"]
        self.broken = connections.create_connection("default")
        # The handler hands every connection the same settings dict: give this one its own.
        self.real_settings = copy.deepcopy(self.broken.settings_dict)
        self.broken.settings_dict = copy.deepcopy(self.real_settings)
        if self.broken.vendor == "sqlite":
            self.broken.settings_dict["NAME"] = "/nonexistent-directory/unreachable.sqlite3"
        else:
            self.broken.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        cache.clear()
        connections["default"] = self.broken

    def database_is_back(self):
        """The same connection object reaches the database again, as after a restart."""
        self.broken.close()
        self.broken.settings_dict.update(self.real_settings)

    def end(self):
        """Back to the test's own connection (and its transaction)."""
        self.broken.close()
        connections["default"] = self.original


@pytest.fixture
def outage():
    simulated = Outage()
    try:
        yield simulated
    finally:
        simulated.end()


@pytest.mark.django_db
def test_public_pages_answer_friendly_503_while_database_is_down(katrineholm, outage):
    period = katrineholm[2022]
    client = Client(raise_request_exception=False)
    for url in ["/", f"/medborgarloften/{period.pk}/", "/kommun/katrineholm/",
                "/sok/?q=trygghet", "/en/"]:
        response = client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"] == "30"
        assert "no-store" in response["Cache-Control"]
        assert "Content-Security-Policy" in response
        body = response.content.decode()
        if url == "/en/":
            assert "The portal is temporarily unavailable" in body
        else:
            assert "Portalen är tillfälligt otillgänglig" in body
            assert "Inget som du har sparat har gått förlorat" in body
        assert "Traceback" not in body and "OperationalError" not in body


@pytest.mark.django_db
def test_admin_save_during_outage_answers_503_and_earlier_saves_survive(
    katrineholm, superuser_client
):
    before_periods = PromisePeriod.objects.count()
    before_followups = list(FollowUp.objects.order_by("pk").values_list("pk", "account"))
    assert before_followups
    broken_client = Client(raise_request_exception=False)
    broken_client.cookies = superuser_client.cookies
    followup = FollowUp.objects.first()

    outage = Outage()
    try:
        response = broken_client.post(
            f"/admin/followup/followup/{followup.pk}/change/", {"account": "during the outage"}
        )
        assert response.status_code == 503
        assert "Portalen är tillfälligt otillgänglig" in response.content.decode()
        assert broken_client.get("/admin/").status_code == 503
    finally:
        outage.end()

    assert PromisePeriod.objects.count() == before_periods
    assert list(FollowUp.objects.order_by("pk").values_list("pk", "account")) == before_followups
    assert superuser_client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_portal_recovers_by_itself_when_the_database_is_back(katrineholm, outage):
    # With the demo as committed, this test's transaction writes nothing: on SQLite the
    # connection that comes back is a second one to the shared in-memory database, and
    # would find rows locked.
    client = Client(raise_request_exception=False)
    assert client.get("/kommun/katrineholm/").status_code == 503
    assert client.get("/kommun/katrineholm/").status_code == 503
    outage.database_is_back()  # nothing is restarted or reset by hand
    response = client.get("/kommun/katrineholm/")
    assert response.status_code == 200
    assert "Katrineholm" in response.content.decode()
