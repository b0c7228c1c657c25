"""Our static files as they travel: our own style sheet and scripts without their comments, vendored files as
they were written."""
from pathlib import Path

import pytest

from hub.core import web

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["app.css", "offline.js", "counter.js"])
def test_our_style_sheet_and_scripts_travel_without_their_comments(client, name):
    written = (ROOT / "static" / name).read_text(encoding="utf-8")
    sent = client.get(f"/static/{name}", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert len(sent) < len(written) and ("/*" in written or "\n//" in written)
    if name.endswith(".css"):
        assert "/*" not in sent and sent.count("{") == written.count("{")  # every rule, no comment
    else:
        assert not [line for line in sent.splitlines() if line.lstrip().startswith("//")]
        code = [line.lstrip() for line in written.splitlines() if line.strip() and not line.lstrip().startswith("//")]
        assert sent.splitlines() == code  # every line of code, in its order, without its indentation


@pytest.mark.parametrize("source", ["var a = `one\n  two`;\n  f(a);\n", 'var a = "one \\\n  two";\n  f(a);\n'])
def test_a_script_whose_strings_may_span_lines_keeps_its_indentation(source):
    assert web._lean(source, "text/javascript") == source
    assert web._lean("  f(a);\n    g(b);\n", "text/javascript") == "f(a);\ng(b);\n"


def test_a_vendored_script_travels_as_it_was_written(client):
    written = (ROOT / "static" / "vendor" / "htmx-2.0.11.min.js").read_bytes()
    with client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "identity"}) as sent:
        assert sent.data == written
