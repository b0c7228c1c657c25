"""Random commands through the real operations and database: the event log and the state never disagree."""
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from hub.core import clock as clock_module
from hub.core.extensions import db
from hub.core.models import Parcel
from hub.ops import Actor, record
from hub.ops.queries import counts_by_state, shop_load
from hub.rules.errors import ForbiddenTransition
from hub.rules.parcels import IN_SHOP, Action, State, move, replay


def ledger_machine(app, make_shop, make_parcel):
    class ShopLedger(RuleBasedStateMachine):
        """One fresh shop per run, a few parcels, and commands applied with ops.record and committed."""

        def __init__(self):
            super().__init__()
            self.shop_id, self.ids, self.expected, self.ended = None, [], [], []

        @initialize(count=st.integers(min_value=1, max_value=4))
        def open_a_shop(self, count):
            self.shop_id = make_shop(name="Boutique aléatoire")
            self.ids = [make_parcel(self.shop_id) for _ in range(count)]
            self.expected = [State.EXPECTED] * count
            self.ended = [None] * count

        @rule(data=st.data(), action=st.sampled_from(Action))
        def command(self, data, action):
            n = data.draw(st.integers(0, len(self.ids) - 1), label="parcel")
            with app.app_context():
                parcel = db.session.get(Parcel, self.ids[n])
                try:
                    record(parcel, action, Actor(None, None, clock_module.now()))
                except ForbiddenTransition:
                    db.session.rollback()
                else:
                    db.session.commit()
            try:
                self.expected[n] = move(self.expected[n], action).after
            except ForbiddenTransition:
                pass
            if self.expected[n].terminal and self.ended[n] is None:
                self.ended[n] = (self.expected[n], self._events(n))

        def _events(self, n):
            with app.app_context():
                return [(e.from_state, e.action, e.to_state) for e in db.session.get(Parcel, self.ids[n]).events]

        @invariant()
        def the_state_is_what_the_events_say(self):
            with app.app_context():
                for n, parcel_id in enumerate(self.ids):
                    parcel = db.session.get(Parcel, parcel_id)
                    assert parcel.state == self.expected[n]
                    assert replay([e.action for e in parcel.events]) == parcel.state
                    state = State.EXPECTED
                    for event in parcel.events:
                        assert (event.from_state, event.to_state) == (state, move(state, event.action).after)
                        state = event.to_state

        @invariant()
        def a_terminal_parcel_never_moves_again(self):
            for n, ended in enumerate(self.ended):
                if ended is not None:
                    assert self.expected[n] == ended[0]
                    assert self._events(n) == ended[1]

        @invariant()
        def the_counts_per_state_add_up(self):
            if self.shop_id is None:
                return
            with app.app_context():
                counts = counts_by_state(self.shop_id)  # what the shop holds: its history is not counted
                held = [s for s in self.expected if s in IN_SHOP]
                assert sum(counts.values()) == len(held)
                assert {s: n for s, n in counts.items() if n} == dict(Counter(held))
                assert shop_load(self.shop_id) == sum(1 for s in self.expected if s in IN_SHOP)

    return ShopLedger


def test_random_commands_on_stored_parcels_keep_the_log_and_the_counts_straight(app, make_shop, make_parcel):
    run_state_machine_as_test(
        ledger_machine(app, make_shop, make_parcel),
        settings=settings(max_examples=30, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
