// Reads a node's /metrics over real HTTP, and looks up samples in the
// Prometheus text format, for tests.
#ifndef ALDER_TEST_SUPPORT_SCRAPE_H_
#define ALDER_TEST_SUPPORT_SCRAPE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace alder::testing {

// The body of GET http://127.0.0.1:PORT/metrics, or nullopt when the
// request failed or the status was not 200.
std::optional<std::string> Scrape(uint16_t port,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The value of `series` (name and labels exactly as the text format writes
// them, e.g. `alder_peer_up{peer="2"}`) in `text`, or nullopt if absent.
std::optional<double> SampleIn(const std::string& text, const std::string& series);

}  // namespace alder::testing

#endif  // ALDER_TEST_SUPPORT_SCRAPE_H_
