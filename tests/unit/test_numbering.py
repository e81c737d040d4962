"""Number allocation on a real SQLite file: once per invoice, never twice, never reused."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator, NumberRequest


def request(invoice_key: str) -> NumberRequest:
    return NumberRequest(invoice_key=invoice_key, ruc="1792146739001", doc_code="01", establishment="001",
                         emission_point="001", issue_date=date(2026, 11, 20))


def key_of(sequential: int, numeric_code: str) -> str:
    return f"{sequential:09d}-{numeric_code}"


def test_retries_get_the_same_number(tmp_path: Path) -> None:
    allocator = NumberAllocator(make_engine(f"sqlite:///{tmp_path / 'ledger.db'}"))
    first = allocator.allocate(request("inv-A"), key_of)
    again = allocator.allocate(request("inv-A"), key_of)
    other = allocator.allocate(request("inv-B"), key_of)
    assert first == again
    assert (first.sequential, other.sequential) == (1, 2)


def test_concurrent_allocations_give_distinct_consecutive_numbers(tmp_path: Path) -> None:
    allocator = NumberAllocator(make_engine(f"sqlite:///{tmp_path / 'ledger.db'}"))
    keys = [f"inv-{i % 20}" for i in range(60)]  # every invoice asked for three times, concurrently
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda k: (k, allocator.allocate(request(k), key_of)), keys))
    by_invoice: dict[str, set[int]] = {}
    for invoice, allocated in results:
        by_invoice.setdefault(invoice, set()).add(allocated.sequential)
    assert all(len(numbers) == 1 for numbers in by_invoice.values())
    assert sorted(n for numbers in by_invoice.values() for n in numbers) == list(range(1, 21))
