// A port of the pattern functions of LuaJIT 2.1's lib_string.c (MIT licence, Copyright (C)
// 2005-2023 Mike Pall; derived from Lua 5.1's lstrlib.c, Copyright (C) 1994-2008 Lua.org,
// PUC-Rio), with the matcher's work counted. Only what limits the work differs from the
// original; no C++ object with a destructor lives in a frame a Lua error may unwind.
#include "transform/lua_strlib.h"

#include <cstdint>
#include <cstring>
#include <luajit-2.1/lua.hpp>

namespace inflow::transform {
namespace {

constexpr char kEsc = '%';
constexpr int kMaxCaptures = 32;     // LUA_MAXCAPTURES
constexpr int kMaxMatchDepth = 200;  // LJ_MAX_XLEVEL
constexpr ptrdiff_t kCapUnfinished = -1;
constexpr ptrdiff_t kCapPosition = -2;

inline int Uchar(char c) { return static_cast<unsigned char>(c); }

// LuaJIT's character classes are ASCII only, whatever the C locale.
bool IsCntrl(int c) { return c < 0x20 || c == 0x7f; }
bool IsSpace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsLower(int c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(int c) { return c >= 'A' && c <= 'Z'; }
bool IsAlpha(int c) { return IsLower(c) || IsUpper(c); }
bool IsAlnum(int c) { return IsAlpha(c) || IsDigit(c); }
bool IsPunct(int c) { return c > 0x20 && c < 0x7f && !IsAlnum(c); }
bool IsGraph(int c) { return c > 0x20 && c < 0x7f; }
bool IsXdigit(int c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

struct MatchState {
  const char* src_init;
  const char* src_end;
  lua_State* L;
  int level;  // captures, finished or not
  int depth;
  size_t work;  // units since the last CheckLuaLimits
  struct {
    const char* init;
    ptrdiff_t len;
  } capture[kMaxCaptures];
};

inline void Charge(MatchState* ms, size_t units) {
  ms->work += units;
  if (ms->work >= kLuaWorkQuantum) {
    ms->work = 0;
    CheckLuaLimits(ms->L);
  }
}

int CheckCapture(MatchState* ms, int l) {
  l -= '1';
  if (l < 0 || l >= ms->level || ms->capture[l].len == kCapUnfinished) {
    return luaL_error(ms->L, "invalid capture index");
  }
  return l;
}

int CaptureToClose(MatchState* ms) {
  int level = ms->level;
  for (level--; level >= 0; level--) {
    if (ms->capture[level].len == kCapUnfinished) return level;
  }
  return luaL_error(ms->L, "invalid pattern capture");
}

const char* ClassEnd(MatchState* ms, const char* p) {
  switch (*p++) {
    case kEsc:
      if (*p == '\0') luaL_error(ms->L, "malformed pattern (ends with '%%')");
      return p + 1;
    case '[':
      if (*p == '^') p++;
      do {  // look for a ']'
        if (*p == '\0') luaL_error(ms->L, "malformed pattern (missing ']')");
        if (*(p++) == kEsc && *p != '\0') p++;  // skip escapes (e.g. '%]')
      } while (*p != ']');
      return p + 1;
    default:
      return p;
  }
}

bool MatchClass(int c, int cl) {
  bool res;
  switch (cl | 0x20) {  // lower case
    case 'a':
      res = IsAlpha(c);
      break;
    case 'c':
      res = IsCntrl(c);
      break;
    case 'd':
      res = IsDigit(c);
      break;
    case 'g':
      res = IsGraph(c);
      break;
    case 'l':
      res = IsLower(c);
      break;
    case 'p':
      res = IsPunct(c);
      break;
    case 's':
      res = IsSpace(c);
      break;
    case 'u':
      res = IsUpper(c);
      break;
    case 'w':
      res = IsAlnum(c);
      break;
    case 'x':
      res = IsXdigit(c);
      break;
    case 'z':
      res = (c == 0);
      break;
    default:
      return cl == c;
  }
  if (!IsAlpha(cl)) return cl == c;
  return IsLower(cl) ? res : !res;
}

bool MatchBracketClass(int c, const char* p, const char* ec) {
  bool sig = true;
  if (*(p + 1) == '^') {
    sig = false;
    p++;  // skip the '^'
  }
  while (++p < ec) {
    if (*p == kEsc) {
      p++;
      if (MatchClass(c, Uchar(*p))) return sig;
    } else if (*(p + 1) == '-' && p + 2 < ec) {
      p += 2;
      if (Uchar(*(p - 2)) <= c && c <= Uchar(*p)) return sig;
    } else if (Uchar(*p) == c) {
      return sig;
    }
  }
  return !sig;
}

bool SingleMatch(int c, const char* p, const char* ep) {
  switch (*p) {
    case '.':
      return true;
    case kEsc:
      return MatchClass(c, Uchar(*(p + 1)));
    case '[':
      return MatchBracketClass(c, p, ep - 1);
    default:
      return Uchar(*p) == c;
  }
}

const char* Match(MatchState* ms, const char* s, const char* p);

const char* MatchBalance(MatchState* ms, const char* s, const char* p) {
  if (*p == 0 || *(p + 1) == 0) luaL_error(ms->L, "unbalanced pattern");
  if (*s != *p) return nullptr;
  int b = *p;
  int e = *(p + 1);
  int cont = 1;
  while (++s < ms->src_end) {
    Charge(ms, 1);
    if (*s == e) {
      if (--cont == 0) return s + 1;
    } else if (*s == b) {
      cont++;
    }
  }
  return nullptr;  // string ends out of balance
}

const char* MaxExpand(MatchState* ms, const char* s, const char* p, const char* ep) {
  ptrdiff_t i = 0;
  while (s + i < ms->src_end && SingleMatch(Uchar(*(s + i)), p, ep)) {
    i++;
    Charge(ms, 1);
  }
  while (i >= 0) {  // try the maximum repetitions first
    const char* res = Match(ms, s + i, ep + 1);
    if (res) return res;
    i--;
  }
  return nullptr;
}

const char* MinExpand(MatchState* ms, const char* s, const char* p, const char* ep) {
  for (;;) {
    const char* res = Match(ms, s, ep + 1);
    if (res != nullptr) return res;
    if (s < ms->src_end && SingleMatch(Uchar(*s), p, ep)) {
      s++;  // one more repetition
    } else {
      return nullptr;
    }
  }
}

const char* StartCapture(MatchState* ms, const char* s, const char* p, ptrdiff_t what) {
  int level = ms->level;
  if (level >= kMaxCaptures) luaL_error(ms->L, "too many captures");
  ms->capture[level].init = s;
  ms->capture[level].len = what;
  ms->level = level + 1;
  const char* res = Match(ms, s, p);
  if (res == nullptr) ms->level--;  // undo the capture
  return res;
}

const char* EndCapture(MatchState* ms, const char* s, const char* p) {
  int l = CaptureToClose(ms);
  ms->capture[l].len = s - ms->capture[l].init;  // close the capture
  const char* res = Match(ms, s, p);
  if (res == nullptr) ms->capture[l].len = kCapUnfinished;  // undo the capture
  return res;
}

const char* MatchCapture(MatchState* ms, const char* s, int l) {
  l = CheckCapture(ms, l);
  size_t len = static_cast<size_t>(ms->capture[l].len);
  Charge(ms, len);
  if (static_cast<size_t>(ms->src_end - s) >= len && std::memcmp(ms->capture[l].init, s, len) == 0)
    return s + len;
  return nullptr;
}

const char* Match(MatchState* ms, const char* s, const char* p) {
  if (++ms->depth > kMaxMatchDepth) luaL_error(ms->L, "pattern too complex");
init:  // goto instead of tail recursion, as in the original
  Charge(ms, 1);
  switch (*p) {
    case '(':
      if (*(p + 1) == ')') {  // position capture
        s = StartCapture(ms, s, p + 2, kCapPosition);
      } else {
        s = StartCapture(ms, s, p + 1, kCapUnfinished);
      }
      break;
    case ')':
      s = EndCapture(ms, s, p + 1);
      break;
    case kEsc:
      switch (*(p + 1)) {
        case 'b':  // balanced string
          s = MatchBalance(ms, s, p + 2);
          if (s == nullptr) break;
          p += 4;
          goto init;
        case 'f': {  // frontier
          p += 2;
          if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
          const char* ep = ClassEnd(ms, p);
          char previous = (s == ms->src_init) ? '\0' : *(s - 1);
          if (MatchBracketClass(Uchar(previous), p, ep - 1) ||
              !MatchBracketClass(Uchar(*s), p, ep - 1)) {
            s = nullptr;
            break;
          }
          p = ep;
          goto init;
        }
        default:
          if (IsDigit(Uchar(*(p + 1)))) {  // back reference %0-%9
            s = MatchCapture(ms, s, Uchar(*(p + 1)));
            if (s == nullptr) break;
            p += 2;
            goto init;
          }
          goto dflt;
      }
      break;
    case '\0':  // end of pattern: matched
      break;
    case '$':
      if (*(p + 1) != '\0') goto dflt;  // '$' is an anchor only at the end
      if (s != ms->src_end) s = nullptr;
      break;
    default:
    dflt : {
      const char* ep = ClassEnd(ms, p);
      bool m = s < ms->src_end && SingleMatch(Uchar(*s), p, ep);
      switch (*ep) {
        case '?': {
          const char* res;
          if (m && ((res = Match(ms, s + 1, ep + 1)) != nullptr)) {
            s = res;
            break;
          }
          p = ep + 1;
          goto init;
        }
        case '*':
          s = MaxExpand(ms, s, p, ep);
          break;
        case '+':
          s = m ? MaxExpand(ms, s + 1, p, ep) : nullptr;
          break;
        case '-':
          s = MinExpand(ms, s, p, ep);
          break;
        default:
          if (m) {
            s++;
            p = ep;
            goto init;
          }
          s = nullptr;
          break;
      }
      break;
    }
  }
  ms->depth--;
  return s;
}

void PushOneCapture(MatchState* ms, int i, const char* s, const char* e) {
  if (i >= ms->level) {
    if (i == 0) {
      lua_pushlstring(ms->L, s, static_cast<size_t>(e - s));  // the whole match
    } else {
      luaL_error(ms->L, "invalid capture index");
    }
    return;
  }
  ptrdiff_t l = ms->capture[i].len;
  if (l == kCapUnfinished) luaL_error(ms->L, "unfinished capture");
  if (l == kCapPosition) {
    lua_pushinteger(ms->L, ms->capture[i].init - ms->src_init + 1);
  } else {
    lua_pushlstring(ms->L, ms->capture[i].init, static_cast<size_t>(l));
  }
}

int PushCaptures(MatchState* ms, const char* s, const char* e) {
  int nlevels = (ms->level == 0 && s) ? 1 : ms->level;
  luaL_checkstack(ms->L, nlevels, "too many captures");
  for (int i = 0; i < nlevels; i++) PushOneCapture(ms, i, s, e);
  return nlevels;
}

void InitMatch(MatchState* ms, lua_State* L, const char* s, size_t len) {
  ms->L = L;
  ms->src_init = s;
  ms->src_end = s + len;
  ms->level = 0;
  ms->depth = 0;
  ms->work = 0;
}

bool HasPatternChars(const char* p, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (std::strchr("^$*+?.([%-", p[i]) != nullptr && p[i] != '\0') return true;
  }
  return false;
}

// lj_str_find with its O(text × needle) comparisons counted.
const char* PlainFind(lua_State* L, const char* s, size_t slen, const char* p, size_t plen) {
  if (plen > slen) return nullptr;
  if (plen == 0) return s;
  const char* end = s + (slen - plen) + 1;  // one past the last candidate start
  size_t work = 0;
  while (s < end) {
    const void* q = std::memchr(s, Uchar(*p), static_cast<size_t>(end - s));
    if (q == nullptr) return nullptr;
    const char* c = static_cast<const char*>(q);
    work += static_cast<size_t>(c - s) / 64 + plen;
    if (work >= kLuaWorkQuantum) {
      work = 0;
      CheckLuaLimits(L);
    }
    if (std::memcmp(c + 1, p + 1, plen - 1) == 0) return c;
    s = c + 1;
  }
  return nullptr;
}

int StrFindAux(lua_State* L, bool find) {
  size_t slen = 0;
  size_t plen = 0;
  const char* s = luaL_checklstring(L, 1, &slen);
  const char* p = luaL_checklstring(L, 2, &plen);
  lua_Integer start = luaL_optinteger(L, 3, 1);
  if (start < 0) {
    start += static_cast<lua_Integer>(slen);
  } else {
    start--;
  }
  if (start < 0) start = 0;
  size_t st = static_cast<size_t>(start);
  if (st > slen) st = slen;
  if (find && (lua_toboolean(L, 4) || !HasPatternChars(p, plen))) {
    const char* q = PlainFind(L, s + st, slen - st, p, plen);
    if (q != nullptr) {
      lua_pushinteger(L, q - s + 1);
      lua_pushinteger(L, static_cast<lua_Integer>(q - s + plen));
      return 2;
    }
  } else {
    MatchState ms;
    const char* sstr = s + st;
    bool anchor = false;
    if (*p == '^') {
      p++;
      anchor = true;
    }
    InitMatch(&ms, L, s, slen);
    do {  // try the pattern at each position
      ms.level = 0;
      ms.depth = 0;
      const char* q = Match(&ms, sstr, p);
      if (q != nullptr) {
        if (find) {
          lua_pushinteger(L, sstr - s + 1);
          lua_pushinteger(L, q - s);
          return PushCaptures(&ms, nullptr, nullptr) + 2;
        }
        return PushCaptures(&ms, sstr, q);
      }
    } while (sstr++ < ms.src_end && !anchor);
  }
  lua_pushnil(L);
  return 1;
}

int StrFind(lua_State* L) { return StrFindAux(L, true); }
int StrMatch(lua_State* L) { return StrFindAux(L, false); }

// Upvalues: the string, the pattern and the position to go on from.
int GmatchAux(lua_State* L) {
  size_t slen = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(1), &slen);
  const char* p = lua_tostring(L, lua_upvalueindex(2));
  auto pos = static_cast<size_t>(lua_tointeger(L, lua_upvalueindex(3)));
  MatchState ms;
  InitMatch(&ms, L, s, slen);
  for (const char* src = s + pos; src <= ms.src_end; src++) {
    ms.level = 0;
    ms.depth = 0;
    const char* e = Match(&ms, src, p);
    if (e != nullptr) {
      lua_Integer next = e - s;
      if (e == src) next++;  // an empty match must still advance
      lua_pushinteger(L, next);
      lua_replace(L, lua_upvalueindex(3));
      return PushCaptures(&ms, src, e);
    }
  }
  return 0;
}

int StrGmatch(lua_State* L) {
  luaL_checkstring(L, 1);
  luaL_checkstring(L, 2);
  lua_settop(L, 2);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, GmatchAux, 3);
  return 1;
}

void AddS(MatchState* ms, luaL_Buffer* b, const char* s, const char* e) {
  size_t l = 0;
  const char* news = lua_tolstring(ms->L, 3, &l);
  Charge(ms, l);
  for (size_t i = 0; i < l; i++) {
    if (news[i] != kEsc) {
      luaL_addchar(b, news[i]);
      continue;
    }
    i++;  // skip the escape
    if (!IsDigit(Uchar(news[i]))) {
      luaL_addchar(b, news[i]);
    } else if (news[i] == '0') {
      luaL_addlstring(b, s, static_cast<size_t>(e - s));
    } else {
      PushOneCapture(ms, news[i] - '1', s, e);
      luaL_addvalue(b);
    }
  }
}

void AddValue(MatchState* ms, luaL_Buffer* b, const char* s, const char* e) {
  lua_State* L = ms->L;
  switch (lua_type(L, 3)) {
    case LUA_TNUMBER:
    case LUA_TSTRING:
      AddS(ms, b, s, e);
      return;
    case LUA_TFUNCTION: {
      lua_pushvalue(L, 3);
      int n = PushCaptures(ms, s, e);
      lua_call(L, n, 1);
      break;
    }
    case LUA_TTABLE:
      PushOneCapture(ms, 0, s, e);
      lua_gettable(L, 3);
      break;
    default:
      break;
  }
  if (!lua_toboolean(L, -1)) {  // nil or false: keep the original text
    lua_pop(L, 1);
    lua_pushlstring(L, s, static_cast<size_t>(e - s));
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  }
  luaL_addvalue(b);
}

int StrGsub(lua_State* L) {
  size_t srcl = 0;
  const char* src = luaL_checklstring(L, 1, &srcl);
  const char* p = luaL_checkstring(L, 2);
  int tr = lua_type(L, 3);
  lua_Integer max_s = luaL_optinteger(L, 4, static_cast<lua_Integer>(srcl) + 1);
  bool anchor = false;
  if (*p == '^') {
    p++;
    anchor = true;
  }
  if (!(tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE)) {
    luaL_argerror(L, 3, "string/function/table expected");
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  MatchState ms;
  InitMatch(&ms, L, src, srcl);
  lua_Integer n = 0;
  while (n < max_s) {
    ms.level = 0;
    ms.depth = 0;
    const char* e = Match(&ms, src, p);
    if (e != nullptr) {
      n++;
      AddValue(&ms, &b, src, e);
    }
    if (e != nullptr && e > src) {  // a non-empty match: skip it
      src = e;
    } else if (src < ms.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor) break;
  }
  luaL_addlstring(&b, src, static_cast<size_t>(ms.src_end - src));
  luaL_pushresult(&b);
  lua_pushinteger(L, n);
  return 2;
}

}  // namespace

void InstallBoundedStringMatching(lua_State* L) {
  const luaL_Reg functions[] = {
      {"find", StrFind}, {"match", StrMatch}, {"gmatch", StrGmatch}, {"gsub", StrGsub}};
  for (const luaL_Reg& f : functions) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
}

}  // namespace inflow::transform
