#include "tools/top.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include "tools/top_model.h"

namespace alder::tools {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

// clang-format off
po::options_description TopOptions() {
  po::options_description options("Options", 100, 50);
  options.add_options()
      ("interval", po::value<std::string>()->value_name("DURATION")->default_value("1s"),
       "time between refreshes; rates and p99 are over it")
      ("once", po::bool_switch(), "print one refresh as plain text and exit")
      ("count", po::value<int>()->value_name("N"), "print N refreshes as plain text and exit")
      ("json", po::bool_switch(), "print each refresh as one JSON object on one line")
      ("help,h", "print this help");
  return options;
}
// clang-format on

// Each node's status answer at one moment, with the view of the node asked.
struct Round {
  ClusterStatus seed;
  std::map<int32_t, ClusterStatus> answers;  // nodes that answered
  Clock::time_point at;
};

ClientOptions OptionsFor(const std::string& address, const ClientOptions& base) {
  ClientOptions options = base;
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return options;
  options.host = address.substr(0, colon);
  options.port = static_cast<uint16_t>(std::strtoul(address.c_str() + colon + 1, nullptr, 10));
  return options;
}

// Asks the seed for the cluster, then every node for its metrics.
CallStatus Sample(const ClientOptions& seed_options, Round* round) {
  Client seed(seed_options);
  if (CallStatus s = seed.Status(&round->seed); !s.ok()) return s;
  round->at = Clock::now();
  round->answers[round->seed.node_id] = round->seed;
  for (const NodeStatus& node : round->seed.nodes) {
    if (node.is_self || !node.client_address) continue;
    Client client(OptionsFor(*node.client_address, seed_options));
    ClusterStatus status;
    if (client.Status(&status).ok()) round->answers[node.node_id] = std::move(status);
  }
  return CallStatus::Ok();
}

std::vector<NodeLine> LinesOf(const Round& before, const Round& after) {
  std::vector<NodeStatus> nodes = after.seed.nodes;
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
  std::vector<NodeLine> lines;
  for (const NodeStatus& node : nodes) {
    NodeLine line;
    auto was = before.answers.find(node.node_id);
    auto is = after.answers.find(node.node_id);
    if (was != before.answers.end() && is != after.answers.end()) {
      line = LineOf(was->second, is->second, after.at - before.at);
    } else {
      line.node_id = node.node_id;
      line.state = node.up ? "unreachable" : "down";
    }
    // It answers us, but the node asked has it down: they cannot talk.
    if (!node.up && is != after.answers.end()) line.state = "partitioned";
    line.address = node.client_address.value_or("");
    line.clock_offset_ms = node.is_self ? std::optional<int64_t>(0) : node.clock_offset_ms;
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string Header(const ClientOptions& seed, const Round& round, double interval_s, bool live) {
  const std::time_t now = std::time(nullptr);
  return fmt::format("alder top: {} nodes via {}:{} (node {}), every {}s{}   {:%H:%M:%S}",
                     round.seed.nodes.size(), seed.host, seed.port, round.seed.node_id, interval_s,
                     live ? "; q quits" : "", fmt::localtime(now));
}

volatile sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

// The terminal while a live view runs: the alternate screen, no cursor,
// keys read one by one without echo; restored however the loop ends.
class LiveTerminal {
 public:
  LiveTerminal() {
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios raw = saved_;
      raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
      tcsetattr(STDIN_FILENO, TCSANOW, &raw);
      restore_ = true;
    }
    struct sigaction action {};
    action.sa_handler = OnInterrupt;  // no SA_RESTART: poll() returns at once
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
    std::cout << "\033[?1049h\033[?25l" << std::flush;
  }
  ~LiveTerminal() {
    std::cout << "\033[?25h\033[?1049l" << std::flush;
    if (restore_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  LiveTerminal(const LiveTerminal&) = delete;
  LiveTerminal& operator=(const LiveTerminal&) = delete;

  void Draw(const std::string& screen) { std::cout << "\033[H\033[2J" << screen << std::flush; }

  // Waits until `deadline`; false when the user quit (q, Ctrl-C).
  bool WaitUntil(Clock::time_point deadline) {
    while (!g_interrupted) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return true;
      pollfd in{STDIN_FILENO, POLLIN, 0};
      if (poll(&in, 1, static_cast<int>(left.count())) > 0) {
        char key = 0;
        if (read(STDIN_FILENO, &key, 1) <= 0 || key == 'q' || key == 'Q') return false;
      }
    }
    return false;
  }

 private:
  termios saved_{};
  bool restore_ = false;
  struct sigaction old_int_ {
  }, old_term_{};
};

}  // namespace

std::string TopHelp() {
  return CommandHelp(
      "alder [--host H] [--port P] top [--interval DURATION] [--once | --count N] [--json]",
      "A live view of the whole cluster: asks the node given by --host/--port for the nodes,\n"
      "then each node, at its client address, for its metrics, and shows one line per node,\n"
      "refreshed every --interval. On a terminal it redraws in place until you press q or\n"
      "Ctrl-C. When standard output is not a terminal, or with --once, it prints one refresh\n"
      "as plain text and exits (the first refresh waits one interval, to have rates);\n"
      "--count N prints N. --json prints each refresh as one JSON object on one line.\n\n" +
          TopColumnHelp(),
      TopOptions(),
      "  alder top\n"
      "  alder --port 7710 top --interval 5s\n"
      "  alder top --once\n"
      "  alder top --json --count 10 > load.jsonl\n"
      "\n"
      "Exit codes: 0 ok, 2 usage error, 3 cannot reach the node given by --host/--port.");
}

int RunTop(const ClientOptions& client_options, const std::vector<std::string>& args, Io& io) {
  po::positional_options_description no_positionals;
  auto vm = ParseCommandArgs(args, TopOptions(), no_positionals);
  if (!vm.ok()) return UsageError(io, "top", vm.error());
  auto interval = ParsePositiveDurationArg("--interval", vm.value()["interval"].as<std::string>());
  if (!interval.ok()) return UsageError(io, "top", interval.error());
  const bool json = vm.value()["json"].as<bool>();
  std::optional<int> count;
  if (vm.value()["once"].as<bool>()) count = 1;
  if (vm.value().count("count")) {
    if (count) return UsageError(io, "top", "--once and --count exclude each other");
    count = vm.value()["count"].as<int>();
    if (*count < 1) return UsageError(io, "top", "--count must be at least 1");
  }
  const bool terminal = io.out.rdbuf() == std::cout.rdbuf() && isatty(STDOUT_FILENO);
  if (!count && (json || !terminal)) count = 1;
  const double interval_s = std::chrono::duration<double>(interval.value()).count();
  ClientOptions options = client_options;
  options.timeout =
      std::min(options.timeout, std::max(interval.value(), std::chrono::milliseconds(500)));

  Round before;
  if (CallStatus s = Sample(options, &before); !s.ok()) {
    PrintError(io, s.message());
    return ExitCodeFor(s.kind());
  }
  std::optional<LiveTerminal> live;
  if (!count) live.emplace();
  for (int shown = 0; !count || shown < *count; ++shown) {
    const Clock::time_point next = before.at + interval.value();
    if (live) {
      if (!live->WaitUntil(next)) break;
    } else {
      std::this_thread::sleep_until(next);
    }
    Round after;
    const CallStatus s = Sample(options, &after);
    if (!s.ok()) {
      if (!live) {
        PrintError(io, s.message());
        return ExitCodeFor(s.kind());
      }
      live->Draw(fmt::format("alder top: {}; retrying\n", s.message()));
      before.at = Clock::now();
      continue;
    }
    const std::vector<NodeLine> lines = LinesOf(before, after);
    const std::string text =
        json ? FormatTopJson(lines, interval_s)
             : FormatTopText(Header(options, after, interval_s, live.has_value()), lines);
    if (live) {
      live->Draw(text);
    } else {
      io.out << text << (json || shown + 1 == *count ? "" : "\n") << std::flush;
    }
    before = std::move(after);
  }
  return kExitOk;
}

}  // namespace alder::tools
