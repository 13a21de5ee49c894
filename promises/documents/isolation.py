"""Run a function in a child process with a limit on its time and memory, so work on an
uploaded file is cut off wherever it goes astray, and the web process never grows."""

import logging
import math
import multiprocessing
import os
import resource


class LimitExceeded(Exception):
    """The child ran out of time or memory, or died before it answered."""


# Loaded once in the fork server rather than in every child: the checks run on uploads.
# (The server starts on the first run and keeps the list it started with.)
SERVER_MODULES = ["promises.documents.signatures"]
# Libraries may catch a MemoryError like any other error (pyHanko's difference analysis
# does) and go on with a wrong answer; a child whose peak came this close to its limit is
# taken to have reached it.
MEMORY_MARGIN_BYTES = 16 * 1024 * 1024


def virtual_memory_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def peak_virtual_memory_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


def set_limits(seconds, memory_bytes):
    # The wall-clock limit is kept by the parent; the CPU limit (whole seconds only) stops a
    # child the parent could no longer stop.
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu = math.ceil(seconds) + 1
    resource.setrlimit(
        resource.RLIMIT_CPU, (cpu if hard == resource.RLIM_INFINITY else min(cpu, hard), hard)
    )
    if not memory_bytes or not os.path.exists("/proc/self/status"):
        return None  # without Linux's /proc (a developer's Mac), time is the only limit
    # The address space counts what the child already has mapped, so the limit is the
    # growth from here.
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = virtual_memory_bytes() + memory_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def child(connection, function, args, seconds, memory_bytes):
    # What the work warns about is its untrusted input, not the server: only errors are
    # worth the server's log.
    logging.disable(logging.WARNING)
    try:
        limit = set_limits(seconds, memory_bytes)
        # Receiving the arguments may have peaked higher than the function will.
        peak_before = peak_virtual_memory_bytes() if limit else 0
        outcome = ("value", function(*args))
        if limit:
            peak = peak_virtual_memory_bytes()
            if peak > peak_before and peak > limit - MEMORY_MARGIN_BYTES:
                outcome = ("limit", "out of memory")
    except MemoryError:
        outcome = ("limit", "out of memory")
    except Exception as error:
        outcome = ("error", error)
    try:
        connection.send(outcome)
    except Exception as error:  # the answer itself could not be sent (pickled)
        connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    connection.close()


def run(function, *args, seconds, memory_bytes):
    """`function(*args)` in a child process; its exceptions are raised here. LimitExceeded
    when it takes over `seconds` (wall clock) or grows by over `memory_bytes`.

    Children are forked from a fork server that has only SERVER_MODULES loaded (not the web
    process, whose threads and connections a fork would copy), so starting one costs a few
    tens of milliseconds. The function and its arguments must be picklable, and
    each child imports the main module again as multiprocessing does (gunicorn's and
    manage.py's take milliseconds; a script's main module keeps its work under
    `if __name__ == "__main__"`).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(SERVER_MODULES)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=child, args=(sender, function, args, seconds, memory_bytes), daemon=True
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise LimitExceeded(f"no answer within {seconds} s")
        try:
            kind, value = receiver.recv()
        except EOFError:
            raise LimitExceeded("the child stopped without answering") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if kind == "limit":
        raise LimitExceeded(value)
    if kind == "error":
        raise value
    return value
