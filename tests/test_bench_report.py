"""The bench report's arithmetic and rendering: spreads of repeated runs, CPU per event per
process, growth against the first run, py-spy's samples by own time, and RESULTS.md read back as
a baseline. No timing here: the figures are made up, the rendering and sums are what is checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.baseline import read_baseline
from bench.foundation import PathFigures
from bench.growth import GrowthPoint
from bench.process_cpu import CpuSample, per_event_us
from bench.profiles import PathProfile, ProcessProfile, own_time
from bench.report import HalfRate, Report, budget_rows, spread
from bench.sales import SalesFigures


def _report() -> Report:
    return Report("test machine", code="abc123")


def _rows(report: Report, title: str) -> dict[str, tuple[str, str, str]]:
    for section, rows in report.sections:
        if section.startswith(title):
            return {name: (value, target, verdict) for name, value, target, verdict in rows}
    raise AssertionError(f"no section {title!r} in {[s for s, _ in report.sections]}")


def test_a_spread_is_the_min_the_median_and_the_max_whatever_the_order() -> None:
    assert spread([560.0, 137.0, 240.0]) == (137.0, 240.0, 560.0)


def test_the_median_of_an_even_number_of_runs_is_the_mean_of_the_middle_two() -> None:
    assert spread([10.0, 40.0, 20.0, 30.0]) == (10.0, 25.0, 40.0)


def test_three_storefront_runs_are_reported_as_min_median_max_and_judged_on_the_worst() -> None:
    report = _report()
    windows = [SalesFigures(3000, 15.0, p50, p99) for p50, p99 in ((80, 137), (90, 560), (85, 240))]

    report.storefront_runs(windows)

    rows = _rows(report, "Latency where it matters")
    assert rows["p50 min / median / max"][0] == "80 / 85 / 90 ms"
    assert rows["p99 min / median / max"] == ("137 / 240 / 560 ms", "p99 < 250 ms (every run)", "NOT met")
    assert rows["achieved sales/s min / median / max"][0] == "200 / 200 / 200/s"


def test_storefront_runs_all_under_the_target_are_met() -> None:
    report = _report()
    report.storefront_runs([SalesFigures(3000, 15.0, 50, p99) for p99 in (120, 180, 249)])

    assert _rows(report, "Latency where it matters")["p99 min / median / max"][2] == "met"


def test_cpu_per_event_is_each_process_s_cpu_between_the_samples_over_the_events() -> None:
    before = CpuSample({"relay": 1.0, "consumer": 2.0, "postgres (all backends)": 10.0})
    after = CpuSample({"relay": 1.5, "consumer": 4.0, "postgres (all backends)": 10.25})

    assert per_event_us(before, after, 1000) == {"relay": 500.0, "consumer": 2000.0, "postgres (all backends)": 250.0}


def test_a_process_gone_before_the_second_sample_costs_nothing_rather_than_a_negative_amount() -> None:
    before = CpuSample({"consumer 1": 3.0, "consumer 2": 3.0})
    after = CpuSample({"consumer 1": 4.0})

    assert per_event_us(before, after, 100) == {"consumer 1": 10_000.0, "consumer 2": 0.0}


def test_growth_shows_each_run_s_cpu_per_event_against_the_path_s_first_run() -> None:
    report = _report()
    points = [
        GrowthPoint("committed path", 1, 1, 1000, 1.0, {"relay": 20.0, "consumer": 80.0}, {"consumer": 90.0}),
        GrowthPoint("committed path", 4, 1, 4000, 2.0, {"relay": 40.0, "consumer": 160.0}, {"consumer": 95.0}),
        GrowthPoint("shop sales through inventory", 1, 2, 500, 1.0, {"inventory 1": 300.0, "inventory 2": 300.0}),
    ]

    report.growth(points, minutes=3.5)

    rows = report.sections[-1][1]
    names = [name for name, *_ in rows]
    assert rows[0][:2] == ("growth runs took", "3.5 min")
    assert "committed path, 4x (4,000 events), 1 partition / instance" in names
    assert "shop sales through inventory, 1x (500 events), 2 partitions / instances" in names
    totals = [value for name, value, *_ in rows if name.startswith("  CPU per event, all processes")]
    # The sales path is compared with its own first run, not with the committed path's.
    assert totals == ["100 us (1.00x)", "200 us (2.00x)", "600 us (1.00x)"]
    by_process = [value for name, value, *_ in rows if name == "  CPU per event, by process"]
    assert by_process[1] == "relay 40 us, consumer 160 us"
    assert [value for name, value, *_ in rows if name.startswith("committed path, 4x")] == ["2,000/s"]


def test_py_spy_samples_are_summed_by_the_function_they_were_found_in() -> None:
    raw = "\n".join(
        [
            "main (app.py:1);handle (app.py:10);execute (asyncpg/connection.py:300) 60",
            "main (app.py:1);encode (codec.py:5) 25",
            "main (app.py:1);handle (app.py:10);encode (codec.py:5) 15",
            "",
        ]
    )

    total, top = own_time(raw, top=2)

    assert total == 100
    assert top == [("execute (asyncpg/connection.py:300)", 0.6), ("encode (codec.py:5)", 0.4)]


def test_profiles_render_the_top_functions_per_process_and_say_when_a_process_was_not_sampled() -> None:
    report = _report()
    sampled = ProcessProfile("consumer", 200, [("apply (bench.py:3)", 0.5), ("a|b (x.py:1)", 0.25)])
    refused = ProcessProfile("relay", 0, error="Permission denied (os error 13)")

    report.profiles([PathProfile("committed path", 5, [sampled, refused])])

    rows = _rows(report, "What limits each path")
    assert rows["committed path: consumer"][0] == "200 samples in 5 s"
    assert rows["  apply (bench.py:3)"][0] == "50%"
    assert rows["committed path: relay"][0] == "not sampled: Permission denied (os error 13)"
    assert "|   a\\|b (x.py:1) | 25% |" in report.markdown()


def test_the_new_sections_carry_their_targets_and_read_back_as_a_baseline(tmp_path: Path) -> None:
    report = _report()
    report.half_rate_latency([HalfRate("committed path", 7000, 3500, 3490, 30, 70, "occurred -> consumer commit")])
    report.peak_rss([("inventory, shop sales flat out", 150.0), ("store-sync, POS batched", 230.0)])
    results = tmp_path / "RESULTS.md"
    results.write_text(report.markdown())

    rss = _rows(report, "Peak RSS per service process")
    assert rss["inventory, shop sales flat out"] == ("150 MB", "< 200 MB", "met")
    assert rss["store-sync, POS batched"] == ("230 MB", "< 200 MB", "NOT met")
    baseline = read_baseline(results)
    assert baseline.code == "abc123"
    section = "Latency at 50% of each path's measured maximum (same run)"
    assert baseline.value(section, "committed path: offered (50% of its 7,000/s flat out)") == "3,500/s"
    assert baseline.value(section, "end-to-end p50 / p99 (occurred -> consumer commit)") == "30 / 70 ms"


def test_postgres_cpu_counts_backend_by_backend_so_one_that_exited_never_makes_it_negative() -> None:
    # Backend 11 exited after the first sample (its 5 s gone), 12 ran throughout, 13 started after.
    before = CpuSample({"postgres (all backends)": 6.0}, backends={11: 5.0, 12: 1.0})
    after = CpuSample({"postgres (all backends)": 2.5}, backends={12: 2.0, 13: 0.5})

    assert per_event_us(before, after, 1000) == {"postgres (all backends)": 1500.0}


def _path(rate: float) -> PathFigures:
    return PathFigures(
        events=int(rate * 10), seconds=10.0, write_seconds=2.0, p50_ms=40, p99_ms=90, consumer_peak_rss_mb=80
    )


def test_the_committed_path_target_is_judged_on_the_median_batched_run_beside_the_per_event_line() -> None:
    report = _report()
    report.ceiling = 20_000

    report.foundation_throughput(_path(7_000), [_path(13_500), _path(11_000), _path(13_000)])

    rows = _rows(report, "Foundation: outbox -> Kafka -> idempotent consumer")
    assert rows["events through outbox -> relay -> consumer (committed)"] == ("7,000/s", "(per-event handler)", "")
    assert rows["committed path, batched handler (the target's line)"] == ("13,000/s", ">= 12,000/s", "met")
    assert rows["  runs: min / median / max of 3"][0] == "11,000 / 13,000 / 13,500/s"
    assert rows["  ratio batched / ceiling"][0] == "0.65"
    assert rows["ratio path / ceiling"][0] == "0.35"


def test_without_a_batched_run_the_per_event_line_keeps_the_target() -> None:
    report = _report()
    report.ceiling = 20_000

    report.foundation_throughput(_path(7_000))

    rows = _rows(report, "Foundation: outbox -> Kafka -> idempotent consumer")
    assert rows["events through outbox -> relay -> consumer (committed)"] == ("7,000/s", ">= 12,000/s", "NOT met")


def test_a_target_s_need_is_the_cpu_per_event_of_every_process_at_the_target_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    cpu = {"bench": 50.0, "service": 250.0, "postgres": 150.0, "kafka": 50.0}

    rows = {measure.strip(): value for measure, value, _, _ in budget_rows(cpu, 3_000, 4_000)}

    assert rows["CPU per event, all processes"] == "500 us"
    assert rows["cores busy at that rate (of 2)"] == "1.50"
    assert rows["cores the target needs at this cost (of 2)"] == "2.00"
    assert rows["the service process at the target (of its 1 core)"] == "1.00"


def test_a_path_of_several_worker_processes_is_budgeted_on_all_of_them_only() -> None:
    rows = [measure.strip() for measure, *_ in budget_rows({"replay": 40.0, "postgres": 30.0}, 20_000, 40_000, None)]

    assert not any("service process" in measure for measure in rows)
