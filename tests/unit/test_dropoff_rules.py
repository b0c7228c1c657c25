from datetime import date

import pytest

from hub.rules import dropoff as rules
from hub.rules.parcels import State


def label(state=State.EXPECTED, shop_id=1, shop_name="Ici"):
    return rules.Label("CE1FR", shop_id, shop_name, state)


def test_an_expected_parcel_of_this_shop_is_received():
    assert rules.judge_scan(label(), "CE1FR", 1) == rules.ScanOutcome.RECEIVED


@pytest.mark.parametrize("state", [State.AT_STORE, State.EXPIRED, State.TO_RETURN, State.NOT_FOUND])
def test_a_parcel_already_in_the_shop_is_a_harmless_repeat(state):
    assert rules.judge_scan(label(state), "CE1FR", 1) == rules.ScanOutcome.ALREADY_HERE


def test_an_unknown_label_is_refused():
    with pytest.raises(rules.UnknownParcel) as err:
        rules.judge_scan(None, "XX9", 1)
    assert err.value.params == {"tracking_id": "XX9"}


def test_a_parcel_for_another_shop_is_refused_and_names_that_shop():
    with pytest.raises(rules.ParcelForAnotherShop) as err:
        rules.judge_scan(label(shop_id=2, shop_name="Épicerie de la Gare"), "CE1FR", 1)
    assert err.value.params["shop"] == "Épicerie de la Gare"


def test_a_parcel_for_another_shop_scanned_by_an_associate_does_not_name_that_shop():
    with pytest.raises(rules.ParcelNotForThisShop) as err:
        rules.judge_scan(label(shop_id=2, shop_name="Épicerie de la Gare"), "CE1FR", 1, by_associate=True)
    assert err.value.params == {"tracking_id": "CE1FR"} and "Épicerie" not in str(err.value)


@pytest.mark.parametrize("state", [State.COLLECTED, State.RETURNED, State.REFUSED_AT_DROPOFF, State.MISSING])
def test_a_parcel_that_left_cannot_be_received_again(state):
    with pytest.raises(rules.ParcelNotExpected):
        rules.judge_scan(label(state), "CE1FR", 1)


def test_tracking_ids_compare_without_spaces_dashes_or_case():
    assert rules.normalise_tracking_id(" ce-100 013 fr\n") == "CE100013FR"


def test_the_shelf_letter_is_the_weekday_of_the_last_pickup_day():
    monday, sunday = date(2026, 11, 30), date(2026, 12, 6)
    assert rules.suggest_shelf_place(monday, set()) == "A-01"
    assert rules.suggest_shelf_place(sunday, set()) == "G-01"


def test_the_shelf_slot_is_the_first_free_one_under_that_letter():
    thursday = date(2026, 12, 3)
    assert rules.suggest_shelf_place(thursday, {"D-01", "D-02", "D-04", "A-03"}) == "D-03"


def test_a_shop_is_over_capacity_only_past_it():
    assert not rules.over_capacity(20, 20)
    assert rules.over_capacity(21, 20)


def test_an_associate_scanning_for_a_driver_is_told_to_hand_back_what_is_not_theirs_to_keep():
    """« Autre »: the carrier's words (« keep it with you ») would tell the associate to keep the parcel."""
    with pytest.raises(rules.UnknownParcelForDriver) as unknown:
        rules.judge_scan(None, "XX9", 1, by_associate=True)
    with pytest.raises(rules.ParcelNotForThisShop) as elsewhere:
        rules.judge_scan(label(shop_id=2, shop_name="Épicerie de la Gare"), "CE1FR", 1, by_associate=True)
    for refusal in (unknown.value, elsewhere.value):
        assert "hand it back to the driver" in refusal.message and "Keep it with you" not in refusal.message
