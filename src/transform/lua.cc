#include "transform/lua.h"

#include <simdjson.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <luajit-2.1/lua.hpp>
#include <string_view>

#include "common/json_text.h"
#include "transform/lua_strlib.h"

namespace inflow::transform {
namespace {

// Registry keys (addresses are unique per process).
char kArrayMeta;
char kObjectMeta;
char kNullKey;
char kStateKey;

constexpr int kHookEveryInstructions = 10'000;
constexpr int kMaxDepth = 256;

}  // namespace

struct LuaTransform::State {
  enum class Tripped { kNone, kTime, kInterrupt };

  lua_State* L = nullptr;
  LuaOptions options;
  size_t used = 0;
  bool limit_armed = false;  // the memory limit applies to user code, not to our setup
  std::chrono::steady_clock::time_point deadline{};
  // Set once the running call hit its time limit or was interrupted; it then stays set until
  // the call has returned, and every Lua instruction raises the error again.
  Tripped tripped = Tripped::kNone;
  std::atomic<bool> interrupted{false};  // sticky: set by Interrupt() from another thread
  simdjson::dom::parser parser;

  ~State() {
    if (L != nullptr) lua_close(L);
  }

  static void* Alloc(void* ud, void* ptr, size_t old_size, size_t new_size) {
    auto* s = static_cast<State*>(ud);
    size_t old = ptr != nullptr ? old_size : 0;
    if (new_size == 0) {
      std::free(ptr);
      s->used -= old;
      return nullptr;
    }
    if (s->limit_armed && new_size > old &&
        s->used - old + new_size > s->options.memory_limit_bytes) {
      return nullptr;  // Lua raises "not enough memory"
    }
    void* q = std::realloc(ptr, new_size);
    if (q != nullptr) s->used = s->used - old + new_size;
    return q;
  }

  // Whether the call must stop now; records why. No Lua calls: usable outside the Lua stack.
  bool LimitReached() {
    if (tripped != Tripped::kNone) return true;
    if (interrupted.load(std::memory_order_relaxed)) {
      tripped = Tripped::kInterrupt;
    } else if (std::chrono::steady_clock::now() > deadline) {
      tripped = Tripped::kTime;
    } else {
      return false;
    }
    return true;
  }

  // Arms the hook for a new call: the clock is read every kHookEveryInstructions.
  void Arm() {
    tripped = Tripped::kNone;
    deadline = std::chrono::steady_clock::now() + options.timeout;
    lua_sethook(L, &State::Hook, LUA_MASKCOUNT, kHookEveryInstructions);
  }

  static void Hook(lua_State* L, lua_Debug*) { CheckLuaLimits(L); }
};

namespace {

void PushNull(lua_State* L) { lua_pushlightuserdata(L, &kNullKey); }

bool IsNull(lua_State* L, int idx) {
  return lua_islightuserdata(L, idx) && lua_touserdata(L, idx) == &kNullKey;
}

LuaTransform::State* GetState(lua_State* L) {
  lua_pushlightuserdata(L, &kStateKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* s = static_cast<LuaTransform::State*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return s;
}

void SetMeta(lua_State* L, char* key) {
  lua_pushlightuserdata(L, key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_setmetatable(L, -2);
}

// Pushes a JSON value as a Lua value. Returns false (with a message) on excessive depth.
bool PushJson(lua_State* L, simdjson::dom::element e, int depth, std::string* error) {
  if (depth > kMaxDepth || !lua_checkstack(L, 4)) {
    *error = "event nested deeper than " + std::to_string(kMaxDepth);
    return false;
  }
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array a = e.get_array().value_unsafe();
      lua_createtable(L, static_cast<int>(a.size()), 0);
      int i = 1;
      for (simdjson::dom::element v : a) {
        if (!PushJson(L, v, depth + 1, error)) return false;
        lua_rawseti(L, -2, i++);
      }
      SetMeta(L, &kArrayMeta);
      return true;
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object o = e.get_object().value_unsafe();
      lua_createtable(L, 0, static_cast<int>(o.size()));
      for (auto field : o) {
        lua_pushlstring(L, field.key.data(), field.key.size());
        if (!PushJson(L, field.value, depth + 1, error)) return false;
        lua_rawset(L, -3);
      }
      SetMeta(L, &kObjectMeta);
      return true;
    }
    case simdjson::dom::element_type::INT64:
      lua_pushnumber(L, static_cast<lua_Number>(e.get_int64().value_unsafe()));
      return true;
    case simdjson::dom::element_type::UINT64:
      lua_pushnumber(L, static_cast<lua_Number>(e.get_uint64().value_unsafe()));
      return true;
    case simdjson::dom::element_type::DOUBLE:
      lua_pushnumber(L, e.get_double().value_unsafe());
      return true;
    case simdjson::dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      lua_pushlstring(L, s.data(), s.size());
      return true;
    }
    case simdjson::dom::element_type::BOOL:
      lua_pushboolean(L, e.get_bool().value_unsafe() ? 1 : 0);
      return true;
    case simdjson::dom::element_type::NULL_VALUE:
      PushNull(L);
      return true;
  }
  *error = "unknown JSON value type";
  return false;
}

bool HasMeta(lua_State* L, int idx, char* key) {
  if (!lua_getmetatable(L, idx)) return false;
  lua_pushlightuserdata(L, key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  bool same = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  return same;
}

// Bounds one encoding: a table holding the same subtable twice at each of 50 levels is small in
// Lua but 2^50 nodes of JSON, so the text is capped at the memory limit and the clock is read
// every kLuaWorkQuantum nodes.
struct EncodeBudget {
  LuaTransform::State* state;
  size_t nodes = 0;
};

// Encodes the Lua value at `idx` as JSON. Returns false with a message naming the problem; on a
// time limit or interrupt, budget->state->tripped says so.
bool EncodeJson(lua_State* L, int idx, int depth, std::string* out, std::string* error,
                EncodeBudget* budget) {
  if (++budget->nodes % kLuaWorkQuantum == 0 && budget->state->LimitReached()) {
    *error = "time limit exceeded";
    return false;
  }
  if (out->size() > budget->state->options.memory_limit_bytes) {
    *error = "the JSON text exceeds the memory limit of " +
             std::to_string(budget->state->options.memory_limit_bytes) + " bytes";
    return false;
  }
  if (depth > kMaxDepth || !lua_checkstack(L, 4)) {
    *error = "value nested deeper than " + std::to_string(kMaxDepth) + " (or cyclic)";
    return false;
  }
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      out->append("null");
      return true;
    case LUA_TBOOLEAN:
      out->append(lua_toboolean(L, idx) ? "true" : "false");
      return true;
    case LUA_TNUMBER: {
      double v = lua_tonumber(L, idx);
      if (!std::isfinite(v)) {
        *error = "number " + std::to_string(v) + " is not representable in JSON";
        return false;
      }
      AppendJsonNumber(out, v);
      return true;
    }
    case LUA_TSTRING: {
      size_t n = 0;
      const char* s = lua_tolstring(L, idx, &n);
      std::string_view sv(s, n);
      if (!IsValidUtf8(sv)) {
        *error = "string is not valid UTF-8";
        return false;
      }
      AppendJsonString(out, sv);
      return true;
    }
    case LUA_TLIGHTUSERDATA:
      if (IsNull(L, idx)) {
        out->append("null");
        return true;
      }
      break;
    case LUA_TTABLE: {
      // Decide array or object: an explicit marker wins; otherwise keys 1..n make an array
      // and an empty unmarked table is an object.
      bool is_array = HasMeta(L, idx, &kArrayMeta);
      bool is_object = HasMeta(L, idx, &kObjectMeta);
      size_t n = lua_objlen(L, idx);
      if (!is_array && !is_object) {
        size_t count = 0;
        bool only_ints = true;
        lua_pushnil(L);
        while (lua_next(L, idx) != 0) {
          ++count;
          if (lua_type(L, -2) != LUA_TNUMBER) only_ints = false;
          lua_pop(L, 1);
        }
        is_array = count > 0 && only_ints && count == n;
      }
      if (is_array) {
        out->push_back('[');
        for (size_t i = 1; i <= n; ++i) {
          if (i > 1) out->push_back(',');
          lua_rawgeti(L, idx, static_cast<int>(i));
          bool ok = EncodeJson(L, -1, depth + 1, out, error, budget);
          lua_pop(L, 1);
          if (!ok) return false;
        }
        out->push_back(']');
        return true;
      }
      out->push_back('{');
      bool first = true;
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        std::string key;
        if (lua_type(L, -2) == LUA_TSTRING) {
          size_t kn = 0;
          const char* k = lua_tolstring(L, -2, &kn);
          key.assign(k, kn);
        } else if (lua_type(L, -2) == LUA_TNUMBER) {
          AppendJsonNumber(&key, lua_tonumber(L, -2));  // mixed tables: numeric keys as text
        } else {
          lua_pop(L, 2);
          *error = std::string("object key of type ") + lua_typename(L, lua_type(L, -2)) +
                   " cannot be encoded";
          return false;
        }
        if (!IsValidUtf8(key)) {
          lua_pop(L, 2);
          *error = "object key is not valid UTF-8";
          return false;
        }
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, key);
        out->push_back(':');
        if (!EncodeJson(L, -1, depth + 1, out, error, budget)) {
          lua_pop(L, 2);
          return false;
        }
        lua_pop(L, 1);
      }
      out->push_back('}');
      return true;
    }
    default:
      break;
  }
  *error = std::string("a value of type ") + luaL_typename(L, idx) + " cannot be encoded as JSON";
  return false;
}

int LuaJsonEncode(lua_State* L) {
  luaL_checkany(L, 1);
  std::string out, error;
  EncodeBudget budget{GetState(L)};
  if (!EncodeJson(L, 1, 0, &out, &error, &budget)) {
    if (budget.state->tripped != LuaTransform::State::Tripped::kNone) CheckLuaLimits(L);
    return luaL_error(L, "json.encode: %s", error.c_str());
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

int LuaJsonDecode(lua_State* L) {
  size_t n = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  auto* state = GetState(L);
  simdjson::dom::element e;
  if (auto err = state->parser.parse(s, n).get(e); err) {
    return luaL_error(L, "json.decode: %s", simdjson::error_message(err));
  }
  std::string error;
  if (!PushJson(L, e, 0, &error)) return luaL_error(L, "json.decode: %s", error.c_str());
  return 1;
}

int LuaJsonMark(lua_State* L, char* key) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  SetMeta(L, key);
  return 1;
}
int LuaJsonArray(lua_State* L) { return LuaJsonMark(L, &kArrayMeta); }
int LuaJsonObject(lua_State* L) { return LuaJsonMark(L, &kObjectMeta); }

// The input of one call, built inside the protected call: converting a large batch may hit the
// memory limit, and a Lua error outside any protected call would abort the process.
struct CallInput {
  LuaTransform::State* state;
  const std::vector<Event>* events;
  std::string error;  // set when an event cannot be converted
};

// pcall'ed with a CallInput: transform(events) -> result, or nothing when input.error is set.
int CallTransform(lua_State* L) {
  auto* in = static_cast<CallInput*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  lua_getglobal(L, "transform");
  lua_createtable(L, static_cast<int>(in->events->size()), 0);
  for (size_t i = 0; i < in->events->size(); ++i) {
    simdjson::dom::element e;
    if (auto err = in->state->parser.parse((*in->events)[i].json).get(e); err) {
      in->error = "event " + std::to_string(i) + " is not JSON: " + simdjson::error_message(err);
      return 0;
    }
    std::string error;
    if (!PushJson(L, e, 0, &error)) {
      in->error = "event " + std::to_string(i) + ": " + error;
      return 0;
    }
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  SetMeta(L, &kArrayMeta);
  lua_call(L, 1, 1);
  return 1;
}

void OpenLibrary(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

void RemoveGlobal(lua_State* L, const char* table, const char* name) {
  if (table == nullptr) {
    lua_pushnil(L);
    lua_setglobal(L, name);
    return;
  }
  lua_getglobal(L, table);
  lua_pushnil(L);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

}  // namespace

void CheckLuaLimits(lua_State* L) {
  LuaTransform::State* s = GetState(L);
  if (!s->LimitReached()) return;
  // From now on every instruction raises again: a pcall, xpcall or coroutine.resume that
  // catches this error only gets back to Lua code, whose next instruction raises it once more,
  // until the error reaches the call's own protected call.
  lua_sethook(L, &LuaTransform::State::Hook, LUA_MASKCOUNT, 1);
  luaL_error(L, s->tripped == LuaTransform::State::Tripped::kTime
                    ? "time limit exceeded"
                    : "interrupted: the task is stopping");
}

Result<std::unique_ptr<LuaTransform>> LuaTransform::Create(const LuaOptions& options) {
  if (options.timeout.count() <= 0) return Fail(InvalidArgument("lua.timeout_ms must be > 0"));
  if (options.memory_limit_bytes < (1u << 20)) {
    return Fail(InvalidArgument("lua memory limit must be at least 1 MiB"));
  }
  if (!options.code.empty() && options.code[0] == LUA_SIGNATURE[0]) {
    return Fail(InvalidArgument("lua.code: precompiled bytecode is not accepted"));
  }
  auto state = std::make_unique<State>();
  state->options = options;
  state->L = lua_newstate(&State::Alloc, state.get());
  if (state->L == nullptr) return Fail(Internal("cannot create a Lua state"));
  lua_State* L = state->L;
  luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);

  OpenLibrary(L, luaopen_base, "");
  OpenLibrary(L, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(L, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(L, luaopen_math, LUA_MATHLIBNAME);
  OpenLibrary(L, luaopen_bit, LUA_BITLIBNAME);
  for (const char* name : {"load", "loadstring", "dofile", "loadfile", "print", "getfenv",
                           "setfenv", "collectgarbage", "module", "require", "newproxy"}) {
    RemoveGlobal(L, nullptr, name);
  }
  RemoveGlobal(L, LUA_STRLIBNAME, "dump");
  lua_getglobal(L, LUA_STRLIBNAME);
  InstallBoundedStringMatching(L);
  lua_pop(L, 1);

  lua_pushlightuserdata(L, &kStateKey);
  lua_pushlightuserdata(L, state.get());
  lua_rawset(L, LUA_REGISTRYINDEX);
  for (char* key : {&kArrayMeta, &kObjectMeta}) {
    lua_pushlightuserdata(L, key);
    lua_newtable(L);
    lua_rawset(L, LUA_REGISTRYINDEX);
  }
  lua_newtable(L);
  PushNull(L);
  lua_setfield(L, -2, "null");
  lua_pushcfunction(L, LuaJsonEncode);
  lua_setfield(L, -2, "encode");
  lua_pushcfunction(L, LuaJsonDecode);
  lua_setfield(L, -2, "decode");
  lua_pushcfunction(L, LuaJsonArray);
  lua_setfield(L, -2, "array");
  lua_pushcfunction(L, LuaJsonObject);
  lua_setfield(L, -2, "object");
  lua_setglobal(L, "json");

  state->limit_armed = true;
  // The chunk runs under the same limits as a call: validating a task must end, too.
  state->Arm();
  if (luaL_loadbuffer(L, options.code.data(), options.code.size(), "=transform") != 0 ||
      lua_pcall(L, 0, 0, 0) != 0) {
    if (state->tripped == State::Tripped::kTime) {
      return Fail(InvalidArgument("lua.code: running the chunk exceeded the time limit of " +
                                  std::to_string(options.timeout.count()) + " ms"));
    }
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "unknown error";
    return Fail(InvalidArgument("lua.code: " + msg));
  }
  lua_getglobal(L, "transform");
  bool is_function = lua_isfunction(L, -1);
  lua_pop(L, 1);
  if (!is_function) {
    return Fail(InvalidArgument("lua.code: must define a global function transform(events)"));
  }
  return std::unique_ptr<LuaTransform>(new LuaTransform(std::move(state)));
}

LuaTransform::LuaTransform(std::unique_ptr<State> state) : state_(std::move(state)) {}
LuaTransform::~LuaTransform() = default;

void LuaTransform::Interrupt() { state_->interrupted.store(true, std::memory_order_relaxed); }

Result<std::vector<Event>> LuaTransform::Apply(std::vector<Event> events) {
  lua_State* L = state_->L;
  lua_settop(L, 0);
  if (state_->interrupted.load(std::memory_order_relaxed)) {
    return Fail(ErrorCode::kCancelled, "lua: transform interrupted: the task is stopping");
  }
  state_->Arm();
  auto finish = [&](Error e) {
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    return Fail(std::move(e));
  };
  auto limit_error = [&] {
    if (state_->tripped == State::Tripped::kInterrupt) {
      return finish(
          Error(ErrorCode::kCancelled, "lua: transform interrupted: the task is stopping"));
    }
    return finish(InvalidArgument("lua: transform exceeded its time limit of " +
                                  std::to_string(state_->options.timeout.count()) +
                                  " ms (time in library functions such as string.find counts)"));
  };

  CallInput input{state_.get(), &events, {}};
  lua_pushcfunction(L, CallTransform);
  lua_pushlightuserdata(L, &input);
  int rc = lua_pcall(L, 1, 1, 0);
  if (rc != 0) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "unknown error";
    if (state_->tripped != State::Tripped::kNone) return limit_error();
    if (rc == LUA_ERRMEM) {
      return finish(InvalidArgument("lua: transform exceeded its memory limit of " +
                                    std::to_string(state_->options.memory_limit_bytes) + " bytes"));
    }
    return finish(InvalidArgument("lua: transform failed: " + msg));
  }
  if (!input.error.empty()) return finish(InvalidArgument("lua: " + input.error));
  std::string error;
  if (!lua_istable(L, -1) || HasMeta(L, -1, &kObjectMeta)) {
    return finish(InvalidArgument(
        std::string("lua: transform must return an array of events, got ") + luaL_typename(L, -1)));
  }
  std::vector<Event> out;
  size_t n = lua_objlen(L, -1);
  out.reserve(n);
  for (size_t i = 1; i <= n; ++i) {
    lua_rawgeti(L, -1, static_cast<int>(i));
    std::string json;
    if (lua_isnil(L, -1)) {
      return finish(InvalidArgument("lua: result element " + std::to_string(i) + " is nil"));
    }
    EncodeBudget budget{state_.get()};
    if (!EncodeJson(L, -1, 0, &json, &error, &budget)) {
      if (state_->tripped != State::Tripped::kNone) return limit_error();
      return finish(InvalidArgument("lua: result element " + std::to_string(i) + ": " + error));
    }
    lua_pop(L, 1);
    out.push_back(Event{std::move(json), {}, {}});
  }
  lua_settop(L, 0);
  AssignBatchIds(events, &out);
  return out;
}

}  // namespace inflow::transform
