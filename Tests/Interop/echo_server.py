#!/usr/bin/env python3
"""A stock grpcio server for edgecat.testing.v1.EchoService, the reference the interop tests and
the Swift client tests run against.

It also serves grpc.health.v1.Health, SERVING for "" and the echo service, and server reflection
as grpc.reflection.v1alpha from grpcio-reflection. grpcio-reflection has no grpc.reflection.v1,
so the same servicer serves v1 too, with each message re-encoded, because the two versions have
identical wire formats.

Usage: echo_server.py [--listen HOST:PORT | --port PORT] [--port-file PATH] [--grace SECONDS]
On SIGTERM or SIGINT it stops taking calls, lets in-flight calls finish within the grace period
and exits 0. It logs one line per event to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
import uuid
from concurrent import futures
from pathlib import Path
from typing import Iterable, Iterator

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2 as reflection_v1alpha_pb2

import interop_stubs

ECHO_SERVICE = "edgecat.testing.v1.EchoService"
REFLECTION_V1_SERVICE = "grpc.reflection.v1.ServerReflection"

stubs = interop_stubs.load()
echo_pb2 = stubs.echo_pb2
log = logging.getLogger("echo-server")
_CODES = {code.value[0]: code for code in grpc.StatusCode}


def _request_id(context: grpc.ServicerContext) -> str:
    for key, value in context.invocation_metadata():
        if key == "x-request-id" and value:
            return value
    return uuid.uuid4().hex


def _begin(context: grpc.ServicerContext, method: str) -> None:
    """Send the response headers, which carry the call's x-request-id."""
    request_id = _request_id(context)
    context.send_initial_metadata((("x-request-id", request_id),))
    log.info("rpc started method=%s request_id=%s peer=%s", method, request_id, context.peer())


def _check_status(request, context: grpc.ServicerContext) -> None:
    if request.status_code != 0:
        code = _CODES.get(request.status_code, grpc.StatusCode.UNKNOWN)
        context.abort(code, request.status_message)


def _wait(delay_ms: int, context: grpc.ServicerContext) -> None:
    """Sleep `delay_ms`, returning early when the call has ended."""
    deadline = time.monotonic() + delay_ms / 1000
    while context.is_active():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.02))


def _payload(request, echoed: bytes) -> bytes:
    return b"\xa5" * request.response_size if request.response_size > 0 else echoed


def _words(text: str) -> list[str]:
    return [word for word in text.split(" ") if word]


class EchoService(stubs.echo_pb2_grpc.EchoServiceServicer):
    def Get(self, request, context):
        _begin(context, "Get")
        _check_status(request, context)
        _wait(request.delay_ms, context)
        return echo_pb2.EchoResponse(text=request.text, payload=_payload(request, request.payload))

    def Expand(self, request, context) -> Iterator:
        _begin(context, "Expand")
        _check_status(request, context)
        if request.response_count > 0:
            texts = [f"{request.text} {i}" for i in range(request.response_count)]
        else:
            texts = _words(request.text)
        for index, text in enumerate(texts):
            _wait(request.delay_ms, context)
            if not context.is_active():
                return
            yield echo_pb2.EchoResponse(
                text=text, payload=_payload(request, request.payload), index=index)

    def Collect(self, request_iterator: Iterable, context):
        _begin(context, "Collect")
        texts: list[str] = []
        total = 0
        last = echo_pb2.EchoRequest()
        for request in request_iterator:
            _check_status(request, context)
            texts.append(request.text)
            total += len(request.payload)
            last = request
        _wait(last.delay_ms, context)
        return echo_pb2.EchoResponse(text=" ".join(texts), payload=_payload(last, b""), index=total)

    def Update(self, request_iterator: Iterable, context) -> Iterator:
        _begin(context, "Update")
        for index, request in enumerate(request_iterator):
            _check_status(request, context)
            _wait(request.delay_ms, context)
            yield echo_pb2.EchoResponse(
                text=request.text, payload=_payload(request, request.payload), index=index)


class ReflectionV1(stubs.reflection_v1_pb2_grpc.ServerReflectionServicer):
    """grpc.reflection.v1 on top of grpcio-reflection's v1alpha servicer."""

    def __init__(self, inner: reflection.ReflectionServicer) -> None:
        self._inner = inner

    def ServerReflectionInfo(self, request_iterator, context):
        v1 = stubs.reflection_v1_pb2
        alpha_requests = (
            reflection_v1alpha_pb2.ServerReflectionRequest.FromString(r.SerializeToString())
            for r in request_iterator)
        for response in self._inner.ServerReflectionInfo(alpha_requests, context):
            yield v1.ServerReflectionResponse.FromString(response.SerializeToString())


def _add_health(server: grpc.Server) -> health.HealthServicer:
    servicer = health.HealthServicer()
    for name in ("", ECHO_SERVICE):
        servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    return servicer


def _add_reflection(server: grpc.Server) -> None:
    names = [
        ECHO_SERVICE,
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        reflection.SERVICE_NAME,
        REFLECTION_V1_SERVICE,
    ]
    inner = reflection.ReflectionServicer(names)
    reflection.enable_server_reflection(names, server)
    stubs.reflection_v1_pb2_grpc.add_ServerReflectionServicer_to_server(ReflectionV1(inner), server)


def _write_port_file(path: Path, port: int) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(f"{port}\n")
    os.replace(partial, path)


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", help="HOST:PORT to listen on, in place of --port")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: the kernel picks one)")
    parser.add_argument("--port-file", type=Path, help="file that receives the bound port")
    parser.add_argument("--grace", type=float, default=5.0, help="seconds in-flight calls get to finish on shutdown")
    parser.add_argument("--log-level", default="info",
                        choices=["debug", "info", "warning", "error"])
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    # A child inherits its parent's blocked-signal mask across fork and exec, and a parent that
    # reads signals through signalfd blocks them. Unblocking here, before grpcio starts its
    # threads, lets SIGTERM and SIGINT reach the handlers below, whatever mask the parent process set.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    args = _parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    address = args.listen or f"127.0.0.1:{args.port}"
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64),
                         options=[("grpc.so_reuseport", 0)])
    stubs.echo_pb2_grpc.add_EchoServiceServicer_to_server(EchoService(), server)
    health_servicer = _add_health(server)
    _add_reflection(server)
    port = server.add_insecure_port(address)
    if port == 0:
        log.error("failed to bind address=%s; check that it is free and local", address)
        return 1
    server.start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: stop.set())
    if args.port_file:
        _write_port_file(args.port_file, port)
    log.info("listening host=%s port=%d", address.rsplit(":", 1)[0], port)
    while not stop.wait(0.5):
        pass
    log.info("shutting down grace_seconds=%.1f", args.grace)
    health_servicer.enter_graceful_shutdown()
    server.stop(args.grace).wait()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
