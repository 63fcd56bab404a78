"""An earlier bench/RESULTS.md read back, so a run can print its figures beside the earlier ones.

A structural change is judged by running the benchmarks before and after it on the same machine,
one right after the other: `make bench BASELINE=<the earlier run's RESULTS.md>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Baseline:
    run: str
    code: str
    values: dict[tuple[str, str, int], str] = field(default_factory=dict)
    """By section title, measure name and which of the section's rows of that name (a section may
    say "ratio to the ceiling" for each of its measures)."""

    def value(self, section: str, measure: str, occurrence: int = 0) -> str:
        return self.values.get((section, measure.strip(), occurrence), "")

    @property
    def label(self) -> str:
        return f"before ({self.code})" if self.code else "before"


def read_baseline(path: Path) -> Baseline:
    """The figures of an earlier RESULTS.md, by section title and measure name."""
    baseline = Baseline(run="", code="")
    section = ""
    seen: dict[tuple[str, str], int] = {}
    for line in path.read_text().splitlines():
        if line.startswith("- run: "):
            baseline.run = line.removeprefix("- run: ")
        elif line.startswith("- code: "):
            baseline.code = line.removeprefix("- code: ")
        elif line.startswith("## "):
            section = line.removeprefix("## ")
        elif line.startswith("| ") and section and not line.startswith(("| measure |", "|---")):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) >= 2:
                occurrence = seen.get((section, cells[0]), 0)
                seen[(section, cells[0])] = occurrence + 1
                baseline.values[(section, cells[0], occurrence)] = cells[1]
    return baseline
