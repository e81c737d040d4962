"""A Colombian resolution about to run out raises an alert before any invoice is refused."""

from datetime import date, timedelta
from pathlib import Path

from adapters.certificates.signing_keys import SigningKeys
from adapters.colombia.profile import ColombiaProfile
from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator
from domain.colombia.resolution import NumberingResolution
from tests.unit.test_colombia_samples import issuer_profile, make_sale


def profile_with(resolution: NumberingResolution, tmp_path: Path, **issuer: int) -> ColombiaProfile:
    profile = issuer_profile(resolution=resolution, **issuer)
    allocator = NumberAllocator(make_engine(f"sqlite:///{tmp_path / 'ledger.db'}"))
    return ColombiaProfile({profile.nit: profile}, allocator, SigningKeys(), http=None, dian_url="", schemas=None)


def resolution(range_to: int, valid_to: date) -> NumberingResolution:
    return NumberingResolution(authorization="18760000001", prefix="SETP", range_from=990000000, range_to=range_to,
                               valid_from=date(2025, 1, 1), valid_to=valid_to, technical_key="x" * 40)


def test_a_nearly_exhausted_range_is_an_alert_not_an_error(tmp_path: Path) -> None:
    profile = profile_with(resolution(990000009, date.today() + timedelta(days=365)), tmp_path, warn_numbers_left=20)
    problems = profile.validate(make_sale(), None)
    alerts = [p for p in problems if p.severity == "alert"]
    assert [p.code for p in alerts] == ["CO.RESOLUTION.NEARLY_EXHAUSTED"]
    assert not [p for p in problems if p.severity == "error"]


def test_the_threshold_is_configurable(tmp_path: Path) -> None:
    profile = profile_with(resolution(990000009, date.today() + timedelta(days=365)), tmp_path, warn_numbers_left=5)
    assert not [p for p in profile.validate(make_sale(), None) if p.severity == "alert"]
