"""Where an uncached public page spends its time: cProfile over N requests through the whole
Django stack (test client, middleware, view, templates), with the page cache switched off.

    .venv/bin/python bench/profile_page.py /medborgarloften/1331/ [--requests 20] [--top 25]

Uses BENCH_DATABASE_URL (default: the bench/run database) with production settings, as
bench/run does; bench/measure.py calls `profile()` for the period pages and puts the
summary in bench/RESULTS.md. CPU self time (not wall time: the machine is shared) is
grouped by where the code lives (templates, the ORM, the database driver, the portal's own
code, ...), then the costliest functions.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time

import harness

# Self time is put in the first group whose marker is in the function's file name.
GROUPS = [
    ("database driver (psycopg, sqlite3)", ("psycopg", "sqlite3")),
    ("Django templates", ("django/template/", "django/templatetags/")),
    ("Django ORM (SQL compiling, model instances)", ("django/db/",)),
    ("translation (gettext)", ("django/utils/translation", "gettext")),
    ("Django, other (middleware, URLs, HTTP, utils)", ("django/",)),
    ("portal: view models, progress, selectors", ("public/", "followup/", "promises/",
                                                   "municipalities/")),
    ("Python standard library and other", ("",)),
]


def group_of(filename):
    for name, markers in GROUPS:
        if any(marker in filename for marker in markers):
            return name
    return GROUPS[-1][0]


def profile(path, *, requests=20, top=25):
    """Profile `requests` uncached GETs of `path`; returns the figures, a plain-text and a
    Markdown summary."""
    from django.db import connection
    from django.test import Client, override_settings

    client = Client(HTTP_HOST=harness.HOST)
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        response = client.get(path)  # warm: templates compiled, translations loaded
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
        timings = []

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(time.perf_counter() - started)

        with connection.execute_wrapper(timed):
            client.get(path)
        database_ms = sum(timings) * 1000
        # CPU time, not wall time: on a shared machine, time spent descheduled would land
        # on whichever function happened to run. Waiting for the database is off the CPU
        # too, so its queries are timed apart (above, unprofiled).
        profiler = cProfile.Profile(time.process_time)
        started, started_cpu = time.perf_counter(), time.process_time()
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
        wall_ms = (time.perf_counter() - started) * 1000 / requests
        cpu_ms = (time.process_time() - started_cpu) * 1000 / requests
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # self time, all functions
    groups = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        group = group_of(filename)
        groups[group] = groups.get(group, 0) + tottime
    functions = sorted(
        ((tottime, calls, f"{short(filename)}:{line} {name}")
         for (filename, line, name), (_cc, calls, tottime, _ct, _callers)
         in stats.stats.items()),
        reverse=True,
    )[:top]
    per_request = {name: seconds * 1000 / requests for name, seconds in groups.items()}
    result = {
        "path": path, "requests": requests, "bytes": size, "queries": len(timings),
        "database_ms": database_ms, "wall_ms": wall_ms, "cpu_ms": cpu_ms,
        "profiled_ms": total * 1000 / requests, "groups": per_request,
        "functions": [(seconds * 1000 / requests, calls // requests, where)
                      for seconds, calls, where in functions],
    }
    result["text"] = as_text(result)
    result["markdown"] = as_markdown(result)
    return result


def short(filename):
    for marker in ("site-packages/", "lib/python3", str(harness.ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def ordered_groups(result):
    return sorted(result["groups"].items(), key=lambda item: -item[1])


def as_text(result):
    lines = [
        f"{result['path']}: {result['cpu_ms']:.1f} ms CPU ({result['wall_ms']:.1f} ms wall) "
        f"a request under the profiler ({result['requests']} requests, "
        f"{result['bytes'] / 1024:.0f} KB, "
        f"{result['queries']} queries taking {result['database_ms']:.1f} ms unprofiled)",
    ]
    lines += [f"  {ms:7.2f} ms  {name}" for name, ms in ordered_groups(result)]
    lines += [f"  {ms:7.2f} ms {calls:7d}×  {where}" for ms, calls, where in result["functions"]]
    return "\n".join(lines)


def as_markdown(result):
    lines = [
        f"`{result['path']}`: {result['cpu_ms']:.1f} ms of CPU ({result['wall_ms']:.1f} ms "
        f"wall) a request through Django's test client under cProfile, which counts CPU "
        f"time and slows Python code down (compare the shares, not the totals, with the "
        f"wrk figures); {result['requests']} requests, {result['bytes'] / 1024:.0f} KB of "
        f"HTML, {result['queries']} queries whose round trips took "
        f"{result['database_ms']:.1f} ms of wall time without the profiler.",
        "",
        "| CPU self time by where the code lives | ms a request | share |",
        "|---|---:|---:|",
    ]
    total = sum(result["groups"].values()) or 1
    lines += [f"| {name} | {ms:.2f} | {ms / total:.0%} |" for name, ms in ordered_groups(result)]
    lines += ["", "| costliest functions (CPU self time) | ms a request | calls a request |",
              "|---|---:|---:|"]
    lines += [f"| `{where}` | {ms:.2f} | {calls} |"
              for ms, calls, where in result["functions"][:15]]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args()
    os.environ.setdefault("CACHE_URL", "locmem://")
    harness.prepare(os.environ.get("BENCH_DATABASE_URL", harness.BENCH_DATABASE_URL),
                    name="bench")
    print(profile(options.path, requests=options.requests, top=options.top)["text"])


if __name__ == "__main__":
    sys.exit(main())
