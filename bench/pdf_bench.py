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

    call_command("create_demo_signing_keys", verbosity=0, stdout=open(os.devnull, "w"))
    from followup.demo.loader import load_demo

    load_demo()


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as name:
        setup(Path(name))
        from followup.models import TertialReport
        from followup.report_pdf import render_tertial_report
        from promises.documents import signing, verification
        from promises.documents.agreement import render_agreement as render_period_document
        from promises.models import PromisePeriod

        period = PromisePeriod.objects.get(valid_from__year=2022)
        signatories = {s.party: s for s in period.signatories.all()}
        report = TertialReport.objects.get(period__valid_from__year=2018, tertial=3)
        state = {}

        def render_agreement():
            rendered = render_period_document(period, version=1)
            state["unsigned"] = signing.add_signature_fields(
                rendered.data, rendered.signature_boxes
            )

        def sign_twice():
            data = state["unsigned"]
            for party, certify in (("police", True), ("municipality", False)):
                data = signing.sign_pdf(
                    data, party=party, signatory_name=signatories[party].name,
                    signatory_title=signatories[party].title, certify=certify,
                )
            state["signed"] = data

        def render_report():
            state["report"] = render_tertial_report(report, version=1).data

        results = {
            "render agreement 2022–2023 (+ signature fields)": timed(render_agreement, runs),
            "sign twice (police, then municipality)": timed(sign_twice, runs),
            "render tertial report T3 2018": timed(render_report, runs),
        }
        checks = verification.read_signatures(state["signed"]).signatures
        assert len(checks) == 2 and all(check.ok for check in checks), checks
    load = os.getloadavg()[0]
    print(f"{runs} runs each after one warm-up, one process, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load average {load:.1f}")
    print(f"{'':52} {'wall median':>11} {'min':>6} {'max':>6} {'CPU median':>11}")
    for label, (wall, cpu) in results.items():
        print(
            f"{label:52} {statistics.median(wall) * 1000:8.0f} ms {min(wall) * 1000:6.0f} "
            f"{max(wall) * 1000:6.0f} {statistics.median(cpu) * 1000:8.0f} ms"
        )
    steps = list(results.values())[:2]
    wall_total = sum(statistics.median(wall) for wall, _ in steps)
    cpu_total = sum(statistics.median(cpu) for _, cpu in steps)
    print(f"{'render + two signatures (sum of medians)':52} {wall_total * 1000:8.0f} ms "
          f"{'':13} {cpu_total * 1000:8.0f} ms")
    print(f"target < 1500 ms: {'met' if wall_total < 1.5 else 'NOT met'} (wall), "
          f"{'met' if cpu_total < 1.5 else 'NOT met'} (CPU)")
    print(f"signed agreement {len(state['signed'])} bytes, report {len(state['report'])} bytes")


if __name__ == "__main__":
    main()
