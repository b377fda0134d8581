"""Interop tests: a stock grpcio client against the echo server (conftest.py picks which one).

Every call has a deadline, so a server that stops responding fails a test instead of hanging it.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import threading
import time
from concurrent import futures
from dataclasses import dataclass
from typing import Callable, Iterator

import grpc
import pytest
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from conftest import ServerProcess

TIMEOUT_S = 10.0
MIB = 1024 * 1024
ECHO_SERVICE = "edgecat.testing.v1.EchoService"
ECHO_FILE = "edgecat/testing/v1/echo.proto"
ECHO_METHODS = {"Get", "Expand", "Collect", "Update"}
# A status message that needs percent-encoding and contains text that looks percent-encoded.
TRICKY_MESSAGE = "nicht gefunden: ü 100% ✓ %41 %%"


@pytest.fixture(scope="module")
def pb(stubs):
    return stubs.echo_pb2


def rpc_error(call: Callable[[], object]) -> grpc.RpcError:
    """Run `call`, which must fail, and return its error."""
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


def feed(requests: "queue.Queue") -> Iterator:
    """Yield requests put on `requests` until None arrives."""
    while (request := requests.get()) is not None:
        yield request


# Unary: Get.

def test_get_text(echo, pb):
    assert echo.Get(pb.EchoRequest(text="hello"), timeout=TIMEOUT_S).text == "hello"


def test_get_unicode_text(echo, pb):
    text = "grüße ✓ 你好 🙂"
    assert echo.Get(pb.EchoRequest(text=text), timeout=TIMEOUT_S).text == text


def test_get_empty_request(echo, pb):
    assert echo.Get(pb.EchoRequest(), timeout=TIMEOUT_S) == pb.EchoResponse()


def test_get_empty_payload(echo, pb):
    assert echo.Get(pb.EchoRequest(text="x"), timeout=TIMEOUT_S).payload == b""


def test_get_small_payload(echo, pb):
    payload = bytes(range(256))
    assert echo.Get(pb.EchoRequest(payload=payload), timeout=TIMEOUT_S).payload == payload


def test_get_payload_1mib(echo, pb):
    payload = os.urandom(MIB)
    assert echo.Get(pb.EchoRequest(payload=payload), timeout=TIMEOUT_S).payload == payload


def test_get_payload_near_limit(echo, pb):
    payload = os.urandom(4 * MIB - 64)
    assert echo.Get(pb.EchoRequest(payload=payload), timeout=TIMEOUT_S).payload == payload


def test_get_response_size(echo, pb):
    response = echo.Get(pb.EchoRequest(payload=b"abc", response_size=1000), timeout=TIMEOUT_S)
    assert len(response.payload) == 1000


def test_get_index_zero(echo, pb):
    assert echo.Get(pb.EchoRequest(text="x"), timeout=TIMEOUT_S).index == 0


# Server streaming: Expand.

def test_expand_words_text(echo, pb):
    responses = list(echo.Expand(pb.EchoRequest(text="one two three"), timeout=TIMEOUT_S))
    assert [r.text for r in responses] == ["one", "two", "three"]


def test_expand_words_index(echo, pb):
    responses = list(echo.Expand(pb.EchoRequest(text="one two three"), timeout=TIMEOUT_S))
    assert [r.index for r in responses] == [0, 1, 2]


def test_expand_empty_text(echo, pb):
    assert list(echo.Expand(pb.EchoRequest(), timeout=TIMEOUT_S)) == []


def test_expand_count_index(echo, pb):
    responses = list(echo.Expand(pb.EchoRequest(text="x", response_count=7), timeout=TIMEOUT_S))
    assert [r.index for r in responses] == list(range(7))


def test_expand_count_text(echo, pb):
    responses = echo.Expand(pb.EchoRequest(text="word", response_count=3), timeout=TIMEOUT_S)
    assert all("word" in r.text for r in responses)


def test_expand_many(echo, pb):
    responses = echo.Expand(pb.EchoRequest(text="x", response_count=1000), timeout=TIMEOUT_S)
    assert sum(1 for _ in responses) == 1000


def test_expand_large_payloads(echo, pb):
    request = pb.EchoRequest(text="x", response_count=4, response_size=MIB)
    responses = echo.Expand(request, timeout=TIMEOUT_S)
    assert [len(r.payload) for r in responses] == [MIB] * 4


def test_expand_initial_metadata(echo, pb):
    call = echo.Expand(pb.EchoRequest(text="a b"), timeout=TIMEOUT_S)
    assert "x-request-id" in dict(call.initial_metadata())


# Client streaming: Collect.

def test_collect_text(echo, pb):
    requests = [pb.EchoRequest(text=t) for t in ("alpha", "beta", "gamma")]
    assert echo.Collect(iter(requests), timeout=TIMEOUT_S).text == "alpha beta gamma"


def test_collect_payload_bytes(echo, pb):
    requests = [pb.EchoRequest(payload=b"x" * n) for n in (10, 20, 30)]
    assert echo.Collect(iter(requests), timeout=TIMEOUT_S).index == 60


def test_collect_large_payloads(echo, pb):
    requests = [pb.EchoRequest(payload=os.urandom(MIB)) for _ in range(4)]
    assert echo.Collect(iter(requests), timeout=TIMEOUT_S).index == 4 * MIB


def test_collect_no_requests(echo, pb):
    assert echo.Collect(iter([]), timeout=TIMEOUT_S) == pb.EchoResponse()


def test_collect_many(echo, pb):
    requests = (pb.EchoRequest(text="w", payload=b"p") for _ in range(500))
    assert echo.Collect(requests, timeout=TIMEOUT_S).index == 500


# Bidirectional streaming: Update.

def test_update_interleaved(echo, pb):
    # Each request is sent only after the previous response arrived, so a server that waits
    # for the end of the request stream runs into the deadline instead.
    requests: queue.Queue = queue.Queue()
    call = echo.Update(feed(requests), timeout=TIMEOUT_S)
    received = []
    for text in ("first", "second", "third", "fourth"):
        requests.put(pb.EchoRequest(text=text))
        received.append(next(call).text)
    requests.put(None)
    assert received == ["first", "second", "third", "fourth"]


def test_update_stream_ends(echo, pb):
    requests: queue.Queue = queue.Queue()
    call = echo.Update(feed(requests), timeout=TIMEOUT_S)
    requests.put(pb.EchoRequest(text="only"))
    next(call)
    requests.put(None)
    assert list(call) == []


def test_update_index(echo, pb):
    requests = [pb.EchoRequest(text=str(i)) for i in range(5)]
    responses = echo.Update(iter(requests), timeout=TIMEOUT_S)
    assert [r.index for r in responses] == list(range(5))


def test_update_payloads(echo, pb):
    payloads = [os.urandom(n) for n in (0, 1, 1000, MIB)]
    responses = echo.Update((pb.EchoRequest(payload=p) for p in payloads), timeout=TIMEOUT_S)
    assert [r.payload for r in responses] == payloads


def test_update_no_requests(echo, pb):
    assert list(echo.Update(iter([]), timeout=TIMEOUT_S)) == []


# Status codes and messages.

STATUS_CODES = [
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.UNAUTHENTICATED,
]


def failing(pb, code: grpc.StatusCode, message: str = "failed on purpose"):
    return pb.EchoRequest(text="x", status_code=code.value[0], status_message=message)


@pytest.mark.parametrize("code", STATUS_CODES, ids=lambda c: c.name)
def test_status_code(echo, pb, code):
    error = rpc_error(lambda: echo.Get(failing(pb, code), timeout=TIMEOUT_S))
    assert error.code() == code


@pytest.mark.parametrize("code", STATUS_CODES[:3], ids=lambda c: c.name)
def test_status_message(echo, pb, code):
    error = rpc_error(lambda: echo.Get(failing(pb, code, "plain words"), timeout=TIMEOUT_S))
    assert error.details() == "plain words"


def test_status_message_encoded(echo, pb):
    request = failing(pb, grpc.StatusCode.NOT_FOUND, TRICKY_MESSAGE)
    error = rpc_error(lambda: echo.Get(request, timeout=TIMEOUT_S))
    assert error.details() == TRICKY_MESSAGE


def test_status_expand(echo, pb):
    request = failing(pb, grpc.StatusCode.FAILED_PRECONDITION)
    error = rpc_error(lambda: list(echo.Expand(request, timeout=TIMEOUT_S)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_status_collect(echo, pb):
    requests = [pb.EchoRequest(text="ok"), failing(pb, grpc.StatusCode.ABORTED)]
    error = rpc_error(lambda: echo.Collect(iter(requests), timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.ABORTED


def test_status_update_code(echo, pb):
    requests = [pb.EchoRequest(text="ok"), failing(pb, grpc.StatusCode.OUT_OF_RANGE)]
    error = rpc_error(lambda: list(echo.Update(iter(requests), timeout=TIMEOUT_S)))
    assert error.code() == grpc.StatusCode.OUT_OF_RANGE


def test_status_update_prior_responses(echo, pb):
    requests = [pb.EchoRequest(text="ok"), failing(pb, grpc.StatusCode.OUT_OF_RANGE)]
    received = []
    with pytest.raises(grpc.RpcError):
        for response in echo.Update(iter(requests), timeout=TIMEOUT_S):
            received.append(response.text)
    assert received == ["ok"]


def test_status_update_message(echo, pb):
    requests = [failing(pb, grpc.StatusCode.DATA_LOSS, TRICKY_MESSAGE)]
    error = rpc_error(lambda: list(echo.Update(iter(requests), timeout=TIMEOUT_S)))
    assert error.details() == TRICKY_MESSAGE


# Deadlines.

def test_deadline_get(echo, pb):
    error = rpc_error(lambda: echo.Get(pb.EchoRequest(delay_ms=3000), timeout=0.3))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_deadline_get_prompt(echo, pb):
    started = time.monotonic()
    rpc_error(lambda: echo.Get(pb.EchoRequest(delay_ms=3000), timeout=0.3))
    assert time.monotonic() - started < 2.0


def test_deadline_expand(echo, pb):
    request = pb.EchoRequest(text="x", response_count=3, delay_ms=3000)
    error = rpc_error(lambda: list(echo.Expand(request, timeout=0.3)))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_deadline_update(echo, pb):
    requests = [pb.EchoRequest(text="x", delay_ms=3000)]
    error = rpc_error(lambda: list(echo.Update(iter(requests), timeout=0.3)))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_deadline_met(echo, pb):
    assert echo.Get(pb.EchoRequest(text="slow", delay_ms=100), timeout=5).text == "slow"


def test_delay_applied(echo, pb):
    started = time.monotonic()
    echo.Get(pb.EchoRequest(delay_ms=300), timeout=TIMEOUT_S)
    assert time.monotonic() - started >= 0.29


# Cancellation.

def test_cancel_expand(echo, pb):
    call = echo.Expand(pb.EchoRequest(text="x", response_count=500, delay_ms=20),
                       timeout=TIMEOUT_S)
    next(call)
    next(call)
    call.cancel()
    error = rpc_error(lambda: list(call))
    assert error.code() == grpc.StatusCode.CANCELLED


def test_cancel_update(echo, pb):
    requests: queue.Queue = queue.Queue()
    call = echo.Update(feed(requests), timeout=TIMEOUT_S)
    requests.put(pb.EchoRequest(text="a"))
    next(call)
    call.cancel()
    requests.put(None)
    error = rpc_error(lambda: next(call))
    assert error.code() == grpc.StatusCode.CANCELLED


def test_cancel_then_serves(echo, pb):
    for _ in range(5):
        call = echo.Expand(pb.EchoRequest(text="x", response_count=500, delay_ms=5),
                           timeout=TIMEOUT_S)
        next(call)
        call.cancel()
    assert echo.Get(pb.EchoRequest(text="after"), timeout=TIMEOUT_S).text == "after"


# Metadata.

def test_metadata_custom_headers(echo, pb):
    metadata = (("x-edgecat-test", "some value"), ("x-edgecat-data-bin", b"\x00\xff\x10\x80"))
    response = echo.Get(pb.EchoRequest(text="m"), metadata=metadata, timeout=TIMEOUT_S)
    assert response.text == "m"


def test_metadata_many_headers(echo, pb):
    metadata = tuple((f"x-edgecat-h{i}", "v" * 100) for i in range(50))
    response = echo.Get(pb.EchoRequest(text="m"), metadata=metadata, timeout=TIMEOUT_S)
    assert response.text == "m"


def test_request_id_present(echo, pb):
    _, call = echo.Get.with_call(pb.EchoRequest(), timeout=TIMEOUT_S)
    assert dict(call.initial_metadata()).get("x-request-id", "") != ""


def test_request_id_echoed(echo, pb):
    metadata = (("x-request-id", "interop-7f3a"),)
    _, call = echo.Get.with_call(pb.EchoRequest(), metadata=metadata, timeout=TIMEOUT_S)
    assert dict(call.initial_metadata()).get("x-request-id") == "interop-7f3a"


def test_request_id_unique(echo, pb):
    ids = set()
    for _ in range(3):
        _, call = echo.Get.with_call(pb.EchoRequest(), timeout=TIMEOUT_S)
        ids.add(dict(call.initial_metadata()).get("x-request-id"))
    assert len(ids) == 3


# Unknown methods and size limits.

def test_unknown_method(channel):
    nope = channel.unary_unary("/edgecat.testing.v1.EchoService/Nope")
    error = rpc_error(lambda: nope(b"", timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.skipif(os.environ.get("EDGECAT_INTEROP_TARGET") == "python",
                    reason="the grpcio reference server accepts gzip")
def test_gzip_request_is_unimplemented(echo, pb):
    error = rpc_error(lambda: echo.Get(pb.EchoRequest(text="x" * 5000), timeout=TIMEOUT_S,
                                       compression=grpc.Compression.Gzip))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "gzip" in error.details()


def test_unknown_service(channel):
    nope = channel.unary_unary("/edgecat.testing.v1.NoSuchService/Get")
    error = rpc_error(lambda: nope(b"", timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED


def test_request_over_4mib(echo, pb):
    request = pb.EchoRequest(payload=b"\x01" * (4 * MIB + 1))
    error = rpc_error(lambda: echo.Get(request, timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_request_over_4mib_then_serves(echo, pb):
    request = pb.EchoRequest(payload=b"\x01" * (5 * MIB))
    rpc_error(lambda: echo.Get(request, timeout=TIMEOUT_S))
    assert echo.Get(pb.EchoRequest(text="after"), timeout=TIMEOUT_S).text == "after"


# Health.

@pytest.fixture(scope="module")
def health(channel):
    return health_pb2_grpc.HealthStub(channel)


@pytest.mark.parametrize("service", ["", ECHO_SERVICE], ids=["overall", "echo"])
def test_health_check(health, service):
    response = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT_S)
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_health_unknown(health):
    request = health_pb2.HealthCheckRequest(service="no.such.Service")
    error = rpc_error(lambda: health.Check(request, timeout=TIMEOUT_S))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_health_watch(health):
    call = health.Watch(health_pb2.HealthCheckRequest(service=ECHO_SERVICE), timeout=TIMEOUT_S)
    first = next(call)
    call.cancel()
    assert first.status == health_pb2.HealthCheckResponse.SERVING


# Reflection.

@pytest.fixture(scope="module")
def reflection_db(channel) -> ProtoReflectionDescriptorDatabase:
    return ProtoReflectionDescriptorDatabase(channel)


@pytest.fixture(scope="module")
def reflected_services(reflection_db) -> list[str]:
    return list(reflection_db.get_services())


@pytest.mark.parametrize("name", [ECHO_SERVICE, "grpc.health.v1.Health"])
def test_reflection_lists(reflected_services, name):
    assert name in reflected_services


def test_reflection_lists_itself(reflected_services):
    names = {"grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"}
    assert names & set(reflected_services)


def test_reflection_file_name(reflection_db):
    assert reflection_db.FindFileContainingSymbol(ECHO_SERVICE).name == ECHO_FILE


def test_reflection_methods(reflection_db):
    file = reflection_db.FindFileContainingSymbol(ECHO_SERVICE)
    service = next(s for s in file.service if s.name == "EchoService")
    assert {m.name for m in service.method} == ECHO_METHODS


def test_reflection_pool_message(reflection_db):
    pool = descriptor_pool.DescriptorPool(reflection_db)
    message = pool.FindMessageTypeByName("edgecat.testing.v1.EchoRequest")
    assert "status_message" in message.fields_by_name


def test_reflection_pool_streaming(reflection_db):
    pool = descriptor_pool.DescriptorPool(reflection_db)
    update = pool.FindServiceByName(ECHO_SERVICE).methods_by_name["Update"]
    assert update.client_streaming and update.server_streaming


def test_reflection_health_file(reflection_db):
    file = reflection_db.FindFileContainingSymbol("grpc.health.v1.Health")
    assert file.package == "grpc.health.v1"


def reflect_v1(channel, stubs, **request):
    """One grpc.reflection.v1 request and its response."""
    stub = stubs.reflection_v1_pb2_grpc.ServerReflectionStub(channel)
    message = stubs.reflection_v1_pb2.ServerReflectionRequest(**request)
    return next(stub.ServerReflectionInfo(iter([message]), timeout=TIMEOUT_S))


def test_reflection_v1_list(channel, stubs):
    response = reflect_v1(channel, stubs, list_services="*")
    names = {s.name for s in response.list_services_response.service}
    assert {ECHO_SERVICE, "grpc.health.v1.Health"} <= names


def test_reflection_v1_symbol(channel, stubs):
    from google.protobuf import descriptor_pb2

    response = reflect_v1(channel, stubs, file_containing_symbol=ECHO_SERVICE)
    files = [descriptor_pb2.FileDescriptorProto.FromString(raw)
             for raw in response.file_descriptor_response.file_descriptor_proto]
    assert ECHO_FILE in [f.name for f in files]


def test_reflection_v1_unknown_symbol(channel, stubs):
    response = reflect_v1(channel, stubs, file_containing_symbol="no.such.Symbol")
    assert response.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


# Concurrency.

def run_threads(count: int, work: Callable[[int], list[str]]) -> list[str]:
    """Run work(0..count-1) on `count` threads and return all the problems they report."""
    with futures.ThreadPoolExecutor(max_workers=count) as pool:
        return [problem for problems in pool.map(work, range(count)) for problem in problems]


def test_concurrent_get(echo, pb):
    def work(thread: int) -> list[str]:
        problems = []
        for i in range(200):
            text = f"t{thread}-{i}"
            try:
                if echo.Get(pb.EchoRequest(text=text), timeout=TIMEOUT_S).text != text:
                    problems.append(f"{text}: wrong text")
            except grpc.RpcError as error:
                problems.append(f"{text}: {error.code().name} {error.details()}")
        return problems

    assert run_threads(8, work) == []


def test_concurrent_update(echo, pb):
    def work(thread: int) -> list[str]:
        problems = []
        for i in range(20):
            texts = [f"t{thread}-{i}-{j}" for j in range(5)]
            try:
                requests = (pb.EchoRequest(text=t) for t in texts)
                got = [r.text for r in echo.Update(requests, timeout=TIMEOUT_S)]
                if got != texts:
                    problems.append(f"t{thread}-{i}: got {got}")
            except grpc.RpcError as error:
                problems.append(f"t{thread}-{i}: {error.code().name} {error.details()}")
        return problems

    assert run_threads(8, work) == []


def test_concurrent_connections(server, stubs, pb):
    def work(thread: int) -> list[str]:
        problems = []
        with server.channel() as own:
            stub = stubs.echo_pb2_grpc.EchoServiceStub(own)
            for i in range(50):
                text = f"c{thread}-{i}"
                try:
                    if stub.Get(pb.EchoRequest(text=text), timeout=TIMEOUT_S).text != text:
                        problems.append(f"{text}: wrong text")
                except grpc.RpcError as error:
                    problems.append(f"{text}: {error.code().name} {error.details()}")
        return problems

    assert run_threads(8, work) == []


def test_concurrent_delayed(echo, pb):
    # 16 calls that each wait 500 ms finish together when the server runs them concurrently.
    started = time.monotonic()
    calls = [echo.Get.future(pb.EchoRequest(delay_ms=500), timeout=TIMEOUT_S) for _ in range(16)]
    for call in calls:
        call.result()
    assert time.monotonic() - started < 4.0


# Graceful shutdown: a server of its own for each scenario.

@dataclass
class Shutdown:
    call_code: grpc.StatusCode
    call_text: str
    exit_code: int | None
    exit_seconds: float
    port: int
    address: str


def shut_down(pb, stubs, signum: int) -> Shutdown:
    server = ServerProcess()
    with server.channel() as channel:
        echo = stubs.echo_pb2_grpc.EchoServiceStub(channel)
        echo.Get(pb.EchoRequest(text="warm"), timeout=TIMEOUT_S)
        call = echo.Get.future(pb.EchoRequest(text="late", delay_ms=500), timeout=TIMEOUT_S)
        time.sleep(0.15)
        signalled = time.monotonic()
        server.process.send_signal(signum)
        try:
            code, text = grpc.StatusCode.OK, call.result().text
        except grpc.RpcError as error:
            code, text = error.code(), error.details() or ""
        # A second signal would stop the server at once, so this only waits.
        exit_code = server.wait()
        elapsed = time.monotonic() - signalled
    return Shutdown(code, text, exit_code, elapsed, server.port, server.address)


@pytest.fixture(scope="module")
def sigterm(pb, stubs) -> Shutdown:
    return shut_down(pb, stubs, signal.SIGTERM)


@pytest.fixture(scope="module")
def sigint(pb, stubs) -> Shutdown:
    return shut_down(pb, stubs, signal.SIGINT)


def test_shutdown_call_ok(sigterm):
    assert sigterm.call_code == grpc.StatusCode.OK


def test_shutdown_call_response(sigterm):
    assert sigterm.call_text == "late"


def test_shutdown_exit_code(sigterm):
    assert sigterm.exit_code == 0


def test_shutdown_exit_time(sigterm):
    assert sigterm.exit_seconds < 5.0


def test_shutdown_port_closed(sigterm):
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", sigterm.port), timeout=2).close()


def test_shutdown_new_call_unavailable(sigterm, stubs, pb):
    from conftest import CHANNEL_OPTIONS

    with grpc.insecure_channel(sigterm.address, options=CHANNEL_OPTIONS) as channel:
        echo = stubs.echo_pb2_grpc.EchoServiceStub(channel)
        error = rpc_error(lambda: echo.Get(pb.EchoRequest(), timeout=2))
    assert error.code() == grpc.StatusCode.UNAVAILABLE


def test_sigint_call_ok(sigint):
    assert sigint.call_code == grpc.StatusCode.OK


def test_sigint_exit_code(sigint):
    assert sigint.exit_code == 0
