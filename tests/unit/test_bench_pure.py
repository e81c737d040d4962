"""The benchmark harness's pure parts: percentiles and rates, /proc parsing and CPU accounting, history
reading, the table and the options. No timing is asserted anywhere."""

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from bench.accounting import Window
from bench.histories import WORKFLOW_TASK, history_facts, summarize
from bench.options import FULL, QUICK, parse
from bench.proc import (
    CpuSnapshot,
    children_from_task_files,
    cpu_ticks_from_stat,
    machine_ticks_from_proc_stat,
    per_item_ms,
    vmrss_bytes_from_status,
)
from bench.report import Figure, at_least, below
from bench.stats import overall_rate, percentile, steady_rate
from bench.table import format_table, format_value

# A real /proc/<pid>/stat line, with a command name holding spaces and a ")" to trip naive parsers.
STAT = ("4242 (python -m (worker)) S 1 4242 4242 0 -1 4194560 52717 0 0 0 1234 567 0 0 20 0 7 0 "
        "912345 1508175872 44321 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0")
STATUS = "Name:\tpython\nVmPeak:\t  900000 kB\nVmRSS:\t  163840 kB\nRssAnon:\t  150000 kB\n"
PROC_STAT = "cpu  100 5 50 1000 20 3 2 10 0 0\ncpu0 50 2 25 500 10 1 1 5 0 0\nintr 1 2 3\n"


def test_percentile_interpolates_between_ranks() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 90) == pytest.approx(4.6)
    assert percentile([7.0], 99) == 7.0


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_steady_rate_leaves_out_ramp_up_and_tail() -> None:
    # 10 completions one second apart, then a straggler 100 s later: trimming 10 % drops it.
    completions = [float(i) for i in range(10)] + [109.0]
    assert steady_rate(completions, trim=0.1) == pytest.approx(8 / 8)
    assert steady_rate([0.0, 2.0], trim=0.0) == pytest.approx(0.5)
    assert overall_rate(10, 0.0, 4.0) == 2.5
    with pytest.raises(ValueError, match="at least two"):
        steady_rate([1.0])


def test_cpu_ticks_skip_a_command_name_with_spaces_and_parentheses() -> None:
    assert cpu_ticks_from_stat(STAT) == 1234 + 567


def test_vmrss_is_read_in_bytes() -> None:
    assert vmrss_bytes_from_status(STATUS) == 163840 * 1024
    assert vmrss_bytes_from_status("Name:\tzombie\nState:\tZ\n") == 0


def test_machine_ticks_count_busy_and_total_time() -> None:
    busy, total = machine_ticks_from_proc_stat(PROC_STAT)
    assert busy == 100 + 5 + 50 + 3 + 2 + 10
    assert total == busy + 1000 + 20


def test_children_of_every_thread_are_merged() -> None:
    assert children_from_task_files(["12 15 ", "", "15 9\n"]) == [9, 12, 15]


def test_cpu_accounting_per_process_and_per_item() -> None:
    before = CpuSnapshot({"temporal-server": 10.0, "worker-invoices": 2.0, "gone": 1.0})
    after = CpuSnapshot({"temporal-server": 13.0, "worker-invoices": 3.5})
    used = after.minus(before)
    assert used == {"temporal-server": 3.0, "worker-invoices": 1.5}
    assert per_item_ms(used, 100) == {"temporal-server": 30.0, "worker-invoices": 15.0}
    assert per_item_ms(used, 0) == {}
    window = Window(seconds=10.0, cpu=used, machine_busy=9.5)
    assert window.ours == 4.5
    assert window.other_cores == pytest.approx(0.5)


def _event(event_id: int, kind: int, at: datetime, **attributes: object) -> HistoryEvent:
    event = HistoryEvent(event_id=event_id, event_type=kind, **attributes)  # type: ignore[arg-type]
    event.event_time.FromDatetime(at)
    return event


def test_history_facts_time_each_activity_and_workflow_task() -> None:
    t0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    ms = timedelta(milliseconds=1)
    events = [
        _event(1, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, t0),
        _event(2, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, t0 + 5 * ms),
        _event(3, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, t0 + 25 * ms,
               workflow_task_completed_event_attributes={"scheduled_event_id": 1, "started_event_id": 2}),
        _event(4, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, t0 + 25 * ms,
               activity_task_scheduled_event_attributes={"activity_type": {"name": "render_pdf"}}),
        _event(5, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, t0 + 35 * ms,
               activity_task_started_event_attributes={"scheduled_event_id": 4, "attempt": 2}),
        _event(6, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, t0 + 235 * ms,
               activity_task_completed_event_attributes={"scheduled_event_id": 4, "started_event_id": 5}),
    ]
    facts = history_facts(events)
    assert facts.events == 6
    assert facts.size_bytes == sum(e.ByteSize() for e in events)
    by_kind = {step.kind: step for step in facts.steps}
    assert by_kind[WORKFLOW_TASK].queued_ms == pytest.approx(5)
    assert by_kind[WORKFLOW_TASK].run_ms == pytest.approx(20)
    assert by_kind["render_pdf"].queued_ms == pytest.approx(10)
    assert by_kind["render_pdf"].run_ms == pytest.approx(200)
    assert by_kind["render_pdf"].attempt == 2
    summary = summarize([facts, facts])
    assert summary["steps"]["render_pdf"]["per_workflow"] == 1.0
    assert summary["steps"]["render_pdf"]["run_ms_per_workflow"] == pytest.approx(200)
    assert summarize([]) == {}


def test_table_aligns_numbers_and_shows_goals() -> None:
    figures = [
        Figure("2 pipeline EC", "full pipeline: throughput", 3.8123, "inv/s", "closed loop"),
        Figure("3 latency", "start → COMPLETED p50", 1.54, "s", "open loop", "< 1 s", below(1.54, 1.0)),
        Figure("5 backlog", "drain rate / saturated rate", 81.0, "%", "ratio", "≥ 80 %", at_least(81.0, 80)),
        Figure("6 memory", "worker RSS", None, "MB", "VmRSS"),
    ]
    lines = format_table(figures).splitlines()
    assert lines[0].split() == ["section", "figure", "value", "unit", "target", "goal"]
    assert set(lines[1]) <= {"-", " "}
    assert "MISSED" in lines[3] and lines[4].rstrip().endswith("met")
    value_column_ends = {line.index(value) + len(value) for line, value in
                         zip(lines[2:], ["3.81", "1.54", "81.0", "n/a"], strict=True)}
    assert len(value_column_ends) == 1  # right-aligned
    assert [format_value(v) for v in (1234.5, 12.345, 0.1234, None)] == ["1,234", "12.3", "0.12", "n/a"]


def test_options_keep_the_canonical_section_order_and_sizes() -> None:
    options = parse(["--only", "memory,baseline", "--backlog", "500"])
    assert options.sections == ("baseline", "memory")
    assert options.sizes.backlog == 500
    assert options.sizes.parked == FULL.parked
    quick = parse(["--quick", "--parked", "5000"])
    assert quick.sizes.pipeline == QUICK.pipeline and quick.sizes.parked == 5000
    with pytest.raises(SystemExit):
        parse(["--only", "everything"])
