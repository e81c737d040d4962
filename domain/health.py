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


class AuthorityHealthInput(BaseModel):
    country: str
    settings: HealthSettings = Field(default_factory=HealthSettings)
    # Carried across continue-as-new.
    up: bool = True
    since: datetime | None = None
    waiting: list[str] = Field(default_factory=list)
    outages: int = 0


class AuthorityHealthState(BaseModel):
    country: str
    up: bool
    since: datetime | None
    waiting: int
    probes: int
    outages: int
    released: int
