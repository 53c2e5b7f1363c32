// The LWW merge is a state-based CRDT: these property tests check its laws
// over random records, including many with equal timestamps and node ids.
#include "server/common/record.h"

#include <gtest/gtest.h>

#include <random>

#include "server/storage/digest_index.h"

namespace alder {
namespace {

// Random records from a small version space, so that ties on hlc (and on
// the whole version) are common.
class RecordGenerator {
 public:
  explicit RecordGenerator(uint32_t seed) : rng_(seed) {}
  Record Next() {
    Record r;
    r.version.hlc = clock::Timestamp::FromParts(1'700'000'000'000 + Pick(3), Pick(3));
    r.version.node_id = static_cast<uint32_t>(1 + Pick(2));
    // The same version always carries the same content: versions are unique per write.
    const uint64_t id = r.version.hlc.packed() * 7 + r.version.node_id;
    r.tombstone = id % 3 == 0;
    if (!r.tombstone) {
      r.value = "value-" + std::to_string(id);
      r.expires_at_ms = id % 2 ? r.version.hlc.wall_ms() + 1000 : 0;
    }
    return r;
  }

 private:
  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  std::mt19937 rng_;
};

TEST(RecordMerge, GreaterVersionWins) {
  Record older, newer;
  older.version = {clock::Timestamp::FromParts(100, 5), 9};
  newer.version = {clock::Timestamp::FromParts(101, 0), 1};
  older.value = "old";
  newer.value = "new";
  EXPECT_EQ(Merge(older, newer).value, "new");
  EXPECT_EQ(Merge(newer, older).value, "new");
}

TEST(RecordMerge, NodeIdBreaksHlcTies) {
  Record a, b;
  a.version = {clock::Timestamp::FromParts(100, 1), 1};
  b.version = {clock::Timestamp::FromParts(100, 1), 2};
  b.tombstone = true;
  EXPECT_TRUE(Merge(a, b).tombstone);
  EXPECT_TRUE(Merge(b, a).tombstone);
}

TEST(RecordMerge, IsCommutativeAssociativeAndIdempotentOverRandomRecords) {
  RecordGenerator gen(20261125);
  for (int i = 0; i < 20000; ++i) {
    const Record a = gen.Next(), b = gen.Next(), c = gen.Next();
    ASSERT_EQ(Merge(a, b), Merge(b, a)) << "commutativity, iteration " << i;
    ASSERT_EQ(Merge(Merge(a, b), c), Merge(a, Merge(b, c))) << "associativity, iteration " << i;
    ASSERT_EQ(Merge(a, a), a) << "idempotence, iteration " << i;
    ASSERT_EQ(Merge(Merge(a, b), b), Merge(a, b)) << "re-delivery, iteration " << i;
  }
}

TEST(RecordMerge, AnyDeliveryOrderConvergesToTheGreatestVersion) {
  RecordGenerator gen(7);
  for (int round = 0; round < 500; ++round) {
    std::vector<Record> writes;
    for (int i = 0; i < 8; ++i) writes.push_back(gen.Next());
    Record expected = writes[0];
    for (const Record& w : writes) {
      if (w.version > expected.version) expected = w;
    }
    std::mt19937 rng(round);
    for (int order = 0; order < 10; ++order) {
      std::shuffle(writes.begin(), writes.end(), rng);
      Record state = writes[0];
      for (const Record& w : writes) state = Merge(state, w);
      ASSERT_EQ(state, expected);
    }
  }
}

TEST(RecordVisibility, ExpiredRecordIsNotLiveFromItsExpiryOn) {
  Record r;
  r.value = "v";
  r.expires_at_ms = 1000;
  EXPECT_TRUE(r.IsLiveAt(999));
  EXPECT_FALSE(r.IsLiveAt(1000));
  EXPECT_EQ(r.DeadSinceMs(), 1000u);
}

TEST(RecordVisibility, TombstoneIsPurgeableOnlyAfterGrace) {
  Record t;
  t.tombstone = true;
  t.version.hlc = clock::Timestamp::FromParts(5000, 0);
  EXPECT_FALSE(t.IsLiveAt(4000));
  EXPECT_FALSE(t.IsPurgeableAt(5999, std::chrono::milliseconds(1000)));
  EXPECT_TRUE(t.IsPurgeableAt(6000, std::chrono::milliseconds(1000)));
  Record forever;
  forever.value = "v";
  EXPECT_FALSE(forever.IsPurgeableAt(UINT64_MAX / 2, std::chrono::milliseconds(0)));
}

TEST(RecordEncoding, RoundTripsEveryFieldAndAllByteValues) {
  StoredRecord s;
  s.record.version = {clock::Timestamp::FromParts(1'764'000'000'123, 65535), 0x7fffffff};
  s.record.expires_at_ms = 1'764'000'999'000;
  for (int b = 0; b < 256; ++b) s.record.value.push_back(static_cast<char>(b));
  s.stored_at_ms = 42;
  auto decoded = DecodeStoredRecord(EncodeStoredRecord(s));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->record, s.record);
  EXPECT_EQ(decoded->stored_at_ms, 42u);
}

TEST(RecordEncoding, RejectsTruncatedAndUnknownFormats) {
  StoredRecord s;
  s.record.value = "abc";
  std::string bytes = EncodeStoredRecord(s);
  EXPECT_EQ(DecodeStoredRecord(bytes.substr(0, 10)).status().code(), Status::Code::kCorruption);
  bytes[0] = 9;
  EXPECT_EQ(DecodeStoredRecord(bytes).status().code(), Status::Code::kCorruption);
}

TEST(VersionDigest, DiffersWhenKeyOrVersionDiffers) {
  Record r;
  r.version = {clock::Timestamp::FromParts(10, 1), 1};
  Record r2 = r;
  r2.version.node_id = 2;
  EXPECT_NE(DigestOf("k", r), DigestOf("k", r2));
  EXPECT_NE(DigestOf("k", r), DigestOf("k2", r));
  EXPECT_EQ(DigestOf("k", r), DigestOf("k", r));
  // Length prefix: moving bytes between key and value space changes the digest.
  EXPECT_NE(DigestOf(std::string("ab"), r), DigestOf(std::string("a"), r));
}

TEST(IndexEntryEncoding, RoundTrips) {
  Record r;
  r.version = {clock::Timestamp::FromParts(1234, 5), 6};
  r.tombstone = true;
  const IndexEntry entry = IndexEntryOf("key", r);
  auto decoded = DecodeIndexValue(EncodeIndexValue(entry));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), entry);
  EXPECT_FALSE(DecodeIndexValue("short").ok());
}

}  // namespace
}  // namespace alder
