"""States and transitions of a parcel, as DESIGN.md draws them."""
from dataclasses import dataclass
from enum import Enum

from .errors import ForbiddenTransition, N_


class State(str, Enum):
    EXPECTED = "expected"
    AT_STORE = "at_store"
    COLLECTED = "collected"
    REFUSED_AT_DROPOFF = "refused_at_dropoff"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    TO_RETURN = "to_return"
    RETURNED = "returned"
    MISSING = "missing"

    @property
    def title(self):
        return STATE_TITLES[self]

    @property
    def terminal(self):
        return self in TERMINAL


STATE_TITLES = {
    State.EXPECTED: N_("expected"),
    State.AT_STORE: N_("to collect"),
    State.COLLECTED: N_("collected"),
    State.REFUSED_AT_DROPOFF: N_("refused at drop-off"),
    State.NOT_FOUND: N_("not found"),
    State.EXPIRED: N_("expired"),
    State.TO_RETURN: N_("to return"),
    State.RETURNED: N_("returned to the carrier"),
    State.MISSING: N_("missing"),
}

TERMINAL = frozenset({State.COLLECTED, State.REFUSED_AT_DROPOFF, State.RETURNED})

# Parcels the shop is holding: they count against its capacity and its inventory.
IN_SHOP = frozenset({State.AT_STORE, State.NOT_FOUND, State.EXPIRED, State.TO_RETURN})

# A customer may still collect these (seed FAQ: expired parcels go through the normal pickup).
COLLECTABLE = frozenset({State.AT_STORE, State.EXPIRED, State.TO_RETURN, State.NOT_FOUND})


class Action(str, Enum):
    RECEIVE = "receive"
    REFUSE_DAMAGED = "refuse_damaged"
    HAND_TO_CUSTOMER = "hand_to_customer"
    REJECT = "reject"
    MARK_NOT_FOUND = "mark_not_found"
    FOUND_AGAIN = "found_again"
    EXPIRE = "expire"
    STAGE_FOR_RETURN = "stage_for_return"
    MARK_MISSING = "mark_missing"
    HAND_TO_CARRIER = "hand_to_carrier"

    @property
    def title(self):
        return ACTION_TITLES[self]


ACTION_TITLES = {
    Action.RECEIVE: N_("received"),
    Action.REFUSE_DAMAGED: N_("refused as damaged"),
    Action.HAND_TO_CUSTOMER: N_("handed to the customer"),
    Action.REJECT: N_("rejected by the customer"),
    Action.MARK_NOT_FOUND: N_("marked not found"),
    Action.FOUND_AGAIN: N_("found again"),
    Action.EXPIRE: N_("expired"),
    Action.STAGE_FOR_RETURN: N_("staged for return"),
    Action.MARK_MISSING: N_("marked missing"),
    Action.HAND_TO_CARRIER: N_("handed to the carrier"),
}

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
    Action.MARK_MISSING: ({S.EXPIRED, S.NOT_FOUND}, S.MISSING),
    Action.HAND_TO_CARRIER: ({S.TO_RETURN}, S.RETURNED),
}


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
