"""The authority-health workflow's contract: shared knowledge of whether an authority is reachable."""

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field


class HealthSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # While the authority is down, one probe every this often (not one per waiting invoice).
    probe_interval: timedelta = timedelta(seconds=30)
    # After recovery, waiting invoices are released at this rate so they do not all hit the authority
    # in the same second.
    drain_per_second: float = 20.0
    # One operator alert per outage once it lasts this long; None: the country's contingency alert lead
    # time (domain.contingency). One alert for the outage instead of one per waiting invoice.
    outage_alert_after: timedelta | None = None


class AuthorityHealthInput(BaseModel):
    country: str
    settings: HealthSettings = Field(default_factory=HealthSettings)
    # Carried across continue-as-new.
    up: bool = True
    since: datetime | None = None
    waiting: list[str] = Field(default_factory=list)
    outages: int = 0
    outage_alerted: bool = False


class AuthorityHealthState(BaseModel):
    country: str
    up: bool
    since: datetime | None
    waiting: int
    probes: int
    outages: int
    released: int
    outage_alerted: bool = False
