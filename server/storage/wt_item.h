// WiredTiger's WT_ITEM to and from string views, for the tables Alder keeps
// with raw-byte keys and values (key_format=u, value_format=u). The item
// points into the view: it must not outlive it.
#ifndef ALDER_SERVER_STORAGE_WT_ITEM_H_
#define ALDER_SERVER_STORAGE_WT_ITEM_H_

#include <wiredtiger.h>

#include <string_view>

namespace alder {

inline WT_ITEM Item(std::string_view bytes) {
  WT_ITEM item{};
  item.data = bytes.data();
  item.size = bytes.size();
  return item;
}

inline std::string_view View(const WT_ITEM& item) {
  return {static_cast<const char*>(item.data), item.size};
}

}  // namespace alder

#endif  // ALDER_SERVER_STORAGE_WT_ITEM_H_
