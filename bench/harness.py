"""What bench/run, bench/load and bench/pdf_bench.py share: Django with production settings
on a given database, the generated dataset, gunicorn on 127.0.0.1, and wrk with its figures
read from its own output."""

import contextlib
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SLICE_SECONDS = 5
# bench/run's database (BENCH_DATABASE_URL overrides it).
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/medborgarloften_bench"


def django_setup():
    """django.setup() with the environment as it is (a child process of a prepared one)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(database_url, *, name, **environ):
    """Production settings on `database_url` (a PostgreSQL database is created if missing),
    migrated, static files collected; static files and stored PDFs go to
    /tmp/medborgarloften-<name>-static and -media. `environ` adds or overrides variables."""
    os.environ.update({
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        # A new key each run: nothing signed in an earlier run (sessions, cache) is valid.
        "DJANGO_SECRET_KEY": f"bench-only-not-secret-{secrets.token_hex(8)}",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": f"/tmp/medborgarloften-{name}-static",
        "DJANGO_MEDIA_ROOT": f"/tmp/medborgarloften-{name}-media",
        **environ,
    })
    if database_url.startswith("postgres"):
        create_database(database_url)
    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def create_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    # The server's own "postgres" database is there to connect to when ours is not.
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.", flush=True)


def dataset(*, municipalities, years, seed=1):
    """Generate the dataset of the first `municipalities` municipalities unless that many
    already have periods; generate_dataset skips the ones that have."""
    from django.core.management import call_command

    from municipalities.models import Municipality

    have = Municipality.objects.filter(periods__isnull=False).distinct().count()
    if have < municipalities:
        call_command("generate_dataset", municipalities=municipalities, years=years, seed=seed)


# --- gunicorn ------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, workers=2, port=0, log=None, **environ):
    """gunicorn with `workers` sync workers on 127.0.0.1 (a free port unless `port` is given),
    in its own process group; yields its base URL once /healthz answers and stops it on the
    way out, also on Ctrl-C or a TERM. Its output goes to `log` if given."""
    port = port or free_port()
    output = open(log, "w") if log else None
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
         "--workers", str(workers), "--bind", f"{HOST}:{port}", "--timeout", "120",
         "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **environ}, stdout=output, stderr=output,
        start_new_session=True,
    )
    # A TERM then unwinds through the finally below, as Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        base_url = f"http://{HOST}:{port}"
        wait_for_health(process, base_url)
        yield base_url
    finally:
        stop(process)
        signal.signal(signal.SIGTERM, previous)
        if output:
            output.close()


def wait_for_health(process, base_url, *, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited (is {base_url} taken?).")
        with contextlib.suppress(OSError):
            if fetch(base_url + "/healthz")[0] == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds} s.")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fetch(url, headers=None):
    """GET `url` and read it to the end: (status, headers)."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=300) as answer:
        answer.read()
        return answer.status, dict(answer.headers)


# --- wrk -----------------------------------------------------------------------------

def wrk(url, *, seconds, connections, threads=1, headers=(), paths=()):
    """Load `url` with wrk for `seconds`; with `paths`, request each path of `url` in turn.
    Returns requests, req/s, p50 and p99 in ms, non-2xx answers and socket errors."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "30s"]
    for header in headers:
        command += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if paths:
            quoted = ", ".join(f'"{path}"' for path in paths)
            script.write(f"local paths = {{{quoted}}}\nlocal i = 0\n"
                         "request = function()\n  i = i + 1\n"
                         "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
            script.flush()
            command += ["-s", script.name]
        output = subprocess.run(command + [url], capture_output=True, text=True,
                                check=True).stdout
    return parse_wrk(output)


def parse_wrk(output):
    def line(pattern):
        return re.search(pattern, output, re.MULTILINE)

    sockets = line(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
    non_2xx = line(r"Non-2xx or 3xx responses: (\d+)")
    return {
        "requests": int(line(r"^\s*(\d+) requests in").group(1)),
        "rps": float(line(r"^Requests/sec:\s+([\d.]+)").group(1)),
        # wrk pads times in seconds with a space: "1.23s ".
        "p50": milliseconds(line(r"^\s+50%\s+(\S+)\s*$").group(1)),
        "p99": milliseconds(line(r"^\s+99%\s+(\S+)\s*$").group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
    }


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * UNITS[unit]


def interleaved(base_url, targets, *, seconds, connections):
    """wrk against each (name, path, headers) target in turn, round after round of
    SLICE_SECONDS each until every target has had about `seconds`, so that load from
    elsewhere on a shared machine falls on every target alike, the floor included.
    Per target: requests and errors summed, req/s over all its slices, p50 the median of
    its slices' p50s, p99 the highest of their p99s."""
    rounds = max(1, seconds // SLICE_SECONDS)
    slices = {name: [] for name, _, _ in targets}
    for _ in range(rounds):
        for name, path, headers in targets:
            slices[name].append(wrk(base_url + path, seconds=seconds // rounds,
                                    connections=connections, headers=headers))
    return {name: {
        "requests": sum(run["requests"] for run in runs),
        "rps": statistics.mean(run["rps"] for run in runs),
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": max(run["p99"] for run in runs),
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "socket_errors": sum(run["socket_errors"] for run in runs),
    } for name, runs in slices.items()}
