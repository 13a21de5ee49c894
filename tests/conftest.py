"""Fixtures shared by the whole suite."""

import pytest

from followup.demo.loader import load_demo
from promises.models import PromisePeriod


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache, so no page cached from one test's data is
    served in the next (a rolled-back test sends no signals that would retire it)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def katrineholm(db):
    """The three real Katrineholm periods, loaded by the demo loader; keyed by first year."""
    load_demo()
    periods = PromisePeriod.objects.filter(municipality__code="0483").select_related(
        "municipality", "police_area"
    )
    return {period.valid_from.year: period for period in periods}


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def demo_signing_keys_dir(tmp_path_factory):
    """A demo CA and signer keys, made once per run by create_demo_signing_keys."""
    import io

    from django.core.management import call_command
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("signing-keys")
    keys = {party: {"file": str(folder / f"{party}.p12"), "passphrase": ""}
            for party in ("police", "municipality")}
    with override_settings(SIGNING_KEYS_DIR=folder, SIGNING_KEYS=keys):
        call_command("create_demo_signing_keys", stdout=io.StringIO())
    return folder


@pytest.fixture
def signing_keys(settings, demo_signing_keys_dir, tmp_path):
    """Sign with the demo keys and store documents under a throwaway MEDIA_ROOT."""
    settings.SIGNING_KEYS_DIR = demo_signing_keys_dir
    settings.SIGNING_KEYS = {
        party: {"file": str(demo_signing_keys_dir / f"{party}.p12"), "passphrase": ""}
        for party in ("police", "municipality")
    }
    settings.SIGNING_TRUST_ROOTS = [str(demo_signing_keys_dir / "demo-ca.pem")]
    settings.SIGNING_TSA_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo_signing_keys_dir
