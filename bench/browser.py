"""What a counter's browser meets: bytes of the first visit, scan to confirmation painted, the offline replay.

Called by bench/run.sh (prints one JSON line). Runs the app as the end-to-end tests do (a live server with the
demo data, tests/e2e/conftest.py) and Chromium through Playwright.

- P2: the home screen's first paint as sent (its HTML, CSS and scripts, compressed as the browser asks), what
  the first visit downloads twice (read in the server's own log), and the median size of the fragments a
  counter gets (answers to its steps), headers included.
- P3: a keyboard-wedge scan to its confirmation painted, online (loopback) then offline, 40 scans each
  (eight customers of five parcels each way).
- P5: 1,000 scans queued offline, then replayed: seconds, lost, duplicated (bench/replay_queue.py).
"""
import http.client
import json
import re
import statistics
import sys
from collections import Counter
from urllib.parse import urlsplit

from _live import chromium, expect, live_server, online_visit, phone, wait_until

import replay_queue

MARK = """() => {
  window.__took = [];
  window.__spans = [];
  performance.setResourceTimingBufferSize(10000);
  document.addEventListener("keydown", (e) => { if (e.key === "Enter") window.__start = performance.now(); }, true);
  new MutationObserver((records) => {
    if (!window.__start) return;
    const shown = records.some((r) => [...r.addedNodes].some((n) => n.nodeType === 1 &&
      (n.matches("[data-feedback]") || n.querySelector("[data-feedback]"))));
    if (!shown) return;
    const start = window.__start, swapped = performance.now();
    window.__start = 0;
    requestAnimationFrame(() => setTimeout(() => {
      const painted = performance.now();
      window.__spans.push({ enter: start, swapped: swapped, painted: painted });
      window.__took.push(painted - start);
    }, 0));
  }).observe(document.body, { childList: true, subtree: true });
}"""

# Where a scan's time goes, from the page's own clocks: the keydown, the request as Resource Timing saw it
# (the service worker answers it offline), the fragment swapped in, the frame painted.
PHASES = """() => window.__spans.map((span) => {
  const request = performance.getEntriesByType("resource").find((r) =>
    r.initiatorType === "xmlhttprequest" && r.startTime >= span.enter && r.startTime <= span.swapped);
  if (!request) return null;
  return { before_request: request.startTime - span.enter, answer: request.responseEnd - request.startTime,
           worker_to_first_byte: request.responseStart - (request.workerStart || request.startTime),
           swap: span.swapped - request.responseEnd, paint: span.painted - span.swapped };
}).filter(Boolean)"""


def phases(page):
    """Per phase of a scan, the median ms over the scans timed on ``page`` (see PHASES)."""
    spans = page.evaluate(PHASES)
    return {name: round(statistics.median(span[name] for span in spans), 1) for name in spans[0]} if spans else {}


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


# --- P2 --------------------------------------------------------------------------------------------

def _get(server, path, cookies, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(server.url).port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookies, "Accept-Encoding": "br, gzip", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    head = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
    connection.close()
    return response.status, body, head


def first_paint(server, cookies):
    """The home screen's HTML, CSS and scripts as the network sends them (compressed bodies), and the headers
    that came with them."""
    import brotli

    _status, body, head = _get(server, "/", cookies)
    html = brotli.decompress(body).decode() if body[:1] != b"<" else body.decode()
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"', html)
    total, headers = len(body), head
    for css, js in assets:
        _status, asset, asset_head = _get(server, css or js, cookies)
        total, headers = total + len(asset), headers + asset_head
    return total, headers, len(assets)


def fragment_sizes(server, page):
    """Sizes as sent of the fragments a counter gets (HTMX answers), headers included."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    sizes = []
    for path in ["/", "/collecte/", "/retours/", "/retours/expires", "/inventaire/", "/livraison/suivi", "/aide/"]:
        _status, body, head = _get(server, path, cookies, {"HX-Request": "true"})
        sizes.append(len(body) + head)
    return sizes


def downloaded_twice(log_text):
    """Static files the server sent more than once (a 200) during the first visit. Signed-in pages are never
    kept in the browser's cache (no-store): the worker's first copy of the screen just loaded is a second
    download of a few KB, by design (hub/core/headers.py)."""
    sent = Counter(m.group(1) for m in re.finditer(r'"GET (/static/\S+) HTTP/1\.1" 200', log_text))
    return {path: n for path, n in sent.items() if n > 1}


def p2(server, browser):
    context = phone(browser)
    page = context.new_page()
    log_from = server.log.tell()
    online_visit(page, server)
    page.wait_for_load_state("networkidle")
    server.log.flush()
    with open(server.log.name) as f:
        f.seek(log_from)
        twice = downloaded_twice(f.read())
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    paint, headers, assets = first_paint(server, cookies)
    sizes = fragment_sizes(server, page)
    context.close()
    return {"first_paint_bytes": paint, "first_paint_header_bytes": headers, "first_paint_files": assets + 1,
            "downloaded_twice": twice,
            "fragment_median_bytes": statistics.median(sizes), "fragment_bytes": sizes}


# --- P3 --------------------------------------------------------------------------------------------

CUSTOMERS = 16  # five parcels each (bench/replay_queue.py): half scanned online, half offline


def open_pickup(page, server, code):
    page.goto(server.url + "/collecte/")
    page.locator("[name=entry]").first.fill(code)
    page.locator("[name=entry]").first.press("Enter")
    expect(page.locator("#pickup")).to_be_visible()
    page.evaluate(MARK)


def timed_scans(page, customer):
    """The customer's five labels, each typed by the wedge then Enter; ms from Enter to the answer painted."""
    for n in range(replay_queue.PER_CUSTOMER):
        field = page.locator("[data-scan-field]").first
        field.focus()
        page.keyboard.type(f"BN{customer:03d}{n}FR", delay=0)
        page.keyboard.press("Enter")
        wait_until(page, f"window.__took.length >= {n + 1}", timeout=30_000)
    return page.evaluate("window.__took")


def p3(server, browser):
    context = phone(browser)
    page = context.new_page()
    online_visit(page, server)
    online, offline, split = [], [], {"online": [], "offline": []}
    for c in range(CUSTOMERS // 2):
        open_pickup(page, server, f"{900000 + c:06d}")
        online += timed_scans(page, c)
        split["online"].append(phases(page))
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    for c in range(CUSTOMERS // 2, CUSTOMERS):
        open_pickup(page, server, f"{900000 + c:06d}")
        offline += timed_scans(page, c)
        split["offline"].append(phases(page))
    context.close()
    medians = {way: {name: round(statistics.median(p[name] for p in parts if p), 1) for name in parts[0]}
               for way, parts in split.items() if parts and parts[0]}
    return {"online_ms": online, "offline_ms": offline, "phases_ms": medians,
            "online_p50": percentile(online, 50), "online_p95": percentile(online, 95),
            "offline_p50": percentile(offline, 50), "offline_p95": percentile(offline, 95)}


def main():
    out = {}
    prepare = lambda url: replay_queue.add_customers(url, CUSTOMERS * replay_queue.PER_CUSTOMER)  # noqa: E731
    with live_server(prepare) as server, chromium() as browser:
        out["p2"] = p2(server, browser)
        out["p3"] = p3(server, browser)
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
