"""The SRI simulator's admin API, as the harness uses it: faults (outages) and per-document receptions."""

from typing import Any

import httpx


class SriAdmin:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def faults(self, **changes: Any) -> dict[str, Any]:
        response = await self._http.post("/admin/faults", json=changes)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def stats(self) -> dict[str, Any]:
        response = await self._http.get("/admin/stats")
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def accepted_receptions(self, access_key: str) -> int:
        """How many times the authority received this document (exactly once when nothing is duplicated)."""
        response = await self._http.get(f"/admin/documents/{access_key}")
        if response.status_code == httpx.codes.NOT_FOUND:
            return 0
        response.raise_for_status()
        return int(response.json()["accepted_receptions"])
