// Results of storage operations: a status, or a value. Storage never speaks RESP; the server turns
// a status into Redis's exact error text in one place (server/errors.h).
#pragma once

#include <utility>
#include <variant>

namespace respd::storage {

enum class OpStatus {
  kOk,
  kKeyNotFound,
  kWrongType,
  kNotInteger,     // value is not an integer or out of range
  kNotFloat,       // value is not a valid float
  kOverflow,       // increment or decrement would overflow
  kNanOrInfinity,  // increment would produce NaN or Infinity
  kOutOfRange,     // index out of range
  kSyntaxError,
  kStringTooLong,  // string exceeds maximum allowed size (proto-max-bulk-len)
  kSkipped,        // a condition (NX, XX...) was not met: nothing done, not an error
};

template <typename T>
class OpResult {
 public:
  OpResult(T value)
      : state_(std::move(value)) {}              // NOLINT: implicit by design, like a return value
  OpResult(OpStatus status) : state_(status) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  OpStatus status() const { return ok() ? OpStatus::kOk : std::get<OpStatus>(state_); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, OpStatus> state_;
};

}  // namespace respd::storage
