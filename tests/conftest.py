"""Fixtures shared by the whole suite.

The Katrineholm demo is loaded once per run, into the test database itself. A test that asks
for `katrineholm` starts from it; every other test that uses the database starts, as before,
from the database as the migrations leave it: the demo's rows are deleted inside that test's
transaction, which is rolled back afterwards.
"""

import importlib.util
import io
import signal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation

from followup.demo.loader import load_demo
from promises.models import PromisePeriod


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """MD5 instead of PBKDF2's many rounds: the suite logs users in hundreds of times.
    Only here; the production settings keep Django's default hashers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def single_publisher():
    """One publisher publishes alone (PORTAL_DUAL_APPROVAL off), so the many tests that
    publish call `publish` directly. The approval tests (tests/test_approval.py) and the
    permission matrix turn both parties' approval on, as it ships."""
    with override_settings(PORTAL_DUAL_APPROVAL=False):
        yield


def _row_ids():
    """{model: set of primary keys} for every table, many-to-many tables included."""
    return {
        model: set(model._base_manager.values_list("pk", flat=True))
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the demo loaded and committed once for the whole run.

    Its value is what the demo added, {model: primary keys}, so a test that must not see the
    demo can delete exactly those rows (see `database_as_migrated`)."""
    with django_db_blocker.unblock():
        before = _row_ids()
        # A database kept from an earlier run (--reuse-db) already holds the demo, and
        # which rows are the demo's would be unknown.
        assert load_demo(), "The test database already holds the demo; run without --reuse-db."
        after = _row_ids()
    return {model: sorted(after[model] - before[model]) for model in after
            if after[model] - before[model]}


@pytest.fixture(autouse=True)
def database_as_migrated(request):
    """Without the demo for every test that uses the database but does not ask for
    `katrineholm`: the demo's rows are deleted in the test's own transaction.

    Transactional tests (the browser tests, `transaction=True`) are left alone: Django empties
    the database after each of them, and they load what they need themselves."""
    uses_database = "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    if "katrineholm" in request.fixturenames or not uses_database:
        return
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("db")
    if not connection.in_atomic_block:
        return
    demo_rows = request.getfixturevalue("django_db_setup")
    with connection.cursor() as cursor:
        # Foreign keys are checked at commit (Django makes them deferrable), so the order of
        # the tables does not matter, and the test's rollback brings the demo back.
        for model, pks in demo_rows.items():
            cursor.execute(
                "DELETE FROM %s WHERE %s IN (%s)" % (
                    connection.ops.quote_name(model._meta.db_table),
                    connection.ops.quote_name(model._meta.pk.column),
                    ", ".join(["%s"] * len(pks)),
                ),
                # As stored: SQLite keeps a UUID key (the task queue's) as 32 hex digits.
                [model._meta.pk.get_db_prep_value(pk, connection) for pk in pks],
            )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite's test database in a file, not in memory, so a server in another process (the
    page-cache test runs two) reads the same rows as the test; PostgreSQL's is shared anyway.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def page_cache_folder(tmp_path_factory):
    """A file cache of this run's own (the default store is a folder of files): another test
    run, or a development server in the same checkout, never shares its pages."""
    from django.conf import settings

    store = settings.CACHES["default"]
    if not store["BACKEND"].endswith("FileBasedCache"):
        yield None
        return
    folder = tmp_path_factory.mktemp("page-cache")
    with override_settings(CACHES={"default": {**store, "LOCATION": str(folder)}}):
        yield folder


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache, so no page cached from one test's data is
    served in the next (a rolled-back test sends no signals that would retire it)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def swedish():
    """Every test starts in Swedish, the site's language: reverse() and gettext outside a
    request use whatever language an earlier test's request left active."""
    with translation.override("sv"):
        yield


@pytest.fixture
def english():
    """Messages are matched in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def katrineholm(db):
    """The three real Katrineholm periods from the demo loader; keyed by first year."""
    periods = PromisePeriod.objects.filter(municipalities__code="0483")
    if not periods.exists():
        load_demo()  # a transactional test emptied the database before this one
    periods = periods.select_related("police_area")
    return {period.valid_from.year: period for period in periods}


@pytest.fixture
def visit(client):
    """visit(url): the page as `client` gets it now (the page cache emptied first, a 200
    required), and the number of queries it cost."""
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    def get(url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        return response.content.decode(), len(queries)

    return get


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(user)
    return client


@pytest.fixture
def settings_from_environment(monkeypatch):
    """A function that runs config/settings.py afresh with some environment variables set
    and returns it as a module of its own; the settings of this run stay as they are."""

    def load(**environment):
        with monkeypatch.context() as patch:
            for name, value in environment.items():
                patch.setenv(name, value)
            spec = importlib.util.find_spec("config.settings")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture(scope="session")
def demo_signing_keys_dir(tmp_path_factory):
    """A demo CA, made once per run (each organisation's key is issued per test)."""
    from promises.management.commands.create_demo_signing_keys import demo_ca

    folder = tmp_path_factory.mktemp("signing-keys")
    demo_ca(folder)
    return folder


@pytest.fixture
def signing_keys(settings, demo_signing_keys_dir, tmp_path, katrineholm):
    """Every organisation of the demo periods has a demo key signed by the demo CA, which
    the portal trusts; documents are stored under a throwaway MEDIA_ROOT."""
    import io

    from django.core.management import call_command

    settings.SIGNING_KEYS_DIR = demo_signing_keys_dir
    settings.SIGNING_TRUST_ROOTS = [str(demo_signing_keys_dir / "demo-ca.pem")]
    settings.SIGNING_TSA_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("create_demo_signing_keys", stdout=io.StringIO())
    return demo_signing_keys_dir


@pytest.fixture
def run_worker():
    """A function that runs the task worker (`manage.py db_worker --batch`) over every task
    queued in the database and due now, as the worker service does, then exits. Needs a
    transactional test: the worker checks its connection between tasks, as in production."""

    def run():
        # The worker installs its own Ctrl-C and TERM handlers; give pytest its own back.
        saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            call_command(
                "db_worker", "--batch", "--no-startup-delay", "--no-reload",
                verbosity=0, stdout=io.StringIO(),
            )
        finally:
            for number, handler in saved.items():
                signal.signal(number, handler)

    return run
