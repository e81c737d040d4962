"""NIT check digit (reference §4.6): python-stdnum against DIAN's own weights and the reference's vectors."""

import pytest

from domain.colombia.nit import check_digit, is_valid, nit_problems

WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)


def by_the_book(nit: str) -> str:
    remainder = sum(int(d) * w for d, w in zip(reversed(nit), WEIGHTS, strict=False)) % 11
    return str(remainder if remainder in (0, 1) else 11 - remainder)


@pytest.mark.parametrize(
    ("nit", "dv"),
    [
        ("800197268", "4"),  # DIAN's own NIT
        ("900390126", "6"),
        ("900000009", "0"),  # r = 0
        ("900000002", "1"),  # r = 1
        ("900000005", "1"),  # r = 10 → 11 − 10
    ],
)
def test_reference_vectors(nit: str, dv: str) -> None:
    assert check_digit(nit) == dv
    assert is_valid(nit, dv)


def test_stdnum_agrees_with_the_dian_weights_on_many_numbers() -> None:
    for value in range(1, 20_000_000_000, 7_919_999_931):
        nit = str(value)
        assert check_digit(nit) == by_the_book(nit), nit
    for nit in ("1", "12", "860001022", "890900608", "123456789012345"):
        assert check_digit(nit) == by_the_book(nit)


def test_malformed_nits_are_refused() -> None:
    with pytest.raises(ValueError, match="1 to 15 digits"):
        check_digit("900.390.126")
    assert not is_valid("900390126-6", "6")


def test_problems_name_the_field_and_the_expected_digit() -> None:
    [problem] = nit_problems("buyer.identification", "900390126", "7", dv_field="buyer.check_digit",
                             code_prefix="CO.NIT")
    assert (problem.field, problem.code) == ("buyer.check_digit", "CO.NIT.CHECK_DIGIT")
    assert "is 6" in problem.message
    [missing] = nit_problems("x", "900390126", None, dv_field="y", code_prefix="CO.NIT")
    assert missing.code == "CO.NIT.CHECK_DIGIT_MISSING"
    assert nit_problems("x", "900390126", "6", dv_field="y", code_prefix="CO.NIT") == []
