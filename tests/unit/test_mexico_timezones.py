"""Fecha's time zone per LugarExpedicion, and why satcfdi's map is not used (reference §5.5)."""

from datetime import UTC, datetime

import pytest
from satcfdi.transform import get_timezone  # type: ignore[import-untyped]

from domain.mexico.timezones import local_fecha, zone_name


@pytest.mark.parametrize(
    ("postal_code", "zone"),
    [
        ("06600", "America/Mexico_City"),  # CDMX
        ("42501", "America/Mexico_City"),  # Hidalgo
        ("77500", "America/Cancun"),  # Quintana Roo
        ("22000", "America/Tijuana"),  # Baja California
        ("83000", "America/Hermosillo"),  # Sonora
        ("80000", "America/Mazatlan"),  # Sinaloa
        ("23000", "America/Mazatlan"),  # Baja California Sur
        ("32000", "America/Ciudad_Juarez"),  # Ciudad Juárez
        ("88000", "America/Matamoros"),  # Nuevo Laredo (Tamaulipas border)
        ("00001", "America/Mexico_City"),  # unknown code
    ],
)
def test_zone_per_postal_code(postal_code: str, zone: str) -> None:
    assert zone_name(postal_code) == zone


def test_satcfdi_would_put_tijuana_in_the_future() -> None:
    moment = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)  # summer: Tijuana is UTC−7
    ours = local_fecha(moment, "22000")
    theirs = moment.astimezone(get_timezone("22000")).replace(tzinfo=None)
    assert ours == datetime(2026, 7, 1, 11, 0)
    assert (theirs - ours).total_seconds() == 2 * 3600  # satcfdi's America/Matamoros: 2 h ahead


def test_fecha_is_naive_and_has_no_fractions() -> None:
    fecha = local_fecha(datetime(2026, 1, 15, 18, 30, 5, 999_999, tzinfo=UTC), "06600")
    assert fecha == datetime(2026, 1, 15, 12, 30, 5)
    with pytest.raises(ValueError, match="timezone-aware"):
        local_fecha(datetime(2026, 1, 15, 18, 30), "06600")
