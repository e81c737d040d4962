"""Webhook delivery to the backend, signed so it can trust the message came from Comprobante.

The signature is HMAC-SHA256 over the exact body bytes, sent as ``X-Comprobante-Signature:
sha256=<hex>``; a delivery id lets the backend drop a retried delivery it already processed.
"""

import hashlib
import hmac
import json

import httpx

from domain.errors import DeliveryFailed

SIGNATURE_HEADER = "X-Comprobante-Signature"
DELIVERY_HEADER = "X-Comprobante-Delivery"
EVENT_HEADER = "X-Comprobante-Event"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookNotifier:
    def __init__(self, http: httpx.AsyncClient, url: str, secret: str) -> None:
        self._http = http
        self._url = url
        self._secret = secret

    async def deliver(self, delivery_id: str, event: str, payload: dict[str, str]) -> int:
        body = json.dumps({"event": event, "delivery_id": delivery_id, "data": payload},
                          separators=(",", ":"), sort_keys=True).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(self._secret, body),
                   DELIVERY_HEADER: delivery_id, EVENT_HEADER: event}
        try:
            response = await self._http.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook endpoint unreachable: {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryFailed(f"webhook endpoint answered HTTP {response.status_code}")
        return response.status_code
