"""Issue, sign and recognise the portal's PDF documents. A file is stored once with its
SHA-256 and served byte for byte from then on; signing adds a new stored state."""

import dataclasses
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from promises import pdf, signing
from promises.models import Document, PromisePeriod, SigningParty

# The order the parties sign in, and the state each signature leads to.
SIGNING_ORDER = {
    SigningParty.POLICE: (Document.State.UNSIGNED, Document.State.SIGNED_BY_POLICE),
    SigningParty.MUNICIPALITY: (
        Document.State.SIGNED_BY_POLICE, Document.State.SIGNED_BY_BOTH,
    ),
}
STATE_RANK = {state: rank for rank, state in enumerate(Document.State.values)}


class DocumentError(Exception):
    """A document cannot be made or signed; the message says why, for the person acting."""


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


def downloadable_by(user):
    """Stored PDFs the user may download: agreements of the periods they may see, and the
    reports of tertials that are public now (a withdrawn report's PDF goes with it); the
    period's editors get every file of their periods."""
    from followup.models import TertialReport

    public_report = TertialReport.objects.public().filter(
        period=OuterRef("period"), year=OuterRef("year"), tertial=OuterRef("tertial")
    )
    return Document.objects.filter(
        period__in=PromisePeriod.objects.visible_to(user)
    ).filter(
        Q(kind=Document.Kind.AGREEMENT)
        | Q(Exists(public_report))
        | Q(period__in=PromisePeriod.objects.readable_by(user))
    )


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


@transaction.atomic
def generate_agreement(period, *, by=None):
    """Render the agreement as a new version, with an empty signature field per party."""
    period = PromisePeriod.objects.select_for_update().get(pk=period.pk)
    version = (agreements(period).aggregate(Max("version"))["version__max"] or 0) + 1
    rendered = pdf.render_agreement(period, version=version, created_at=timezone.now())
    data = signing.add_signature_fields(rendered.data, rendered.signature_boxes)
    return store(
        period=period, kind=Document.Kind.AGREEMENT, version=version,
        state=Document.State.UNSIGNED, data=data, by=by,
    )


@transaction.atomic
def sign_agreement(period, *, party, by=None):
    """Sign the newest agreement version as `party`: the police first, then the municipality."""
    party = SigningParty(party)
    period = PromisePeriod.objects.select_for_update().get(pk=period.pk)
    signatory = period.signatories.filter(party=party).order_by("order", "pk").first()
    if signatory is None:
        raise DocumentError(
            _("“%(period)s” has no signatory for %(party)s; add one before signing.")
            % {"period": period.title, "party": party.label}
        )
    current = latest_agreement(period)
    if current is None and party == SigningParty.POLICE:
        current = generate_agreement(period, by=by)
    required, result = SIGNING_ORDER[party]
    if current is None or STATE_RANK[current.state] < STATE_RANK[required]:
        raise DocumentError(
            _("The municipality signs after the police: the police have not signed version "
              "%(version)s yet.") % {"version": current.version if current else 1}
        )
    if STATE_RANK[current.state] > STATE_RANK[required]:
        raise DocumentError(
            _("%(party)s has already signed version %(version)s of this agreement. To sign "
              "again, generate a new version first.")
            % {"party": party.label, "version": current.version}
        )
    if party not in signed_fields_expected(current):
        raise DocumentError(
            _("Version %(version)s has no signature field for %(party)s; generate a new "
              "version first.") % {"version": current.version, "party": party.label}
        )
    try:
        data = signing.sign_pdf(
            read(current), party=party, signatory_name=signatory.name,
            signatory_title=signatory.title, certify=party == SigningParty.POLICE,
        )
    except signing.SigningKeyError as error:
        raise DocumentError(str(error)) from error
    except FileNotFoundError as error:
        raise DocumentError(
            _("The stored file of version %(version)s is missing; generate a new version.")
            % {"version": current.version}
        ) from error
    except signing.SigningError as error:  # e.g. the TSA could not be reached
        raise DocumentError(
            _("The agreement could not be signed: %(error)s") % {"error": error}
        ) from error
    return store(
        period=period, kind=Document.Kind.AGREEMENT, version=current.version,
        state=result, data=data, by=by,
    )


def signed_fields_expected(document):
    try:
        names = signing.field_names_in(read(document))
    except FileNotFoundError:
        return set()
    return {party for party, name in signing.FIELD_NAMES.items() if name in names}


@transaction.atomic
def generate_tertial_report(report, *, by=None):
    """Render a published tertial report as a new stored version."""
    if not (report.is_published and report.period.is_published):
        raise DocumentError(
            _("Only a published report of a published period is made into a PDF.")
        )
    period = PromisePeriod.objects.select_for_update().get(pk=report.period_id)
    previous = Document.objects.filter(
        period=period, kind=Document.Kind.TERTIAL_REPORT, year=report.year,
        tertial=report.tertial,
    ).aggregate(Max("version"))["version__max"]
    version = (previous or 0) + 1
    rendered = pdf.render_tertial_report(report, version=version, created_at=timezone.now())
    return store(
        period=period, kind=Document.Kind.TERTIAL_REPORT, version=version,
        state=Document.State.UNSIGNED, data=rendered.data, by=by,
        year=report.year, tertial=report.tertial,
    )


@dataclasses.dataclass
class PeriodDocuments:
    """What the period page lists: the current agreement, its earlier versions, and the
    newest PDF of each published tertial report."""

    agreement: Document | None
    earlier_agreements: list
    reports: list

    def __bool__(self):
        return bool(self.agreement or self.reports)


def for_period_page(period, *, published_tertials):
    """One query for the whole documents section; `published_tertials` holds (year, tertial)."""
    agreements_by_version, reports = {}, {}
    rows = Document.objects.filter(period=period).only(
        "period_id", "kind", "year", "tertial", "version", "state", "sha256", "size",
        "created_at",
    ).order_by("-version", "created_at")
    for document in rows:
        if document.kind == Document.Kind.AGREEMENT:
            best = agreements_by_version.get(document.version)
            if best is None or STATE_RANK[document.state] > STATE_RANK[best.state]:
                agreements_by_version[document.version] = document
        elif (document.year, document.tertial) in published_tertials:
            reports.setdefault((document.year, document.tertial), document)
    versions = sorted(agreements_by_version.values(), key=lambda d: -d.version)
    return PeriodDocuments(
        agreement=versions[0] if versions else None,
        earlier_agreements=versions[1:],
        reports=[reports[key] for key in sorted(reports)],
    )


def may_sign(access, period, *, party):
    """Whether the user (a municipalities.permissions.Access) may sign for `party`: the
    police through a police or publisher role in the period's police area, the municipality
    through a coordinator or publisher role in its municipality."""
    if access.is_national:
        return True
    for role, municipality_id, police_area_id in access.memberships:
        if party == SigningParty.POLICE and (
            (role in {"police", "publisher"} and police_area_id == period.police_area_id)
            or (role == "police" and municipality_id == period.municipality_id)
        ):
            return True
        if party == SigningParty.MUNICIPALITY and (
            role in {"coordinator", "publisher"} and municipality_id == period.municipality_id
        ):
            return True
    return False


def generate_missing_tertial_reports(period, *, by=None):
    """A PDF for each published report that has none, or was changed after its last one."""
    from followup.models import TertialReport

    latest = {}
    for document in Document.objects.filter(period=period, kind=Document.Kind.TERTIAL_REPORT):
        key = (document.year, document.tertial)
        if key not in latest or document.version > latest[key].version:
            latest[key] = document
    made = []
    for report in TertialReport.objects.public().filter(period=period).select_related("period"):
        document = latest.get((report.year, report.tertial))
        if document is None or report.updated_at > document.created_at:
            made.append(generate_tertial_report(report, by=by))
    return made


@dataclasses.dataclass
class Verification:
    sha256: str
    document: Document | None
    signatures: list

    @property
    def is_known(self):
        return self.document is not None

    @property
    def ok(self):
        return self.is_known and all(signature.ok for signature in self.signatures)


def verify(data):
    """What the portal knows about these PDF bytes; raises signing.UnreadablePdf."""
    signatures = signing.read_signatures(data)
    digest = sha256_of(data)
    document = (
        Document.objects.select_related("period__municipality", "period__police_area")
        .filter(sha256=digest).first()
    )
    return Verification(sha256=digest, document=document, signatures=signatures)
