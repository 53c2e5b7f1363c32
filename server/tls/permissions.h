// What a client holding a certificate may do (DESIGN.md section 13). Each
// permission includes the ones below it: read (get, status) < write (and
// put, remove) < admin (and repair, compare, verify, membership commands).
#ifndef ALDER_SERVER_TLS_PERMISSIONS_H_
#define ALDER_SERVER_TLS_PERMISSIONS_H_

#include <map>
#include <string>

#include "server/common/status.h"

namespace alder {

enum class Permission { kNone = 0, kRead = 1, kWrite = 2, kAdmin = 3 };

// "none", "read", "write", "admin".
const char* PermissionName(Permission permission);
Result<Permission> ParsePermission(const std::string& text);

// client_permissions and client_default_permission: a permission per
// certificate subject CN, and the one for a trusted certificate not listed.
struct ClientPermissions {
  std::map<std::string, Permission> by_common_name;
  Permission default_permission = Permission::kWrite;

  Permission For(const std::string& common_name) const;
};

// Parses "CN=PERMISSION,...", e.g. "reporting=read,ops=admin"; spaces
// around names are ignored. A CN listed twice is an error.
Result<std::map<std::string, Permission>> ParseClientPermissions(const std::string& text);

}  // namespace alder

#endif  // ALDER_SERVER_TLS_PERMISSIONS_H_
