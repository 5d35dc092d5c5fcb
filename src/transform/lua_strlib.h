// Bounded string.find / match / gmatch / gsub for the Lua sandbox (internal to lua.cc).
//
// Lua patterns backtrack: `string.find(string.rep('a', 5000), string.rep('a*', 50) .. 'b')`
// takes longer than the universe, and a plain find is O(text × needle). A count hook cannot
// interrupt a C function, so lua_strlib.cc implements these four functions itself (written from
// the Lua 5.1 Reference Manual, §5.4 and §5.4.1: same syntax, captures, errors and results as
// LuaJIT's, checked by a differential test) with its work counted: every few thousand steps it
// calls CheckLuaLimits, which raises the step's limit error once the time limit has passed or
// the step is interrupted. Nesting deeper than 200 quantified items fails with "pattern too
// complex" instead of growing the C stack.
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
