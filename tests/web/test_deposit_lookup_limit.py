"""« Dépôt d'un client »: lookups that name no drop-off are limited per device; known codes, and the same wrong
code read again by the camera, never count."""
from ..conftest import text
from .test_deposit import RETURN, SENDING, counter_free, take  # noqa: F401 (counter_free: the screens' fixture)


def test_scans_that_name_no_drop_off_stop_at_the_devices_limit_and_known_ones_never_count(app, associate, browser):
    for _ in range(35):  # a known code, as often as a busy afternoon scans it: never counted
        assert associate.post("/depot/scanner", {"code": RETURN}).status_code == 200
    for n in range(29):  # tracking IDs tried one after another, by scan and by address
        assert associate.post("/depot/scanner", {"code": f"CE9{n:05d}FR"}).status_code == 422
    assert associate.get("/depot/CE900099FR", htmx=True).status_code == 422
    stopped = associate.post("/depot/scanner", {"code": RETURN})
    assert stopped.status_code == 429 and "Inès Moreau" not in text(stopped)  # nothing of the drop-off shown
    assert "Trop de codes sans dépôt sur cet appareil. Attendez 15 minutes au plus" in text(stopped)
    assert associate.get(f"/depot/{RETURN}").status_code == 429  # the same limit, page or fragment
    assert take(associate).status_code == 200  # a step is not a lookup: the counter still takes it
    other_device = browser().login("associe")
    assert other_device.post("/depot/scanner", {"code": SENDING}).status_code == 200


def test_the_same_wrong_code_read_again_and_again_counts_once(associate):
    for _ in range(40):  # the camera reads the customer's wrong code every few seconds while it stays in view
        assert associate.post("/depot/scanner", {"code": "DEP-AAAAAAAAAA"}).status_code == 422
    assert associate.post("/depot/scanner", {"code": RETURN}).status_code == 200
