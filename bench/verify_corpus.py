"""Time and memory of the verification page's check on each hostile PDF of tests/pdf_corpus.py.

    .venv/bin/python bench/verify_corpus.py [--runs 3]

Runs against a throwaway SQLite database, media folder and demo keys in a temporary folder
(nothing else is touched): signs the Katrineholm 2022–2023 agreement, makes each hostile
file from it, and checks each as the page does (promises.documents.verification.verify: a
child process with the configured limits). Prints the answer, the wall time (median and
worst of N) and the peak memory the check added in its child process. Targets: every file
under 2 s and 100 MB, the 1 000 repeated fields under 1 s. See bench/README.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(folder):
    sys.path.insert(0, str(ROOT))
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-secret",
        "DJANGO_LOG_LEVEL": "CRITICAL",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "SIGNING_KEYS_DIR": str(folder / "keys"),
        "SIGNING_TSA_URL": "",
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from followup.demo.loader import load_demo
    from promises.documents import services, storage
    from promises.models import PromisePeriod

    load_demo()
    call_command("create_demo_signing_keys", verbosity=0, stdout=open(os.devnull, "w"))
    period = PromisePeriod.objects.get(valid_from__year=2022)
    services.generate_document(period)
    for signatory in period.signatories.all():
        document = services.sign_document(period, signatory=signatory)
    return storage.read(document)


def spaced(number):
    return f"{number:,.0f}".replace(",", " ")


def status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measured_check(data, roots):
    """In the checking child: the answer, and how far its resident memory rose above what
    it had before (the upload included) while checking."""
    from promises.documents import signatures

    # Resets the peak resident size (VmHWM) to the current one, so the peak is this check's.
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    before = status_kib("VmRSS")
    try:
        check = signatures.read_signatures(data, roots)
        answer = (
            f"{len(check.signatures)} checked, {check.duplicates} repeats left out, "
            f"{check.not_checked} not checked, ok: "
            + "/".join("yes" if s.ok else "no" for s in check.signatures)
        )
    except signatures.UnreadablePdf as error:
        answer = f"{type(error).__name__}: {error}"
    return answer, (status_kib("VmHWM") - before) * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as name:
        genuine = setup(Path(name))
        from django.conf import settings

        from promises.documents import isolation, verification
        from tests import pdf_corpus

        roots = [root.dump() for root in verification.trust_roots()]
        limits = {
            "seconds": settings.VERIFY_TIME_LIMIT_SECONDS,
            "memory_bytes": settings.VERIFY_MEMORY_LIMIT_MB * 1024 * 1024,
        }
        files = {"genuine (control)": genuine}
        files.update({label: make(genuine) for label, make in pdf_corpus.CORPUS.items()})
        verification.verify(genuine)  # warm-up: starts the fork server
        rows = []
        for label, data in files.items():
            wall = []
            for _ in range(runs):
                start = time.perf_counter()
                try:
                    result = verification.verify(data)
                    page = "known" if result.is_known else "not known"
                except verification.TooComplex:
                    page = "refused: too complex"
                except verification.UnreadablePdf:
                    page = "refused: unreadable"
                wall.append(time.perf_counter() - start)
            try:
                answer, extra = isolation.run(measured_check, data, roots, **limits)
            except isolation.LimitExceeded as error:
                answer, extra = f"limit: {error}", limits["memory_bytes"]
            rows.append((label, len(data), page, answer, wall, extra))
    load = os.getloadavg()[0]
    print(f"{runs} runs each, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {load:.1f}; limits {limits['seconds']} s, "
          f"{limits['memory_bytes'] >> 20} MB")
    print("| file | size | page | check | median | worst | memory |")
    print("|---|---:|---|---|---:|---:|---:|")
    met = True
    for label, size, page, answer, wall, extra in rows:
        target = 1.0 if label == "duplicate fields ×1 000" else 2.0
        met &= max(wall) < target and extra < 100 * 1024 * 1024
        print(
            f"| {label} | {spaced(size / 1024)} KB | {page} | {answer} | "
            f"{spaced(statistics.median(wall) * 1000)} ms | {spaced(max(wall) * 1000)} ms | "
            f"{extra / 1024 / 1024:.1f} MB |"
        )
    print(f"targets (< 2 s and < 100 MB each, repeated fields < 1 s): "
          f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
