"""Bytes over the network: a counter's first visit (sign-in, shell precached, offline bundle), then a repeat visit.

Run: python bench/visit_bytes.py

Counted from the network events Chromium reports (CDP, through Playwright) for the page and for its
service worker: what each request and its answer weighed on the wire, headers included. A request
the service worker answers from the device's storage costs no network byte.
"""
from _live import chromium, expect, live_server, online_visit, phone


TOP = 6


class Meter:
    """Adds up the bytes of every request that reached the network, the worker's included."""

    def __init__(self, context):
        self.rows = []
        context.on("requestfinished", self.finished)

    def finished(self, request):
        response = request.response()
        if response is None or response.from_service_worker:
            return  # answered by the worker: its own request, if any, is counted on its own
        sizes = request.sizes()
        total = sizes["requestHeadersSize"] + sizes["requestBodySize"] + sizes["responseHeadersSize"]
        self.rows.append((request.url, max(0, total) + max(0, sizes["responseBodySize"])))

    def take(self):
        rows, self.rows = self.rows, []
        return rows


def report(title, rows, server):
    total = sum(size for _, size in rows)
    print(f"{title}: {total / 1024:.1f} KiB in {len(rows)} requests")
    for url, size in sorted(rows, key=lambda r: -r[1])[:TOP]:
        print(f"    {size / 1024:8.1f} KiB  {url.removeprefix(server.url)}")


def main():
    with live_server() as server, chromium() as browser:
        context = phone(browser)
        meter = Meter(context)
        page = context.new_page()
        online_visit(page, server)
        page.wait_for_load_state("networkidle")
        report("first visit (sign-in, home, shell, bundle, screens kept)", meter.take(), server)

        page.close()
        page = context.new_page()
        page.goto(server.url + "/")
        expect(page.get_by_role("link", name="Collecte du client")).to_be_visible()
        page.wait_for_load_state("networkidle")
        report("repeat visit (home)", meter.take(), server)

        page.get_by_role("link", name="Collecte du client").click()
        page.wait_for_load_state("networkidle")
        report("then the pickup's start screen", meter.take(), server)
        context.close()


if __name__ == "__main__":
    main()
