// ref_server.cc: the reference the hot calls are measured against, the limit of gRPC on this
// machine: a C++ server on gRPC's callback API that answers grpc.health.v1.Health/Check and
// unic.catalog.v1.CatalogService/GetQuestionnaire with bytes built before it starts (the
// questionnaire as unic-catalog serves it, read from a file), parsing nothing and copying nothing.
// Bench only: built when Debian's libgrpc++-dev and protobuf-compiler-grpc are present
// (bench/CMakeLists.txt); the product never needs it.
//   unic-ref-server ADDR QUESTIONNAIRE_FILE
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "unic/catalog/v1/catalog.grpc.pb.h"

namespace {

grpc::ByteBuffer bytes_of(const std::string &s)
{
    grpc::Slice slice(s);
    return grpc::ByteBuffer(&slice, 1);
}

using HealthBase = grpc::health::v1::Health::WithRawCallbackMethod_Check<grpc::health::v1::Health::Service>;
using CatalogBase = unic::catalog::v1::CatalogService::WithRawCallbackMethod_GetQuestionnaire<
    unic::catalog::v1::CatalogService::Service>;

class Health final : public HealthBase {
  public:
    explicit Health(grpc::ByteBuffer serving) : serving_(std::move(serving)) {}
    grpc::ServerUnaryReactor *Check(grpc::CallbackServerContext *ctx, const grpc::ByteBuffer *,
                                    grpc::ByteBuffer *reply) override
    {
        *reply = serving_; // a reference to the same slice
        auto *r = ctx->DefaultReactor();
        r->Finish(grpc::Status::OK);
        return r;
    }

  private:
    grpc::ByteBuffer serving_;
};

class Catalog final : public CatalogBase {
  public:
    explicit Catalog(grpc::ByteBuffer questionnaire) : questionnaire_(std::move(questionnaire)) {}
    grpc::ServerUnaryReactor *GetQuestionnaire(grpc::CallbackServerContext *ctx,
                                               const grpc::ByteBuffer *,
                                               grpc::ByteBuffer *reply) override
    {
        *reply = questionnaire_;
        auto *r = ctx->DefaultReactor();
        r->Finish(grpc::Status::OK);
        return r;
    }

  private:
    grpc::ByteBuffer questionnaire_;
};

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: unic-ref-server ADDR QUESTIONNAIRE_FILE\n");
        return 2;
    }
    std::ifstream in(argv[2], std::ios::binary);
    std::string questionnaire((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "could not read %s\n", argv[2]);
        return 1;
    }
    grpc::health::v1::HealthCheckResponse serving;
    serving.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    Health health(bytes_of(serving.SerializeAsString()));
    Catalog catalog(bytes_of(questionnaire));

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(argv[1], grpc::InsecureServerCredentials());
    builder.RegisterService(&health);
    builder.RegisterService(&catalog);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server) {
        std::fprintf(stderr, "could not listen on %s\n", argv[1]);
        return 1;
    }
    int sig = 0;
    sigwait(&set, &sig);
    server->Shutdown();
    return 0;
}
