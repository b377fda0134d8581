// A gRPC C++ comparison server for the policy benchmark: serves
// edgecat.policy.v1.PolicyService/Check from memory, with one token comparison and one map
// lookup of (principal, privilege, securable) per call. Every other method is UNIMPLEMENTED.
//
// Usage: grpc-cpp-check --port N --token-file PATH --principal NAME --privilege P
//                       --securable NAME [--api sync|callback]
//
// It listens on 127.0.0.1 only; with --port 0 it picks a free port. It prints
// "listening on 127.0.0.1:PORT" once it serves. It is a comparison point, not part of edgecat.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>

#include "edgecat/policy/v1/policy.grpc.pb.h"

namespace {

using edgecat::policy::v1::CheckRequest;
using edgecat::policy::v1::CheckResponse;
using edgecat::policy::v1::PolicyService;

// The fixed decision: the bearer token every call must carry and the allowed checks.
struct Decisions {
  std::string authorization;  // "Bearer <token>"
  std::unordered_map<std::string, bool> allowed;
  std::atomic<uint64_t> serial{0};

  static std::string Key(const std::string& principal, const std::string& privilege,
                         const std::string& securable) {
    std::string key;
    key.reserve(principal.size() + privilege.size() + securable.size() + 2);
    key.append(principal).push_back('\0');
    key.append(privilege).push_back('\0');
    key.append(securable);
    return key;
  }

  // Fills `response` and returns OK, or UNAUTHENTICATED when the token is wrong.
  grpc::Status Decide(const grpc::ServerContextBase& context, const CheckRequest& request,
                      CheckResponse* response) {
    const auto& metadata = context.client_metadata();
    auto header = metadata.find("authorization");
    if (header == metadata.end() ||
        grpc::string_ref(authorization) != header->second) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the call has no valid bearer token");
    }
    auto entry = allowed.find(
        Key(request.principal(), request.privilege(), request.securable_full_name()));
    bool allow = entry != allowed.end() && entry->second;
    uint64_t id = serial.fetch_add(1, std::memory_order_relaxed) + 1;
    response->set_allowed(allow);
    if (allow) {
      response->set_reason(request.principal() + " holds " + request.privilege() + " on " +
                           request.securable_full_name());
    } else {
      response->set_reason(request.principal() + " lacks " + request.privilege() + " on " +
                           request.securable_full_name());
      response->add_missing_privileges(request.privilege());
    }
    response->set_revision(1);
    response->set_decision_id("d-" + std::to_string(id));
    return grpc::Status::OK;
  }
};

class SyncService final : public PolicyService::Service {
 public:
  explicit SyncService(Decisions* decisions) : decisions_(decisions) {}
  grpc::Status Check(grpc::ServerContext* context, const CheckRequest* request,
                     CheckResponse* response) override {
    return decisions_->Decide(*context, *request, response);
  }

 private:
  Decisions* decisions_;
};

class CallbackService final : public PolicyService::CallbackService {
 public:
  explicit CallbackService(Decisions* decisions) : decisions_(decisions) {}
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const CheckRequest* request,
                                  CheckResponse* response) override {
    auto* reactor = context->DefaultReactor();
    reactor->Finish(decisions_->Decide(*context, *request, response));
    return reactor;
  }

 private:
  Decisions* decisions_;
};

std::unique_ptr<grpc::Server> server;

void Stop(int) {
  // Server::Shutdown is not async-signal-safe, so on SIGTERM or SIGINT the process just exits.
  std::_Exit(0);
}

[[noreturn]] void Usage(const std::string& message) {
  std::cerr << "grpc-cpp-check: " << message << "\n"
            << "usage: grpc-cpp-check --port N --token-file PATH --principal NAME "
               "--privilege P --securable NAME [--api sync|callback]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string port, token_file, principal, privilege, securable, api = "sync";
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 >= argc) Usage(flag + " needs a value");
    std::string value = argv[i + 1];
    if (flag == "--port") port = value;
    else if (flag == "--token-file") token_file = value;
    else if (flag == "--principal") principal = value;
    else if (flag == "--privilege") privilege = value;
    else if (flag == "--securable") securable = value;
    else if (flag == "--api") api = value;
    else Usage("unknown flag " + flag);
  }
  if (port.empty() || token_file.empty() || principal.empty() || privilege.empty() ||
      securable.empty()) {
    Usage("--port, --token-file, --principal, --privilege and --securable are required");
  }
  if (api != "sync" && api != "callback") Usage("--api is sync or callback");

  std::string token;
  std::ifstream file(token_file);
  if (!file || !std::getline(file, token) || token.empty()) {
    Usage("cannot read a token from " + token_file + "; write the bearer token on its first line");
  }

  Decisions decisions;
  decisions.authorization = "Bearer " + token;
  decisions.allowed.emplace(Decisions::Key(principal, privilege, securable), true);

  SyncService sync_service(&decisions);
  CallbackService callback_service(&decisions);
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort("127.0.0.1:" + port, grpc::InsecureServerCredentials(),
                           &selected_port);
  if (api == "sync") {
    builder.RegisterService(&sync_service);
  } else {
    builder.RegisterService(&callback_service);
  }
  server = builder.BuildAndStart();
  if (!server || selected_port == 0) {
    std::cerr << "grpc-cpp-check: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  std::signal(SIGTERM, Stop);
  std::signal(SIGINT, Stop);
  std::cout << "listening on 127.0.0.1:" << selected_port << " (" << api << " API)"
            << std::endl;
  server->Wait();
  return 0;
}
