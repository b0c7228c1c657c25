"""Every form route, fed what nobody should type (Hypothesis): no answer is a 5xx, and a refusal changes
nothing in the database. The routes are read from the app's URL map, so a new form is fuzzed as it comes."""
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOT_FUZZED = {
    "test_clock.move_clock": "the testing clock",
    "auth.login": "signing in (its refusals are rate-limited: test_access)",
    "auth.logout": "it ends the session the fuzzing goes on with",
}
# A refusal of these changes something on purpose: a wrong PIN counts towards the lock (test_pins).
COUNTED_REFUSALS = {"pins.pad"}

FIELDS = ["pin", "confirmation", "minutes", "tracking_id", "entry", "code", "kind", "scanned_at", "full", "next", "phone", "name", "message", "screen",
          "starts_on", "ends_on", "reason", "opens-0", "closes-0", "opens-6", "add", "remove", "status", "capacity",
          "shop", "network", "recipient_name", "recipient_email", "size", "description", "expected_on", "parcel_id",
          "via", "lang"]
NASTY = ["\x00", "9" * 30, "x" * 5000, "ÉÉÉ", "\u0661\u0662\u0663", "\u202e", "", " ", "-1", "2147483648",
         "18446744073709551616", "9999-12-31", "31/12/9999", "0000-00-00", "25:61", "//evil.example", "/\t/evil",
         "1", "0", "CE100001FR", "CE200001FR", "123456", "return", "dropoff", "small", "new", "closed", "0-0", "6",
         "<script>", "%00", "../../etc/passwd", "NaN", "1e309", "\ud7ff", "a@b", "06 12 34 56 78"]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
IDS = st.one_of(st.sampled_from([0, 1, 2, 3, 5, 2**31 - 1, 2**31, 2**63, 2**70]), st.integers(0, 10**6))
KEYS = st.one_of(st.sampled_from(["visite-inconnue-0001", "x", "a" * 300, "%00", "..", "é" * 10]),
                 st.text(min_size=1, max_size=20))


def nested(depth):
    return "[" * depth + "]" * depth


BODIES = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=6).map(lambda form: ("form", form)),
    st.sampled_from([("json", nested(50_000)), ("json", '{"a": "\\u0000"}'), ("json", "not json"),
                     ("raw", "\x00" * 10)]),
)


def form_routes(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "POST" in rule.methods
                   and rule.endpoint not in NOT_FUZZED), key=lambda rule: rule.rule)


def who_for(endpoint):
    return {"admin": "admin", "people": "admin", "carrier": "livreur"}.get(endpoint.split(".")[0], "associe")


@st.composite
def requests(draw, rules):
    rule = draw(st.sampled_from(rules))
    path = rule.rule
    for name, converter in rule._converters.items():
        value = draw(IDS) if "Integer" in type(converter).__mro__[1].__name__ or "Id" in type(converter).__name__ \
            else quote(draw(KEYS), safe="")
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return rule.endpoint, path, draw(BODIES), draw(st.booleans())


def send(someone, path, body, htmx):
    kind, content = body
    if kind == "form":
        return someone.post(path, content, htmx=htmx)
    headers = {"Content-Type": "application/json" if kind == "json" else "text/plain",
               "X-CSRFToken": someone.token, "Idempotency-Key": "fuzz-" + str(abs(hash(content)))[:20]}
    if htmx:
        headers["HX-Request"] = "true"
    return someone.client.post(path, data=content.encode("utf-8", "surrogatepass"), headers=headers)


def test_every_form_route_is_fuzzed_unless_it_says_why_not(app):
    assert len(form_routes(app)) >= 20


def test_nothing_a_form_is_fed_makes_a_5xx_and_a_refusal_changes_nothing(app, browser, demo_data, nothing_overdue,
                                                                          database_state):
    people = {who: browser().login(who) for who in ("associe", "livreur", "admin")}
    anonymous = browser()

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(requests(form_routes(app)))
    def fuzz(request):
        endpoint, path, body, htmx = request
        someone = anonymous if endpoint.startswith("help.") and htmx else people[who_for(endpoint)]
        before = database_state()
        response = send(someone, path, body, htmx)
        assert response.status_code < 500, (endpoint, path, body, response.get_data(as_text=True)[:500])
        if response.status_code >= 400 and endpoint not in COUNTED_REFUSALS:
            assert database_state() == before, (endpoint, path, body, response.status_code)

    fuzz()
