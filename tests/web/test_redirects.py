"""Where a command sends the browser next: a path of this site, never another (a sign-in's: test_access)."""
import pytest

HOSTILE = ["%2F%09%2Fevil.example", "%2F%0A%2Fevil.example", "%2F%0D%2Fevil.example", "/%09/evil.example",
           "%09//evil.example", "/%E2%80%AE/evil.example", "%2F%5C%2Fevil.example", "//evil.example",
           "https://evil.example/", "%20//evil.example"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_full_switch_never_sends_the_browser_to_another_site(associate, target):
    from urllib.parse import unquote
    response = associate.post("/capacite/complet", {"full": "1", "next": unquote(target)}, htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_path_of_this_site_is_still_followed(associate):
    response = associate.post("/capacite/complet", {"full": "1", "next": "/inventaire/?q=a%20b"}, htmx=False)
    assert response.headers["Location"] == "/inventaire/?q=a%20b"
