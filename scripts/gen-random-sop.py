#!/usr/bin/env python3
"""Writes a random procedure for layout benchmarks.

    scripts/gen-random-sop.py STEPS [ROLES] [SEED] > random.sop

Every step is a decision with two options to random steps and an
`otherwise` to the next step (the last one ends), so every step is
reachable and reaches the end; with ROLES > 0 each step gets a random role
and every third step a `within:` limit.
"""
import random
import sys


def main() -> None:
    steps = int(sys.argv[1])
    roles = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    out = [f"sop RND-{steps}: A random procedure of {steps} steps", "", "purpose:",
           "  Exercise the flowchart layout.", "", "scope:", "  Benchmarks.", ""]
    if roles:
        out.append("roles:")
        out.extend(f"  r{k}: Role {k}" for k in range(roles))
        out.append("")
    out.append("steps:")
    for i in range(steps):
        out.append(f"  step s{i}: Step {i}")
        if roles:
            out.append(f"    role: r{rng.randrange(roles)}")
            if i % 3 == 0:
                out.append(f"    within: {1 + i % 7} min")
        out.append(f"    ask: Which way from step {i}?")
        out.append(f"    if first -> s{rng.randrange(steps)}")
        out.append(f"    if second -> s{rng.randrange(steps)}")
        out.append(f"    otherwise -> {'end' if i + 1 == steps else f's{i + 1}'}")
        out.append("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
