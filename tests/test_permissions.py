"""The permission matrix: every admin address and action, the tertial screen and the public
preview, download and verification, for every role in its own municipality and in another.
Every cell is asserted exactly, and a refused write changes nothing.

Refusals answer alike everywhere. A user who may not use a kind of row at all is refused
(403) at each of its addresses, as on its list. One who may finds nothing (404) at a row
they may not read (another municipality's), and is refused (403) where they may read the
row but not do what they asked. An admin action the user may not run is not offered
(Django's "No action selected."); rows they may not read cannot be selected, so an action
on them touches nothing.

The world is built once for the module (two municipalities, each with a draft period, an
agreement and what they hold) and every step runs in a savepoint that is rolled back, so
each starts from the same rows.
"""

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from followup.models import FollowUp, TertialReport, YearEndComment
from municipalities.models import (
    AuditEvent, County, Membership, Municipality, PoliceArea, PoliceRegion,
)
from promises.documents import keys
from promises.documents import services as documents
from promises.documents.storage import issued
from promises.management.commands.create_demo_signing_keys import demo_ca, issue
from promises.models import (
    Activity, Agreement, AgreementSection, Document, FocusArea, Indicator, Priority, Promise,
    PromisePeriod, Signatory, SigningKey,
)
from promises.publishing import publish
from public.models import Subscription
from public.tasks import send_confirmation
from tests.factories import form_fields, make_member, make_period

ROLES = ("admin", "coordinator", "lead", "police", "publisher", "signer", "reviewer")
WHERE = ("own", "other")

EVERY = frozenset(ROLES)
NATIONAL = frozenset({"admin"})
NOBODY = frozenset()
EDITORS = frozenset({"admin", "coordinator", "lead"})
PUBLISHERS = frozenset({"admin", "publisher"})
# Who approves a period or tertial report for publication: a party's own publisher (a
# national administrator is neither party), with PORTAL_DUAL_APPROVAL on, as it ships.
APPROVERS = frozenset({"publisher"})
# Who makes a PDF version: whoever prepares, publishes or signs it.
MAKERS = EDITORS | {"publisher", "signer"}
# Police coordinators enter the follow-up of the rows the police report.
ENTERERS = EDITORS | {"police"}
# Municipality roles (a police coordinator's membership names the police area only).
MUNICIPAL = EVERY - {"police"}


# The world -----------------------------------------------------------------------------------

@dataclass
class Side:
    """One municipality's rows: what "own" or "other" points at."""

    municipality: Municipality
    area: PoliceArea  # serves the municipality; its periods' police area
    spare_area: PoliceArea  # serves it too, and holds nothing: merged or deleted
    period: PromisePeriod  # a draft, 2026, without a PDF
    police_promise: Promise
    municipal_promise: Promise
    activity: Activity  # the police promise's
    fresh_activity: Activity  # the police promise's, with no follow-up yet
    followup: FollowUp  # the police promise's own, 2026 T1
    municipal_followup: FollowUp  # the municipal promise's own, 2026 T1
    report: TertialReport  # the draft report for 2026 T1 (the period has none for T3)
    comment: YearEndComment  # the police promise's 2026 comment
    agreement: Agreement  # a draft, without a PDF
    documented_period: PromisePeriod  # a draft, 2028, whose PDF version 1 is made
    documented_agreement: Agreement  # a draft whose PDF version 1 is made
    membership: Membership  # a colleague's reviewer membership
    key: SigningKey  # the municipality's
    audit_event: AuditEvent
    extra: dict = None  # rows that belong to neither municipality (the same on both sides)


@dataclass
class World:
    sides: dict  # "own" and "other"
    members: dict  # role → User (in the own municipality, or national)
    sessions: dict  # role → the session key they are signed in with, for the whole module
    root: Client  # a superuser, who reads every form
    clients: dict = field(default_factory=dict)

    def client(self, role):
        """The role's client, in its session and with no cookie left from an earlier step
        (messages, or a session a logout replaced). One per role: a new client loads the
        middleware again, and WhiteNoise reads the static files anew each time."""
        client = self.clients.setdefault(role, Client())
        client.cookies.clear()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_side(municipality, ca):
    period = make_period(municipality, year=2026, promises=2, activities=1, indicators=1,
                         published=False, reports=())
    TertialReport.objects.filter(period=period, tertial=3).delete()
    police_promise = period.promises.get(party="police")
    municipal_promise = period.promises.get(party="municipality")
    YearEndComment.objects.filter(promise=municipal_promise).delete()
    area = period.police_area
    spare = PoliceArea.objects.create(
        name=f"Reservområde {municipality.name}", police_region=area.police_region
    )
    spare.municipalities.add(municipality)
    agreement = make_agreement(municipality, area, "Samverkansöverenskommelse", 2024)
    documented_period = make_period(municipality, year=2028, promises=1, activities=0,
                                    indicators=0, published=False, reports=())
    documented_agreement = make_agreement(municipality, area, "Överenskommelse med PDF", 2029)
    for organisation in (municipality, area):
        owner = "municipality" if isinstance(organisation, Municipality) else "police_area"
        keys.save_pkcs12(SigningKey(**{owner: organisation}), issue(organisation, *ca), "")
    documents.generate_document(documented_period)
    documents.generate_document(documented_agreement)
    colleague = User.objects.create_user(f"kollega-{municipality.code}", is_staff=True)
    activity = police_promise.activities.get()
    return Side(
        municipality=municipality,
        area=area,
        spare_area=spare,
        period=period,
        police_promise=police_promise,
        municipal_promise=municipal_promise,
        activity=activity,
        fresh_activity=Activity.objects.create(promise=police_promise, order=5,
                                               text="Trygghetsvandring utan uppföljning"),
        followup=FollowUp.objects.get(promise=police_promise, activity=None, indicator=None,
                                      year=2026, tertial=1),
        municipal_followup=FollowUp.objects.get(promise=municipal_promise, activity=None,
                                                indicator=None, year=2026, tertial=1),
        report=TertialReport.objects.get(period=period, year=2026, tertial=1),
        comment=YearEndComment.objects.get(promise=police_promise, year=2026),
        agreement=agreement,
        documented_period=documented_period,
        documented_agreement=documented_agreement,
        membership=Membership.objects.create(user=colleague, role="reviewer",
                                             municipality=municipality),
        key=SigningKey.objects.get(municipality=municipality),
        audit_event=AuditEvent.objects.create(action="login", username=colleague.username),
    )


def make_agreement(municipality, area, title, year):
    agreement = Agreement.objects.create(
        police_area=area, title=f"{title} {municipality.name}",
        valid_from=datetime.date(year, 1, 1), valid_to=datetime.date(year + 1, 12, 31),
    )
    agreement.municipalities.add(municipality)
    AgreementSection.objects.create(agreement=agreement, order=1, heading="Syfte",
                                    text="Tryggare tillsammans.")
    FocusArea.objects.create(agreement=agreement, order=1, name="Trygg stadskärna")
    Signatory.objects.create(agreement=agreement, order=1, party="police", name="Anna Polis",
                             title="Lokalpolisområdeschef")
    Signatory.objects.create(agreement=agreement, order=2, party="municipality",
                             name="Bo Kommun", title="Kommunstyrelsens ordförande")
    return agreement


def build_world(ca):
    # Neither is the demo's municipality, whose rows each test deletes (conftest.py).
    own = build_side(Municipality.objects.get(code="0428"), ca)  # Vingåker
    other = build_side(Municipality.objects.get(code="0482"), ca)  # Flen
    members = {"admin": make_member("admin", username="nationell")}
    for role in ("coordinator", "lead", "publisher", "signer", "reviewer"):
        members[role] = make_member(role, municipality=own.municipality, username=role)
    members["police"] = make_member("police", police_area=own.area, username="polis")
    root = Client()
    root.force_login(User.objects.create_superuser("root", "root@example.org", "x" * 16))
    colleague = own.membership.user
    extra = {
        "group": Group.objects.create(name="Samordnare"),
        "user": colleague,
        "device": TOTPDevice.objects.create(user=colleague, name="Telefon", confirmed=True),
        "attempt": AccessAttempt.objects.create(
            username="kollega", ip_address="10.0.0.1", user_agent="test", get_data="",
            post_data="", failures_since_start=1,
        ),
        "log": AccessLog.objects.create(username="kollega", ip_address="10.0.0.1",
                                        user_agent="test"),
        "failure": AccessFailureLog.objects.create(username="kollega", ip_address="10.0.0.1",
                                                   user_agent="test"),
        "subscription": Subscription.objects.create(
            email="medborgare@example.org", municipality=own.municipality,
        ),
        # A task waiting in the database queue (queued, never run: no worker in this test).
        "task": DBTaskResult.objects.get(pk=send_confirmation.using(
            backend="default").enqueue(0).id),
        "region": PoliceRegion.objects.create(name="Provregionen", slug="provregionen"),
        "county": County.objects.create(
            code="97", name="Provlänet", police_region=own.area.police_region
        ),
    }
    extra["spare_county"] = County.objects.create(
        code="95", name="Reservlänet", police_region=own.area.police_region
    )
    extra["municipality"] = Municipality.objects.create(
        code="9998", name="Provkommunen", slug="provkommunen", county=extra["county"]
    )
    extra["newcomer"] = User.objects.create_user("nykomling", is_staff=True)
    own.extra = other.extra = extra
    return World(
        sides={"own": own, "other": other}, members=members, root=root,
        sessions={role: signed_in(user) for role, user in members.items()},
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, demo_signing_keys_dir, tmp_path_factory):
    """Built once, inside a transaction rolled back after the module's last test; each test
    runs in a savepoint within it."""
    configured = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        SIGNING_KEYS_DIR=demo_signing_keys_dir,
        SIGNING_TRUST_ROOTS=[str(demo_signing_keys_dir / "demo-ca.pem")],
        SIGNING_TSA_URL="",
        PORTAL_DUAL_APPROVAL=True,
    )
    configured.enable()
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            built = build_world(demo_ca(demo_signing_keys_dir))
        except BaseException as error:
            outer.__exit__(type(error), error, error.__traceback__)
            configured.disable()
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    configured.disable()


# Looking and acting --------------------------------------------------------------------------

def fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def gone(obj):
    return not type(obj)._base_manager.filter(pk=obj.pk).exists()


def admin_url(model, route, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{route}", args=args)


SUPERUSER_FORMS = {}


def superuser_form(world, url, form_id):
    """The fields a browser would submit from the form as a superuser sees it. Kept for the
    module: every step starts from the same rows, so the same address shows the same form."""
    key = (id(world), url, form_id)
    if key not in SUPERUSER_FORMS:
        response = world.root.get(url)
        assert response.status_code == 200, (url, response.status_code)
        SUPERUSER_FORMS[key] = form_fields(response.content.decode(), form_id)
    return {name: list(values) for name, values in SUPERUSER_FORMS[key].items()}


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def undone(step):
    """Run a step in a savepoint that is then rolled back: each starts from the world."""
    with transaction.atomic():
        try:
            return step()
        finally:
            transaction.set_rollback(True)


def outcome(response, done):
    """What a write did: "done" (redirected, and the change is there), "refused" (the form
    shown again with errors), or the refusal's status; never a change behind a refusal."""
    if done():
        return "done" if response.status_code == 302 else f"{response.status_code}, yet done"
    return "refused" if response.status_code == 200 else response.status_code


def action_outcome(response, done):
    """What an admin action did: "done"; "not offered" (Django's "No action selected.", or
    the list shown again when the user has no action at all); "not selectable" (the rows
    were not in the user's list, so nothing was touched); else the status."""
    if done():
        return "done" if response.status_code == 302 else f"{response.status_code}, yet done"
    messages = messages_of(response)
    if response.status_code == 302 and messages == [gettext("No action selected.")]:
        return "not offered"
    no_actions = response.context and response.context.get("action_form", "") is None
    if response.status_code == 200 and no_actions:
        return "not offered"
    if response.status_code == 302 and not messages:
        return "not selectable"
    return response.status_code if not messages else f"{response.status_code}: {messages}"


def may(roles, role, where, scoped=True):
    """Whether `role` (held in the own municipality, or nationally) covers a row of `where`."""
    return role in roles and (where == "own" or role == "admin" or not scoped)


def object_answer(role, where, *, reads, allowed, answer="done", row_reads=None, scoped=True):
    """The answer at a row's address: 403 to those who may not use that kind of row at all,
    404 to those who may not read this one, 403 to readers not allowed, else `answer`."""
    if role not in reads:
        return 403
    if not may(reads if row_reads is None else row_reads, role, where, scoped):
        return 404
    return answer if may(allowed, role, where, scoped) else 403


def action_answer(role, where, *, reads, allowed, scoped=True):
    if role not in reads:
        return 403  # the list itself is refused
    if role not in allowed:
        return "not offered"
    return "done" if may(allowed, role, where, scoped) else "not selectable"


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


ADMIN_ROUTES = list(walk(admin.site.urls[0]))
ALL_ROUTE_NAMES = {name for _pattern, name in ADMIN_ROUTES if name}


# The admin of each model ----------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    allowed: frozenset
    target: Callable  # side → the row (or rows) selected
    done: Callable  # the target → whether the action took effect
    data: dict = field(default_factory=dict)  # what its confirmation page submits
    before: Callable = None  # the target → setup, inside the step's savepoint


@dataclass(frozen=True)
class AdminSpec:
    """One ModelAdmin: who reads, changes and deletes its rows, the row each step acts on,
    and its actions."""

    model: type
    reads: frozenset
    changes: frozenset
    target: Callable  # side → the row opened, changed and reverted
    change: tuple  # (field, submitted value)
    add: Callable = lambda side: ({}, {"pk": 0})  # side → (submitted fields, added row's lookup)
    adds: frozenset = None  # default: as changes
    deletes: frozenset = None
    reverts: frozenset = None
    delete_target: Callable = None  # default: the target
    delete_reads: frozenset = None  # who may read the delete target, when not `reads`
    scoped: bool = True  # its rows belong to a municipality (else reference data, logs)
    search: Callable = None  # side → the list search that finds the target
    actions: dict = field(default_factory=dict)

    @property
    def name(self):
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"

    @property
    def reverts_in_admin(self):
        return f"{self.name}_simple_history" in ALL_ROUTE_NAMES

    def routes(self):
        names = {f"{self.name}_{route}"
                 for route in ("changelist", "add", "change", "history", "delete")}
        if self.reverts_in_admin:
            names.add(f"{self.name}_simple_history")
        return names

    def expected(self, role, where):
        def at_row(allowed, answer="done", row_reads=None):
            return object_answer(role, where, reads=self.reads, allowed=allowed, answer=answer,
                                 row_reads=row_reads, scoped=self.scoped)

        adds = self.changes if self.adds is None else self.adds
        cells = {
            "changelist": 403 if role not in self.reads else (
                "listed" if may(self.reads, role, where, self.scoped) else "not listed"),
            "change": at_row(self.reads, 200),
            "history": at_row(self.reads, 200),
            "change_post": at_row(self.changes),
            "add": 403 if role not in adds else (
                "done" if may(adds, role, where, self.scoped) else "refused"),
            "delete": at_row(self.changes if self.deletes is None else self.deletes,
                             row_reads=self.delete_reads),
        }
        if self.reverts_in_admin:
            # Only rows with a history are reverted; for the others there is no version.
            cells["revert"] = at_row(
                self.changes if self.reverts is None else self.reverts
            ) if hasattr(self.model, "history") else at_row(EVERY, 404)
        for name, action in self.actions.items():
            cells[name] = action_answer(role, where, reads=self.reads, allowed=action.allowed,
                                        scoped=self.scoped)
        return cells


def published_already(obj):
    """Published as if both parties had approved it."""
    with override_settings(PORTAL_DUAL_APPROVAL=False):
        publish(obj, by=None)


def approved_or_published(obj):
    return fresh(obj).is_published or obj.approvals.exists()


def publishing(target):
    return {
        "publish_selected": Action(PUBLISHERS, target, lambda obj: fresh(obj).is_published),
        "unpublish_selected": Action(
            PUBLISHERS, target, lambda obj: fresh(obj).was_withdrawn,
            data={"confirm": "yes", "reason": "Felaktiga uppgifter"},
            before=published_already,
        ),
    }


def approving(target):
    """Periods and tertial reports: both parties approve instead of one publishing; either
    withdraws alone."""
    return {
        "approve_selected": Action(APPROVERS, target, approved_or_published),
        "unpublish_selected": publishing(target)["unpublish_selected"],
    }


def deleting(allowed, target):
    return {"delete_selected": Action(allowed, target, gone, data={"post": "yes"})}


def next_year_copy_exists(period):
    return PromisePeriod.objects.filter(
        police_area=period.police_area, valid_from=datetime.date(2027, 1, 1)
    ).exists()


SPECS = [
    AdminSpec(
        PromisePeriod, reads=EVERY, changes=EDITORS, target=lambda s: s.period,
        change=("title", "Ändrad titel"),
        add=lambda s: ({"parties": s.municipality.pk, "police_area": s.area.pk,
                        "title": "Nytt medborgarlöfte", "valid_from": "2030-01-01",
                        "valid_to": "2030-12-31"}, {"title": "Nytt medborgarlöfte"}),
        actions={
            **approving(lambda s: s.period),
            "generate_documents": Action(MAKERS, lambda s: s.period,
                                         lambda obj: issued(obj).exists()),
            "copy_as_next_draft": Action(EDITORS, lambda s: s.period, next_year_copy_exists),
            **deleting(EDITORS, lambda s: s.period),
        },
    ),
    AdminSpec(
        Agreement, reads=EVERY, changes=EDITORS, target=lambda s: s.agreement,
        change=("title", "Ändrad titel"),
        add=lambda s: ({"municipalities": s.municipality.pk, "police_area": s.area.pk,
                        "title": "Ny överenskommelse", "valid_from": "2030-01-01",
                        "valid_to": "2031-12-31"}, {"title": "Ny överenskommelse"}),
        actions={
            **publishing(lambda s: s.agreement),
            "generate_documents": Action(MAKERS, lambda s: s.agreement,
                                         lambda obj: issued(obj).exists()),
            **deleting(EDITORS, lambda s: s.agreement),
        },
    ),
    AdminSpec(
        Promise, reads=EVERY, changes=EDITORS, target=lambda s: s.police_promise,
        change=("text", "Ändrat löfte"),
        add=lambda s: ({"period": s.period.pk, "order": 9, "party": "police",
                        "text": "Nytt löfte"}, {"text": "Nytt löfte"}),
        actions=deleting(EDITORS, lambda s: s.police_promise),
    ),
    AdminSpec(
        Activity, reads=EVERY, changes=EDITORS, target=lambda s: s.activity,
        change=("text", "Ändrad aktivitet"),
        add=lambda s: ({"promise": s.police_promise.pk, "order": 9, "text": "Ny aktivitet"},
                       {"text": "Ny aktivitet"}),
        actions=deleting(EDITORS, lambda s: s.activity),
    ),
    AdminSpec(
        Indicator, reads=EVERY, changes=EDITORS,
        target=lambda s: s.police_promise.indicators.get(), change=("name", "Ändrat mått"),
        add=lambda s: ({"promise": s.police_promise.pk, "order": 9, "name": "Nytt mått"},
                       {"name": "Nytt mått"}),
        actions=deleting(EDITORS, lambda s: s.police_promise.indicators.get()),
    ),
    AdminSpec(
        Priority, reads=EVERY, changes=EDITORS, target=lambda s: s.period.priorities.get(),
        change=("text", "Ändrad prioritering"),
        add=lambda s: ({"period": s.period.pk, "order": 9, "text": "Ny prioritering"},
                       {"text": "Ny prioritering"}),
        actions=deleting(EDITORS, lambda s: s.period.priorities.get()),
    ),
    AdminSpec(
        FocusArea, reads=EVERY, changes=EDITORS, target=lambda s: s.period.focus_areas.get(),
        change=("name", "Ändrat fokusområde"),
        add=lambda s: ({"period": s.period.pk, "order": 9, "name": "Nytt fokusområde"},
                       {"name": "Nytt fokusområde"}),
        actions=deleting(EDITORS, lambda s: s.period.focus_areas.get()),
    ),
    AdminSpec(
        Signatory, reads=EVERY, changes=EDITORS,
        target=lambda s: s.period.signatories.get(party="municipality"),
        change=("title", "Kommunalråd"),
        add=lambda s: ({"period": s.period.pk, "order": 9, "party": "municipality",
                        "title": "Ny undertecknare"}, {"title": "Ny undertecknare"}),
        actions=deleting(EDITORS, lambda s: s.period.signatories.get(party="municipality")),
    ),
    AdminSpec(
        # The target is the police promise's own follow-up: police coordinators enter it.
        FollowUp, reads=EVERY, changes=ENTERERS, adds=EDITORS, deletes=EDITORS,
        target=lambda s: s.followup, change=("account", "Ändrad redovisning"),
        add=lambda s: ({"promise": s.police_promise.pk, "activity": s.fresh_activity.pk,
                        "year": 2026, "tertial": 1, "status": "ongoing",
                        "account": "Ny redovisning"}, {"activity": s.fresh_activity}),
        actions=deleting(EDITORS, lambda s: s.followup),
    ),
    AdminSpec(
        TertialReport, reads=EVERY, changes=EDITORS, target=lambda s: s.report,
        change=("summary", "Ändrad sammanfattning"),
        add=lambda s: ({"period": s.period.pk, "year": 2026, "tertial": 3,
                        "summary": "Ny rapport"}, {"period": s.period, "tertial": 3}),
        actions={**approving(lambda s: s.report), **deleting(EDITORS, lambda s: s.report)},
    ),
    AdminSpec(
        YearEndComment, reads=EVERY, changes=EDITORS, target=lambda s: s.comment,
        change=("text", "Ändrad kommentar"),
        add=lambda s: ({"promise": s.municipal_promise.pk, "year": 2026,
                        "text": "Ny kommentar"}, {"promise": s.municipal_promise}),
        actions=deleting(EDITORS, lambda s: s.comment),
    ),
    AdminSpec(
        # Deleted and merged: the spare area, which holds nothing (the police coordinator's
        # membership names the other area, so they do not read it).
        PoliceArea, reads=EVERY, changes=EDITORS, deletes=NATIONAL, reverts=EDITORS,
        target=lambda s: s.area, change=("district_name", "Polisområde Prov"),
        add=lambda s: ({"name": "Nytt lokalpolisområde", "municipalities": s.municipality.pk},
                       {"name": "Nytt lokalpolisområde"}),
        delete_target=lambda s: s.spare_area, delete_reads=MUNICIPAL,
        actions={
            "merge": Action(NATIONAL, lambda s: [s.area, s.spare_area],
                            lambda areas: gone(areas[1]), data={"keep": "first"}),
            **deleting(NATIONAL, lambda s: s.spare_area),
        },
    ),
    AdminSpec(
        Membership, reads=frozenset({"admin", "lead"}), changes=frozenset({"admin", "lead"}),
        reverts=NATIONAL, target=lambda s: s.membership, change=("role", "publisher"),
        add=lambda s: ({"user": s.extra["newcomer"].pk, "role": "reviewer",
                        "municipality": s.municipality.pk}, {"user": s.extra["newcomer"]}),
        actions=deleting(frozenset({"admin", "lead"}), lambda s: s.membership),
    ),
    AdminSpec(
        SigningKey, reads=NATIONAL, changes=NATIONAL, target=lambda s: s.key,
        change=("pkcs11_token", "Token 2"),
        add=lambda s: ({"police_area": s.spare_area.pk, "kind": "pkcs11",
                        "pkcs11_module": "/usr/lib/softhsm/libsofthsm2.so"},
                       {"police_area": s.spare_area}),
        actions=deleting(NATIONAL, lambda s: s.key),
    ),
]
# Reference data: read by every member, changed by national administrators.
REFERENCE_SPECS = [
    AdminSpec(
        PoliceRegion, reads=EVERY, changes=NATIONAL, scoped=False,
        target=lambda s: s.extra["region"], change=("name", "Provregionen två"),
        add=lambda s: ({"name": "Ny region", "slug": "ny-region"}, {"name": "Ny region"}),
        actions=deleting(NATIONAL, lambda s: s.extra["region"]),
    ),
    AdminSpec(
        County, reads=EVERY, changes=NATIONAL, scoped=False,
        target=lambda s: s.extra["county"], change=("name", "Provlänet två"),
        add=lambda s: ({"code": "96", "name": "Nytt län",
                        "police_region": s.extra["region"].pk}, {"name": "Nytt län"}),
        delete_target=lambda s: s.extra["spare_county"],
        actions=deleting(NATIONAL, lambda s: s.extra["spare_county"]),
    ),
    AdminSpec(
        Municipality, reads=EVERY, changes=NATIONAL, scoped=False,
        target=lambda s: s.extra["municipality"], change=("official_name", "Provstaden"),
        add=lambda s: ({"code": "9997", "name": "Nykommun", "slug": "nykommun",
                        "county": s.extra["county"].pk}, {"name": "Nykommun"}),
        search=lambda s: "Provkommunen",
        actions=deleting(NATIONAL, lambda s: s.extra["municipality"]),
    ),
    AdminSpec(
        AuditEvent, reads=NATIONAL, changes=NOBODY, scoped=False,
        target=lambda s: s.audit_event, change=("username", "någon annan"),
        search=lambda s: s.audit_event.username,
    ),
    # Citizens' addresses: national administrators find one and delete it, nobody edits.
    AdminSpec(
        Subscription, reads=NATIONAL, changes=NOBODY, adds=NOBODY, deletes=NATIONAL,
        scoped=False, target=lambda s: s.extra["subscription"],
        change=("email", "annan@example.org"),
        actions=deleting(NATIONAL, lambda s: s.extra["subscription"]),
    ),
    # The task queue: read only, for national administrators.
    AdminSpec(
        DBTaskResult, reads=NATIONAL, changes=NOBODY, adds=NOBODY, deletes=NOBODY,
        scoped=False, target=lambda s: s.extra["task"], change=("queue_name", "annan"),
    ),
]
# Django's and the libraries' own admins: superusers only, whatever the role.
SUPERUSER_SPECS = [
    AdminSpec(model, reads=NOBODY, changes=NOBODY, scoped=False, target=target,
              change=change, actions={name: Action(NOBODY, target, gone) for name in actions})
    for model, target, change, actions in [
        (User, lambda s: s.extra["user"], ("first_name", "Kalle"), ["delete_selected"]),
        (Group, lambda s: s.extra["group"], ("name", "Grupp"), ["delete_selected"]),
        (AccessAttempt, lambda s: s.extra["attempt"], ("username", "x"),
         ["delete_selected", "cleanup_expired_attempts"]),
        (AccessLog, lambda s: s.extra["log"], ("username", "x"), ["delete_selected"]),
        (AccessFailureLog, lambda s: s.extra["failure"], ("username", "x"),
         ["delete_selected"]),
    ]
] + [
    # A national administrator resets a lost two-factor device by deleting it; only
    # superusers add devices or change their settings.
    AdminSpec(TOTPDevice, reads=NATIONAL, changes=NOBODY, deletes=NATIONAL, scoped=False,
              target=lambda s: s.extra["device"], change=("name", "Ny telefon"),
              actions={"delete_selected": Action(NATIONAL, lambda s: s.extra["device"], gone,
                                                 data={"post": "yes"})}),
]
ALL_SPECS = SPECS + REFERENCE_SPECS + SUPERUSER_SPECS


# The steps ----------------------------------------------------------------------------------

def form_id(model):
    return f"{model._meta.model_name}_form"


def submitted(fields):
    return {name: [str(v) for v in (value if isinstance(value, list) else [value])]
            for name, value in fields.items()}


def step_changelist(spec, side, client):
    query = {"q": spec.search(side)} if spec.search else {}
    response = client.get(admin_url(spec.model, "changelist"), query)
    if response.status_code != 200:
        return response.status_code
    link = admin_url(spec.model, "change", spec.target(side).pk)
    return "listed" if link in response.content.decode() else "not listed"


def step_change_post(spec, world, side, client):
    obj = spec.target(side)
    url = admin_url(spec.model, "change", obj.pk)
    data = superuser_form(world, url, form_id(spec.model))
    name, value = spec.change
    data[name], data["_save"] = [value], ["Spara"]
    return outcome(client.post(url, data), lambda: str(getattr(fresh(obj), name)) == value)


def step_add(spec, world, side, client):
    url = admin_url(spec.model, "add")
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code
    fields, lookup = spec.add(side)
    data = superuser_form(world, url, form_id(spec.model))
    data.update(submitted(fields))
    data["_save"] = ["Spara"]
    response = client.post(url, data)
    return outcome(response, lambda: spec.model._base_manager.filter(**lookup).exists())


def step_delete(spec, side, client):
    obj = (spec.delete_target or spec.target)(side)
    url = admin_url(spec.model, "delete", obj.pk)
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code
    return outcome(client.post(url, {"post": "yes"}), lambda: gone(obj))


def step_revert(spec, world, side, client):
    """Change the row, then restore the version before the change from its history."""
    obj = fresh(spec.target(side))
    if hasattr(spec.model, "history"):
        name, value = spec.change
        original = getattr(obj, name)
        obj.save()  # a version holding the present value, whatever the history so far
        version_id = obj.history.order_by("-history_id").first().history_id
        setattr(obj, name, value)
        obj.save()

        def restored():
            return getattr(fresh(obj), name) == original
    else:
        version_id = 1

        def restored():
            return False
    url = admin_url(spec.model, "simple_history", obj.pk, version_id)
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code
    # The revert form is the change form of the row's historical model.
    data = superuser_form(world, url, f"historical{form_id(spec.model)}")
    data["_save"] = ["Spara"]
    return outcome(client.post(url, data), restored)


def step_action(spec, name, side, client):
    action = spec.actions[name]
    target = action.target(side)
    rows = target if isinstance(target, list) else [target]
    if action.before:
        action.before(target)
    data = {"action": name, "_selected_action": [row.pk for row in rows], **action.data}
    if data.get("keep") == "first":
        data["keep"] = rows[0].pk
    if not action.data:
        data["index"] = 0  # run from the list, not from a confirmation page
    response = client.post(admin_url(spec.model, "changelist"), data)
    return action_outcome(response, lambda: action.done(target))


def admin_cells(spec, world, side, role):
    def get(client, route):
        return client.get(admin_url(spec.model, route, spec.target(side).pk)).status_code

    steps = {
        "changelist": lambda client: step_changelist(spec, side, client),
        "change": lambda client: get(client, "change"),
        "history": lambda client: get(client, "history"),
        "change_post": lambda client: step_change_post(spec, world, side, client),
        "add": lambda client: step_add(spec, world, side, client),
        "delete": lambda client: step_delete(spec, side, client),
    }
    if spec.reverts_in_admin:
        steps["revert"] = lambda client: step_revert(spec, world, side, client)
    for name in spec.actions:
        steps[name] = lambda client, name=name: step_action(spec, name, side, client)
    return run_steps(world, role, steps)


def run_steps(world, role, steps):
    """Each step with a client of its own, in a savepoint rolled back after it."""
    return {name: undone(lambda step=step: step(world.client(role)))
            for name, step in steps.items()}


@pytest.fixture(autouse=True)
def each_test_in_a_savepoint(world, db):
    """The module's world first, then the test's own transaction (a savepoint) inside it."""


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_admin_matrix(world, spec, role, where):
    cells = admin_cells(spec, world, world.sides[where], role)
    assert cells == spec.expected(role, where)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", REFERENCE_SPECS + SUPERUSER_SPECS, ids=lambda spec: spec.name)
def test_admin_matrix_of_unscoped_rows(world, spec, role):
    cells = admin_cells(spec, world, world.sides["own"], role)
    assert cells == spec.expected(role, "own")


# Documents: making a PDF version, signing, and which buttons the change page offers ----------

UNDERTAKINGS = {
    "period": (PromisePeriod, lambda s: s.period, lambda s: s.documented_period),
    "agreement": (Agreement, lambda s: s.agreement, lambda s: s.documented_agreement),
}


def signed_for(signatory):
    return Document.objects.filter(signatory=signatory).exists()


def document_cells(world, side, role, kind):
    model, plain, documented = UNDERTAKINGS[kind]
    owner, signed_owner = plain(side), documented(side)

    def make(client):
        response = client.post(admin_url(model, "make_document", owner.pk))
        return outcome(response, lambda: issued(owner).exists())

    def sign(party):
        def step(client):
            signatory = signed_owner.signatories.get(party=party)
            url = admin_url(model, "sign", signed_owner.pk, signatory.pk)
            return outcome(client.post(url), lambda: signed_for(signatory))
        return step

    def buttons(client):
        response = client.get(admin_url(model, "change", signed_owner.pk))
        if response.status_code != 200:
            return response.status_code
        html = response.content.decode()
        offered = {"make": 'form="make-document"' in html}
        for signatory in signed_owner.signatories.all():
            offered[signatory.party] = f'form="sign-{signatory.pk}"' in html
        return offered

    return run_steps(world, role, {
        "make_document": make,
        "sign_municipality": sign("municipality"),
        "sign_police": sign("police"),
        "buttons": buttons,
    })


def expected_document_cells(role, where):
    def at_row(allowed, answer="done"):
        return object_answer(role, where, reads=EVERY, allowed=allowed, answer=answer)

    # Only a signer of the signatory's own organisation signs: here a municipal signer,
    # for the municipality (a police signer: test_police_signer_signs_only_for_the_police).
    signs_for_municipality = may({"signer"}, role, where)
    return {
        "make_document": at_row(MAKERS),
        "sign_municipality": at_row({"signer"}),
        "sign_police": at_row(NOBODY),
        "buttons": 404 if not may(EVERY, role, where) else {
            "make": may(MAKERS, role, where),
            "municipality": signs_for_municipality,
            "police": False,
        },
    }


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", UNDERTAKINGS)
def test_document_matrix(world, kind, role, where):
    cells = document_cells(world, world.sides[where], role, kind)
    assert cells == expected_document_cells(role, where)


# The tertial screen --------------------------------------------------------------------------

def tertial_cells(world, side, role):
    period, report = side.period, side.report
    screen = reverse("admin:followup_tertial", args=[period.pk, 2026, 1])

    def choose(client):
        response = client.get(reverse("admin:followup_tertial_choose"))
        if response.status_code != 200:
            return response.status_code
        # Each period links to its screen at the tertial of the day.
        prefix = reverse("admin:followup_tertial_default", args=[period.pk])
        return "listed" if f'href="{prefix}' in response.content.decode() else "not listed"

    def save(client):
        data = superuser_form(world, screen, "tertial-form")
        data[f"p{side.police_promise.pk}-account"] = ["Från tertialskärmen"]
        response = client.post(screen, data)
        return outcome(response, lambda: fresh(side.followup).account == "Från tertialskärmen")

    def publish_report(client):
        """With both parties approving: the user's party's approval."""
        url = reverse("admin:followup_tertial_publish", args=[period.pk, 2026, 1])
        return outcome(client.post(url), lambda: approved_or_published(report))

    def spreadsheet(client):
        """Download (the user's own file, else the superuser's), fill in, upload, save."""
        args = [period.pk, 2026, 1]
        download = reverse("admin:followup_tertial_download", args=args)
        own = client.get(download)
        data = own.content if own.status_code == 200 else world.root.get(download).content
        book = openpyxl.load_workbook(io.BytesIO(data))
        ws = book.worksheets[0]
        key = f"{period.pk}:2026:1:promise:{side.police_promise.pk}"
        row = next(n for n in range(4, ws.max_row + 1) if ws[f"A{n}"].value == key)
        ws[f"M{row}"] = "Från kalkylarket"
        file = io.BytesIO()
        book.save(file)
        upload = client.post(reverse("admin:followup_tertial_upload", args=args),
                             {"file": SimpleUploadedFile("tertial.xlsx", file.getvalue())})
        if upload.status_code != 200:
            return upload.status_code
        response = client.post(reverse("admin:followup_tertial_upload_confirm", args=args),
                               {"token": upload.context["token"]})
        return outcome(response, lambda: fresh(side.followup).account == "Från kalkylarket")

    return run_steps(world, role, {
        "choose": choose,
        "default": lambda client: client.get(
            reverse("admin:followup_tertial_default", args=[period.pk])).status_code,
        "screen": lambda client: client.get(screen).status_code,
        "save": save,
        "publish": publish_report,
        "download": lambda client: client.get(reverse(
            "admin:followup_tertial_download", args=[period.pk, 2026, 1])).status_code,
        "spreadsheet": spreadsheet,
    })


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("role", ROLES)
def test_tertial_screen_matrix(world, role, where):
    def at_row(allowed, answer="done"):
        return object_answer(role, where, reads=EVERY, allowed=allowed, answer=answer)

    assert tertial_cells(world, world.sides[where], role) == {
        "choose": "listed" if may(EVERY, role, where) else "not listed",
        "default": at_row(EVERY, 302),
        "screen": at_row(EVERY, 200),
        # The row saved is the police promise's own: police coordinators enter it.
        "save": at_row(ENTERERS),
        "publish": at_row(APPROVERS),
        # The spreadsheet: the same rows and the same rule as the screen's save.
        "download": at_row(ENTERERS, 200),
        "spreadsheet": at_row(ENTERERS),
    }


# The public site: a draft's preview and PDF, and the verification page ------------------------

@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("role", ROLES)
def test_public_matrix(world, role, where):
    side = world.sides[where]
    document = issued(side.documented_period).get()

    def verify(client):
        with document.file.open("rb") as handle:
            upload = SimpleUploadedFile("dokument.pdf", handle.read(), "application/pdf")
        return client.post(reverse("public:verify"), {"file": upload}).status_code

    cells = run_steps(world, role, {
        "preview": lambda client: client.get(
            reverse("public:period", args=[side.period.pk]), {"preview": "1"}).status_code,
        "download": lambda client: client.get(
            reverse("public:document", args=[document.sha256])).status_code,
        "verify_page": lambda client: client.get(reverse("public:verify")).status_code,
        "verify_upload": verify,
    })
    readable = 200 if may(EVERY, role, where) else 404
    assert cells == {
        "preview": readable,
        "download": readable,
        "verify_page": 200,
        # A draft's file is never vouched for, whoever asks: the page answers alike.
        "verify_upload": 400,
    }


# The admin site's own addresses ----------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_site_routes(world, role):
    def app(label):
        return lambda client: client.get(reverse("admin:app_list", args=[label])).status_code

    cells = run_steps(world, role, {
        "index": lambda client: client.get(reverse("admin:index")).status_code,
        # Signed in already: the login page sends them on.
        "login": lambda client: client.get(reverse("admin:login")).status_code,
        "password_change": lambda client: client.get(
            reverse("admin:password_change")).status_code,
        "password_change_done": lambda client: client.get(
            reverse("admin:password_change_done")).status_code,
        "jsi18n": lambda client: client.get(reverse("admin:jsi18n")).status_code,
        "logout": lambda client: client.post(reverse("admin:logout")).status_code,
        **{f"app_list {label}": app(label)
           for label in ("municipalities", "promises", "followup", "auth", "axes", "otp_totp")},
    })
    assert cells == {
        "index": 200, "login": 302, "password_change": 200, "password_change_done": 200,
        "jsi18n": 200, "logout": 200,
        "app_list municipalities": 200, "app_list promises": 200, "app_list followup": 200,
        # Users and lockouts: superusers only; two-factor devices: national administrators
        # too (they reset a lost one).
        "app_list auth": 404, "app_list axes": 404,
        "app_list otp_totp": 200 if role == "admin" else 404,
    }


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("role", ROLES)
def test_autocomplete_and_view_on_site_matrix(world, role, where):
    side = world.sides[where]
    period_type = ContentType.objects.get_for_model(PromisePeriod)

    def autocomplete(client):
        response = client.get(reverse("admin:autocomplete"), {
            "app_label": "promises", "model_name": "promise", "field_name": "period",
            "term": "",
        })
        if response.status_code != 200:
            return response.status_code
        ids = {row["id"] for row in response.json()["results"]}
        return "listed" if str(side.period.pk) in ids else "not listed"

    cells = run_steps(world, role, {
        # A promise's period is chosen among those the user may edit.
        "autocomplete": autocomplete,
        "view_on_site": lambda client: client.get(
            reverse("admin:view_on_site", args=[period_type.pk, side.period.pk])).status_code,
    })
    assert cells == {
        "autocomplete": "listed" if may(EDITORS, role, where) else "not listed",
        "view_on_site": 302 if may(EVERY, role, where) else 404,
    }


@pytest.mark.parametrize("role", ROLES)
def test_user_passwords_and_devices_are_for_superusers(world, role):
    extra = world.sides["own"].extra
    device = extra["device"].pk
    cells = run_steps(world, role, {
        "auth_user_password_change": lambda client: client.get(
            reverse("admin:auth_user_password_change", args=[extra["user"].pk])).status_code,
        "otp_totp_totpdevice_config": lambda client: client.get(
            reverse("admin:otp_totp_totpdevice_config", args=[device])).status_code,
        "otp_totp_totpdevice_qrcode": lambda client: client.get(
            reverse("admin:otp_totp_totpdevice_qrcode", args=[device])).status_code,
    })
    assert cells == dict.fromkeys(cells, 403)
    assert world.root.get(
        reverse("admin:auth_user_password_change", args=[extra["user"].pk])).status_code == 200
    # A device's secret is never shown again, not even to a superuser; a missing one is no
    # server error either.
    for route in ("config", "qrcode"):
        for pk in (device, device + 1000):
            url = reverse(f"admin:otp_totp_totpdevice_{route}", args=[pk])
            assert world.root.get(url).status_code == 403


# The matrix lists every admin address and action ----------------------------------------------

# Addresses the matrix reaches through its own steps, beyond each ModelAdmin's usual ones.
OTHER_ROUTES = {
    "index", "login", "logout", "password_change", "password_change_done", "jsi18n",
    "app_list", "autocomplete", "view_on_site",
    "promises_promiseperiod_make_document", "promises_promiseperiod_sign",
    "promises_agreement_make_document", "promises_agreement_sign",
    "followup_tertial_choose", "followup_tertial_default", "followup_tertial",
    "followup_tertial_publish", "followup_tertial_download", "followup_tertial_upload",
    "followup_tertial_upload_confirm",
    "auth_user_password_change", "otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode",
    "municipalities_membership_invite",  # tests/test_accounts.py
}
# Django's unnamed addresses: <id>/ sends on to <id>/change/; anything else is the
# catch-all that sends an anonymous visitor to the login page.
UNNAMED = re.compile(r"^(\w+/\w+/<path:object_id>/|\(\?P<url>\.\*\)\$)$")


def test_every_admin_route_is_in_the_matrix():
    covered = set(OTHER_ROUTES).union(*(spec.routes() for spec in ALL_SPECS))
    named = {name for _pattern, name in ADMIN_ROUTES if name}
    assert named - covered == set(), "admin addresses missing from the matrix"
    assert covered - named == set(), "the matrix names addresses that do not exist"
    unnamed = [pattern for pattern, name in ADMIN_ROUTES if not name]
    assert [pattern for pattern in unnamed if not UNNAMED.match(pattern)] == []


def test_every_admin_action_is_in_the_matrix(django_user_model):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model(is_superuser=True, is_staff=True, is_active=True)
    offered = {
        (model._meta.label, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
    }
    listed = {(spec.model._meta.label, name) for spec in ALL_SPECS for name in spec.actions}
    assert offered == listed
    assert {spec.model for spec in ALL_SPECS} == set(admin.site._registry)


# The rules and the lists are two views of the same memberships -----------------------------

SCOPED_MODELS = [model for model in apps.get_models()
                 if hasattr(model._default_manager, "readable_by")]


def test_every_scoped_model_is_checked():
    assert {model._meta.label for model in SCOPED_MODELS} == {
        "municipalities.PoliceArea", "promises.Agreement", "promises.AgreementSection",
        "promises.PromisePeriod", "promises.Priority", "promises.FocusArea",
        "promises.Signatory", "promises.Promise", "promises.Activity", "promises.Indicator",
        "promises.Document", "followup.FollowUp", "followup.TertialReport",
        "followup.YearEndComment",
    }


@pytest.mark.parametrize("role", ROLES)
def test_view_rule_agrees_with_readable_by(world, role):
    user = fresh(world.members[role])
    disagreements, seen = [], set()
    for model in SCOPED_MODELS:
        permission = f"{model._meta.app_label}.view_{model._meta.model_name}"
        readable = set(model._default_manager.readable_by(user).values_list("pk", flat=True))
        for obj in model._base_manager.all():
            seen.add((model, obj.scope().municipalities))
            if user.has_perm(permission, obj) != (obj.pk in readable):
                disagreements.append(f"{model._meta.label} {obj.pk}: {obj}")
    assert disagreements == []
    # Each model has rows of both municipalities, so both answers were asked for each.
    sides = {frozenset({side.municipality.pk}) for side in world.sides.values()}
    assert {(model, side) for model in SCOPED_MODELS for side in sides} <= seen


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_list_holds_exactly_the_rows_the_view_rule_allows(world, role):
    request = RequestFactory().get("/admin/")
    request.user = fresh(world.members[role])
    disagreements = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue  # the list is refused (and so is every row: test_admin_matrix)
        listed = set(model_admin.get_queryset(request).values_list("pk", flat=True))
        for obj in model._base_manager.all()[:500]:
            if model_admin.has_view_or_change_permission(request, obj) != (obj.pk in listed):
                disagreements.append(f"{model._meta.label} {obj.pk}: {obj}")
    assert disagreements == []


# Signing -----------------------------------------------------------------------------------

def sign_as(user, owner, signatory):
    client = Client()
    client.force_login(user)
    model = type(owner)
    return client.post(admin_url(model, "sign", owner.pk, signatory.pk))


def test_police_signer_signs_only_for_the_police(world):
    side = world.sides["own"]
    owner = side.documented_period
    signer = make_member("signer", police_area=side.area, username="polisens-undertecknare")
    police = owner.signatories.get(party="police")
    municipal = owner.signatories.get(party="municipality")
    assert sign_as(signer, owner, municipal).status_code == 403
    assert not signed_for(municipal)
    response = sign_as(signer, owner, police)
    assert response.status_code == 302
    signed = Document.objects.get(signatory=police)
    assert signed.signed_by == signer and signed.signature_count == 1
    assert "Lokalpolisområde Vingåker" in signed.signed_for


def test_a_signatory_without_a_name_cannot_be_signed_for(world):
    side = world.sides["own"]
    owner = side.documented_period
    municipal = owner.signatories.get(party="municipality")
    Signatory.objects.filter(pk=municipal.pk).update(name="")
    signer = world.members["signer"]
    response = sign_as(signer, owner, municipal)
    assert response.status_code == 403
    assert not signed_for(municipal)
    client = Client()
    client.force_login(signer)
    page = client.get(admin_url(PromisePeriod, "change", owner.pk)).content.decode()
    assert f'form="sign-{municipal.pk}"' not in page


@pytest.mark.parametrize("who", ["superuser", "admin", "coordinator", "publisher"])
def test_nobody_but_the_organisations_signer_signs(world, who):
    side = world.sides["own"]
    owner = side.documented_period
    user = User.objects.get(username="root") if who == "superuser" else world.members[who]
    for signatory in owner.signatories.all():
        assert sign_as(user, owner, signatory).status_code == 403
        assert not signed_for(signatory)


def test_a_municipal_publisher_is_offered_no_police_signing_button(world):
    owner = world.sides["own"].documented_period
    client = world.client("publisher")
    page = client.get(admin_url(PromisePeriod, "change", owner.pk)).content.decode()
    assert 'form="make-document"' in page  # the page does show the document panel
    for signatory in owner.signatories.all():
        assert f'form="sign-{signatory.pk}"' not in page


# Memberships: lead coordinators keep their own municipality's, and nothing more -----------------

def membership_form(world, url):
    data = superuser_form(world, url, "membership_form")
    data["_save"] = ["Spara"]
    return data


@pytest.mark.parametrize("change", [
    {"role": "admin", "municipality": ""},
    {"municipality": "other"},
    {"police_area": "own", "municipality": ""},
])
def test_a_lead_coordinator_grants_no_role_beyond_their_municipality(world, change):
    own, other = world.sides["own"], world.sides["other"]
    places = {"other": other.municipality.pk, "own": own.area.pk, "": ""}
    values = {name: [str(places.get(value, value))] for name, value in change.items()}
    lead = world.client("lead")
    newcomer = own.extra["newcomer"]

    data = membership_form(world, admin_url(Membership, "add"))
    data.update({"user": [str(newcomer.pk)], "role": ["reviewer"],
                 "municipality": [str(own.municipality.pk)], **values})
    assert lead.post(admin_url(Membership, "add"), data).status_code == 200
    assert not Membership.objects.filter(user=newcomer).exists()

    url = admin_url(Membership, "change", own.membership.pk)
    data = membership_form(world, url)
    data.update(values)
    assert lead.post(url, data).status_code == 200
    stored = fresh(own.membership)
    assert (stored.role, stored.municipality, stored.police_area) == (
        "reviewer", own.municipality, None)


def test_staff_without_a_membership_sees_no_app_and_no_rows(world):
    client = Client()
    client.force_login(world.sides["own"].extra["newcomer"])
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:promises_promiseperiod_changelist") not in index
    assert client.get(reverse("admin:promises_promiseperiod_changelist")).status_code == 403
    period = world.sides["own"].period
    assert client.get(admin_url(PromisePeriod, "change", period.pk)).status_code == 403
    assert client.get(reverse("public:period", args=[period.pk])).status_code == 404


def test_the_police_coordinator_never_reads_municipal_rows_or_their_internal_notes(world):
    side = world.sides["own"]
    municipal = side.municipal_followup
    FollowUp.objects.filter(pk=municipal.pk).update(internal_note="Namn på en anmälare")
    client = world.client("police")
    listing = client.get(admin_url(FollowUp, "changelist")).content.decode()
    assert admin_url(FollowUp, "change", side.followup.pk) in listing
    assert admin_url(FollowUp, "change", municipal.pk) not in listing
    for route in ("change", "history", "delete"):
        response = client.get(admin_url(FollowUp, route, municipal.pk))
        assert response.status_code == 404
        assert "Namn på en anmälare" not in response.content.decode()
    screen = client.get(reverse("admin:followup_tertial", args=[side.period.pk, 2026, 1]))
    assert f"p{side.police_promise.pk}-account" in screen.content.decode()
    assert f"p{side.municipal_promise.pk}-account" not in screen.content.decode()
    assert "Namn på en anmälare" not in screen.content.decode()


def test_a_coordinator_may_not_name_another_municipality_as_a_party(world):
    own, other = world.sides["own"], world.sides["other"]
    client = world.client("coordinator")
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "promises", "model_name": "promiseperiod", "field_name": "municipalities",
        "term": "",
    })
    names = {row["text"] for row in response.json()["results"]}
    assert own.municipality.name in names
    assert other.municipality.name not in names


def test_focus_areas_of_another_period_are_refused(world):
    own, other = world.sides["own"], world.sides["other"]
    foreign = other.period.focus_areas.get()
    promise = own.police_promise
    url = admin_url(Promise, "change", promise.pk)
    data = superuser_form(world, url, "promise_form")
    data.update({"focus_areas": [str(foreign.pk)], "_save": ["Spara"]})
    response = world.root.post(url, data)
    assert response.status_code == 200
    assert not promise.focus_areas.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("suffix", ["abc/history/", "abc/history/1/", "{pk}/history/x/",
                                    "abc/delete/"])
def test_malformed_ids_answer_404(world, suffix):
    promise = world.sides["own"].police_promise
    url = admin_url(Promise, "changelist") + suffix.format(pk=promise.pk)
    assert world.root.get(url).status_code == 404
