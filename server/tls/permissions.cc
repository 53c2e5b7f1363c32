#include "server/tls/permissions.h"

#include <sstream>

namespace alder {
namespace {

std::string Trimmed(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

}  // namespace

const char* PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kNone:
      return "none";
    case Permission::kRead:
      return "read";
    case Permission::kWrite:
      return "write";
    case Permission::kAdmin:
      return "admin";
  }
  return "none";
}

Result<Permission> ParsePermission(const std::string& text) {
  for (Permission p :
       {Permission::kNone, Permission::kRead, Permission::kWrite, Permission::kAdmin}) {
    if (text == PermissionName(p)) return p;
  }
  return Status::InvalidArgument("a permission is none, read, write or admin, got '" + text + "'");
}

Permission ClientPermissions::For(const std::string& common_name) const {
  auto it = by_common_name.find(common_name);
  return it == by_common_name.end() ? default_permission : it->second;
}

Result<std::map<std::string, Permission>> ParseClientPermissions(const std::string& text) {
  std::map<std::string, Permission> out;
  std::istringstream entries(text);
  std::string entry;
  while (std::getline(entries, entry, ',')) {
    if (Trimmed(entry).empty()) continue;
    const size_t equals = entry.rfind('=');
    if (equals == std::string::npos) {
      return Status::InvalidArgument("client_permissions: '" + Trimmed(entry) +
                                     "' is not CN=PERMISSION");
    }
    const std::string name = Trimmed(entry.substr(0, equals));
    auto permission = ParsePermission(Trimmed(entry.substr(equals + 1)));
    if (name.empty()) {
      return Status::InvalidArgument("client_permissions: an entry has no CN before '='");
    }
    if (!permission.ok()) {
      return Status::InvalidArgument("client_permissions: " + name + ": " +
                                     permission.status().message());
    }
    if (!out.emplace(name, permission.value()).second) {
      return Status::InvalidArgument("client_permissions: " + name + " is listed twice");
    }
  }
  return out;
}

}  // namespace alder
