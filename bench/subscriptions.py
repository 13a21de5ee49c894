"""Time notifying 10 000 subscribers of one municipality: the publisher's request (which only
queues the work) and the worker that sends the messages to a local SMTP server.

    .venv/bin/python bench/subscriptions.py [--subscribers 10000] [--workers 1]

Against the PostgreSQL database `medborgarloften_subscriptions` on 127.0.0.1
(BENCH_SUBSCRIPTIONS_DATABASE_URL overrides), with the Katrineholm demo: its 2022–2023 period
is published through the admin's publish action (Django's test client, the whole
middleware stack) with no subscribers and then with N confirmed subscribers of Katrineholm;
then `manage.py db_worker --batch` (N processes side by side with --workers) sends every
notice through Django's SMTP backend to an SMTP server in this process that accepts
everything. See bench/README.md.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time

import harness

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/medborgarloften_subscriptions"


class SmtpSink:
    """Just enough SMTP to take messages and count them, on a free port on 127.0.0.1."""

    def __init__(self):
        self.messages = 0
        self.port = harness.free_port()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self.serve, args=(ready,), daemon=True).start()
        ready.wait()

    def serve(self, ready):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self.session, harness.HOST, self.port)
        )
        ready.set()
        self.loop.run_forever()

    async def session(self, reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        in_data = False
        while line := await reader.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.messages += 1
                    writer.write(b"250 2.0.0 queued\r\n")
                    await writer.drain()
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"DATA":
                writer.write(b"354 end with .\r\n")
                in_data = True
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()


def setup(url, sink):
    harness.prepare(
        url, name="subscriptions",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST=harness.HOST, DJANGO_EMAIL_PORT=str(sink.port),
        PORTAL_OPERATOR="Benchmark", PORTAL_CONTACT_EMAIL="bench@example.org",
        # The request timed is the one that publishes: one publisher's, as with both
        # parties' approval it is the second approver's (the same work is queued).
        PORTAL_DUAL_APPROVAL="0",
    )
    from followup.demo.loader import load_demo

    load_demo()


def reset(period, by):
    from django_tasks_db.models import DBTaskResult

    from promises.publishing import unpublish
    from public.models import Notice, Subscription

    period.refresh_from_db()
    if period.is_published:
        unpublish(period, by=by, reason="Benchmark")
    Subscription.objects.all().delete()
    Notice.objects.all().delete()
    DBTaskResult.objects.all().delete()


def subscribe(place, count):
    from django.utils import timezone

    from public.models import Subscription

    now = timezone.now()
    Subscription.objects.bulk_create(
        [Subscription(email=f"medborgare{n}@example.se", municipality=place, confirmed_at=now)
         for n in range(count)],
        batch_size=2000,
    )


def publish_through_admin(client, period):
    """The publisher's request: the admin's publish action on the period; seconds taken."""
    from django.urls import reverse

    started = time.perf_counter()
    response = client.post(
        reverse("admin:promises_promiseperiod_changelist"),
        {"action": "publish_selected", "_selected_action": [str(period.pk)], "index": 0},
    )
    elapsed = time.perf_counter() - started
    period.refresh_from_db()
    assert response.status_code == 302 and period.is_published, response.status_code
    return elapsed


def run_workers(count):
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
               "--no-reload", "--verbosity", "0"]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, cwd=harness.ROOT, env=os.environ)
               for _ in range(count)]
    for worker in workers:
        if worker.wait() != 0:
            raise SystemExit("A worker failed.")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="timed publications of each kind")
    options = parser.parse_args()
    sink = SmtpSink()
    setup(os.environ.get("BENCH_SUBSCRIPTIONS_DATABASE_URL", DEFAULT_URL), sink)

    from django.contrib.auth.models import User
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from municipalities.models import Municipality
    from promises.models import PromisePeriod
    from public.models import Delivery

    place = Municipality.objects.get(code="0483")
    period = PromisePeriod.objects.get(municipalities=place, valid_from__year=2022)
    admin, _ = User.objects.get_or_create(
        username="bench-publisher", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST=harness.HOST)
    client.force_login(admin)

    # Warm-up: the first publication makes the period's report PDFs.
    reset(period, admin)
    publish_through_admin(client, period)
    timings = {}
    for label, count in (("no subscribers", 0), (f"{options.subscribers} subscribers",
                                                 options.subscribers)):
        runs = []
        for _ in range(options.runs):
            reset(period, admin)
            subscribe(place, count)
            runs.append(publish_through_admin(client, period))
        timings[label] = runs
        queued = DBTaskResult.objects.filter(status="READY").count()
        print(f"publish request, {label}: median {statistics.median(runs) * 1000:.0f} ms "
              f"(min {min(runs) * 1000:.0f}, max {max(runs) * 1000:.0f}); "
              f"tasks queued by it: {queued}; messages sent meanwhile: {sink.messages}",
              flush=True)

    seconds = run_workers(options.workers)
    sent = Delivery.objects.filter(status="sent").count()
    tasks = DBTaskResult.objects.all()
    announce = tasks.get(task_path="public.tasks.announce")
    sends = [
        t.finished_at - t.started_at
        for t in tasks.filter(task_path="public.tasks.send_notices")
    ]
    print(f"worker ({options.workers} process{'es' if options.workers > 1 else ''}): "
          f"{seconds:.1f} s wall for {sink.messages} messages received by the SMTP server "
          f"({sent} deliveries marked sent, {sink.messages / seconds:.0f} messages/s); "
          f"fan-out task {(announce.finished_at - announce.started_at).total_seconds():.2f} s; "
          f"{len(sends)} send tasks, median "
          f"{statistics.median(s.total_seconds() for s in sends):.2f} s each; "
          f"failed tasks: {tasks.filter(status='FAILED').count()}", flush=True)
    assert sink.messages == sent == options.subscribers
    reset(period, admin)


if __name__ == "__main__":
    main()
