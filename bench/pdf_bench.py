"""Time the PDF work in one warm process: render the Katrineholm 2022–2023 agreement, sign
it as the police and then the municipality, and render the 2018 tertial 3 report.

    .venv/bin/python bench/pdf_bench.py [--runs 9]

Runs against a throwaway SQLite database, media folder and demo keys in a temporary
folder, so it touches nothing else. Prints the median and spread of each step; the target
is render + two signatures under 1.5 s. See bench/README.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import harness


def setup(folder):
    harness.prepare(
        f"sqlite:///{folder / 'bench.sqlite3'}", name="pdf",
        DJANGO_STATIC_ROOT=str(folder / "static"), DJANGO_MEDIA_ROOT=str(folder / "media"),
        SIGNING_KEYS_DIR=str(folder / "keys"), SIGNING_TSA_URL="",
    )
    from django.core.management import call_command

    from followup.demo.loader import load_demo

    load_demo()
    # After the demo: a key for each organisation that signs its documents.
    call_command("create_demo_signing_keys", verbosity=0, stdout=open(os.devnull, "w"))


def timed(function, runs):
    """Wall-clock and CPU seconds of each run. CPU time is what the step costs; wall time
    also holds waiting for a busy machine's cores."""
    function()  # warm-up: imports, font parsing, template loading
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def steps(period, report):
    """The three timed steps as functions, and `state` where they leave their PDFs. Making
    a document stores a new version; signing signs the newest one for each signatory
    (police first, so the police certify) through the same services as the admin."""
    from followup.report_pdf import render_tertial_report
    from promises.documents import services, storage

    signatories = sorted(period.signatories.all(), key=lambda s: s.party != "police")
    state = {}

    def render_agreement():
        state["unsigned"] = storage.read(services.generate_document(period))

    def sign_all():
        for signatory in signatories:
            document = services.sign_document(period, signatory=signatory)
        state["signed"] = storage.read(document)

    def render_report():
        state["report"] = render_tertial_report(report, version=1).data

    return render_agreement, sign_all, render_report, state


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as name:
        setup(Path(name))
        from followup.models import TertialReport
        from promises.documents import verification
        from promises.models import PromisePeriod

        period = PromisePeriod.objects.get(valid_from__year=2022)
        report = TertialReport.objects.get(period__valid_from__year=2018, tertial=3)
        render_agreement, sign_all, render_report, state = steps(period, report)
        count = period.signatories.count()

        def render_then_sign():
            # Each signing round needs a fresh version to sign.
            render_agreement()
            sign_all()

        wall, cpu = timed(render_then_sign, runs)
        render_wall, render_cpu = timed(render_agreement, runs)
        results = {
            "render agreement 2022–2023 (+ signature fields, stored)": (render_wall,
                                                                         render_cpu),
            f"render + sign for all {count} signatories": (wall, cpu),
            "render tertial report T3 2018": timed(render_report, runs),
        }
        checks = verification.read_signatures(state["signed"]).signatures
        assert len(checks) == count and all(check.ok for check in checks), checks
    load = os.getloadavg()[0]
    print(f"{runs} runs each after one warm-up, one process, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load average {load:.1f}")
    print(f"{'':56} {'wall median':>11} {'min':>6} {'max':>6} {'CPU median':>11}")
    for label, (wall, cpu) in results.items():
        print(
            f"{label:56} {statistics.median(wall) * 1000:8.0f} ms {min(wall) * 1000:6.0f} "
            f"{max(wall) * 1000:6.0f} {statistics.median(cpu) * 1000:8.0f} ms"
        )
    print(f"target < 1500 ms: {'met' if statistics.median(wall) < 1.5 else 'NOT met'} "
          f"(wall), {'met' if statistics.median(cpu) < 1.5 else 'NOT met'} (CPU)")
    print(f"signed document {len(state['signed'])} bytes, report {len(state['report'])} bytes")


if __name__ == "__main__":
    main()
