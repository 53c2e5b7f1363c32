// Alder from C++ with the generated client and FailoverClient: put with a
// TTL, get, remove, a get of the removed key, and the errors a program should
// expect: InvalidArgument, Unavailable and TimedOut.
//
//   alder_cpp_example [host:port ...]  (default: $ALDER_NODES, else 127.0.0.1:7700)
//
// Exits 0 on success, 1 with a one-line message on stderr otherwise.
#include <thrift/Thrift.h>  // GlobalOutput

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "Alder.h"
#include "alder_types.h"
#include "failover_client.h"

namespace {

using alder::api::AlderClient;
using alder::example::FailoverClient;

const std::string kKey = "example/greeting";

std::vector<std::string> NodesFrom(int argc, char** argv) {
  std::vector<std::string> nodes(argv + 1, argv + argc);
  if (!nodes.empty()) return nodes;
  const char* env = std::getenv("ALDER_NODES");
  std::istringstream list(env != nullptr && *env != '\0' ? env : "127.0.0.1:7700");
  for (std::string node; std::getline(list, node, ',');) nodes.push_back(node);
  return nodes;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Run(FailoverClient& alder) {
  alder::api::WriteOptions with_ttl;
  with_ttl.__set_ttl_ms(60'000);
  const int64_t version =
      alder.Call([&](AlderClient& api) { return api.put(kKey, "hello, alder", with_ttl); });
  std::cout << "put " << kKey << ": version " << version << ", ttl 60 s\n";

  alder::api::Entry entry;
  alder.Call([&](AlderClient& api) { api.get(entry, kKey, {}); });
  std::cout << "get " << kKey << ": value \"" << entry.value << "\", version " << entry.version
            << ", expires_at_ms " << entry.expires_at_ms << " (in "
            << (entry.expires_at_ms - NowMs() + 500) / 1000 << " s)\n";

  std::cout << "remove " << kKey << ": version "
            << alder.Call([&](AlderClient& api) { return api.remove(kKey, {}); }) << "\n";
  try {
    alder.Call([&](AlderClient& api) { api.get(entry, kKey, {}); });
    throw std::runtime_error(kKey + " is still there after remove");
  } catch (const alder::api::NotFound& e) {
    std::cout << "get " << kKey << ": NotFound (key \"" << e.key << "\")\n";
  }

  // The server checks the limits; the connection stays usable afterwards.
  try {
    alder.Call([&](AlderClient& api) { return api.put("", "no key", {}); });
    throw std::runtime_error("a put with an empty key succeeded");
  } catch (const alder::api::InvalidArgument& e) {
    std::cout << "put with an empty key: InvalidArgument: " << e.message << "\n";
  }

  // ALL needs every replica: with a node down the coordinator refuses at
  // once (Unavailable); a replica that does not answer in time gives TimedOut.
  alder::api::WriteOptions at_all;
  at_all.__set_consistency(alder::api::Consistency::ALL);
  try {
    const int64_t all_version =
        alder.Call([&](AlderClient& api) { return api.put(kKey, "to every replica", at_all); });
    std::cout << "put at ALL: version " << all_version << "\n";
  } catch (const alder::api::Unavailable& e) {
    std::cout << "put at ALL: Unavailable: " << e.alive_replicas << " of " << e.required_replicas
              << " replicas alive (" << e.message << ")\n";
  } catch (const alder::api::TimedOut& e) {
    std::cout << "put at ALL: TimedOut: " << e.acknowledged << " of " << e.required_acks
              << " acks (" << e.message << ")\n";
  }
  alder.Call([&](AlderClient& api) { return api.remove(kKey, {}); });
}

void DiscardThriftOutput(const char* /*message*/) {}

}  // namespace

int main(int argc, char** argv) {
  // Thrift logs every failed connection attempt to stderr; FailoverClient
  // reports them, once, in NoNodeAvailable.
  apache::thrift::GlobalOutput.setOutputFunction(DiscardThriftOutput);
  try {
    FailoverClient alder(NodesFrom(argc, argv),
                         {.connect = std::chrono::seconds(2), .request = std::chrono::seconds(5)});
    std::cout << "connected to " << alder.address() << "\n";
    Run(alder);
  } catch (const alder::api::Unavailable& e) {  // at QUORUM: too many nodes down
    std::cerr << "example: Unavailable: " << e.message << "\n";
    return 1;
  } catch (const alder::api::TimedOut& e) {
    std::cerr << "example: TimedOut: " << e.message << "\n";
    return 1;
  } catch (const std::exception& e) {  // NoNodeAvailable, TTransportException, ...
    std::cerr << "example: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
