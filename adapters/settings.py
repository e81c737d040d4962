"""Worker and CLI settings, from environment variables (prefix COMPROBANTE_) or a .env file.

Loaded once, in the composition roots (worker.py and the CLI), never at import time.
"""

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SRI_PRUEBAS_URL = "https://celcer.sri.gob.ec/comprobantes-electronicos-ws/"
DIAN_HABILITACION_URL = "https://vpfe-hab.dian.gov.co/WcfDianCustomerServices.svc"


class PacAccount(BaseModel):
    """One PAC account: COMPROBANTE_PACS='{"pac-a": {"url": "...", "username": "...", "password": "..."}}'."""

    url: str
    username: str
    password: str


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPROBANTE_", env_file=".env", extra="ignore",
                                      populate_by_name=True)

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "COMPROBANTE_DATABASE_URL"))
    documents_dir: Path | None = None
    issuers_file: Path = Path("var/issuers.json")
    sri_url: str = SRI_PRUEBAS_URL
    sri_timeout_seconds: float = 20.0
    # Colombia: DIAN habilitación by default; producción is https://vpfe.dian.gov.co/WcfDianCustomerServices.svc
    dian_url: str = DIAN_HABILITACION_URL
    dian_issuers_file: Path | None = None
    # Mexico: issuers with their CSD, the PAC accounts they stamp with, and the SAT certificates that
    # sign timbres (a timbre that does not verify against them is refused).
    mexico_issuers_file: Path | None = None
    pacs: dict[str, PacAccount] = Field(default_factory=dict)
    sat_certificates: list[Path] = Field(default_factory=list)
    smtp_host: str = "localhost"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    schemas: Path | None = Field(
        default=None, validation_alias=AliasChoices("COMPROBANTE_SCHEMAS"),
        description="folder with the official XSDs; when set every document is schema-checked before signing",
    )
    # Authority-health workflow: one probe per interval while an authority is down; the backlog is
    # released at this many invoices per second once it is back.
    probe_interval_seconds: float = 30.0
    drain_per_second: float = 20.0
    # How long a worker reuses the health workflow's answer before asking again (one query per authority
    # per interval instead of one per invoice).
    health_cache_seconds: float = 1.0
    # One alert per outage after this long; unset: the country's lead time (Ecuador 10 minutes).
    outage_alert_after_seconds: float | None = None
    worker_role: Literal["all", "invoices", "pdf"] = "all"
    max_concurrent_activities: int = 64
    # Workflows kept in memory between tasks (about 250 KiB each, most of it the sandbox's per-run copy of
    # the workflow module). It must hold the invoices in flight (throughput x seconds per invoice: about 5
    # at 9 invoices/s on 2 cores, 48 in the benchmark's closed loop); invoices parked for hours
    # (contingency, NEEDS_FIX) are evicted beyond it and replayed from history when they wake, which keeps
    # memory flat however many are parked. Raise it with the worker's concurrency.
    max_cached_workflows: int = 150
    pdf_concurrency: int = 2
    log_level: str = "INFO"

    @property
    def ledger_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ledger.db'}"

    @property
    def documents_path(self) -> Path:
        return self.documents_dir or self.data_dir / "documents"
