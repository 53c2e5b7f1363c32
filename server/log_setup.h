// Where and how alderd logs: to stderr, one line per event. Under systemd
// (JOURNAL_STREAM set, stderr connected to the journal) each line starts
// with its syslog priority, <3> for errors to <7> for debug, and has no
// timestamp of its own, so `journalctl -u alderd -p warning` selects by
// level and times are not written twice. Otherwise each line starts with
// the local time to the millisecond.
#ifndef ALDER_SERVER_LOG_SETUP_H_
#define ALDER_SERVER_LOG_SETUP_H_

#include <cstdint>
#include <string>

namespace alder {

// `level` is one of trace, debug, info, warn, error (config's log_level).
void SetUpLogging(uint32_t node_id, const std::string& level);

}  // namespace alder

#endif  // ALDER_SERVER_LOG_SETUP_H_
