"""The plumbing the SRI, DIAN and PAC simulators share (``simulators.common``), in process."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx
import pytest
import structlog
import structlog.testing
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from simulators.common import cli, lifecycle
from simulators.common import faults as common_faults
from simulators.common.admin import NOT_OBJECT, faults_endpoint, health_endpoint, reset_endpoint
from simulators.common.faults import InvalidFaults
from simulators.common.http import body_up_to, html_error, post_only, soap_endpoint, xml_response
from simulators.common.server import Listener
from simulators.common.soap import SOAP11_ENV, Operation, Soap11Envelope, SoapRequestError, soap11_operation
from simulators.common.store import SqliteStore
from simulators.common.xmldsig import base64_value, detached, elements_by_id
from simulators.dian.faults import FaultSettings as DianFaults
from simulators.pac.faults import PacSettings
from simulators.sri.faults import FaultSettings as SriFaults

Mode = Literal["none", "refuse", "broken"]


@dataclass
class Settings(common_faults.FaultState):
    mode: Mode = field(default="none", metadata=common_faults.one_of(("none", "refuse", "broken")))
    latency_ms: int = field(default=0, metadata=common_faults.NON_NEGATIVE_INTEGER)
    delay_s: float = field(default=1.0, metadata=common_faults.NON_NEGATIVE_NUMBER)
    names: list[str] = field(default_factory=list, metadata=common_faults.STRING_LIST)


# --- fault state ----------------------------------------------------------------------------
def test_updated_replaces_only_the_given_fields_and_keeps_the_original() -> None:
    original = Settings()
    updated = original.updated({"mode": "broken", "delay_s": 2})
    assert type(updated) is Settings
    assert updated.to_json() == {"mode": "broken", "latency_ms": 0, "delay_s": 2.0, "names": []}
    assert isinstance(updated.delay_s, float)
    assert original.to_json() == {"mode": "none", "latency_ms": 0, "delay_s": 1.0, "names": []}


def test_updated_copies_lists_so_settings_never_share_them() -> None:
    first = Settings().updated({"names": ["a"]})
    second = first.updated({"mode": "broken"})
    second.names.append("b")
    assert first.names == ["a"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"colour": "red", "another": 1}, "unknown fields: ['another', 'colour']"),
        ({"mode": "explode"}, "mode must be one of ['none', 'refuse', 'broken']"),
        ({"mode": ["none"]}, "mode must be one of ['none', 'refuse', 'broken']"),
        ({"latency_ms": -1}, "latency_ms must be a non-negative integer"),
        ({"latency_ms": True}, "latency_ms must be a non-negative integer"),
        ({"latency_ms": 1.5}, "latency_ms must be a non-negative integer"),
        ({"latency_ms": "5"}, "latency_ms must be a non-negative integer"),
        ({"delay_s": -0.5}, "delay_s must be a non-negative number"),
        ({"delay_s": False}, "delay_s must be a non-negative number"),
        ({"names": "a"}, "names must be a list of strings"),
        ({"names": ["a", 1]}, "names must be a list of strings"),
        # Unknown fields are reported first, then the given fields in declaration order.
        ({"delay_s": -1, "mode": "explode", "colour": 1}, "unknown fields: ['colour']"),
        ({"delay_s": -1, "mode": "explode"}, "mode must be one of ['none', 'refuse', 'broken']"),
    ],
)
def test_updated_refuses_invalid_payloads(payload: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidFaults) as caught:
        Settings().updated(payload)
    assert str(caught.value) == message


def test_each_simulator_keeps_its_own_modes_and_fields() -> None:
    assert SriFaults().updated({"mode": "error_50", "inactive_rucs": ["1790011674001"]}).to_json() == {
        "mode": "error_50", "latency_ms": 0, "authorization_delay_s": 1.0, "inactive_rucs": ["1790011674001"]}
    assert DianFaults().updated({"mode": "http_507", "processing_delay_s": 3}).to_json() == {
        "mode": "http_507", "latency_ms": 0, "processing_delay_s": 3.0}
    assert PacSettings().updated({"mode": "lost_reply", "cancel_not_found_s": 1}).to_json() == {
        "mode": "lost_reply", "latency_ms": 0, "immediate_cancel_window_s": 86_400.0,
        "acceptance_window_s": 259_200.0, "cancel_not_found_s": 1.0}
    with pytest.raises(InvalidFaults, match="unknown fields"):
        DianFaults().updated({"inactive_rucs": []})
    with pytest.raises(InvalidFaults, match="mode must be one of"):
        PacSettings().updated({"mode": "error_50"})


# --- command line ---------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    def options(parser: argparse.ArgumentParser) -> None:
        cli.add_schemas_option(parser, help_text="vectors")
        parser.add_argument("--own", default="x")

    return cli.simulator_parser("demo", "A demo simulator.", state_dir_help="state", options=options)


def test_parser_has_the_shared_options_around_the_simulators_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.SCHEMAS_ENV, raising=False)
    parser = _parser()
    args = parser.parse_args(["--state-dir", "/tmp/state"])
    assert vars(args) == {"host": "127.0.0.1", "port": 0, "admin_port": 0, "state_dir": Path("/tmp/state"),
                          "schemas": None, "own": "x", "log_level": "info"}
    options = [action.option_strings[-1] for action in parser._actions]
    assert options == ["--help", "--host", "--port", "--admin-port", "--state-dir", "--schemas", "--own", "--log-level"]
    assert parser.prog == "python -m simulators demo"


def test_schemas_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.SCHEMAS_ENV, "/vectors")
    args = _parser().parse_args(["--state-dir", "s"])
    assert args.schemas == Path("/vectors")


def test_state_dir_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args([])
    assert exited.value.code == 2
    assert "--state-dir" in capsys.readouterr().err


def test_ready_line_is_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    cli.announce_ready("demo", port=1, admin_port=2)
    assert capsys.readouterr().out == '{"event": "simulator.ready", "service": "demo", "port": 1, "admin_port": 2}\n'


# --- lifecycle --------------------------------------------------------------------------------
async def _hello(request: Request) -> Response:
    return PlainTextResponse("hello")


HELLO = Starlette(routes=[Route("/", _hello)])


lifecycle_log = structlog.get_logger("tests.simulators")


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


def test_serve_announces_both_ports_then_stops_on_sigterm(capsys: pytest.CaptureFixture[str]) -> None:
    closed: list[bool] = []
    seen: list[bool] = []

    async def run() -> int:
        soap_listener = Listener(HELLO, "127.0.0.1", 0, name="test-soap")
        admin_listener = Listener(HELLO, "127.0.0.1", 0, name="test-admin")

        def started() -> None:
            seen.append(soap_listener.listening and admin_listener.listening)
            # The handlers are installed by now: the signal stops serve, not the test run.
            asyncio.get_running_loop().call_soon(os.kill, os.getpid(), signal.SIGTERM)

        status = await lifecycle.serve(lifecycle_log, "demo", soap_listener, admin_listener,
                                       close=lambda: closed.append(True), started=started)
        seen.append(soap_listener.listening or admin_listener.listening)
        return status

    with structlog.testing.capture_logs() as events:
        assert asyncio.run(run()) == 0
    assert [event["event"] for event in events] == ["demo.stopping"]
    assert seen == [True, False]
    assert closed == [True]
    ready = json.loads(capsys.readouterr().out)
    assert ready["event"] == "simulator.ready" and ready["service"] == "demo"
    assert ready["port"] > 0 and ready["admin_port"] > 0


def test_serve_returns_2_and_closes_the_state_when_a_port_is_taken(capsys: pytest.CaptureFixture[str]) -> None:
    closed: list[bool] = []
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]

        async def run() -> int:
            soap_listener = Listener(HELLO, "127.0.0.1", 0, name="test-soap")
            admin_listener = Listener(HELLO, "127.0.0.1", taken, name="test-admin")
            status = await lifecycle.serve(lifecycle_log, "demo", soap_listener, admin_listener,
                                           close=lambda: closed.append(True), started=lambda: None)
            assert not soap_listener.listening
            return status

        with structlog.testing.capture_logs() as events:
            assert asyncio.run(run()) == lifecycle.BIND_FAILED == 2
    assert [event["event"] for event in events] == ["demo.bind_failed"]
    assert closed == [True]
    assert capsys.readouterr().out == ""


# --- admin API ---------------------------------------------------------------------------------
async def test_refuse_really_closes_the_soap_port_and_none_reopens_it() -> None:
    state = {"settings": Settings(), "resets": 0}
    soap_listener = Listener(HELLO, "127.0.0.1", 0, name="test-soap")
    await soap_listener.start()

    def current() -> Settings:
        return state["settings"]  # type: ignore[return-value]

    def publish(updated: Settings) -> None:
        state["settings"] = updated

    def reset() -> None:
        state["resets"] += 1  # type: ignore[operator]

    app = Starlette(routes=[
        Route("/admin/health", health_endpoint(current, soap_listener, extra={"name": "x"}), methods=["GET"]),
        Route("/admin/faults", faults_endpoint(current, publish, soap_listener), methods=["GET", "POST"]),
        Route("/admin/strict", faults_endpoint(current, publish, soap_listener, not_json=NOT_OBJECT), methods=["POST"]),
        Route("/admin/reset", reset_endpoint(reset), methods=["POST"]),
    ])
    port = soap_listener.port
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin") as admin:
            health = await admin.get("/admin/health")
            assert health.text == '{"status":"ok","name":"x","soap_listening":true,"mode":"none"}'

            refused = await admin.post("/admin/faults", json={"mode": "refuse", "latency_ms": 5})
            assert refused.json() == {"mode": "refuse", "latency_ms": 5, "delay_s": 1.0, "names": []}
            assert not soap_listener.listening
            assert not await asyncio.to_thread(_connects, port)
            assert (await admin.get("/admin/health")).json()["soap_listening"] is False

            assert (await admin.post("/admin/faults", json={"mode": "none"})).status_code == 200
            assert soap_listener.listening and soap_listener.port == port
            assert await asyncio.to_thread(_connects, port)
            assert (await admin.get("/admin/faults")).json()["latency_ms"] == 5

            assert (await admin.post("/admin/reset")).json() == {"status": "reset"}
            assert state["resets"] == 1
    finally:
        await soap_listener.stop()


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/admin/faults", b"{", "body must be JSON"),
        ("/admin/strict", b"{", "body must be a JSON object"),
        ("/admin/faults", b"[1]", "body must be a JSON object"),
        ("/admin/faults", b"null", "body must be a JSON object"),
        ("/admin/faults", b'{"mode": "explode"}', "mode must be one of ['none', 'refuse', 'broken']"),
    ],
)
async def test_bad_fault_payloads_are_400_and_change_nothing(path: str, body: bytes, message: str) -> None:
    settings = Settings()
    changed: list[Settings] = []
    soap_listener = Listener(HELLO, "127.0.0.1", 0, name="unused")  # never started: nothing switches
    app = Starlette(routes=[
        Route("/admin/faults", faults_endpoint(lambda: settings, changed.append, soap_listener), methods=["POST"]),
        Route("/admin/strict", faults_endpoint(lambda: settings, changed.append, soap_listener, not_json=NOT_OBJECT),
              methods=["POST"]),
    ])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin") as admin:
        answer = await admin.post(path, content=body)
    assert (answer.status_code, answer.json()) == (400, {"error": message})
    assert changed == []
    assert not soap_listener.listening


# --- SOAP port pipeline --------------------------------------------------------------------------
def _pipeline_app(settings: Settings, processed: list[bytes]) -> Starlette:
    async def process(request: Request, body: bytes) -> Response:
        processed.append(body)
        return xml_response(b"<ok/>", "text/xml; charset=utf-8")

    endpoint = soap_endpoint(
        lambda: settings,
        {"broken": lambda: html_error(503, "Service Temporarily Unavailable")},
        on_get=post_only("Use POST"),
        read_body=body_up_to(10),
        too_large=lambda: xml_response(b"<too-large/>", "text/xml", 500),
        process=process,
    )
    return Starlette(routes=[Route("/soap", endpoint, methods=["GET", "POST"])])


async def test_soap_pipeline_order() -> None:
    processed: list[bytes] = []
    settings = Settings()
    app = _pipeline_app(settings, processed)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://soap") as client:
        ok = await client.post("/soap", content=b"<a/>")
        assert (ok.status_code, ok.headers["content-type"], ok.text) == (200, "text/xml; charset=utf-8", "<ok/>")
        get = await client.get("/soap")
        assert (get.status_code, get.headers["allow"], get.text) == (405, "POST", "Use POST")
        large = await client.post("/soap", content=b"<a>0123456789</a>")
        assert (large.status_code, large.text) == (500, "<too-large/>")
        settings.mode = "broken"
        for answer in (await client.post("/soap", content=b"<a/>"), await client.get("/soap")):
            assert (answer.status_code, answer.headers["content-type"]) == (503, "text/html; charset=utf-8")
        settings.mode, settings.latency_ms = "none", 200
        started = asyncio.get_running_loop().time()
        await client.post("/soap", content=b"<b/>")
        assert asyncio.get_running_loop().time() - started >= 0.2
    assert processed == [b"<a/>", b"<b/>"]


# --- SOAP envelopes ------------------------------------------------------------------------------
class _Error(SoapRequestError):
    default_code = "x:Client"


def _envelope(body: str) -> bytes:
    return f'<e:Envelope xmlns:e="{SOAP11_ENV}">{body}</e:Envelope>'.encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not xml", "Unmarshalling Error: Start tag expected, '<' not found, line 1, column 1"),
        (b"<a/>", "Not a SOAP 1.1 envelope: root element a"),
        (_envelope(""), "SOAP envelope without Body"),
        (_envelope("<e:Body><!-- only a comment --></e:Body>"), "SOAP Body without an operation element"),
    ],
)
def test_soap11_request_errors(body: bytes, message: str) -> None:
    with pytest.raises(_Error) as caught:
        soap11_operation(body, _Error)
    assert (str(caught.value), caught.value.code) == (message, "x:Client")


def test_soap11_operation_and_entities_are_not_expanded() -> None:
    body = (b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "expanded">]>'
            + _envelope('<e:Body><o:op xmlns:o="urn:o"><arg>&x;</arg></o:op></e:Body>'))
    operation = Operation.of(soap11_operation(body, _Error))
    assert (operation.namespace, operation.name) == ("urn:o", "op")
    assert operation.element.findtext("arg") != "expanded"


def test_soap11_fault_uses_the_services_prefix() -> None:
    envelope = Soap11Envelope("senv")
    assert envelope.fault("a < b") == (
        f'<?xml version="1.0" encoding="UTF-8"?><senv:Envelope xmlns:senv="{SOAP11_ENV}"><senv:Body>'
        "<senv:Fault><faultcode>senv:Server</faultcode><faultstring>a &lt; b</faultstring></senv:Fault>"
        "</senv:Body></senv:Envelope>"
    ).encode()
    assert b"<faultcode>senv:Client</faultcode>" in envelope.fault("x", "senv:Client")
    assert _Error("x").code == "x:Client" and _Error("x", code="x:Server").code == "x:Server"


# --- SQLite state ----------------------------------------------------------------------------------
opened: list[sqlite3.Connection] = []


class _Store(SqliteStore):
    def __init__(self, state_dir: Path, *, fail: bool = False) -> None:
        self.fail = fail
        super().__init__(state_dir / "nested", "demo.sqlite3", "CREATE TABLE IF NOT EXISTS t (v TEXT);")

    def _upgrade(self) -> None:
        if self.fail:
            opened.append(self._db)
            raise RuntimeError("newer state file")

    def add(self, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO t VALUES (?)", (value,))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM t").fetchone()[0])


def test_store_creates_its_folder_in_wal_mode_and_clears(tmp_path: Path) -> None:
    store = _Store(tmp_path)
    assert store.path == tmp_path / "nested" / "demo.sqlite3" and store.path.exists()
    store.add("a")
    store.add("b")
    with sqlite3.connect(store.path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 2  # autocommit: visible at once
    store._clear("t")
    assert store.count() == 0
    store.close()


def test_store_closes_the_connection_when_the_upgrade_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="newer state file"):
        _Store(tmp_path, fail=True)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[-1].execute("SELECT 1")


# --- XMLDSig pieces --------------------------------------------------------------------------------
def test_detached_removes_the_signature_and_keeps_the_text_around_it() -> None:
    from lxml import etree

    root = etree.fromstring(b"<r>a<x/>b<Signature/>c<y/></r>")
    signature = root.find("Signature")
    assert signature is not None
    with detached(signature):
        assert etree.tostring(root) == b"<r>a<x/>bc<y/></r>"
    assert etree.tostring(root) == b"<r>a<x/>b<Signature/>c<y/></r>"


def test_duplicate_ids_are_refused_and_base64_is_strict() -> None:
    from lxml import etree

    root = etree.fromstring(b'<r><a Id="1"/><b id="2"/></r>')
    assert sorted(elements_by_id(root, ("Id", "id"), ValueError)) == ["1", "2"]
    twice = etree.fromstring(b'<r><a Id="1"/><b Id="1"/></r>')
    with pytest.raises(ValueError, match=r"^1$"):
        elements_by_id(twice, ("Id",), ValueError)
    assert base64_value(" aGk=\n", "X", ValueError) == b"hi"
    with pytest.raises(ValueError, match="X no es base64 válido"):
        base64_value("a*b", "X", ValueError)
