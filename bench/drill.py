"""The drills behind bench/load: wrk on the public pages, coordinators saving follow-ups
under that load, and (with --outage) PostgreSQL stopped for a few seconds. Prints the
figures and exits non-zero when a promise does not hold."""

import argparse
import io
import os
import random
import subprocess
import threading
import time
import urllib.error
import urllib.request

import harness

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/medborgarloften_load"
GUNICORN_LOG = "/tmp/medborgarloften-load.log"
PG_CLUSTER = ("15", "main")


def public_paths():
    from promises.models import PromisePeriod

    period = PromisePeriod.objects.published().filter(municipalities__code="0483").latest(
        "valid_from"
    )
    return [
        "/", "/kommun/katrineholm/", f"/medborgarloften/{period.pk}/", "/sok/?q=trygghet",
        "/oppna-data/medborgarloften.csv", "/atom.xml", f"/medborgarloften/{period.pk}/data.json",
        "/en/", "/tillganglighet/",
    ]


# --- coordinators saving follow-ups -------------------------------------------------------

def drill_users():
    """A drill period of its own (Vingåker, 2030–2031, ten activities) with a municipal
    and a police coordinator; earlier drills' follow-ups are removed first."""
    import datetime

    from django.contrib.auth import get_user_model

    from followup.models import FollowUp
    from municipalities.models import Membership, Municipality, PoliceArea, PoliceRegion, Role
    from promises.models import Activity, Promise, PromisePeriod

    municipality = Municipality.objects.get(code="0428")
    area, created = PoliceArea.objects.get_or_create(
        name="Lokalpolisområde Övning",
        defaults={"police_region": PoliceRegion.objects.get(counties__code="04")},
    )
    if created:
        area.municipalities.add(municipality)
    period, created = PromisePeriod.objects.get_or_create(
        police_area=area, title="Övningslöfte 2030–2031",
        defaults={"valid_from": datetime.date(2030, 1, 1),
                  "valid_to": datetime.date(2031, 12, 31)},
    )
    if created:
        period.municipalities.add(municipality)
        for order, party in enumerate(["municipality", "police"]):
            promise = Promise.objects.create(period=period, party=party, order=order,
                                             text=f"Övningslöfte ({party})")
            for number in range(5):
                Activity.objects.create(promise=promise, order=number,
                                        text=f"Övningsaktivitet {number + 1}")
    FollowUp.objects.filter(promise__period=period).delete()
    User = get_user_model()
    municipal, _ = User.objects.get_or_create(username="drill-kommun", defaults={"is_staff": True})
    police, _ = User.objects.get_or_create(username="drill-polis", defaults={"is_staff": True})
    Membership.objects.get_or_create(user=municipal, role=Role.COORDINATOR,
                                     municipality=municipality)
    Membership.objects.get_or_create(user=police, role=Role.POLICE, police_area=area)
    return period, [municipal, police]


def editable_slots(period, users):
    """{(activity id, tertial): a user who may save it} for every activity of the period."""
    from followup.tertials import tertials_between
    from promises.models import Activity

    activities = Activity.objects.filter(promise__period=period).order_by("pk")
    slots = {}
    for user in users:
        for activity in activities:
            if not user.has_perm("followup.change_followup", activity):
                continue
            for tertial in tertials_between(period.valid_from, period.valid_to):
                slots.setdefault((activity.pk, tertial), user)
    return slots


def save(period, user, activity_id, tertial, text, loaded_version):
    """Save one activity's follow-up through the tertial service, as the screen does."""
    from followup.services import FollowUpInput, save_tertial_followups
    from promises.models import Activity

    row = FollowUpInput(kind="activity", subject_id=activity_id, status="ongoing",
                        account=text, value=None, internal_note="",
                        loaded_version=loaded_version)
    return save_tertial_followups(
        period=period, tertial=tertial, rows=[row],
        subjects={row.key: Activity.objects.get(pk=activity_id)}, by=user,
    )


def coordinator_drill(*, workers=4, rounds=5):
    """Each worker owns its own (activity, tertial) rows and saves each one `rounds` times
    through the tertial service, as the tertial screen does; every worker also races the
    others to create a handful of shared rows. Returns the ledger of successful saves."""
    from django.db import close_old_connections, connection

    from followup.services import TertialSaveRefused

    period, users = drill_users()
    slots = editable_slots(period, users)
    slots = sorted(((user, activity_id, tertial) for (activity_id, tertial), user
                    in slots.items()), key=lambda slot: (slot[0].pk, slot[1], slot[2]))
    random.Random(7).shuffle(slots)
    contested, owned = slots[:3], slots[3:]
    ledger = {"saved": 0, "refused": 0, "final": {}, "errors": []}
    lock = threading.Lock()

    def work(number):
        try:
            for user, activity_id, tertial in contested:
                try:
                    save(period, user, activity_id, tertial, f"worker {number} first", None)
                    with lock:
                        ledger["saved"] += 1
                        ledger["final"][(activity_id, tertial.year, tertial.number)] = (
                            f"worker {number} first", 1)
                except TertialSaveRefused:
                    with lock:
                        ledger["refused"] += 1
            mine = owned[number::workers]
            versions = {}
            for round_ in range(rounds):
                for user, activity_id, tertial in mine:
                    key = (activity_id, tertial.year, tertial.number)
                    text = f"worker {number} round {round_} <b>&amp;</b> åäö"
                    save(period, user, activity_id, tertial, text, versions.get(key))
                    versions[key] = versions.get(key, 0) + 1
                    with lock:
                        ledger["saved"] += 1
                        ledger["final"][key] = (text, versions[key])
        except Exception as error:  # reported, and the drill fails
            with lock:
                ledger["errors"].append(repr(error))
        finally:
            connection.close()

    close_old_connections()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger["seconds"] = time.monotonic() - started
    ledger["period"] = period
    ledger["contested"] = len(contested)
    return ledger


def check_ledger(ledger):
    """No lost and no duplicated rows: the database holds exactly what the ledger saved."""
    from django.db.models import Count

    from followup.models import FollowUp

    problems = list(ledger["errors"])
    duplicates = (
        FollowUp.objects.filter(activity__isnull=False)
        .values("activity_id", "year", "tertial")
        .annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    if duplicates:
        problems.append(f"{duplicates} duplicated follow-ups")
    if ledger["refused"] != ledger["contested"] * 3:
        problems.append(f"{ledger['refused']} contested saves refused, expected "
                        f"{ledger['contested'] * 3}")
    for (activity_id, year, tertial), (text, version) in ledger["final"].items():
        row = FollowUp.objects.filter(activity_id=activity_id, year=year, tertial=tertial).first()
        if row is None:
            problems.append(f"lost follow-up {activity_id} {year} T{tertial}")
        elif (row.account, row.version) != (text, version):
            problems.append(f"follow-up {activity_id} {year} T{tertial} holds "
                            f"{(row.account, row.version)}, expected {(text, version)}")
        elif row.history.count() != version:
            problems.append(f"follow-up {activity_id} {year} T{tertial}: "
                            f"{row.history.count()} history rows for {version} saves")
    return problems


# --- PostgreSQL stopped briefly ------------------------------------------------------------

def outage_drill(base_url):
    from followup.models import FollowUp
    from promises.models import PromisePeriod

    before = (PromisePeriod.objects.count(), FollowUp.objects.count(),
              sorted(FollowUp.objects.values_list("pk", "version")))
    from django.db import connection
    connection.close()
    statuses, samples = {}, []
    stop = threading.Event()

    def probe():
        while not stop.is_set():
            # A fresh search each time: never a cached page.
            url = f"{base_url}/sok/?q=trygghet{random.randrange(10**9)}"
            try:
                response = urllib.request.urlopen(url, timeout=10)
                status, body = response.status, b""
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read()
            except OSError:
                status, body = "no answer", b""
            samples.append((time.monotonic(), status, body))
            statuses[status] = statuses.get(status, 0) + 1
            time.sleep(0.05)

    thread = threading.Thread(target=probe)
    thread.start()
    time.sleep(2)
    print("Stopping PostgreSQL for 5 s …", flush=True)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, "stop",
                    "-m", "fast"], check=True)
    stopped = time.monotonic()
    time.sleep(5)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, "start"],
                   check=True)
    started = time.monotonic()
    print("PostgreSQL is back.", flush=True)
    time.sleep(6)
    stop.set()
    thread.join()

    down = [s for s in samples if stopped <= s[0] <= started]
    first_ok_after = next((t for t, status, _ in samples if t > started and status == 200), None)
    friendly = all(b"tillf\xc3\xa4lligt otillg\xc3\xa4nglig" in body
                   for _, status, body in down if status == 503)
    after = (PromisePeriod.objects.count(), FollowUp.objects.count(),
             sorted(FollowUp.objects.values_list("pk", "version")))
    problems = []
    if any(status not in (200, 503) for _, status, _ in samples):
        problems.append(f"statuses other than 200/503: {statuses}")
    if not any(status == 503 for _, status, _ in down):
        problems.append("no 503 while the database was down")
    if not friendly:
        problems.append("a 503 without the friendly page")
    if first_ok_after is None:
        problems.append("no recovery within 6 s")
    if before != after:
        problems.append("rows changed across the outage")
    return {
        "statuses": statuses,
        "down_samples": len(down),
        "recovered_after_s": None if first_ok_after is None else first_ok_after - started,
        "rows": before[:2],
    }, problems


def summary(figures):
    return (f"{figures['requests']} requests, {figures['rps']:.0f} req/s, "
            f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"{figures['non_2xx']} non-2xx, {figures['socket_errors']} socket errors")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--outage", action="store_true")
    options = parser.parse_args()
    harness.prepare(os.environ.get("LOAD_DATABASE_URL", DATABASE_URL), name="load")
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    paths = public_paths()
    problems = []
    with harness.gunicorn(port=options.port, log=GUNICORN_LOG) as base_url:

        def load(seconds):
            return harness.wrk(base_url, paths=paths, seconds=seconds, threads=2,
                               connections=options.connections)

        for path in paths:  # one request each: status and time, warming the caches
            started = time.monotonic()
            status, _ = harness.fetch(base_url + path)
            print(f"   {status} {time.monotonic() - started:6.3f} s  {path}")
        print(f"1. wrk, {options.seconds} s at {options.connections} connections, "
              f"over {len(paths)} public pages:", flush=True)
        figures = load(options.seconds)
        print(f"   {summary(figures)}")
        if figures["non_2xx"] or figures["socket_errors"]:
            problems.append(f"wrk: {summary(figures)}")

        print("2. Mixed drill: coordinators save follow-ups while wrk loads the pages:",
              flush=True)
        during = {}
        loader = threading.Thread(
            target=lambda: during.update(load(max(20, options.seconds // 2)))
        )
        loader.start()
        time.sleep(2)
        ledger = coordinator_drill()
        loader.join()
        drill_problems = check_ledger(ledger)
        print(f"   saves: {ledger['saved']} ok, {ledger['refused']} refused as conflicts "
              f"(of {ledger['contested'] * 4} racing creations), {len(ledger['final'])} rows, "
              f"{ledger['seconds']:.1f} s; wrk meanwhile: {summary(during)}")
        print(f"   duplicated or lost rows: {'none' if not drill_problems else drill_problems}")
        problems += drill_problems
        if during["non_2xx"] or during["socket_errors"]:
            problems.append(f"wrk during the drill: {summary(during)}")

        if options.outage:
            print("3. Outage drill:", flush=True)
            outage, outage_problems = outage_drill(base_url)
            print(f"   {outage}")
            problems += outage_problems
    if problems:
        print("FAILED: " + "; ".join(problems))
        raise SystemExit(1)
    print("All drills passed.")


if __name__ == "__main__":
    main()
