// A fresh directory under $TMPDIR for one test, removed with its contents at
// the end of the test (kept if ALDER_KEEP_TEST_DIRS is set, for debugging).
#ifndef ALDER_TEST_SUPPORT_TEMP_DIR_H_
#define ALDER_TEST_SUPPORT_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <string>

namespace alder::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "alder-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    if (std::getenv("ALDER_KEEP_TEST_DIRS") == nullptr) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace alder::testing

#endif  // ALDER_TEST_SUPPORT_TEMP_DIR_H_
