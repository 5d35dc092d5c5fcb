// LuaTransform: a user's LuaJIT function `transform(events) -> events`, sandboxed.
//
// The script sees the batch as an array of Lua values decoded from JSON and returns an array of
// values that are encoded back to JSON, one event each. A `json` table offers `json.null`,
// `json.array(t)` / `json.object(t)` (to force the JSON kind of a table, e.g. an empty one),
// `json.encode(v)` and `json.decode(s)`.
//
// Sandbox: only the base (without load, loadstring, dofile, loadfile, print), string (without
// dump), table, math and bit libraries; no io, os, require, debug, ffi or jit; bytecode is
// refused. Limits per call, and for the chunk run by Create:
// - Time (wall clock): an instruction-count hook reads the clock (which is why the JIT compiler
//   is switched off: LuaJIT does not run hooks inside compiled traces). Once the limit is hit
//   the hook fires on every instruction, so a `pcall` that catches the error only returns to
//   code that raises it again: the limit cannot be caught. A hook cannot stop a C function, so
//   string.find / match / gmatch / gsub (backtracking, exponential on `a*a*a*…b`) are replaced
//   by our own matcher with its work counted (lua_strlib.h), and json.encode and the encoding
//   of the results count their nodes and cap their text at the memory limit.
// - Memory: a counting allocator for the whole state.
// Exceeding either fails the call with kInvalidArgument (deterministic); the state stays usable.
// Interrupt() makes a running call fail soon with kCancelled, and every later call at once.
//
// Thread safety: one task loop owns an instance; Interrupt() may be called from any thread.
#ifndef INFLOW_TRANSFORM_LUA_H_
#define INFLOW_TRANSFORM_LUA_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "transform/step.h"

namespace inflow::transform {

struct LuaOptions {
  std::string code;
  std::chrono::milliseconds timeout{50};
  size_t memory_limit_bytes = 64u << 20;
};

class LuaTransform : public Step {
 public:
  // Compiles `code` and checks that it defines a global function `transform`.
  static Result<std::unique_ptr<LuaTransform>> Create(const LuaOptions& options);
  ~LuaTransform() override;

  Result<std::vector<Event>> Apply(std::vector<Event> events) override;
  void Interrupt() override;

  struct State;  // opaque: the Lua state and its limits (lua.cc)

 private:
  explicit LuaTransform(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_LUA_H_
