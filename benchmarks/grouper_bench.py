"""Micro-benchmark: claims grouped per second through ``cdi.impact.group``.

    python benchmarks/grouper_bench.py [-n 20000] [--seed 0]

Claims are built at random from real codes: a principal from a fixed list of common
medical and surgical principals, 0-8 secondary diagnoses drawn from the FY2026 CC/MCC
lists and a few common non-CC codes, and sometimes a procedure. Reports the
one-off start-up cost separately from the steady-state rate.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cdi.impact import Claim, expected_shift, group  # noqa: E402
from cdi.impact.codes import InvalidCode, normalise_dx  # noqa: E402
from cdi.impact.grouper import _grouper_input, _process_grouper  # noqa: E402
from cdi.impact.severity import _get_resolver  # noqa: E402

PRINCIPALS = [
    "J189",
    "J151",
    "A419",
    "I5021",
    "N179",
    "J441",
    "I214",
    "K8590",
    "N390",
    "E871",
    "I639",
    "K3580",
]
PLAIN = ["I10", "E119", "E785", "Z794", "K219", "F329", "M5450", "Z87891"]
PROCEDURES = ["0DTJ4ZZ", "0BH17EZ", "5A1955Z", "02703DZ"]


def build_claims(n: int, seed: int) -> list[Claim]:
    rng = random.Random(seed)
    resolver = _get_resolver()
    severe = []
    for code in sorted(resolver._mcc_codes | resolver._cc_codes):
        try:
            severe.append(normalise_dx(code))
        except InvalidCode:
            continue
    claims = []
    for _ in range(n):
        secondary = rng.sample(severe, rng.randint(0, 3)) + rng.sample(PLAIN, rng.randint(0, 5))
        procedures = [rng.choice(PROCEDURES)] if rng.random() < 0.2 else []
        claims.append(
            Claim(
                rng.choice(PRINCIPALS),
                secondary,
                procedures,
                age=rng.randint(18, 95),
                sex=rng.choice("MF"),
                discharge_status=rng.choice([1, 1, 1, 3, 6, 20]),
            )
        )
    return claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000, help="claims to group")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    start = time.perf_counter()
    group(Claim("J189", age=70, sex="M", discharge_status=1))  # opens grouper, loads Table 5
    startup = time.perf_counter() - start
    claims = build_claims(args.n, args.seed)

    start = time.perf_counter()
    drgs = [group(claim).drg for claim in claims]
    elapsed = time.perf_counter() - start

    # The same claims straight through msdrg, to show what this package adds on top.
    raw_grouper = _process_grouper.get()
    raw_claims = [_grouper_input(claim, []) for claim in claims]
    start = time.perf_counter()
    for raw in raw_claims:
        raw_grouper.group(raw)
    raw_elapsed = time.perf_counter() - start

    # expected_shift = two groupings; time it on a slice to show the per-gap cost.
    m = min(2000, args.n)
    start = time.perf_counter()
    for claim in claims[:m]:
        expected_shift(claim, add=["E871"])
    shift_elapsed = time.perf_counter() - start

    print(f"python {sys.version.split()[0]}, claims={args.n}, seed={args.seed}")
    print(f"first call (grouper open + Table 5 load): {startup * 1000:.1f} ms")
    print(f"group():          {args.n / elapsed:,.0f} claims/s, {elapsed / args.n * 1e6:.1f} us/claim")
    print(
        f"msdrg alone:      {args.n / raw_elapsed:,.0f} claims/s, {raw_elapsed / args.n * 1e6:.1f} us/claim"
    )
    print(f"expected_shift(): {m / shift_elapsed:,.0f} shifts/s, {shift_elapsed / m * 1e6:.1f} us/shift")
    print(f"distinct DRGs: {len(set(drgs))}; most common: {statistics.mode(drgs)}")


if __name__ == "__main__":
    main()
