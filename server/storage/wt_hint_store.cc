#include "server/storage/wt_hint_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "server/common/big_endian.h"
#include "server/storage/wt_item.h"
#include "server/storage/wt_transaction.h"

namespace alder {
namespace {

constexpr const char* kHintsUri = "table:hints";
constexpr size_t kKeyBytes = 4 + 8;          // target ++ sequence
constexpr size_t kValueHeaderBytes = 8 + 4;  // created_ms ++ key length
// Removals per transaction: bounds the cache a single transaction pins.
constexpr size_t kRemoveBatch = 1000;

std::string EncodeKey(uint32_t target, uint64_t sequence) {
  std::string key;
  key.reserve(kKeyBytes);
  PutBigEndian(&key, target, 4);
  PutBigEndian(&key, sequence, 8);
  return key;
}

// Splits a table key into target and sequence.
Status DecodeKey(std::string_view bytes, uint32_t* target, uint64_t* sequence) {
  if (bytes.size() != kKeyBytes) {
    return Status::Corruption("hint key of " + std::to_string(bytes.size()) + " bytes, expected " +
                              std::to_string(kKeyBytes));
  }
  *target = static_cast<uint32_t>(GetBigEndian(bytes.data(), 4));
  *sequence = GetBigEndian(bytes.data() + 4, 8);
  return Status::Ok();
}

std::string EncodeValue(uint64_t created_ms, std::string_view key, const Record& record) {
  std::string value;
  value.reserve(kValueHeaderBytes + key.size() + 32 + record.value.size());
  PutBigEndian(&value, created_ms, 8);
  PutBigEndian(&value, key.size(), 4);
  value.append(key);
  value.append(EncodeStoredRecord(StoredRecord{record, created_ms}));
  return value;
}

std::string Describe(uint32_t target, uint64_t sequence) {
  return "hint " + std::to_string(sequence) + " for node " + std::to_string(target);
}

// Decodes a table row into a Hint.
Result<Hint> DecodeHint(std::string_view key, std::string_view value) {
  Hint hint;
  if (Status s = DecodeKey(key, &hint.target, &hint.sequence); !s.ok()) return s;
  if (value.size() < kValueHeaderBytes) {
    return Status::Corruption(Describe(hint.target, hint.sequence) + ": value of " +
                              std::to_string(value.size()) + " bytes is too short");
  }
  hint.created_ms = GetBigEndian(value.data(), 8);
  const uint64_t key_size = GetBigEndian(value.data() + 8, 4);
  value.remove_prefix(kValueHeaderBytes);
  if (key_size > value.size()) {
    return Status::Corruption(Describe(hint.target, hint.sequence) + ": key length " +
                              std::to_string(key_size) + " exceeds the value");
  }
  hint.key.assign(value.data(), key_size);
  value.remove_prefix(key_size);
  auto stored = DecodeStoredRecord(value);
  if (!stored.ok()) {
    return Status::Corruption(Describe(hint.target, hint.sequence) + ": " +
                              stored.status().message());
  }
  hint.record = std::move(stored).value().record;
  return hint;
}

}  // namespace

Result<std::unique_ptr<WtHintStore>> WtHintStore::Open(WtStorage* storage,
                                                       const clock::PhysicalClock* clock) {
  WT_CONNECTION* conn = storage->connection();
  WT_SESSION* session = nullptr;
  const int ret = conn->open_session(conn, nullptr, nullptr, &session);
  if (ret != 0) return WtStatus(ret, "open hint session");
  // The store owns the session from here on: its destructor closes it.
  std::unique_ptr<WtHintStore> store(new WtHintStore(storage, clock, session));
  if (Status s = store->Init(); !s.ok()) return s;
  return store;
}

WtHintStore::WtHintStore(WtStorage* storage, const clock::PhysicalClock* clock, WT_SESSION* session)
    : storage_(storage), clock_(clock), session_(session) {}

WtHintStore::~WtHintStore() {
  // Closing the session closes its cursor.
  const int ret = session_->close(session_, nullptr);
  if (ret != 0) spdlog::error("closing the hint session failed: {}", wiredtiger_strerror(ret));
}

Status WtHintStore::Init() {
  MutexLock lock(&mu_);
  int ret = session_->create(session_, kHintsUri, "key_format=u,value_format=u");
  if (ret != 0) return WtStatus(ret, "create table:hints");
  // overwrite=false: remove reports WT_NOTFOUND for an absent hint, which
  // keeps the pending counts exact when a hint is removed twice.
  ret = session_->open_cursor(session_, kHintsUri, nullptr, "overwrite=false", &cursor_);
  if (ret != 0) return WtStatus(ret, "open hint cursor");

  // Keys alone suffice to count; values are decoded when read.
  std::map<uint32_t, uint64_t> pending;
  uint64_t total = 0;
  uint64_t max_sequence = 0;
  while ((ret = cursor_->next(cursor_)) == 0) {
    WT_ITEM k{};
    if ((ret = cursor_->get_key(cursor_, &k)) != 0) break;
    uint32_t target = 0;
    uint64_t sequence = 0;
    if (Status s = DecodeKey(View(k), &target, &sequence); !s.ok()) {
      cursor_->reset(cursor_);
      return s;
    }
    ++pending[target];
    ++total;
    max_sequence = std::max(max_sequence, sequence);
  }
  cursor_->reset(cursor_);
  if (ret != WT_NOTFOUND) return WtStatus(ret, "scan table:hints");
  next_sequence_ = max_sequence + 1;

  MutexLock counts(&counts_mu_);
  pending_ = std::move(pending);
  pending_total_ = total;
  return Status::Ok();
}

Status WtHintStore::Add(uint32_t target, std::string_view key, const Record& record) {
  if (key.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("hint key of " + std::to_string(key.size()) +
                                   " bytes is too long");
  }
  const uint64_t created_ms = clock_->NowMs();
  const std::string value = EncodeValue(created_ms, key, record);
  {
    MutexLock lock(&mu_);
    const uint64_t sequence = next_sequence_;
    const std::string table_key = EncodeKey(target, sequence);
    WT_ITEM k = Item(table_key), v = Item(value);
    // A single insert on a table only this session writes: an autocommit
    // transaction, committed without sync like every Alder transaction.
    cursor_->set_key(cursor_, &k);
    cursor_->set_value(cursor_, &v);
    const int ret = cursor_->insert(cursor_);
    cursor_->reset(cursor_);
    if (ret != 0) return WtStatus(ret, "store " + Describe(target, sequence));
    ++next_sequence_;
    MutexLock counts(&counts_mu_);
    ++pending_[target];
    ++pending_total_;
  }
  // Outside mu_, so that concurrent Adds share one log flush.
  storage_->WaitDurable();
  return Status::Ok();
}

Result<std::vector<Hint>> WtHintStore::Oldest(uint32_t target, size_t limit) {
  std::vector<Hint> hints;
  if (limit == 0) return hints;
  MutexLock lock(&mu_);
  const std::string first = EncodeKey(target, 0);
  WT_ITEM start = Item(first);
  cursor_->set_key(cursor_, &start);
  int exact = 0;
  int ret = cursor_->search_near(cursor_, &exact);
  if (ret == 0 && exact < 0) ret = cursor_->next(cursor_);
  while (ret == 0 && hints.size() < limit) {
    WT_ITEM k{}, v{};
    if ((ret = cursor_->get_key(cursor_, &k)) != 0 ||
        (ret = cursor_->get_value(cursor_, &v)) != 0) {
      break;
    }
    const std::string_view key = View(k);
    if (key.size() < 4 || static_cast<uint32_t>(GetBigEndian(key.data(), 4)) != target) break;
    auto hint = DecodeHint(key, View(v));
    if (!hint.ok()) {
      cursor_->reset(cursor_);
      return hint.status();
    }
    hints.push_back(std::move(hint).value());
    ret = cursor_->next(cursor_);
  }
  cursor_->reset(cursor_);
  if (ret != 0 && ret != WT_NOTFOUND) return WtStatus(ret, "read hints");
  return hints;
}

Status WtHintStore::Remove(const std::vector<Hint>& hints) {
  std::vector<HintId> ids;
  ids.reserve(hints.size());
  for (const Hint& h : hints) ids.push_back({h.target, h.sequence});
  MutexLock lock(&mu_);
  uint64_t removed = 0;
  return RemoveLocked(ids, &removed);
}

Result<uint64_t> WtHintStore::DropOlderThan(std::chrono::milliseconds window) {
  if (window.count() < 0) return Status::InvalidArgument("hint window must not be negative");
  const uint64_t now = clock_->NowMs();
  const auto window_ms = static_cast<uint64_t>(window.count());
  MutexLock lock(&mu_);
  // Collect first, then remove: committing a batch would reset the scan.
  std::vector<HintId> expired;
  int ret = 0;
  while ((ret = cursor_->next(cursor_)) == 0) {
    WT_ITEM k{}, v{};
    if ((ret = cursor_->get_key(cursor_, &k)) != 0 ||
        (ret = cursor_->get_value(cursor_, &v)) != 0) {
      break;
    }
    HintId id{};
    Status s = DecodeKey(View(k), &id.target, &id.sequence);
    if (s.ok() && v.size < 8) {
      s = Status::Corruption(Describe(id.target, id.sequence) + ": value of " +
                             std::to_string(v.size) + " bytes is too short");
    }
    if (!s.ok()) {
      cursor_->reset(cursor_);
      return s;
    }
    const uint64_t created_ms = GetBigEndian(static_cast<const char*>(v.data), 8);
    // created_ms + window <= now, without overflow for a huge window.
    if (created_ms <= now && now - created_ms >= window_ms) expired.push_back(id);
  }
  cursor_->reset(cursor_);
  if (ret != WT_NOTFOUND) return WtStatus(ret, "scan table:hints");

  uint64_t removed = 0;
  const Status s = RemoveLocked(expired, &removed);
  {
    MutexLock counts(&counts_mu_);
    dropped_ += removed;
  }
  if (!s.ok()) return s;
  return removed;
}

Status WtHintStore::RemoveLocked(const std::vector<HintId>& ids, uint64_t* removed) {
  for (size_t begin = 0; begin < ids.size(); begin += kRemoveBatch) {
    const size_t end = std::min(ids.size(), begin + kRemoveBatch);
    TransactionGuard txn(session_);
    int ret = txn.Begin();
    if (ret != 0) return WtStatus(ret, "begin transaction");
    std::map<uint32_t, uint64_t> batch;  // target -> hints removed in this batch
    for (size_t i = begin; i < end && ret == 0; ++i) {
      const std::string key = EncodeKey(ids[i].target, ids[i].sequence);
      WT_ITEM k = Item(key);
      cursor_->set_key(cursor_, &k);
      ret = cursor_->remove(cursor_);
      if (ret == 0) ++batch[ids[i].target];
      if (ret == WT_NOTFOUND) ret = 0;  // already removed: fine
    }
    cursor_->reset(cursor_);
    // Not synced and not waited for: see the header. A failed batch is
    // rolled back when txn goes out of scope.
    if (ret == 0) ret = txn.Commit();
    if (ret != 0) return WtStatus(ret, "remove hints");
    for (const auto& [target, n] : batch) {
      CountRemoved(target, n);
      *removed += n;
    }
  }
  return Status::Ok();
}

void WtHintStore::CountRemoved(uint32_t target, uint64_t n) {
  MutexLock counts(&counts_mu_);
  auto it = pending_.find(target);
  if (it == pending_.end()) return;  // cannot happen: counts mirror the table
  it->second -= std::min(it->second, n);
  pending_total_ -= std::min(pending_total_, n);
  if (it->second == 0) pending_.erase(it);
}

uint64_t WtHintStore::Pending(uint32_t target) const {
  MutexLock counts(&counts_mu_);
  auto it = pending_.find(target);
  return it == pending_.end() ? 0 : it->second;
}

uint64_t WtHintStore::PendingTotal() const {
  MutexLock counts(&counts_mu_);
  return pending_total_;
}

uint64_t WtHintStore::dropped() const {
  MutexLock counts(&counts_mu_);
  return dropped_;
}

}  // namespace alder
