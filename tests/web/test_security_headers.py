"""What every answer tells the browser: the Content-Security-Policy (no inline script, no eval, no framing),
the other security headers, no cache for pages, and cookies that go over https only in production."""
import re
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]


def policy(response):
    return dict((part.split(" ", 1) + [""])[:2] for part in response.headers["Content-Security-Policy"].split("; "))


@pytest.mark.parametrize("path", ["/", "/connexion", "/aide/", "/sw.js", "/manifest.webmanifest", "/static/app.css"])
def test_every_answer_carries_the_security_headers(associate, path):
    response = associate.get(path)
    csp = policy(response)
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # not over the tests' plain http
    response.close()


@pytest.mark.parametrize("path", ["/", "/collecte/", "/inventaire/", "/retours/"])
def test_a_fragment_carries_only_what_applies_to_it_and_the_same_screen_as_a_page_carries_all(associate, path):
    fragment = associate.get(path, htmx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["X-Content-Type-Options"] == "nosniff" and fragment.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in fragment.headers["Vary"]
    for document_only in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Referrer-Policy"):
        assert document_only not in fragment.headers
    boosted = associate.get(path, headers={"HX-Request": "true", "HX-Boosted": "true"})  # shown as a page
    assert policy(boosted)["frame-ancestors"] == "'none'" and boosted.headers["X-Frame-Options"] == "DENY"
    for name in ("HX-History-Restore-Request", "HX-Boosted"):
        assert "Content-Security-Policy" in associate.get(path, headers={"HX-Request": "true", name: "true"}).headers


@pytest.mark.parametrize("path", ["/", "/collecte/", "/inventaire/", "/hors-ligne/paquet", "/inventaire.csv", "/aide/"])
def test_signed_in_pages_are_kept_in_no_cache(associate, path):
    assert associate.get(path).headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_and_the_worker_is_asked_again_each_time(client):
    static = client.get("/static/app.js")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()
    assert client.get("/sw.js").headers["Cache-Control"] == "no-cache"


def test_production_asks_for_https_and_its_cookies_go_over_https_only_whatever_the_proxies_say(production,
                                                                                           demo_data):
    client = production.test_client()
    response = client.get("/connexion")  # plain http, no proxy trusted: request.is_secure is false
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookies = response.headers.getlist("Set-Cookie")
    device = next(c for c in cookies if c.startswith("comptoir_device="))
    assert "Secure" in device and "HttpOnly" in device


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(t.relative_to(ROOT / "templates")) for t in TEMPLATES])
def test_no_template_holds_an_inline_script_or_handler(template):
    source = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", source), "inline event handler"
    assert "hx-on" not in source and "javascript:" not in source
