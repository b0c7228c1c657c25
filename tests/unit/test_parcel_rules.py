"""The parcel's life, as DESIGN.md draws it: every state against every action, then random sequences."""
from collections import Counter

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from hub.rules.errors import Conflict, DomainError, ForbiddenTransition
from hub.rules.parcels import (COLLECTABLE, IN_SHOP, SAME_STATE, TERMINAL, TRANSITIONS, Action, State, allowed, move,
                               replay)

S, A = State, Action

# The specification, written out by hand: (state, action) -> the state the parcel moves to.
# Every pair not listed is forbidden, unless the parcel is already in the action's target state.
ALLOWED = {
    (S.EXPECTED, A.RECEIVE): S.AT_STORE,
    (S.EXPECTED, A.REFUSE_DAMAGED): S.REFUSED_AT_DROPOFF,
    (S.AT_STORE, A.REFUSE_DAMAGED): S.REFUSED_AT_DROPOFF,
    (S.AT_STORE, A.HAND_TO_CUSTOMER): S.COLLECTED,
    (S.AT_STORE, A.REJECT): S.TO_RETURN,
    (S.AT_STORE, A.MARK_NOT_FOUND): S.NOT_FOUND,
    (S.AT_STORE, A.EXPIRE): S.EXPIRED,
    (S.NOT_FOUND, A.FOUND_AGAIN): S.AT_STORE,
    (S.NOT_FOUND, A.HAND_TO_CUSTOMER): S.COLLECTED,
    (S.NOT_FOUND, A.REJECT): S.TO_RETURN,
    (S.NOT_FOUND, A.MARK_MISSING): S.MISSING,
    (S.EXPIRED, A.HAND_TO_CUSTOMER): S.COLLECTED,
    (S.EXPIRED, A.REJECT): S.TO_RETURN,
    (S.EXPIRED, A.MARK_NOT_FOUND): S.NOT_FOUND,
    (S.EXPIRED, A.STAGE_FOR_RETURN): S.TO_RETURN,
    (S.EXPIRED, A.MARK_MISSING): S.MISSING,
    (S.TO_RETURN, A.HAND_TO_CUSTOMER): S.COLLECTED,
    (S.TO_RETURN, A.MARK_NOT_FOUND): S.NOT_FOUND,
    (S.TO_RETURN, A.HAND_TO_CARRIER): S.RETURNED,
    (S.MISSING, A.FOUND_AGAIN): S.AT_STORE,
    (S.EXPECTED, A.CANCEL): S.CANCELLED,
    (S.EXPECTED, A.REDIRECT): S.EXPECTED,
    # A customer's drop-off.
    (S.WITH_SENDER, A.DEPOSIT): S.DEPOSITED,
    (S.DEPOSITED, A.DISPATCH): S.DISPATCHED,
    (S.DEPOSITED, A.MARK_MISSING): S.MISSING,
    (S.MISSING, A.DEPOSIT_FOUND): S.DEPOSITED,
}

# What each action aims at, so "already there" can be told from "forbidden".
TARGET = {
    A.RECEIVE: S.AT_STORE,
    A.REFUSE_DAMAGED: S.REFUSED_AT_DROPOFF,
    A.HAND_TO_CUSTOMER: S.COLLECTED,
    A.REJECT: S.TO_RETURN,
    A.MARK_NOT_FOUND: S.NOT_FOUND,
    A.FOUND_AGAIN: S.AT_STORE,
    A.EXPIRE: S.EXPIRED,
    A.STAGE_FOR_RETURN: S.TO_RETURN,
    A.MARK_MISSING: S.MISSING,
    A.HAND_TO_CARRIER: S.RETURNED,
    A.CANCEL: S.CANCELLED,
    A.REDIRECT: S.EXPECTED,
    A.DEPOSIT: S.DEPOSITED,
    A.DISPATCH: S.DISPATCHED,
    A.DEPOSIT_FOUND: S.DEPOSITED,
}

ALL_PAIRS = [(state, action) for state in State for action in Action]
ALLOWED_PAIRS = [pair for pair in ALL_PAIRS if pair in ALLOWED]
REPEAT_PAIRS = [(s, a) for s, a in ALL_PAIRS if (s, a) not in ALLOWED and TARGET[a] == s]
FORBIDDEN_PAIRS = [(s, a) for s, a in ALL_PAIRS if (s, a) not in ALLOWED and TARGET[a] != s]


def pair_id(pair):
    return f"{pair[0].value}-{pair[1].value}"


def test_the_table_covers_every_state_and_action_of_the_design():
    assert {s.value for s in State} == {"expected", "at_store", "collected", "refused_at_dropoff", "not_found",
                                        "expired", "to_return", "returned", "missing", "cancelled", "with_sender",
                                        "deposited", "dispatched"}
    assert set(TRANSITIONS) == set(Action)
    assert len(ALLOWED_PAIRS) + len(REPEAT_PAIRS) + len(FORBIDDEN_PAIRS) == len(State) * len(Action)


def test_the_code_table_says_exactly_what_the_specification_says():
    from_code = {(s, a): target for a, (sources, target) in TRANSITIONS.items() for s in sources}
    assert from_code == ALLOWED


@pytest.mark.parametrize("pair", ALLOWED_PAIRS, ids=pair_id)
def test_an_allowed_move_lands_in_the_right_state(pair):
    state, action = pair
    result = move(state, action)
    assert (result.before, result.after, result.action) == (state, ALLOWED[pair], action)
    assert result.repeat == (action in SAME_STATE)
    assert allowed(action, state)


@pytest.mark.parametrize("pair", FORBIDDEN_PAIRS, ids=pair_id)
def test_a_forbidden_move_raises_a_translatable_conflict(pair):
    state, action = pair
    with pytest.raises(ForbiddenTransition) as caught:
        move(state, action)
    error = caught.value
    assert isinstance(error, Conflict) and isinstance(error, DomainError)
    assert error.status == 409
    assert error.params == {"action": action.title, "state": state.title}
    assert "%(state)s" in error.message
    assert not allowed(action, state)


@pytest.mark.parametrize("pair", REPEAT_PAIRS, ids=pair_id)
def test_asking_for_the_state_a_parcel_is_already_in_is_a_harmless_repeat(pair):
    state, action = pair
    result = move(state, action)
    assert result.repeat
    assert result.before == result.after == state
    assert not allowed(action, state)


def test_a_double_scan_at_drop_off_is_a_repeat_not_an_error():
    assert move(S.AT_STORE, A.RECEIVE).repeat
    assert move("at_store", "receive").after == S.AT_STORE


@pytest.mark.parametrize("state", sorted(TERMINAL), ids=lambda s: s.value)
def test_a_terminal_state_never_moves_whatever_is_asked(state):
    assert state.terminal
    for action in Action:
        try:
            result = move(state, action)
        except ForbiddenTransition:
            continue
        assert result.after == state and result.repeat


def test_the_terminal_states_are_collected_refused_returned_cancelled_and_dispatched():
    assert TERMINAL == {S.COLLECTED, S.REFUSED_AT_DROPOFF, S.RETURNED, S.CANCELLED, S.DISPATCHED}
    assert [s for s in State if s.terminal] == [S.COLLECTED, S.REFUSED_AT_DROPOFF, S.RETURNED, S.CANCELLED,
                                                S.DISPATCHED]


def test_only_a_parcel_not_arrived_yet_can_be_cancelled_or_sent_to_another_shop():
    assert move(S.EXPECTED, A.REDIRECT).after == S.EXPECTED
    for state in set(State) - {S.EXPECTED, S.CANCELLED}:
        with pytest.raises(ForbiddenTransition):
            move(state, A.CANCEL)
        with pytest.raises(ForbiddenTransition):
            move(state, A.REDIRECT)


def test_every_non_terminal_state_can_still_move_somewhere_else():
    for state in set(State) - TERMINAL:
        assert any((state, action) in ALLOWED for action in Action), state


def test_every_state_is_reachable_from_expected_or_from_its_sender():
    reached, frontier = {S.EXPECTED, S.WITH_SENDER}, [S.EXPECTED, S.WITH_SENDER]
    while frontier:
        state = frontier.pop()
        for action in Action:
            if allowed(action, state):
                target = move(state, action).after
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
    assert reached == set(State)


def test_a_customer_can_still_collect_an_expired_or_staged_parcel_until_the_carrier_has_it():
    assert COLLECTABLE == {S.AT_STORE, S.EXPIRED, S.TO_RETURN, S.NOT_FOUND}
    for state in COLLECTABLE:
        assert move(state, A.HAND_TO_CUSTOMER).after == S.COLLECTED
    with pytest.raises(ForbiddenTransition):
        move(S.RETURNED, A.HAND_TO_CUSTOMER)


def test_the_parcels_in_the_shop_are_the_ones_it_holds():
    assert IN_SHOP == {S.AT_STORE, S.NOT_FOUND, S.EXPIRED, S.TO_RETURN, S.DEPOSITED}  # a drop-off waits here too


def test_unknown_states_and_actions_are_refused():
    with pytest.raises(ValueError):
        move("lost_in_space", A.RECEIVE)
    with pytest.raises(ValueError):
        move(S.EXPECTED, "teleport")


def test_replaying_the_events_of_a_whole_life_gives_the_final_state():
    life = [A.RECEIVE, A.MARK_NOT_FOUND, A.FOUND_AGAIN, A.EXPIRE, A.STAGE_FOR_RETURN, A.HAND_TO_CARRIER]
    assert replay([]) == S.EXPECTED
    assert replay(life) == S.RETURNED
    assert replay(life[:3]) == S.AT_STORE
    assert replay([A.EXPIRE], start=S.AT_STORE) == S.EXPIRED


def test_replaying_an_impossible_history_raises():
    with pytest.raises(ForbiddenTransition):
        replay([A.RECEIVE, A.HAND_TO_CUSTOMER, A.REJECT])


def test_every_state_and_action_has_a_title_to_translate():
    assert all(isinstance(s.title, str) and s.title for s in State)
    assert all(isinstance(a.title, str) and a.title for a in Action)


# A partition of the states the home screen and the inventory rely on.
OUTSIDE = {S.EXPECTED, S.MISSING}


class ParcelsOfAShop(RuleBasedStateMachine):
    """Random commands on several parcels; the rules must keep the books straight."""

    def __init__(self):
        super().__init__()
        self.states, self.events, self.ended = [], [], []

    @initialize(count=st.integers(min_value=1, max_value=6))
    def parcels(self, count):
        self.states = [S.EXPECTED] * count
        self.events = [[] for _ in range(count)]
        # For a parcel that reached a terminal state: (that state, how many events it had then).
        self.ended = [None] * count

    def _apply(self, n, action):
        before = self.states[n]
        try:
            result = move(before, action)
        except ForbiddenTransition:
            assert not allowed(action, before)
            return
        assert result.before == before
        if not result.repeat:
            self.events[n].append(action)
        self.states[n] = result.after
        if result.after.terminal and self.ended[n] is None:
            self.ended[n] = (result.after, len(self.events[n]))

    @rule(data=st.data(), action=st.sampled_from(Action))
    def ask(self, data, action):
        self._apply(data.draw(st.integers(0, len(self.states) - 1), label="parcel"), action)

    @precondition(lambda self: any(s in COLLECTABLE for s in self.states))
    @rule(data=st.data())
    def hand_a_parcel_to_its_customer(self, data):
        # Random actions seldom reach the end of a life; this drives parcels there on purpose.
        candidates = [n for n, s in enumerate(self.states) if s in COLLECTABLE]
        self._apply(data.draw(st.sampled_from(candidates), label="parcel"), A.HAND_TO_CUSTOMER)

    @invariant()
    def a_terminal_parcel_never_moves_again(self):
        for n, ended in enumerate(self.ended):
            if ended is not None:
                assert self.states[n] == ended[0]
                assert len(self.events[n]) == ended[1]

    @invariant()
    def replaying_the_events_gives_the_current_state(self):
        for state, events in zip(self.states, self.events):
            assert replay(events) == state

    @invariant()
    def each_event_is_a_real_move_from_where_the_previous_one_left(self):
        for events in self.events:
            state = S.EXPECTED
            for action in events:
                result = move(state, action)
                assert not result.repeat
                state = result.after

    @invariant()
    def the_counts_per_state_add_up_to_the_number_of_parcels(self):
        counts = Counter(self.states)
        assert sum(counts.values()) == len(self.states)
        in_shop = sum(counts[s] for s in IN_SHOP)
        done = sum(counts[s] for s in TERMINAL)
        outside = sum(counts[s] for s in OUTSIDE)
        assert in_shop + done + outside == len(self.states)


ParcelsOfAShop.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_random_commands_keep_every_invariant = ParcelsOfAShop.TestCase
