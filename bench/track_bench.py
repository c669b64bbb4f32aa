"""How long ``policydocs track`` takes for 50 declared pages on a local server.

    .venv/bin/python bench/track_bench.py [PAGES]

A ThreadingHTTPServer on 127.0.0.1 serves PAGES policy pages; the store declares
each one. Run 1 records a first version of each, run 2 finds every page
unchanged, run 3 finds one sentence changed on every page."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from policydocs.track import run_track

PARAGRAPH = "<p>Section {n}: we process your {what} to provide the service, and keep it for {days} days.</p>"


def page(index: int, days: int) -> bytes:
    body = "\n".join(PARAGRAPH.format(n=n, what=("email address", "usage data", "payment details")[n % 3],
                                      days=days if n == 7 else 30) for n in range(40))
    return (f"<!doctype html><html><head><title>Policy {index}</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><main><article><h1>Policy {index}</h1>{body}"
            "</article></main></body></html>").encode()


def main(count: int = 50) -> None:
    state = {"days": 30}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            data = page(int(self.path.strip("/").split("-")[-1]), state["days"])
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "policy_versions"
        root.mkdir()
        policies = {f"policy-{i}": {"title": f"Policy {i}", "track": {"url": f"{base}/policy-{i}",
                                                                      "select": ["main article"],
                                                                      "remove": ["nav"]}}
                    for i in range(count)}
        (root / "policies.yml").write_text(yaml.safe_dump({"policies": policies}))
        import os

        for run, (label, day, days) in enumerate((("first versions", "1733011200", 30),
                                                  ("unchanged", "1733097600", 30),
                                                  ("one sentence changed", "1733184000", 365)), 1):
            os.environ["SOURCE_DATE_EPOCH"] = day
            state["days"] = days
            start = time.perf_counter()
            report = run_track(root)
            took = time.perf_counter() - start
            statuses = sorted({o.line().split(": ", 1)[1].split(" policy")[0] for o in report.outcomes})
            print(f"run {run} ({label}): {count} pages in {took:.2f} s "
                  f"({took / count * 1000:.0f} ms a page): {', '.join(statuses)}")
    server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
