// LuaTransform: a user's LuaJIT function `transform(events) -> events`, sandboxed.
//
// The script sees the batch as an array of Lua values decoded from JSON and returns an array of
// values that are encoded back to JSON, one event each. A `json` table offers `json.null`,
// `json.array(t)` / `json.object(t)` (to force the JSON kind of a table, e.g. an empty one),
// `json.encode(v)` and `json.decode(s)`.
//
// Sandbox: only the base (without load, loadstring, dofile, loadfile, print), string (without
// dump), table, math and bit libraries; no io, os, require, debug, ffi or jit; bytecode is
// refused. Limits per call: CPU time (checked by an instruction-count hook — which is why the
// JIT compiler is switched off: LuaJIT does not run hooks inside compiled traces, so a JIT-ed
// `while true do end` could never be stopped) and memory (a counting allocator for the whole
// state). Exceeding either fails the call with kInvalidArgument; the state stays usable.
//
// Thread safety: not thread-safe; one task loop owns an instance.
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

  struct State;  // opaque: the Lua state and its limits (lua.cc)

 private:
  explicit LuaTransform(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_LUA_H_
