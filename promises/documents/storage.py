"""Stored PDFs: each file is kept once with its SHA-256 and served byte for byte from then
on; each signing adds a new stored state of the same version."""

import hashlib

from django.core.files.base import ContentFile

from promises.models import Document

STATE_RANK = {state: rank for rank, state in enumerate(Document.State.values)}


def sha256_of(data):
    return hashlib.sha256(data).hexdigest()


def store(*, period, kind, version, state, data, by, year=None, tertial=None):
    document = Document(
        period=period, kind=kind, version=version, state=state, year=year, tertial=tertial,
        sha256=sha256_of(data), size=len(data), created_by=by,
    )
    document.file.save(document.sha256 + ".pdf", ContentFile(data), save=False)
    document.save()
    return document


def read(document):
    with document.file.open("rb") as handle:
        return handle.read()


def agreements(period):
    return Document.objects.filter(period=period, kind=Document.Kind.AGREEMENT)


def latest_agreement(period):
    """The most-signed state of the newest agreement version, or None."""
    documents = list(agreements(period).order_by("-version", "-created_at")[:3])
    if not documents:
        return None
    newest = [d for d in documents if d.version == documents[0].version]
    return max(newest, key=lambda document: STATE_RANK[document.state])


def signature_state(period):
    document = latest_agreement(period)
    return document.state if document else None
