"""ref_server.py: the Python reference of the hot calls (bench/refs.sh): Debian's grpcio answering
grpc.health.v1.Health/Check and unic.catalog.v1.CatalogService/GetQuestionnaire with bytes built
before it starts (the questionnaire as unic-catalog serves it, read from a file), as
bench/ref_server.cc does in C++: what a team would get from Python's gRPC on this machine.
Bench only: run when python3-grpcio is installed; the product never needs it.
    /usr/bin/python3 bench/ref_server.py ADDR QUESTIONNAIRE_FILE"""
import concurrent.futures
import signal
import sys

import grpc

SERVING = b"\x08\x01"  # grpc.health.v1.HealthCheckResponse{status: SERVING}, packed


def main():
    addr, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        questionnaire = f.read()
    # No serializers: the request arrives as bytes, unparsed, and the reply leaves as given.
    handlers = {
        "/grpc.health.v1.Health/Check":
            grpc.unary_unary_rpc_method_handler(lambda request, context: SERVING),
        "/unic.catalog.v1.CatalogService/GetQuestionnaire":
            grpc.unary_unary_rpc_method_handler(lambda request, context: questionnaire),
    }

    class Generic(grpc.GenericRpcHandler):
        def service(self, details):
            return handlers.get(details.method)

    server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=16),
                         handlers=[Generic()], maximum_concurrent_rpcs=None)
    if server.add_insecure_port(addr) == 0:
        sys.exit("could not listen on %s" % addr)
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: server.stop(0))
    server.wait_for_termination()


if __name__ == "__main__":
    main()
