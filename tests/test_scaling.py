"""Beyond one machine: read replicas and object storage come from the environment alone."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from config.db_router import PrimaryReplicaRouter, pin_editors_to_primary
from promises.models import PromisePeriod


@pytest.fixture
def settings_with(settings_from_environment):
    """The settings this environment gives (or the error they stop with)."""

    def load(**environment):
        try:
            loaded = settings_from_environment(**environment)
        except ImproperlyConfigured as error:
            return {"error": str(error)}
        return {
            "databases": list(loaded.DATABASES),
            "routers": getattr(loaded, "DATABASE_ROUTERS", []),
            "middleware": loaded.MIDDLEWARE,
            "storage": loaded.STORAGES["default"],
        }

    return load


def test_replica_urls_add_replicas_the_router_and_the_pinning_middleware(settings_with):
    loaded = settings_with(
        DATABASE_REPLICA_URLS="sqlite:////tmp/replica-a.sqlite3,sqlite:////tmp/replica-b.sqlite3"
    )
    assert loaded["databases"] == ["default", "replica1", "replica2"]
    assert loaded["routers"] == ["config.db_router.PrimaryReplicaRouter"]
    assert "config.db_router.pin_editors_to_primary" in loaded["middleware"]


def test_without_replica_urls_there_is_one_database_and_no_router(settings_with):
    loaded = settings_with(DATABASE_REPLICA_URLS="")
    assert loaded["databases"] == ["default"]
    assert loaded["routers"] == []


def test_storage_backend_is_checked_when_the_settings_load(settings_with):
    assert settings_with(STORAGE_BACKEND="filesystem")["storage"]["BACKEND"].endswith(
        "FileSystemStorage"
    )
    assert "filesystem or s3" in settings_with(STORAGE_BACKEND="ftp")["error"]
    s3 = settings_with(STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="documents")
    if "error" in s3:
        assert "django-storages" in s3["error"]
    else:
        assert s3["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
        assert s3["storage"]["OPTIONS"]["bucket_name"] == "documents"


@override_settings(DATABASE_REPLICAS=["replica1"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_citizens_read_from_a_replica_and_editors_and_transactions_from_the_primary():
    router = PrimaryReplicaRouter()
    seen = {}

    def view(request):
        seen[request.method, bool(request.COOKIES)] = router.db_for_read(PromisePeriod)
        return HttpResponse()

    middleware = pin_editors_to_primary(view)
    factory = RequestFactory()
    middleware(factory.get("/"))
    editor = factory.get("/")
    editor.COOKIES["sessionid"] = "x"
    middleware(editor)
    middleware(factory.post("/"))
    assert seen == {
        ("GET", False): "replica1", ("GET", True): "default", ("POST", False): "default",
    }
    with transaction.atomic():
        assert router.db_for_read(PromisePeriod) == "default"
    assert router.db_for_write(PromisePeriod) == "default"
    assert router.allow_migrate("replica1", "promises") is False
