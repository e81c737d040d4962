"""Numbering resolutions: the model (shared with the domain) and the habilitación values.

In habilitación every software uses the same test range and technical key (reference §2.3); in
production the values come from GetNumberingRange against production, never typed by hand
(reference §6.3: manual entry causes FAB07b/FAB08b/FAB10b/FAD06).
"""

from datetime import date

from domain.colombia.resolution import NumberingResolution

__all__ = ["HABILITACION_RESOLUTION", "NumberingResolution"]

HABILITACION_RESOLUTION = NumberingResolution(
    authorization="18760000001",
    prefix="SETP",
    range_from=990000000,
    range_to=995000000,
    valid_from=date(2019, 1, 19),
    valid_to=date(2030, 1, 19),
    technical_key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c",
)
