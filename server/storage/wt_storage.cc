// The write path is read-merge-write inside one snapshot transaction. Two
// writers racing on one key conflict in WiredTiger (WT_ROLLBACK); the loser
// retries and re-merges against the winner's record, so the LWW result does
// not depend on who committed first. Transactions commit without syncing and
// then wait on group commit, so one log flush acknowledges many writes.
#include "server/storage/wt_storage.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "server/common/fault_injection.h"
#include "server/common/key_hash.h"
#include "server/storage/failing_log_sync.h"
#include "server/storage/log_file_syncer.h"
#include "server/storage/wt_item.h"
#include "server/storage/wt_transaction.h"

namespace alder {
namespace {

constexpr const char* kDataUri = "table:data";
constexpr const char* kIndexUri = "table:digest_index";
constexpr const char* kMetadataUri = "table:metadata";
// A write that keeps conflicting gives up after this long: the key is hot
// beyond what retrying can resolve, and the client should hear about it.
constexpr auto kConflictRetryLimit = std::chrono::seconds(10);

// Waits before retrying a conflicted transaction. The transaction we
// conflicted with may be descheduled (2 cores, many request threads), so
// retrying at once would just conflict again: yield first, then sleep with
// exponential backoff up to 1 ms.
void BackOff(int attempt, clock::Sleeper* sleeper) {
  if (attempt < 2) {
    std::this_thread::yield();
  } else {
    sleeper->SleepFor(std::chrono::microseconds(std::min(1000, 10 << std::min(attempt, 7))));
  }
}

// How group commit syncs the log: fdatasync of its files, failing after a
// number of syncs when the test seam asks for it (server/common/fault_injection.h).
std::unique_ptr<LogSync> MakeLogSync(const std::string& data_dir) {
  auto real = std::make_unique<LogFileSyncer>(data_dir);
  const std::optional<uint64_t> fails_after = InjectedLogSyncFailsAfter();
  if (!fails_after) return real;
  spdlog::warn("test seam {}: the log syncs fail after {} successful ones",
               kLogSyncFailsAfterVariable, *fails_after);
  return std::make_unique<FailingLogSync>(std::move(real), *fails_after);
}

// WiredTiger reports errors and progress through this handler; send them to
// Alder's log instead of stderr.
int HandleWtError(WT_EVENT_HANDLER*, WT_SESSION*, int error, const char* message) {
  spdlog::error("wiredtiger: {} ({})", message, wiredtiger_strerror(error));
  return 0;
}
int HandleWtMessage(WT_EVENT_HANDLER*, WT_SESSION*, const char* message) {
  spdlog::info("wiredtiger: {}", message);
  return 0;
}
WT_EVENT_HANDLER event_handler = {HandleWtError, HandleWtMessage, nullptr, nullptr};

// Looks `key` up with `cursor`. Returns the WiredTiger code (0 or
// WT_NOTFOUND on success); a record that does not decode sets *corruption.
int SearchRecord(WT_CURSOR* cursor, std::string_view key, std::optional<StoredRecord>* out,
                 Status* corruption) {
  out->reset();
  WT_ITEM k = Item(key);
  cursor->set_key(cursor, &k);
  int ret = cursor->search(cursor);
  if (ret != 0) return ret;
  WT_ITEM v{};
  if ((ret = cursor->get_value(cursor, &v)) != 0) return ret;
  auto decoded = DecodeStoredRecord(View(v));
  if (!decoded.ok()) {
    *corruption =
        Status::Corruption("key '" + std::string(key) + "': " + decoded.status().message());
  } else {
    *out = std::move(decoded).value();
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<WtStorage>> WtStorage::Open(const StorageOptions& options,
                                                   const clock::PhysicalClock* clock) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Status::IoError("cannot create data directory " + options.data_dir + ": " +
                           ec.message());
  }
  // Log on and never synced by WiredTiger itself: GroupCommit decides when
  // the log reaches the disk. archive removes log files a checkpoint made
  // unnecessary.
  const std::string config = "create,cache_size=" + std::to_string(options.cache_size_bytes) +
                             ",session_max=" + std::to_string(options.max_sessions) +
                             ",log=(enabled=true,archive=true),transaction_sync=(enabled=false)"
                             ",checkpoint=(wait=" +
                             std::to_string(options.checkpoint_interval.count()) + ")";
  WT_CONNECTION* conn = nullptr;
  const int ret = wiredtiger_open(options.data_dir.c_str(), &event_handler, config.c_str(), &conn);
  if (ret != 0) {
    return Status::IoError("cannot open WiredTiger database in " + options.data_dir + ": " +
                           wiredtiger_strerror(ret));
  }
  std::unique_ptr<WtStorage> storage(new WtStorage(options, clock, conn));
  if (Status s = storage->Init(); !s.ok()) return s;
  return storage;
}

WtStorage::WtStorage(const StorageOptions& options, const clock::PhysicalClock* clock,
                     WT_CONNECTION* conn)
    : options_(options), clock_(clock), conn_(conn) {}

Status WtStorage::Init() {
  // No other thread has the storage yet; the lock is for the analysis.
  MutexLock lock(&meta_mu_);
  int ret = conn_->open_session(conn_, nullptr, nullptr, &meta_session_);
  if (ret != 0) return WtStatus(ret, "open metadata session");
  ret = meta_session_->create(meta_session_, kDataUri, "key_format=u,value_format=u");
  if (ret == 0)
    ret = meta_session_->create(meta_session_, kIndexUri, "key_format=u,value_format=u");
  if (ret == 0)
    ret = meta_session_->create(meta_session_, kMetadataUri, "key_format=S,value_format=S");
  if (ret != 0) return WtStatus(ret, "create tables");
  // Checkpoint what recovery just replayed. Otherwise a node that crashes
  // again before its first periodic checkpoint replays the same log again,
  // and a crash loop makes every start slower (seen: 400 kill -9 restarts
  // within a second each kept 400 log files and slowed start-up past 30 s).
  ret = meta_session_->checkpoint(meta_session_, nullptr);
  if (ret != 0) return WtStatus(ret, "checkpoint after recovery");
  ret = conn_->open_session(conn_, nullptr, nullptr, &flush_session_);
  if (ret != 0) return WtStatus(ret, "open log flush session");
  group_commit_ = std::make_unique<GroupCommit>(flush_session_, options_.durability,
                                                MakeLogSync(options_.data_dir));
  sessions_ = std::make_unique<WtSessionPool>(conn_, kDataUri, kIndexUri);
  return Status::Ok();
}

WtStorage::~WtStorage() {
  if (sessions_) sessions_->Close();
  // Closing the connection closes every session and takes a final checkpoint.
  const int ret = conn_->close(conn_, nullptr);
  if (ret != 0) spdlog::error("closing WiredTiger failed: {}", wiredtiger_strerror(ret));
}

Result<ApplyOutcome> WtStorage::Apply(std::string_view key, const Record& incoming) {
  auto outcome = ApplyNoWait(key, incoming);
  // Also when the incoming record lost: the newer one it lost to may still be
  // waiting for its own flush, and the caller is told the key is durable.
  if (outcome.ok()) group_commit_->WaitDurable();
  return outcome;
}

Result<ApplyOutcome> WtStorage::ApplyNoWait(std::string_view key, const Record& incoming) {
  auto ts = sessions_->ForThisThread();
  if (!ts.ok()) return ts.status();
  ThreadSession& s = *ts.value();
  const std::string index_key = EncodeIndexKey(KeyHash(key), key);

  const clock::MonotonicClock& now = *options_.retry_clock;
  const auto give_up_at = now.Now() + kConflictRetryLimit;
  for (int attempt = 0; now.Now() < give_up_at; BackOff(attempt++, options_.retry_sleeper)) {
    TransactionGuard txn(s.session);
    if (int ret = txn.Begin(); ret != 0) return WtStatus(ret, "begin transaction");
    std::optional<StoredRecord> current;
    Status corruption;
    int ret = SearchRecord(s.data, key, &current, &corruption);
    if (ret == WT_ROLLBACK) {  // a conflict can surface on the read too
      write_conflicts_.fetch_add(1);
      continue;
    }
    if (ret != 0 && ret != WT_NOTFOUND) return WtStatus(ret, "read record");
    if (!corruption.ok()) return corruption;
    if (current && !(incoming.version > current->record.version)) {
      stale_applies_.fetch_add(1);
      return ApplyOutcome{current->record, false};
    }

    const std::string encoded = EncodeStoredRecord(StoredRecord{incoming, clock_->NowMs()});
    const IndexEntry entry = IndexEntryOf(key, incoming);
    const std::string index_value = EncodeIndexValue(entry);
    WT_ITEM k = Item(key), v = Item(encoded), ik = Item(index_key), iv = Item(index_value);
    s.data->set_key(s.data, &k);
    s.data->set_value(s.data, &v);
    ret = s.data->insert(s.data);
    if (ret == 0) {
      s.index->set_key(s.index, &ik);
      s.index->set_value(s.index, &iv);
      ret = s.index->insert(s.index);
    }
    if (ret == 0) ret = txn.Commit();
    if (ret == WT_ROLLBACK) {
      write_conflicts_.fetch_add(1);
      continue;
    }
    if (ret != 0) return WtStatus(ret, "write record");
    if (index_observer_) {
      const VersionDigest before = current ? DigestOf(key, current->record) : VersionDigest{};
      const std::string_view hash_bytes(index_key.data(), 8);
      index_observer_(DecodeIndexKeyHash(hash_bytes), current ? &before : nullptr, &entry.digest);
    }
    applies_.fetch_add(1);
    return ApplyOutcome{incoming, true};
  }
  return Status::TimedOut("writes to this key kept conflicting for " +
                          std::to_string(kConflictRetryLimit.count()) + " s");
}

Result<std::optional<StoredRecord>> WtStorage::Read(std::string_view key) {
  auto ts = sessions_->ForThisThread();
  if (!ts.ok()) return ts.status();
  WT_CURSOR* data = ts.value()->data;
  std::optional<StoredRecord> found;
  Status corruption;
  const int ret = SearchRecord(data, key, &found, &corruption);
  data->reset(data);
  if (ret != 0 && ret != WT_NOTFOUND) return WtStatus(ret, "read record");
  if (!corruption.ok()) return corruption;
  return found;
}

Result<std::optional<IndexEntry>> WtStorage::ReadIndex(std::string_view key) {
  auto ts = sessions_->ForThisThread();
  if (!ts.ok()) return ts.status();
  WT_CURSOR* index = ts.value()->index;
  const std::string index_key = EncodeIndexKey(KeyHash(key), key);
  WT_ITEM k = Item(index_key);
  index->set_key(index, &k);
  int ret = index->search(index);
  if (ret == WT_NOTFOUND) return std::optional<IndexEntry>();
  if (ret != 0) return WtStatus(ret, "read index entry");
  WT_ITEM v{};
  ret = index->get_value(index, &v);
  if (ret != 0) return WtStatus(ret, "read index entry");
  auto entry = DecodeIndexValue(View(v));
  index->reset(index);
  if (!entry.ok()) return entry.status();
  return std::optional<IndexEntry>(entry.value());
}

Result<bool> WtStorage::PurgeIfUnchanged(std::string_view key, const Version& expected) {
  auto ts = sessions_->ForThisThread();
  if (!ts.ok()) return ts.status();
  ThreadSession& s = *ts.value();
  const std::string index_key = EncodeIndexKey(KeyHash(key), key);
  TransactionGuard txn(s.session);
  if (int ret = txn.Begin(); ret != 0) return WtStatus(ret, "begin transaction");
  std::optional<StoredRecord> current;
  Status corruption;
  int ret = SearchRecord(s.data, key, &current, &corruption);
  if (ret == WT_ROLLBACK) return false;  // someone is writing the key: leave it
  if (ret != 0 && ret != WT_NOTFOUND) return WtStatus(ret, "read record");
  if (!corruption.ok()) return corruption;
  if (!current || current->record.version != expected) return false;
  WT_ITEM k = Item(key), ik = Item(index_key);
  s.data->set_key(s.data, &k);
  ret = s.data->remove(s.data);
  if (ret == 0) {
    s.index->set_key(s.index, &ik);
    ret = s.index->remove(s.index);
    if (ret == WT_NOTFOUND) ret = 0;  // tolerate an index that lost the entry
  }
  if (ret == 0) ret = txn.Commit();
  // A conflict means someone wrote the key meanwhile: their write wins.
  if (ret == WT_ROLLBACK) return false;
  if (ret != 0) return WtStatus(ret, "purge record");
  if (index_observer_) {
    const VersionDigest before = DigestOf(key, current->record);
    index_observer_(KeyHash(key), &before, nullptr);
  }
  // Not waiting for durability: a purge lost in a crash is redone by the
  // next GC pass, and a purged tombstone returning is harmless.
  purges_.fetch_add(1);
  return true;
}

Result<std::optional<std::string>> WtStorage::ScanRecords(std::string_view after_key, bool start,
                                                          size_t limit,
                                                          const RecordVisitor& visit) {
  auto ts = sessions_->ForThisThread();
  if (!ts.ok()) return ts.status();
  WT_CURSOR* c = ts.value()->data;
  int ret = 0;
  if (start) {
    c->reset(c);
    ret = c->next(c);
  } else {
    WT_ITEM k = Item(after_key);
    c->set_key(c, &k);
    int exact = 0;
    ret = c->search_near(c, &exact);
    if (ret == 0 && exact <= 0) ret = c->next(c);
  }
  std::optional<std::string> last;
  for (size_t n = 0; ret == 0 && n < limit; ++n) {
    WT_ITEM k{}, v{};
    if ((ret = c->get_key(c, &k)) != 0 || (ret = c->get_value(c, &v)) != 0) break;
    auto decoded = DecodeStoredRecord(View(v));
    if (!decoded.ok()) {
      c->reset(c);
      return Status::Corruption("key '" + std::string(View(k)) +
                                "': " + decoded.status().message());
    }
    last = std::string(View(k));
    visit(*last, decoded.value());
    if (n + 1 < limit) ret = c->next(c);
  }
  c->reset(c);
  if (ret != 0 && ret != WT_NOTFOUND) return WtStatus(ret, "scan records");
  if (ret == WT_NOTFOUND) return std::optional<std::string>();
  return last;
}

Status WtStorage::ScanIndex(uint64_t first_hash, uint64_t last_hash, const IndexVisitor& visit) {
  auto ts = sessions_->ForThisThread();
  if (!ts.ok()) return ts.status();
  WT_CURSOR* c = ts.value()->index;
  const std::string start = EncodeIndexKey(first_hash, "");
  WT_ITEM k = Item(start);
  c->set_key(c, &k);
  int exact = 0;
  int ret = c->search_near(c, &exact);
  if (ret == 0 && exact < 0) ret = c->next(c);
  Status status;
  while (ret == 0) {
    WT_ITEM ik{}, iv{};
    if ((ret = c->get_key(c, &ik)) != 0 || (ret = c->get_value(c, &iv)) != 0) break;
    const std::string_view index_key = View(ik);
    if (index_key.size() < 8) {
      status =
          Status::Corruption("digest index key of " + std::to_string(index_key.size()) + " bytes");
      break;
    }
    const uint64_t hash = DecodeIndexKeyHash(index_key.substr(0, 8));
    if (hash > last_hash) break;
    auto entry = DecodeIndexValue(View(iv));
    if (!entry.ok()) {
      status = entry.status();
      break;
    }
    visit(hash, index_key.substr(8), entry.value());
    ret = c->next(c);
  }
  c->reset(c);
  if (!status.ok()) return status;
  if (ret != 0 && ret != WT_NOTFOUND) return WtStatus(ret, "scan digest index");
  return Status::Ok();
}

Result<std::optional<std::string>> WtStorage::GetMetadata(std::string_view name) {
  MutexLock lock(&meta_mu_);
  WT_CURSOR* c = nullptr;
  int ret = meta_session_->open_cursor(meta_session_, kMetadataUri, nullptr, nullptr, &c);
  if (ret != 0) return WtStatus(ret, "open metadata cursor");
  const std::string key(name);
  c->set_key(c, key.c_str());
  ret = c->search(c);
  std::optional<std::string> value;
  if (ret == 0) {
    const char* v = nullptr;
    ret = c->get_value(c, &v);
    if (ret == 0) value = v;
  }
  c->close(c);
  if (ret != 0 && ret != WT_NOTFOUND) return WtStatus(ret, "read metadata " + key);
  return value;
}

Status WtStorage::PutMetadata(std::string_view name, std::string_view value) {
  MutexLock lock(&meta_mu_);
  WT_CURSOR* c = nullptr;
  int ret = meta_session_->open_cursor(meta_session_, kMetadataUri, nullptr, nullptr, &c);
  if (ret != 0) return WtStatus(ret, "open metadata cursor");
  const std::string k(name), v(value);
  {
    TransactionGuard txn(meta_session_);
    ret = txn.Begin();
    if (ret == 0) {
      c->set_key(c, k.c_str());
      c->set_value(c, v.c_str());
      ret = c->insert(c);
    }
    if (ret == 0) ret = txn.Commit("sync=on");
  }  // rolled back here unless committed, before the cursor closes
  c->close(c);
  return WtStatus(ret, "write metadata " + k);
}

void WtStorage::WaitDurable() { group_commit_->WaitDurable(); }

StorageStats WtStorage::stats() const {
  StorageStats s;
  s.applies = applies_.load();
  s.stale_applies = stale_applies_.load();
  s.write_conflicts = write_conflicts_.load();
  s.purges = purges_.load();
  s.log_flushes = group_commit_->flushes();
  s.commits_flushed = group_commit_->commits_covered();
  s.sessions_opened = sessions_->sessions_opened();
  return s;
}

}  // namespace alder
