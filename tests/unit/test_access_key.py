from datetime import date

import pytest

from domain.ecuador.access_key import AccessKeyParts, build_access_key, is_valid_access_key, mod11_check_digit


@pytest.mark.parametrize(
    "key",
    [
        # The ficha's worked web-service example and other published keys (reference §8.2).
        "0503201201176001321000110010030009900641234567814",
        "2110201101179214673900110020010000000011234567813",
        "1702201205176001321000110010030001000011234567816",
        "0312202201019007200200120029020004874985766297216",
        "0110201401099126726300120010010002742492823013317",
        "0702202201171074442400110020020000000018765432111",
    ],
)
def test_published_keys_have_valid_check_digits(key: str) -> None:
    assert mod11_check_digit(key[:-1]) == int(key[-1])
    assert is_valid_access_key(key)


def test_ficha_short_example() -> None:
    # Ficha example: 41261533 → Σ 104, 104 mod 11 = 5, 11 − 5 = 6.
    assert mod11_check_digit("41261533") == 6


def _find_body(remainder: int) -> str:
    """A 48-digit body whose weighted sum leaves the given remainder mod 11."""
    base = "0503201201176001321000110010030009900641234567"
    for tail in range(100):
        body = base + f"{tail:02d}"
        total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(body)))
        if total % 11 == remainder:
            return body
    raise AssertionError("no body found")


def test_eleven_becomes_zero() -> None:
    # remainder 0 → 11 − 0 = 11 → check digit 0
    assert mod11_check_digit(_find_body(0)) == 0


def test_ten_becomes_one() -> None:
    # remainder 1 → 11 − 1 = 10 → check digit 1
    assert mod11_check_digit(_find_body(1)) == 1


def test_build_access_key_layout() -> None:
    key = build_access_key(AccessKeyParts(
        issue_date=date(2026, 1, 15), doc_code="01", ruc="1792146739001", environment="1",
        establishment="001", emission_point="001", sequential="000000123", numeric_code="12345678"))
    assert key == "1501202601179214673900110010010000001231234567813"  # reference §4.3
    assert is_valid_access_key(key)


def test_wrong_digit_is_invalid() -> None:
    key = "1501202601179214673900110010010000001231234567813"
    assert not is_valid_access_key(key[:-1] + "4")
    assert not is_valid_access_key(key[:-1])
    with pytest.raises(ValueError, match="48 digits"):
        build_access_key(AccessKeyParts(date(2026, 1, 15), "01", "17921467390", "1", "001", "001",
                                        "000000123", "12345678"))
