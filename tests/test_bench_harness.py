"""bench/harness.py reads wrk's figures from its own output lines; the outputs below are
wrk 4.1's, captured against gunicorn."""

import runpy
from pathlib import Path

import pytest

parse_wrk = runpy.run_path(str(Path(__file__).parent.parent / "bench" / "harness.py"))[
    "parse_wrk"
]

# wrk pads times in seconds with a trailing space.
SLOW = """Running 20s test @ http://127.0.0.1:44877
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   908.11ms  620.27ms   2.80s    57.61%
    Req/Sec    10.64     10.75    40.00     88.57%
  Latency Distribution
     50%  943.61ms
     75%    1.23s \n     90%    1.64s \n     99%    2.76s \n  175 requests in 20.08s, 50.56MB read
Requests/sec:      8.72
Transfer/sec:      2.52MB
"""

NOT_FOUND = """Running 2s test @ http://127.0.0.1:56539/no-such-page
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.73ms   27.44ms 216.24ms   94.18%
    Req/Sec   285.85     95.97   393.00     80.00%
  Latency Distribution
     50%    6.36ms
     75%    8.57ms
     90%   14.86ms
     99%  174.07ms
  570 requests in 2.00s, 1.75MB read
  Non-2xx or 3xx responses: 570
Requests/sec:    284.50
Transfer/sec:      0.87MB
"""

# gunicorn stopped 2.5 s into the run.
STOPPED = """Running 4s test @ http://127.0.0.1:40127/healthz
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.50ms    3.38ms  49.75ms   94.60%
    Req/Sec     0.90k   237.83     1.59k    76.00%
  Latency Distribution
     50%  471.00us
     75%    1.13ms
     90%    3.73ms
     99%    9.07ms
  2255 requests in 4.02s, 1.43MB read
  Socket errors: connect 0, read 1, write 1849, timeout 0
Requests/sec:    561.58
Transfer/sec:    364.15KB
"""


@pytest.mark.parametrize(("output", "expected"), [
    (SLOW, {"requests": 175, "rps": 8.72, "p50": 943.61, "p99": 2760.0,
            "non_2xx": 0, "socket_errors": 0}),
    (NOT_FOUND, {"requests": 570, "rps": 284.5, "p50": 6.36, "p99": 174.07,
                 "non_2xx": 570, "socket_errors": 0}),
    (STOPPED, {"requests": 2255, "rps": 561.58, "p50": 0.471, "p99": 9.07,
               "non_2xx": 0, "socket_errors": 1850}),
])
def test_wrk_figures_are_read_from_its_output(output, expected):
    assert parse_wrk(output) == pytest.approx(expected)
