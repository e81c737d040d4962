"""The local time of a LugarExpedicion postal code, which is what CFDI ``Fecha`` must be written in.

Why not satcfdi's ``get_timezone``: its ``HUSO_HORARIOS`` maps three of the catalog's five
"huso horario" values to wrong zones (reference §5.5, [checked]): Noroeste → America/Matamoros,
Pacífico → America/La_Paz (Bolivia!) and Centro en Frontera → America/Monterrey (no DST). With it,
Fecha for Baja California, Sonora, Sinaloa, Nayarit, BCS and the border strip comes out 1–3 hours in
the future, which PACs reject. We read the catalog's huso ourselves and map it with current tzdata.

Where the catalog's huso is coarser than the real zones, we pick the zone whose clock is *behind*:
a Fecha slightly in the past is harmless (72 hours of slack), a Fecha in the future is rejected.
"""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from domain.mexico.catalog import postal_code

CENTRAL = "America/Mexico_City"  # also the zone of the timbre's FechaTimbrado (reference §2.9)

_BY_HUSO = {
    "Tiempo del Centro": CENTRAL,
    "Tiempo del Sureste": "America/Cancun",  # Quintana Roo, UTC−5 all year
    "Tiempo del Noroeste": "America/Tijuana",  # Baja California, UTC−8 with US DST
    "Tiempo del Pacífico": "America/Mazatlan",  # BCS, Sinaloa, Nayarit: UTC−7 (Sonora below)
}
# Border municipalities follow US daylight saving (reference §5.5, [unconfirmed] per municipality).
# Chihuahua: Juárez switched to Mountain time in 2022 (tzdata America/Ciudad_Juarez); the catalog
# also leaves the municipality empty on many Juárez codes, so empty means Juárez (the earlier clock).
_CHIHUAHUA_EAST_BORDER = {"005", "028", "035", "053"}  # Ascensión, Guadalupe, Janos, Praxedis


def zone_name(lugar_expedicion: str) -> str:
    """The tz database name for a postal code; Mexico City when the code is unknown."""
    row = postal_code(lugar_expedicion)
    if row is None:
        return CENTRAL
    if row.time_zone == "Tiempo del Pacífico" and row.state == "SON":
        return "America/Hermosillo"  # Sonora keeps UTC−7 all year
    if row.time_zone == "Tiempo del Centro en Frontera":
        if row.state == "CHH":
            return "America/Ojinaga" if row.municipality in _CHIHUAHUA_EAST_BORDER else "America/Ciudad_Juarez"
        return "America/Matamoros"  # Coahuila, Nuevo León, Tamaulipas border: Central with US DST
    return _BY_HUSO.get(row.time_zone, CENTRAL)


@cache
def zone(lugar_expedicion: str) -> ZoneInfo:
    return ZoneInfo(zone_name(lugar_expedicion))


def local_fecha(moment: datetime, lugar_expedicion: str) -> datetime:
    """``moment`` (timezone-aware) as naive local time at the place of issue, whole seconds.

    The naive result is what goes into ``Fecha``: no offset and no fractions (t_FechaH, CFDI40101).
    """
    if moment.tzinfo is None:
        raise ValueError("the issue moment must be timezone-aware")
    return moment.astimezone(zone(lugar_expedicion)).replace(tzinfo=None, microsecond=0)


def aware_fecha(fecha: datetime, lugar_expedicion: str) -> datetime:
    """A naive ``Fecha`` read from a CFDI, placed back in its postal code's zone."""
    return fecha.replace(tzinfo=zone(lugar_expedicion))
