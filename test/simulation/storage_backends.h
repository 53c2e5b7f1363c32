// The two Storage/HintStore implementations behind one face, so that one
// conformance suite (a typed gtest) runs against both: WtStorage on real
// WiredTiger files in a temporary directory, and the simulation's model.
#ifndef ALDER_TEST_SIMULATION_STORAGE_BACKENDS_H_
#define ALDER_TEST_SIMULATION_STORAGE_BACKENDS_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "clock/physical_clock.h"
#include "server/storage/wt_hint_store.h"
#include "server/storage/wt_storage.h"
#include "test/simulation/model_disk.h"
#include "test/simulation/model_hint_store.h"
#include "test/simulation/model_storage.h"
#include "test/support/temp_dir.h"

namespace alder::sim {

class WtBackend {
 public:
  explicit WtBackend(const clock::PhysicalClock* clock) : clock_(clock) { Open(); }
  ~WtBackend() { Close(); }

  Storage* storage() { return storage_.get(); }
  HintStore* hints() { return hints_.get(); }
  // A clean shutdown and a restart on the same files.
  void Reopen() {
    Close();
    Open();
  }

 private:
  void Open() {
    StorageOptions options;
    options.data_dir = dir_.Sub("db");
    options.cache_size_bytes = 32ull << 20;
    auto opened = WtStorage::Open(options, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
    auto hints = WtHintStore::Open(storage_.get(), clock_);
    ASSERT_TRUE(hints.ok()) << hints.status().ToString();
    hints_ = std::move(hints).value();
  }
  void Close() {
    hints_.reset();  // before the storage whose connection it uses
    storage_.reset();
  }

  const clock::PhysicalClock* const clock_;
  testing::TempDir dir_;
  std::unique_ptr<WtStorage> storage_;
  std::unique_ptr<WtHintStore> hints_;
};

class ModelBackend {
 public:
  explicit ModelBackend(const clock::PhysicalClock* clock) : clock_(clock) { Open(); }

  Storage* storage() { return storage_.get(); }
  HintStore* hints() { return hints_.get(); }
  void Reopen() {
    hints_.reset();
    storage_.reset();
    disk_.CloseCleanly();
    Open();
  }
  ModelDisk& disk() { return disk_; }

 private:
  void Open() {
    storage_ = std::make_unique<ModelStorage>(&disk_, clock_);
    hints_ = std::make_unique<ModelHintStore>(&disk_, clock_);
  }

  const clock::PhysicalClock* const clock_;
  ModelDisk disk_{"simulated disk of node 1"};
  std::unique_ptr<ModelStorage> storage_;
  std::unique_ptr<ModelHintStore> hints_;
};

// CTest names each instance by its type ("...<alder::sim::ModelBackend>"):
// CMake 3.25 reads only numbered instances, so no custom names.
using Backends = ::testing::Types<WtBackend, ModelBackend>;

inline Record Value(uint64_t wall_ms, uint32_t node, std::string value,
                    uint64_t expires_at_ms = 0) {
  Record r;
  r.version = {clock::Timestamp::FromParts(wall_ms, 0), node};
  r.value = std::move(value);
  r.expires_at_ms = expires_at_ms;
  return r;
}

inline Record Tombstone(uint64_t wall_ms, uint32_t node) {
  Record r;
  r.version = {clock::Timestamp::FromParts(wall_ms, 0), node};
  r.tombstone = true;
  return r;
}

}  // namespace alder::sim

#endif  // ALDER_TEST_SIMULATION_STORAGE_BACKENDS_H_
