#!/usr/bin/python3
"""Fetches one URL a fixed number of times from C connections at once and
waits for every answer (wrk stops at a deadline and drops what is in flight,
which hides exactly what the large-cluster runs look for).

    fetch.py URL [-c CONNECTIONS] [-n REQUESTS_PER_CONNECTION] [--timeout S]
             [--user NAME:PASSWORD]

Every request opens a new connection (as the Prometheus exporter and
Ganeti's Python client do). Prints one JSON object: requests, ok, non2xx,
timeouts, errors, seconds, p50_ms, p99_ms, max_ms, mean_ms, reply_bytes.
bench/run starts it inside the sandbox's network namespace for the original.
"""

import argparse
import base64
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse


def one_request(url, headers, timeout):
    """(status or None, body length, error kind or None)"""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                           context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        return response.status, len(response.read()), None
    except (socket.timeout, TimeoutError):
        return None, 0, "timeout"
    except (OSError, http.client.HTTPException):
        return None, 0, "error"
    finally:
        conn.close()


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(p * (len(sorted_values) - 1) + 0.5))
    return sorted_values[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("-c", "--connections", type=int, default=1)
    parser.add_argument("-n", "--requests", type=int, default=1,
                        help="requests per connection, one after the other")
    parser.add_argument("--timeout", type=float, default=180.0, help="per request, seconds")
    parser.add_argument("--user", default="admin:adminpass")
    args = parser.parse_args()

    headers = {"Authorization": "Basic " + base64.b64encode(args.user.encode()).decode(),
               "Connection": "close"}
    results = []  # (latency ms, status, bytes, error)
    lock = threading.Lock()

    def worker():
        for _ in range(args.requests):
            start = time.monotonic()
            status, size, error = one_request(args.url, headers, args.timeout)
            with lock:
                results.append(((time.monotonic() - start) * 1000, status, size, error))

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start

    latencies = sorted(r[0] for r in results if r[1] is not None and 200 <= r[1] < 300)
    print(json.dumps({
        "url": args.url,
        "connections": args.connections,
        "requests": len(results),
        "ok": len(latencies),
        "non2xx": sum(1 for r in results if r[1] is not None and not 200 <= r[1] < 300),
        "timeouts": sum(1 for r in results if r[3] == "timeout"),
        "errors": sum(1 for r in results if r[3] == "error"),
        "seconds": round(seconds, 3),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "mean_ms": round(sum(latencies) / len(latencies), 1) if latencies else 0.0,
        "reply_bytes": max((r[2] for r in results), default=0),
    }))


if __name__ == "__main__":
    main()
