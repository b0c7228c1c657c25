"""The rules the service worker shares with the server, on the worker's side: static/worker/rules.js alone
in a page of Chromium, against the cases the server's rules pass (tests/unit/test_shared_rules.py)."""
import pytest

from tests.shared_rules import CASES, GUARD, IDS

from .conftest import blank_page

# Each rule as the worker calls it; instants come as ISO text and go to the worker in milliseconds.
RUN = """async ({ cases, guard }) => {
  const rules = self.comptoir.rules, ms = Date.parse;
  const recent = (i) => rules.recentWrongCodes(i.failures.map(ms), ms(i.now), guard.window);
  const run = {
    read_tracking_id: (i) => rules.trackingId(i),
    read_deposit_code: (i) => rules.depositCode(i),
    normalise_entry: (i) => rules.normaliseEntry(i),
    looks_like_code: (i) => rules.looksLikeCode(i),
    visit_key: (i) => rules.isVisitKey(i),
    code_digest: (i) => rules.digest(i.key, i.shop, i.entry),
    expired_at: (i) => rules.expiredAt(i.expires_at, i.at),
    wrong_codes_counted: (i) => recent(i).length,
    too_many_wrong_codes: (i) => rules.tooManyWrongCodes(recent(i), guard),
  };
  const answers = [];
  for (const c of cases) answers.push(await run[c.rule](c.input));
  return answers;
}"""


@pytest.fixture(scope="module")
def worker_answers(chromium):
    """What rules.js answers to each case, in the order of the cases."""
    page = blank_page(chromium, "worker/rules.js")
    answers = page.evaluate(RUN, {"cases": CASES, "guard": GUARD})
    page.close()
    return answers


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_the_worker_applies_each_shared_rule_as_the_cases_say(worker_answers, index):
    assert worker_answers[index] == CASES[index]["expected"], CASES[index]
