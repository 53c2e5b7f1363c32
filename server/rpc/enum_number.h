// The number in an enum field of a generated Thrift struct, read as the i32
// it came as. The generated readers store any number a peer or client sent
// in the field, and loading one outside the enum's range as the enum type
// is undefined behaviour (found by test/fuzz: a client's Consistency, a
// peer's RefusalReason). Copied out as an integer, it is well defined.
#ifndef ALDER_SERVER_RPC_ENUM_NUMBER_H_
#define ALDER_SERVER_RPC_ENUM_NUMBER_H_

#include <cstdint>
#include <cstring>

namespace alder {

template <typename Enum>
int32_t EnumNumber(const Enum& field) {
  static_assert(sizeof(Enum) == sizeof(int32_t));
  int32_t number;
  std::memcpy(&number, &field, sizeof(number));
  return number;
}

}  // namespace alder

#endif  // ALDER_SERVER_RPC_ENUM_NUMBER_H_
