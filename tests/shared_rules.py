"""The cases of the rules the server and the service worker share: tests/cases/shared_rules.json, the one
list that both tests/unit/test_shared_rules.py (Python) and tests/e2e/test_shared_rules.py (Chromium) run."""
import json
from pathlib import Path

SHARED = json.loads((Path(__file__).parent / "cases" / "shared_rules.json").read_text(encoding="utf-8"))
CASES = SHARED["cases"]
GUARD = SHARED["guard"]
# Each case named by its rule and its place among that rule's cases: code_digest-1, code_digest-2…
IDS = [f"{case['rule']}-{sum(c['rule'] == case['rule'] for c in CASES[:n + 1])}" for n, case in enumerate(CASES)]
