"""The Content-Security-Policy in Chromium: inline scripts do not run, and the buttons that used to need
them still work (every other end-to-end test also fails on any violation the policy reports)."""
from .conftest import customer_notice_token, login


def test_an_inline_script_slipped_into_a_page_does_not_run(live_server, new_context):
    page = login(new_context().new_page(), live_server, "associe")
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.__ran = 1";
                            document.body.appendChild(s); }""")
    for _ in range(100):  # the violation's report reaches the test a moment later, more under load
        if any("script-src" in v or "Content Security Policy" in v for v in new_context.violations):
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v or "Content Security Policy" in v for v in new_context.violations)
    new_context.violations.clear()  # the refusal this test provoked is the one expected


def test_the_notice_prints_without_an_inline_handler(live_server, new_context):
    page = new_context().new_page()
    page.add_init_script("window.print = function () { window.__printed = true; };")
    page.goto(f"{live_server.url}/retrait/{customer_notice_token(live_server, 'Camille Martin')}")
    page.get_by_role("button", name="Imprimer").click()
    assert page.evaluate("window.__printed") is True
