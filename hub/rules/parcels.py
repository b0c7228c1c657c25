"""States and transitions of a parcel, as DESIGN.md draws them."""
from dataclasses import dataclass

from .enums import TitledEnum
from .errors import ForbiddenTransition, N_


class State(TitledEnum):
    EXPECTED = "expected", N_("expected")
    AT_STORE = "at_store", N_("to collect")
    COLLECTED = "collected", N_("collected")
    REFUSED_AT_DROPOFF = "refused_at_dropoff", N_("refused at drop-off")
    NOT_FOUND = "not_found", N_("not found")
    EXPIRED = "expired", N_("expired")
    TO_RETURN = "to_return", N_("to return")
    RETURNED = "returned", N_("returned to the carrier")
    MISSING = "missing", N_("missing")
    CANCELLED = "cancelled", N_("cancelled before arrival")
    # A customer's drop-off: with its sender until deposited, then waiting for the carrier, then gone with them.
    WITH_SENDER = "with_sender", N_("with its sender")
    DEPOSITED = "deposited", N_("to hand to the carrier")
    DISPATCHED = "dispatched", N_("taken by the carrier")

    @property
    def terminal(self):
        return self in TERMINAL


class Size(TitledEnum):
    """The size class the associate taps when a label will not scan."""

    SMALL = "small", N_("small size")
    MEDIUM = "medium", N_("medium size")
    LARGE = "large", N_("large size")

TERMINAL = frozenset({State.COLLECTED, State.REFUSED_AT_DROPOFF, State.RETURNED, State.CANCELLED, State.DISPATCHED})

# Parcels the shop is holding: they count against its capacity and its inventory.
IN_SHOP = frozenset({State.AT_STORE, State.NOT_FOUND, State.EXPIRED, State.TO_RETURN, State.DEPOSITED})

# What the carrier takes away at « Reprise des retours »: returns staged, and customers' drop-offs.
FOR_THE_CARRIER = frozenset({State.TO_RETURN, State.DEPOSITED})

# A customer may still collect these (seed FAQ: expired parcels go through the normal pickup).
COLLECTABLE = frozenset({State.AT_STORE, State.EXPIRED, State.TO_RETURN, State.NOT_FOUND})


class Action(TitledEnum):
    RECEIVE = "receive", N_("received")
    REFUSE_DAMAGED = "refuse_damaged", N_("refused as damaged")
    HAND_TO_CUSTOMER = "hand_to_customer", N_("handed to the customer")
    REJECT = "reject", N_("rejected by the customer")
    MARK_NOT_FOUND = "mark_not_found", N_("marked not found")
    FOUND_AGAIN = "found_again", N_("found again")
    EXPIRE = "expire", N_("expired")
    STAGE_FOR_RETURN = "stage_for_return", N_("staged for return")
    MARK_MISSING = "mark_missing", N_("marked missing")
    HAND_TO_CARRIER = "hand_to_carrier", N_("handed to the carrier")
    CANCEL = "cancel", N_("cancelled by the network")
    REDIRECT = "redirect", N_("sent to another shop")
    DEPOSIT = "deposit", N_("deposited by the customer")
    DISPATCH = "dispatch", N_("taken by the carrier")
    DEPOSIT_FOUND = "deposit_found", N_("found again")

S = State
# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    Action.RECEIVE: ({S.EXPECTED}, S.AT_STORE),
    Action.REFUSE_DAMAGED: ({S.EXPECTED, S.AT_STORE}, S.REFUSED_AT_DROPOFF),
    Action.HAND_TO_CUSTOMER: (set(COLLECTABLE), S.COLLECTED),
    Action.REJECT: ({S.AT_STORE, S.EXPIRED, S.NOT_FOUND}, S.TO_RETURN),
    Action.MARK_NOT_FOUND: ({S.AT_STORE, S.EXPIRED, S.TO_RETURN}, S.NOT_FOUND),
    Action.FOUND_AGAIN: ({S.NOT_FOUND, S.MISSING}, S.AT_STORE),
    Action.EXPIRE: ({S.AT_STORE}, S.EXPIRED),
    Action.STAGE_FOR_RETURN: ({S.EXPIRED}, S.TO_RETURN),
    Action.MARK_MISSING: ({S.EXPIRED, S.NOT_FOUND, S.DEPOSITED}, S.MISSING),
    Action.HAND_TO_CARRIER: ({S.TO_RETURN}, S.RETURNED),
    # The network changes its mind about a parcel not there yet: it never comes, or goes to another shop.
    Action.CANCEL: ({S.EXPECTED}, S.CANCELLED),
    Action.REDIRECT: ({S.EXPECTED}, S.EXPECTED),
    # A customer's drop-off: deposited at the counter, taken by the carrier, or found again once declared missing.
    Action.DEPOSIT: ({S.WITH_SENDER}, S.DEPOSITED),
    Action.DISPATCH: ({S.DEPOSITED}, S.DISPATCHED),
    Action.DEPOSIT_FOUND: ({S.MISSING}, S.DEPOSITED),
}

# Moves that leave the parcel in its state and are news all the same (recorded, never a mere repeat).
SAME_STATE = frozenset({Action.REDIRECT})


@dataclass(frozen=True)
class Move:
    """The outcome of asking for an action: where the parcel goes, and whether it was already there."""

    action: Action
    before: State
    after: State

    @property
    def repeat(self):
        return self.before == self.after


def allowed(action, state):
    """True when ``action`` may be applied to a parcel in ``state``."""
    sources, _ = TRANSITIONS[Action(action)]
    return State(state) in sources


def move(state, action):
    """Return the Move for ``action`` from ``state``, or raise ForbiddenTransition.

    Asking again for the state a parcel is already in (a double scan) is a harmless repeat.
    """
    state, action = State(state), Action(action)
    sources, target = TRANSITIONS[action]
    if state in sources:
        return Move(action, state, target)
    if state == target:
        return Move(action, state, state)
    raise ForbiddenTransition(action=action.title, state=state.title)


def replay(actions, start=State.EXPECTED):
    """The state a parcel ends in after ``actions``: what its event log says it is."""
    state = State(start)
    for action in actions:
        state = move(state, action).after
    return state


# What the associate does with a parcel whose label was scanned on a screen with no scan field.
WHAT_TO_DO = {
    State.EXPECTED: N_("Expected at the shop: it is received when the carrier scans it in (« Delivery by the carrier »)."),
    State.AT_STORE: N_("Waiting for its customer: at « Customer pickup », scan their notice first, then this label."),
    State.NOT_FOUND: N_("Marked not found: it is here after all? Tap « Parcel found again »."),
    State.EXPIRED: N_("Expired: scan it at « Carrier collection » so that it goes back with the carrier."),
    State.TO_RETURN: N_("Ready for the carrier: hand it over when the carrier comes for the returns."),
    State.COLLECTED: N_("Already handed over to its customer: it is no longer in the shop."),
    State.RETURNED: N_("Already taken back by the carrier: it is no longer in the shop."),
    State.REFUSED_AT_DROPOFF: N_("Refused at drop-off: it never reached the shop."),
    State.MISSING: N_("Declared missing: it is here after all? Tap « Parcel found again »."),
    State.WITH_SENDER: N_("A customer's drop-off not deposited yet: take it at « Customer drop-off »."),
    State.DEPOSITED: N_("A customer's drop-off: hand it to the carrier when they come for the returns."),
    State.DISPATCHED: N_("A customer's drop-off already taken by the carrier: it is no longer in the shop."),
}
