"""The deploy-time handler answers CloudFormation before its Lambda function's time runs out.

Without an answer CloudFormation waits for the custom resource's service timeout, and the
stack operation hangs that long. Here the handler's own boto3 clients call an endpoint that
accepts connections and never answers (no moto: its mock would answer), so the request
runs out of time inside botocore, as a throttled or hung call does in Lambda.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cdk_peering.cdk import handler


class Context:
    """The Lambda context's one method the handler reads."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.ends - time.monotonic()) * 1000)


@pytest.fixture
def silent_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the handler's boto3 at a server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    yield url
    server.close()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the handler PUT to the response URL, with the timeout it gave the PUT."""
    sent: list[dict[str, Any]] = []

    class Answer:
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *args: object) -> None:
            return None

    def urlopen(request: Any, timeout: float) -> Answer:
        sent.append({**json.loads(request.data), "timeout": timeout})
        return Answer()

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    return sent


def options_event() -> dict[str, Any]:
    return {
        "RequestType": "Create",
        "ResourceType": handler.OPTIONS,
        "LogicalResourceId": "SideDnsOptions",
        "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/Net/1",
        "RequestId": "request-1",
        "ResponseURL": "https://cloudformation-custom-resource-response.example/",
        "ResourceProperties": {
            "VpcPeeringConnectionId": "pcx-0123456789abcdef0",
            "Side": "Requester",
            "Options": {"AllowDnsResolutionFromRemoteVpc": "true"},
        },
    }


def test_a_call_that_hangs_is_cut_before_the_function_ends_and_the_request_fails(
    silent_endpoint: str, answers: list[dict[str, Any]]
) -> None:
    seconds = handler.DEADLINE_MARGIN_SECONDS + 1.0
    event = options_event()
    started = time.monotonic()

    handler.handler(event, Context(seconds))

    elapsed = time.monotonic() - started
    [answer] = answers
    assert answer["Status"] == "FAILED"
    assert "time" in answer["Reason"]
    assert answer["PhysicalResourceId"] == handler.planned_physical_id(event)
    # Cut a margin before the function's end (at 1 s of its 6), leaving the PUT that
    # margin at most. The bound allows a loaded machine's slow boto3 import, and still
    # fails a handler that waits out the function's time.
    assert 0.9 < elapsed < seconds - 2.0
    assert answer["timeout"] <= handler.DEADLINE_MARGIN_SECONDS


def test_a_request_with_no_time_left_fails_without_a_call(
    silent_endpoint: str, answers: list[dict[str, Any]]
) -> None:
    started = time.monotonic()

    handler.handler(options_event(), Context(handler.DEADLINE_MARGIN_SECONDS - 1.0))

    assert time.monotonic() - started < 0.5
    assert answers[0]["Status"] == "FAILED"


def test_the_alarm_is_gone_once_the_request_is_answered(
    silent_endpoint: str, answers: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handler, "handle", lambda event, clients: "pcx-1/requester-options/x")

    handler.handler(options_event(), Context(handler.DEADLINE_MARGIN_SECONDS + 0.3))
    time.sleep(0.5)  # an alarm left set would raise here

    assert answers[0]["Status"] == "SUCCESS"


def test_outside_the_main_thread_the_request_runs_without_an_alarm(
    silent_endpoint: str, answers: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signals reach the main thread only (where Lambda runs the handler); elsewhere the
    # request must still be answered, not fail on setting the alarm.
    monkeypatch.setattr(handler, "handle", lambda event, clients: "pcx-1/requester-options/x")
    thread = threading.Thread(
        target=handler.handler, args=(options_event(), Context(handler.DEADLINE_MARGIN_SECONDS + 5))
    )

    thread.start()
    thread.join(timeout=10)

    assert answers[0]["Status"] == "SUCCESS"
