"""The benchmark's table: goal | anchor | app | ratio | met, then one line per goal (P1–P5).

    python bench/report.py DIR    # DIR holds load.json, lookups.json, browser.json and replay.txt
"""
import json
import re
import statistics
import sys
from pathlib import Path


def median(values):
    return statistics.median(values)


def spread(values, unit=""):
    return f"{min(values):.0f}–{max(values):.0f}{unit}" if len(values) > 1 else f"{values[0]:.0f}{unit}"


def ratios(load, name):
    """Each round's app/anchor ratio (interleaved rounds, so each pair met the same machine)."""
    pairs = zip(load[name]["app"], load[name]["anchor"])
    return [app["rate"] / anchor["rate"] for app, anchor in pairs]


def p1(load, rows, verdicts):
    scans = [name for name in load if name.startswith("scan ")]
    met_all = True
    for name in scans:
        r = ratios(load, name)
        real = all(x["real"] for x in load[name]["app"])
        met = median(r) >= 0.5 and real
        met_all &= met
        rows.append((f"P1 customer scan, {name[5:]} (req/s)", spread([x["rate"] for x in load[name]["anchor"]]),
                     spread([x["rate"] for x in load[name]["app"]]) + ("" if real else " (not all real successes)"),
                     f"{min(r):.3f}–{max(r):.3f}", met))
    for db in ("sqlite", "postgresql"):
        small, large = f"scan {db} 5k", f"scan {db} 50k"
        if small in load and large in load:
            a, b = median([x["rate"] for x in load[small]["app"]]), median([x["rate"] for x in load[large]["app"]])
            gap = abs(a - b) / max(a, b)
            met_all &= gap <= 0.15
            rows.append((f"P1 5k vs 50k history, {db} (app req/s)", "", f"{a:.0f} vs {b:.0f}", f"{gap:.0%} apart",
                         gap <= 0.15))
    r = ratios(load, "home")
    home_met = median(r) >= 0.25
    rows.append(("P1 home screen GET vs « hello » (req/s)", spread([x["rate"] for x in load["home"]["anchor"]]),
                 spread([x["rate"] for x in load["home"]["app"]]), f"{min(r):.3f}–{max(r):.3f}", home_met))
    lat = load["latency"]
    app_p95 = median([x["p95"] for x in lat["app"]])
    rows.append(("P1 scan p95 at half the maximum load (ms)", spread([x["p95"] for x in lat["anchor"]], " ms"),
                 spread([x["p95"] for x in lat["app"]], " ms"), "", app_p95 <= 15))
    verdicts.append(("P1", met_all and home_met and app_p95 <= 15))


def p2(browser, rows, verdicts):
    b = browser["p2"]
    paint, twice, fragment = b["first_paint_bytes"], b["downloaded_twice"], b["fragment_median_bytes"]
    rows.append(("P2 home first paint, HTML+CSS+JS as sent", "", f"{paint / 1000:.1f} KB in {b['first_paint_files']}"
                 f" files (+{b['first_paint_header_bytes'] / 1000:.1f} KB headers)", "", paint <= 35_000))
    rows.append(("P2 downloaded twice on the first visit", "", ", ".join(twice) or "nothing", "", not twice))
    rows.append(("P2 fragment median as sent (headers included)", "", f"{fragment / 1000:.2f} KB", "",
                 fragment <= 2000))
    verdicts.append(("P2", paint <= 35_000 and not twice and fragment <= 2000))


def p3(browser, rows, verdicts):
    b = browser["p3"]
    rows.append(("P3 scan → confirmation painted, online (ms)", "", f"p50 {b['online_p50']:.0f}, p95 "
                 f"{b['online_p95']:.0f}", "", b["online_p95"] <= 50))
    rows.append(("P3 scan → confirmation painted, offline (ms)", "", f"p50 {b['offline_p50']:.0f}, p95 "
                 f"{b['offline_p95']:.0f}", "", b["offline_p95"] <= 20))
    verdicts.append(("P3", b["online_p95"] <= 50 and b["offline_p95"] <= 20))


def p4(lookups, rows, verdicts):
    met = True
    for name, r in lookups.items():
        ok = r["lookup_cpu_p95"] <= 2
        met &= ok
        rows.append((f"P4 pickup-code lookup, {name} (ms)", "", f"p95 {r['lookup_cpu_p95']:.2f} CPU, "
                     f"{r['lookup_p95']:.2f} wall; p50 {r['lookup_p50']:.2f}", "", ok))
        if "search_p95" in r:
            ok = r["search_p95"] <= 100 and r["search_real"]
            met &= ok
            rows.append((f"P4 back-office search page, {name} (ms)", "", f"p95 {r['search_p95']:.0f} wall, "
                         f"{r['search_cpu_p95']:.0f} CPU", "", ok))
    verdicts.append(("P4", met))


def p5(text, rows, verdicts):
    took = float(re.search(r"replayed: \d+ scans in ([\d.]+) s", text).group(1))
    lost, duplicated = (int(x) for x in re.search(r"lost: (\d+)\s+duplicated: (\d+)", text).groups())
    met = took <= 15 and lost == 0 and duplicated == 0
    rows.append(("P5 1,000 queued offline scans replayed", "", f"{took:.1f} s, {lost} lost, {duplicated} duplicated",
                 "", met))
    verdicts.append(("P5", met))


def main():
    folder = Path(sys.argv[1])
    rows, verdicts = [], []
    p1(json.loads((folder / "load.json").read_text()), rows, verdicts)
    p2(json.loads((folder / "browser.json").read_text()), rows, verdicts)
    p3(json.loads((folder / "browser.json").read_text()), rows, verdicts)
    p4(json.loads((folder / "lookups.json").read_text()), rows, verdicts)
    p5((folder / "replay.txt").read_text(), rows, verdicts)
    print("| goal | anchor | app | ratio | met |")
    print("|---|---|---|---|---|")
    for goal, anchor, app, ratio, met in rows:
        print(f"| {goal} | {anchor} | {app} | {ratio} | {'yes' if met else 'no'} |")
    print()
    for goal, met in verdicts:
        print(f"{goal}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
