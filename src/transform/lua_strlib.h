// Bounded replacements for LuaJIT's string.find / match / gmatch / gsub (internal to lua.cc).
//
// LuaJIT's pattern matcher backtracks: `string.find(string.rep('a', 5000), string.rep('a*', 50)
// .. 'b')` takes longer than the universe, and a plain find is O(text × needle). A count hook
// cannot interrupt a C function, so these are the same matcher (a port of LuaJIT's
// lib_string.c, itself Lua 5.1's lstrlib.c; same syntax, captures, errors and results) with its
// work counted: every few thousand steps it calls CheckLuaLimits, which raises the step's limit
// error once the time limit has passed or the step is interrupted.
#ifndef INFLOW_TRANSFORM_LUA_STRLIB_H_
#define INFLOW_TRANSFORM_LUA_STRLIB_H_

#include <cstddef>

struct lua_State;

namespace inflow::transform {

// Work units between two CheckLuaLimits calls; a unit is one matcher step or compared byte.
constexpr size_t kLuaWorkQuantum = 4096;

// Defined in lua.cc: raises the limit error (does not return) when the step's time limit has
// passed or it was interrupted; otherwise returns.
void CheckLuaLimits(lua_State* L);

// Replaces find, match, gmatch and gsub in the table at the top of the stack (`string`).
void InstallBoundedStringMatching(lua_State* L);

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_LUA_STRLIB_H_
