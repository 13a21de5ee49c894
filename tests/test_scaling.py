"""Beyond one machine: read replicas and object storage come from the environment alone."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from config.db_router import PrimaryReplicaRouter, pin_editors_to_primary
from promises.models import PromisePeriod

PROJECT = Path(__file__).resolve().parent.parent


def settings_with(**environment):
    """The settings a fresh process builds from this environment (or its error)."""
    code = (
        "import json, django\n"
        "from django.conf import settings\n"
        "try:\n"
        "    django.setup()\n"
        "    print(json.dumps({'databases': list(settings.DATABASES),"
        " 'routers': settings.DATABASE_ROUTERS, 'middleware': settings.MIDDLEWARE,"
        " 'storage': settings.STORAGES['default']}))\n"
        "except Exception as error:\n"
        "    print(json.dumps({'error': str(error)}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_replica_urls_add_replicas_the_router_and_the_pinning_middleware():
    loaded = settings_with(
        DATABASE_REPLICA_URLS="sqlite:////tmp/replica-a.sqlite3,sqlite:////tmp/replica-b.sqlite3"
    )
    assert loaded["databases"] == ["default", "replica1", "replica2"]
    assert loaded["routers"] == ["config.db_router.PrimaryReplicaRouter"]
    assert "config.db_router.pin_editors_to_primary" in loaded["middleware"]


def test_without_replica_urls_there_is_one_database_and_no_router():
    loaded = settings_with(DATABASE_REPLICA_URLS="")
    assert loaded["databases"] == ["default"]
    assert loaded["routers"] == []


def test_storage_backend_is_checked_when_the_settings_load():
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
@pytest.mark.django_db(transaction=True)
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
