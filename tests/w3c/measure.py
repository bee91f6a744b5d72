"""Measure the W3C suite on civicgraph and on Oxigraph server, and write what was found.

    .venv/bin/python -m tests.w3c.measure [--write] [--only civicgraph|oxigraph] [PATTERN]

prints the pass rates per suite area and overall for both servers; with ``--write`` it
rewrites ``tests/w3c/failures.toml`` (the data the pytest run reads to mark the failures both
servers share as strict xfails), ``tests/w3c/FAILURES.md`` and the table in
``tests/w3c/README.md``.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from tests.w3c.evaluation import FAIL, PASS, SKIP, Outcome, grouped, run_case
from tests.w3c.manifest import Case, all_cases
from tests.w3c.servers import running

HERE = Path(__file__).parent
#: tests whose data civicgraph refuses by design, and why (written by hand)
REFUSED: dict[str, dict[str, str]] = tomllib.loads(
    (HERE / "refused.toml").read_text(encoding="utf-8"))
MARKER = "<!-- measured: the table below is written by `python -m tests.w3c.measure --write` -->"


def measure(name: str, cases: Iterable[Case]) -> tuple[dict[str, Outcome], float]:
    """Each case's outcome on server ``name``, and the seconds the run took."""
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix=f"w3c-{name}-") as workdir:
        started = time.monotonic()
        with running(name, Path(workdir)) as target:
            for case in grouped(cases):
                outcomes[case.id] = run_case(target, case)
        return outcomes, time.monotonic() - started


def group(case: Case) -> str:
    """The line of the pass-rate table a case counts in."""
    if case.suite.name == "sparql10":
        return "1.0 syntax" if "Syntax" in case.kind else "1.0 evaluation"
    if case.area == "protocol":
        return "1.1 protocol"
    if case.area == "graph-store-protocol":
        return "1.1 Graph Store Protocol"
    if "Syntax" in case.kind:
        return "1.1 syntax"
    if case.kind == "UpdateEvaluationTest":
        return "1.1 update"
    if case.area in ("csv-tsv-res", "json-res"):
        return "1.1 result formats"
    return "1.1 query"


def rates(cases: list[Case], outcomes: dict[str, Outcome]) -> dict[str, tuple[int, int]]:
    """Per group and overall: (passed, run) — skipped tests count in neither."""
    passed: Counter[str] = Counter()
    run: Counter[str] = Counter()
    for case in cases:
        outcome = outcomes.get(case.id)
        if outcome is None or outcome.status == SKIP:
            continue
        for key in (group(case), "overall"):
            run[key] += 1
            passed[key] += outcome.status == PASS
    return {key: (passed[key], run[key]) for key in run}


def _rate(pair: tuple[int, int] | None) -> str:
    if not pair or not pair[1]:
        return "–"
    return f"{pair[0]}/{pair[1]} ({100 * pair[0] / pair[1]:.1f} %)"


def table(cases: list[Case], results: dict[str, dict[str, Outcome]]) -> str:
    names = list(results)
    per = {name: rates(cases, results[name]) for name in names}
    keys = sorted({k for r in per.values() for k in r}, key=lambda k: (k == "overall", k))
    lines = ["| tests | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key in keys:
        cells = " | ".join(_rate(per[name].get(key)) for name in names)
        label = f"**{key}**" if key == "overall" else key
        lines.append(f"| {label} | {cells} |")
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


#: failures before any answer is compared: the doors, not the engine
DOOR_FAILURES = ("loading", "emptying", "could not empty", "reading the dataset", "HTTP error",
                 "update answered", "query answered")


def is_shared(civic: Outcome, oxi: Outcome) -> bool:
    """Both fail, civicgraph without a 5xx, and not at a door where Oxigraph server got
    through (then the engine limitation hides behind civicgraph's own failure)."""
    if civic.status != FAIL or oxi.status != FAIL:
        return False
    if re.search(r"(refused: |answered |status )5\d\d\b", civic.detail):
        return False  # a 5xx is civicgraph's own whatever the engine does: bad input gets a 4xx
    mine, theirs = _request_number(civic.detail), _request_number(oxi.detail)
    if mine is not None:  # an HTTP exchange: civicgraph must have got as far as Oxigraph
        return theirs is not None and mine >= theirs
    return not civic.detail.startswith(DOOR_FAILURES) or oxi.detail.startswith(DOOR_FAILURES)


def _request_number(detail: str) -> int | None:
    found = re.match(r"request (\d+) ", detail)
    return int(found.group(1)) if found else None


def write_failures(cases: list[Case], civic: dict[str, Outcome],
                   oxi: dict[str, Outcome]) -> None:
    shared = [c for c in cases if is_shared(civic[c.id], oxi[c.id])]
    own = [c for c in cases if civic[c.id].status == FAIL and not is_shared(civic[c.id], oxi[c.id])]
    lines = ["# W3C tests that fail on civicgraph AND on Oxigraph server (engine limitations",
             "# shared with the reference): test_w3c.py marks them xfail(strict=True).",
             "# Written by `python -m tests.w3c.measure --write`; a reason may be edited by hand.",
             ""]
    for c in shared:
        lines += [f"[{_toml_string(c.id)}]", f"reason = {_toml_string(civic[c.id].detail[:300])}",
                  f"oxigraph = {_toml_string(oxi[c.id].detail[:300])}", ""]
    (HERE / "failures.toml").write_text("\n".join(lines), encoding="utf-8")

    def row(c: Case) -> str:
        o = oxi[c.id]
        theirs = "passes" if o.status == PASS else f"{o.status}: {o.detail[:160]}"
        mine = civic[c.id].detail[:220].replace("|", "\\|")
        return f"| `{c.id}` | {mine} | {theirs.replace('|', chr(92) + '|')} |"

    refused = [c for c in own if c.id in REFUSED]
    own = [c for c in own if c.id not in REFUSED]
    doc = ["# W3C SPARQL tests civicgraph fails", "",
           "Written by `.venv/bin/python -m tests.w3c.measure --write` (see README.md); "
           "each row gives civicgraph's failure and Oxigraph server's result on the same test.",
           "", f"## civicgraph's own ({len(own)}: Oxigraph server passes them, or gets further; "
           "not xfailed)", "",
           "| test | civicgraph | Oxigraph server |", "|---|---|---|"]
    doc += [row(c) for c in own]
    doc += ["", f"### Refused by design ({len(refused)}; `refused.toml`)", "",
            "civicgraph's core shapes hold in every graph, restricted ones included: test data "
            "they refuse is refused here, with the reason below (test_w3c.py checks that "
            "refusal).", "",
            "| test | why | Oxigraph server |", "|---|---|---|"]
    doc += [f"| `{c.id}` | {REFUSED[c.id]['reason']} | "
            f"{'passes' if oxi[c.id].status == PASS else oxi[c.id].status} |" for c in refused]
    doc += ["", f"## Shared with Oxigraph server ({len(shared)}: engine limitations; "
            "strict xfail, reasons in failures.toml)", "",
            "| test | civicgraph | Oxigraph server |", "|---|---|---|"]
    doc += [row(c) for c in shared]
    oxi_only = [c for c in cases if oxi[c.id].status == FAIL and civic[c.id].status == PASS]
    doc += ["", f"## Passed by civicgraph, failed by Oxigraph server ({len(oxi_only)})", ""]
    doc += [f"- `{c.id}`: {oxi[c.id].detail[:200]}" for c in oxi_only]
    (HERE / "FAILURES.md").write_text("\n".join(doc) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pattern", nargs="?", default="", help="only tests whose id has this")
    parser.add_argument("--only", choices=["civicgraph", "oxigraph"])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")
    options = parser.parse_args()
    cases = [c for c in all_cases() if options.pattern in c.id]
    names = [options.only] if options.only else ["civicgraph", "oxigraph"]
    results: dict[str, dict[str, Outcome]] = {}
    for name in names:
        results[name], seconds = measure(name, cases)
        print(f"{name}: {len(cases)} tests in {seconds:.1f} s")
        if options.verbose:
            for case in cases:
                outcome = results[name][case.id]
                if outcome.status == FAIL:
                    print(f"  FAIL {case.id}: {outcome.detail[:300]}")
    print(table(cases, results))
    if options.write and len(names) == 2 and not options.pattern:
        write_failures(cases, results["civicgraph"], results["oxigraph"])
        readme = HERE / "README.md"
        text = readme.read_text(encoding="utf-8")
        head = text.split(MARKER)[0]
        readme.write_text(f"{head}{MARKER}\n\n{table(cases, results)}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
