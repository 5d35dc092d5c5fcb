// Error: the one error type of inflow — a canonical code plus a human message.
//
// Errors are values. Every fallible function returns Result<T> (result.h). Each module
// describes its failures with these canonical codes and a message that names the field, the
// position or the peer involved; two functions, HttpStatus() and IsRetryable(), are the only
// places that interpret codes for the outside world.
//
// Thread safety: a value type; distinct objects may be used from distinct threads.
#ifndef INFLOW_COMMON_ERROR_H_
#define INFLOW_COMMON_ERROR_H_

#include <string>
#include <string_view>

namespace inflow {

enum class ErrorCode {
  kInvalidArgument,     // bad input: config, API body, pattern, event, value. Never retried.
  kNotFound,            // a named thing (topic, task, group, file) does not exist.
  kAlreadyExists,       // creating something that exists.
  kPermissionDenied,    // authenticated, but not allowed (ACL, grants).
  kUnauthenticated,     // bad or missing credentials.
  kFailedPrecondition,  // the system is not in a state to do this (server setting, lease held).
  kOutOfRange,          // a position or time outside what exists (purged binlog, data range).
  kResourceExhausted,   // a size limit or quota was hit (message too large, too many groups).
  kUnavailable,         // transient: a peer is down, busy or unreachable. Retryable.
  kTimeout,             // a deadline passed before an answer. Retryable.
  kAborted,             // lost a race (fenced by a newer lease holder).
  kCancelled,           // the caller gave up (shutdown).
  kDataLoss,            // unrecoverable corruption of stored or received data.
  kInternal,            // a broken invariant inside inflow: a bug.
  kIo,                  // a local filesystem or OS call failed.
};

// The stable lower-case name of a code, e.g. "invalid_argument".
std::string_view ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "code: message", for logs and CLI output.
  std::string ToString() const;

  // Returns the same error with "context: " prepended to the message.
  Error WithContext(std::string_view context) const;

  bool operator==(const Error&) const = default;

 private:
  ErrorCode code_;
  std::string message_;
};

// True for codes that a caller may retry after a delay (a transient condition of a peer).
bool IsRetryable(ErrorCode code);

// The HTTP status a REST handler answers with for this code.
int HttpStatus(ErrorCode code);

// Shorthands, so call sites read as what happened.
inline Error InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
inline Error IoError(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
inline Error DataLoss(std::string m) { return {ErrorCode::kDataLoss, std::move(m)}; }

}  // namespace inflow

#endif  // INFLOW_COMMON_ERROR_H_
