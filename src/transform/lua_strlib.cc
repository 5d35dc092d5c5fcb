// string.find / match / gmatch / gsub for the Lua sandbox, written for inflow from the pattern
// specification in the Lua 5.1 Reference Manual (§5.4, §5.4.1).
//
// A pattern is compiled once into a flat item list (one item per pattern element, sets as
// 256-bit maps), then matched by a backtracking walker that charges one work unit per step and
// calls CheckLuaLimits every kLuaWorkQuantum units. CheckLuaLimits raises a Lua error, which
// longjmps through these frames: everything here is plain data on the C stack or in Lua
// userdata, never an object with a destructor. Only quantified items recurse, and the depth is
// capped (kMaxDepth), so no pattern can exhaust the C stack.
//
// Malformed patterns are reported when the walk reaches the bad element (a fault item), the way
// the stock functions behave: `string.find("", "a[")` finds nothing rather than failing.
#include "transform/lua_strlib.h"

#include <cstdint>
#include <cstring>
#include <luajit-2.1/lua.hpp>

namespace inflow::transform {
namespace {

constexpr int kMaxCaptures = 32;
constexpr int kMaxDepth = 200;
constexpr size_t kNoMatch = SIZE_MAX;
constexpr size_t kCompareChunk = 64;

// Counts work and lets the step's limits interrupt it.
struct Meter {
  lua_State* L;
  size_t units;
};

void Charge(Meter* m, size_t units) {
  m->units += units;
  if (m->units >= kLuaWorkQuantum) {
    m->units = 0;
    CheckLuaLimits(m->L);
  }
}

// ASCII only, independent of the C locale (as LuaJIT's classes are).
bool IsLowerAscii(unsigned c) { return c >= 'a' && c <= 'z'; }
bool IsUpperAscii(unsigned c) { return c >= 'A' && c <= 'Z'; }
bool IsAlphaAscii(unsigned c) { return IsLowerAscii(c) || IsUpperAscii(c); }
bool IsDigitAscii(unsigned c) { return c >= '0' && c <= '9'; }
bool IsAlnumAscii(unsigned c) { return IsAlphaAscii(c) || IsDigitAscii(c); }

// Whether `letter` (either case) names a class: %a %c %d %l %p %s %u %w %x %z.
bool IsClassLetter(unsigned letter) {
  if (!IsAlphaAscii(letter)) return false;
  switch (letter | 0x20) {
    case 'a':
    case 'c':
    case 'd':
    case 'l':
    case 'p':
    case 's':
    case 'u':
    case 'w':
    case 'x':
    case 'z':
      return true;
    default:
      return false;
  }
}

// Membership of `c` in the class named by `letter`; upper case is the complement.
bool InClass(unsigned letter, unsigned c) {
  bool in = false;
  switch (letter | 0x20) {
    case 'a':
      in = IsAlphaAscii(c);
      break;
    case 'c':
      in = c < 32 || c == 127;
      break;
    case 'd':
      in = IsDigitAscii(c);
      break;
    case 'l':
      in = IsLowerAscii(c);
      break;
    case 'p':
      in = c > 32 && c < 127 && !IsAlnumAscii(c);
      break;
    case 's':
      in = c == ' ' || (c >= '\t' && c <= '\r');
      break;
    case 'u':
      in = IsUpperAscii(c);
      break;
    case 'w':
      in = IsAlnumAscii(c);
      break;
    case 'x':
      in = IsDigitAscii(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
      break;
    case 'z':
      in = c == 0;
      break;
    default:
      break;
  }
  return IsUpperAscii(letter) ? !in : in;
}

struct CharSet {
  uint32_t bits[8];
};

void AddChar(CharSet* set, unsigned c) { set->bits[c >> 5] |= 1u << (c & 31); }
bool HasChar(const CharSet& set, unsigned c) { return (set.bits[c >> 5] >> (c & 31)) & 1u; }

// `%e` inside or outside a set: a class, or else the character itself.
void AddEscape(CharSet* set, unsigned e) {
  if (!IsClassLetter(e)) {
    AddChar(set, e);
    return;
  }
  for (unsigned c = 0; c < 256; ++c) {
    if (InClass(e, c)) AddChar(set, c);
  }
}

enum class Op : uint8_t {
  kChar,       // a: the character
  kAny,        // .
  kClass,      // a: the class letter
  kSet,        // set: index into the program's sets
  kOpen,       // a: capture index
  kPosition,   // a: capture index
  kClose,      // a: capture index
  kBackref,    // a: capture index (checked at compile time to be closed here)
  kBalance,    // %b with a = open, b = close
  kFrontier,   // %f, set: index
  kEndAnchor,  // $ as the last pattern character
  kFault,      // a: Fault; raised when the walk reaches it
};

enum class Rep : uint8_t { kOne, kStar, kPlus, kMinus, kOptional };

enum Fault : uint8_t {
  kEndsWithPercent,
  kMissingBracket,
  kFrontierWithoutSet,
  kBadCaptureIndex,
  kBadPatternCapture,
  kTooManyCaptures,
  kBalanceArguments,
};

const char* FaultMessage(uint8_t fault) {
  switch (fault) {
    case kEndsWithPercent:
      return "malformed pattern (ends with '%')";
    case kMissingBracket:
      return "malformed pattern (missing ']')";
    case kFrontierWithoutSet:
      return "missing '[' after '%f' in pattern";
    case kBadCaptureIndex:
      return "invalid capture index";
    case kBadPatternCapture:
      return "invalid pattern capture";
    case kTooManyCaptures:
      return "too many captures";
    default:
      return "unbalanced pattern";
  }
}

struct Item {
  Op op;
  Rep rep;
  uint8_t a;
  uint8_t b;
  uint32_t set;
};

// State of each capture where the pattern ends (all static: captures open in pattern order).
enum CaptureKind : uint8_t { kUnfinished, kClosed, kPositionCapture };

// Header of the compiled pattern, a Lua userdata (no destructor, collected by Lua); its items
// and then its sets follow it in the same block.
struct Program {
  size_t item_capacity;
  uint32_t item_count;
  bool anchored;
  uint8_t captures;
  uint8_t kind[kMaxCaptures];
};

Item* Items(Program* p) { return reinterpret_cast<Item*>(p + 1); }
const Item* Items(const Program* p) { return reinterpret_cast<const Item*>(p + 1); }
CharSet* Sets(Program* p) { return reinterpret_cast<CharSet*>(Items(p) + p->item_capacity); }
const CharSet* Sets(const Program* p) {
  return reinterpret_cast<const CharSet*>(Items(p) + p->item_capacity);
}

struct Compiler {
  Meter* meter;
  const unsigned char* p;
  size_t n;
  size_t i;
  Program* prog;
  Item* items;
  CharSet* sets;
  uint32_t set_count;
  uint8_t open[kMaxCaptures];  // indexes of the open (non-position) captures, innermost last
  int open_count;
};

void Emit(Compiler* c, Op op, uint8_t a = 0, uint8_t b = 0, uint32_t set = 0) {
  c->items[c->prog->item_count++] = Item{op, Rep::kOne, a, b, set};
}

// Parses the set whose '[' is at c->i into a new CharSet; false (fault emitted) if unclosed.
bool CompileSet(Compiler* c, uint32_t* index) {
  size_t j = c->i + 1;
  bool negate = j < c->n && c->p[j] == '^';
  if (negate) ++j;
  // The first element is taken even when it is ']', so "[]]" is the set of ']'.
  size_t close = j;
  do {
    if (close >= c->n) {
      Emit(c, Op::kFault, kMissingBracket);
      return false;
    }
    if (c->p[close++] == '%' && close < c->n) ++close;
  } while (close >= c->n || c->p[close] != ']');

  CharSet* set = &c->sets[c->set_count];
  std::memset(set, 0, sizeof(*set));
  for (size_t k = j; k < close;) {
    Charge(c->meter, 16);  // a class or range fills up to 256 bits
    unsigned ch = c->p[k];
    if (ch == '%') {
      AddEscape(set, c->p[k + 1]);
      k += 2;
    } else if (k + 2 < close && c->p[k + 1] == '-') {
      for (unsigned x = ch; x <= c->p[k + 2]; ++x) AddChar(set, x);
      k += 3;
    } else {
      AddChar(set, ch);
      ++k;
    }
  }
  if (negate) {
    for (uint32_t& w : set->bits) w = ~w;
  }
  *index = c->set_count++;
  c->i = close + 1;
  return true;
}

// Compiles one single-character class at c->i (char, '.', %x, set) plus its quantifier.
bool CompileSingle(Compiler* c) {
  unsigned ch = c->p[c->i];
  Item item{Op::kChar, Rep::kOne, static_cast<uint8_t>(ch), 0, 0};
  if (ch == '.') {
    item.op = Op::kAny;
    ++c->i;
  } else if (ch == '%') {
    if (c->i + 1 >= c->n) {
      Emit(c, Op::kFault, kEndsWithPercent);
      return false;
    }
    unsigned e = c->p[c->i + 1];
    item.op = IsClassLetter(e) ? Op::kClass : Op::kChar;
    item.a = static_cast<uint8_t>(e);
    c->i += 2;
  } else if (ch == '[') {
    if (!CompileSet(c, &item.set)) return false;
    item.op = Op::kSet;
  } else {
    ++c->i;
  }
  if (c->i < c->n) {
    switch (c->p[c->i]) {
      case '*':
        item.rep = Rep::kStar;
        break;
      case '+':
        item.rep = Rep::kPlus;
        break;
      case '-':
        item.rep = Rep::kMinus;
        break;
      case '?':
        item.rep = Rep::kOptional;
        break;
      default:
        break;
    }
    if (item.rep != Rep::kOne) ++c->i;
  }
  c->items[c->prog->item_count++] = item;
  return true;
}

// Compiles one element at c->i; false once a fault item ends the program.
bool CompileElement(Compiler* c) {
  Program* prog = c->prog;
  unsigned ch = c->p[c->i];
  if (ch == '(') {
    if (prog->captures == kMaxCaptures) {
      Emit(c, Op::kFault, kTooManyCaptures);
      return false;
    }
    uint8_t index = prog->captures++;
    if (c->i + 1 < c->n && c->p[c->i + 1] == ')') {
      prog->kind[index] = kPositionCapture;
      Emit(c, Op::kPosition, index);
      c->i += 2;
    } else {
      prog->kind[index] = kUnfinished;
      c->open[c->open_count++] = index;
      Emit(c, Op::kOpen, index);
      ++c->i;
    }
    return true;
  }
  if (ch == ')') {
    if (c->open_count == 0) {
      Emit(c, Op::kFault, kBadPatternCapture);
      return false;
    }
    uint8_t index = c->open[--c->open_count];
    prog->kind[index] = kClosed;
    Emit(c, Op::kClose, index);
    ++c->i;
    return true;
  }
  if (ch == '$' && c->i + 1 == c->n) {
    Emit(c, Op::kEndAnchor);
    ++c->i;
    return true;
  }
  if (ch == '%' && c->i + 1 < c->n) {
    unsigned e = c->p[c->i + 1];
    if (e == 'b') {
      if (c->i + 3 >= c->n) {
        Emit(c, Op::kFault, kBalanceArguments);
        return false;
      }
      Emit(c, Op::kBalance, c->p[c->i + 2], c->p[c->i + 3]);
      c->i += 4;
      return true;
    }
    if (e == 'f') {
      c->i += 2;
      uint32_t set = 0;
      if (c->i >= c->n || c->p[c->i] != '[') {
        Emit(c, Op::kFault, kFrontierWithoutSet);
        return false;
      }
      if (!CompileSet(c, &set)) return false;
      Emit(c, Op::kFrontier, 0, 0, set);
      return true;
    }
    if (IsDigitAscii(e)) {
      int index = static_cast<int>(e) - '1';
      if (index < 0 || index >= prog->captures || prog->kind[index] == kUnfinished) {
        Emit(c, Op::kFault, kBadCaptureIndex);
        return false;
      }
      Emit(c, Op::kBackref, static_cast<uint8_t>(index));
      c->i += 2;
      return true;
    }
  }
  return CompileSingle(c);
}

// Compiles `pattern` into a new userdata pushed on the stack. `^` anchors only where
// `allow_anchor` (not in gmatch, where it is an ordinary character).
const Program* Compile(lua_State* L, Meter* meter, const char* pattern, size_t n,
                       bool allow_anchor) {
  const auto* p = reinterpret_cast<const unsigned char*>(pattern);
  size_t set_capacity = 0;
  for (size_t k = 0; k < n; ++k) set_capacity += p[k] == '[';
  size_t item_capacity = n + 1;
  Charge(meter, n);
  auto* prog = static_cast<Program*>(lua_newuserdata(
      L, sizeof(Program) + item_capacity * sizeof(Item) + set_capacity * sizeof(CharSet)));
  std::memset(prog, 0, sizeof(Program));
  prog->item_capacity = item_capacity;
  Compiler c{meter, p, n, 0, prog, Items(prog), Sets(prog), 0, {}, 0};
  if (allow_anchor && n > 0 && p[0] == '^') {
    prog->anchored = true;
    c.i = 1;
  }
  while (c.i < n && CompileElement(&c)) {
  }
  return prog;
}

struct Capture {
  size_t start;
  size_t len;
};

struct Matcher {
  Meter meter;
  const unsigned char* s;
  size_t n;
  const Program* prog;
  const Item* items;
  const CharSet* sets;
  int depth;
  Capture caps[kMaxCaptures];
};

bool Single(const Matcher& m, const Item& item, size_t pos) {
  if (pos >= m.n) return false;
  unsigned c = m.s[pos];
  switch (item.op) {
    case Op::kChar:
      return c == item.a;
    case Op::kAny:
      return true;
    case Op::kClass:
      return InClass(item.a, c);
    default:
      return HasChar(m.sets[item.set], c);
  }
}

size_t MatchFrom(Matcher* m, size_t pos, uint32_t k);

size_t Greedy(Matcher* m, const Item& item, size_t pos, uint32_t k) {
  size_t count = 0;
  while (Single(*m, item, pos + count)) {
    ++count;
    Charge(&m->meter, 1);
  }
  size_t min = item.rep == Rep::kPlus ? 1 : 0;
  for (size_t c = count + 1; c-- > min;) {
    size_t end = MatchFrom(m, pos + c, k + 1);
    if (end != kNoMatch) return end;
  }
  return kNoMatch;
}

size_t Lazy(Matcher* m, const Item& item, size_t pos, uint32_t k) {
  for (;;) {
    size_t end = MatchFrom(m, pos, k + 1);
    if (end != kNoMatch) return end;
    if (!Single(*m, item, pos)) return kNoMatch;
    ++pos;
  }
}

size_t Balance(Matcher* m, const Item& item, size_t pos) {
  if (pos >= m->n || m->s[pos] != item.a) return kNoMatch;
  size_t open = 1;
  for (size_t i = pos + 1; i < m->n; ++i) {
    Charge(&m->meter, 1);
    // The closer is tested first, so %b'' pairs each quote with the next one.
    if (m->s[i] == item.b) {
      if (--open == 0) return i + 1;
    } else if (m->s[i] == item.a) {
      ++open;
    }
  }
  return kNoMatch;
}

bool SameBytes(Meter* meter, const unsigned char* a, const unsigned char* b, size_t n) {
  for (size_t off = 0; off < n; off += kCompareChunk) {
    size_t len = n - off < kCompareChunk ? n - off : kCompareChunk;
    Charge(meter, len);
    if (std::memcmp(a + off, b + off, len) != 0) return false;
  }
  return true;
}

// Walks items k.. from subject position pos; returns where the match ends, or kNoMatch.
size_t Walk(Matcher* m, size_t pos, uint32_t k) {
  for (;; ++k) {
    Charge(&m->meter, 1);
    if (k == m->prog->item_count) return pos;
    const Item& item = m->items[k];
    switch (item.op) {
      case Op::kOpen:
        m->caps[item.a].start = pos;
        break;
      case Op::kPosition:
        // A back-reference to a position capture never matches: no subject is this long.
        m->caps[item.a] = Capture{pos, SIZE_MAX};
        break;
      case Op::kClose:
        m->caps[item.a].len = pos - m->caps[item.a].start;
        break;
      case Op::kEndAnchor:
        if (pos != m->n) return kNoMatch;
        break;
      case Op::kBackref: {
        const Capture& cap = m->caps[item.a];
        if (m->n - pos < cap.len || !SameBytes(&m->meter, m->s + cap.start, m->s + pos, cap.len)) {
          return kNoMatch;
        }
        pos += cap.len;
        break;
      }
      case Op::kBalance:
        pos = Balance(m, item, pos);
        if (pos == kNoMatch) return kNoMatch;
        break;
      case Op::kFrontier: {
        unsigned prev = pos == 0 ? 0 : m->s[pos - 1];
        unsigned cur = pos < m->n ? m->s[pos] : 0;
        const CharSet& set = m->sets[item.set];
        if (HasChar(set, prev) || !HasChar(set, cur)) return kNoMatch;
        break;
      }
      case Op::kFault:
        luaL_error(m->meter.L, "%s", FaultMessage(item.a));
        return kNoMatch;
      default:
        switch (item.rep) {
          case Rep::kOne:
            if (!Single(*m, item, pos)) return kNoMatch;
            ++pos;
            break;
          case Rep::kOptional:
            if (Single(*m, item, pos)) {
              size_t end = MatchFrom(m, pos + 1, k + 1);
              if (end != kNoMatch) return end;
            }
            break;
          case Rep::kStar:
          case Rep::kPlus:
            return Greedy(m, item, pos, k);
          case Rep::kMinus:
            return Lazy(m, item, pos, k);
        }
    }
  }
}

size_t MatchFrom(Matcher* m, size_t pos, uint32_t k) {
  if (++m->depth > kMaxDepth) luaL_error(m->meter.L, "pattern too complex");
  size_t end = Walk(m, pos, k);
  --m->depth;
  return end;
}

// Pushes capture `i` of the match [start, end); with no captures, capture 0 is the whole match.
void PushCapture(Matcher* m, int i, size_t start, size_t end) {
  lua_State* L = m->meter.L;
  if (i >= m->prog->captures) {
    if (i != 0) luaL_error(L, "invalid capture index");
    lua_pushlstring(L, reinterpret_cast<const char*>(m->s + start), end - start);
    return;
  }
  switch (m->prog->kind[i]) {
    case kPositionCapture:
      lua_pushinteger(L, static_cast<lua_Integer>(m->caps[i].start + 1));
      return;
    case kUnfinished:
      luaL_error(L, "unfinished capture");
      return;
    default:
      lua_pushlstring(L, reinterpret_cast<const char*>(m->s + m->caps[i].start), m->caps[i].len);
  }
}

// Pushes all captures (or the whole match when there are none and `whole` is set).
int PushCaptures(Matcher* m, size_t start, size_t end, bool whole) {
  int count = m->prog->captures;
  if (count == 0 && !whole) return 0;
  if (count == 0) count = 1;
  luaL_checkstack(m->meter.L, count, "too many captures");
  for (int i = 0; i < count; ++i) PushCapture(m, i, start, end);
  return count;
}

// Compiles the pattern (pushing its userdata) and points `m` at it and the subject.
const Program* CompileFor(lua_State* L, Matcher* m, const char* s, size_t n, const char* p,
                          size_t pn, bool allow_anchor) {
  m->meter = Meter{L, 0};
  m->s = reinterpret_cast<const unsigned char*>(s);
  m->n = n;
  m->depth = 0;
  const Program* prog = Compile(L, &m->meter, p, pn, allow_anchor);
  m->prog = prog;
  m->items = Items(prog);
  m->sets = Sets(prog);
  return prog;
}

// Whether the pattern needs the matcher; without these characters it is plain text.
bool HasSpecials(const char* p, size_t n) {
  static constexpr char kSpecials[] = "^$*+?.([%-";
  for (size_t i = 0; i < n; ++i) {
    if (std::memchr(kSpecials, p[i], sizeof(kSpecials) - 1) != nullptr) return true;
  }
  return false;
}

// Offset of the first `needle` in `hay`, or kNoMatch; every compared byte is charged.
size_t PlainFind(Meter* meter, const char* hay, size_t hn, const char* needle, size_t nn) {
  if (nn == 0) return 0;
  if (nn > hn) return kNoMatch;
  const auto* h = reinterpret_cast<const unsigned char*>(hay);
  const auto* q = reinterpret_cast<const unsigned char*>(needle);
  size_t last = hn - nn;
  for (size_t at = 0; at <= last;) {
    const void* hit = std::memchr(h + at, q[0], last - at + 1);
    if (hit == nullptr) {
      Charge(meter, last - at + 1);
      return kNoMatch;
    }
    size_t next = static_cast<size_t>(static_cast<const unsigned char*>(hit) - h);
    Charge(meter, next - at + 1);
    if (SameBytes(meter, h + next + 1, q + 1, nn - 1)) return next;
    at = next + 1;
  }
  return kNoMatch;
}

// 0-based start for find/match's init (1-based; negative counts from the end), clamped.
size_t StartOffset(lua_State* L, int arg, size_t n) {
  lua_Integer init = luaL_optinteger(L, arg, 1);
  if (init < 0) init += static_cast<lua_Integer>(n) + 1;
  if (init < 1) init = 1;
  if (static_cast<size_t>(init) > n + 1) init = static_cast<lua_Integer>(n) + 1;
  return static_cast<size_t>(init) - 1;
}

int FindOrMatch(lua_State* L, bool find) {
  size_t n = 0;
  size_t pn = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  const char* p = luaL_checklstring(L, 2, &pn);
  size_t start = StartOffset(L, 3, n);
  if (find && (lua_toboolean(L, 4) || !HasSpecials(p, pn))) {
    Meter meter{L, 0};
    size_t at = PlainFind(&meter, s + start, n - start, p, pn);
    if (at == kNoMatch) {
      lua_pushnil(L);
      return 1;
    }
    lua_pushinteger(L, static_cast<lua_Integer>(start + at + 1));
    lua_pushinteger(L, static_cast<lua_Integer>(start + at + pn));
    return 2;
  }
  Matcher m{};
  const Program* prog = CompileFor(L, &m, s, n, p, pn, true);
  size_t pos = start;
  do {
    size_t end = MatchFrom(&m, pos, 0);
    if (end != kNoMatch) {
      if (!find) return PushCaptures(&m, pos, end, true);
      lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
      lua_pushinteger(L, static_cast<lua_Integer>(end));
      return 2 + PushCaptures(&m, pos, end, false);
    }
  } while (pos++ < n && !prog->anchored);
  lua_pushnil(L);
  return 1;
}

int Find(lua_State* L) { return FindOrMatch(L, true); }
int MatchFn(lua_State* L) { return FindOrMatch(L, false); }

// Iterator of gmatch; upvalues: subject, pattern, compiled program, next start offset.
int GmatchStep(lua_State* L) {
  size_t n = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(1), &n);
  Matcher m{};
  m.meter = Meter{L, 0};
  m.s = reinterpret_cast<const unsigned char*>(s);
  m.n = n;
  m.prog = static_cast<const Program*>(lua_touserdata(L, lua_upvalueindex(3)));
  m.items = Items(m.prog);
  m.sets = Sets(m.prog);
  for (auto pos = static_cast<size_t>(lua_tointeger(L, lua_upvalueindex(4))); pos <= n; ++pos) {
    size_t end = MatchFrom(&m, pos, 0);
    if (end != kNoMatch) {
      // An empty match moves the next search one character on, so the loop ends.
      lua_pushinteger(L, static_cast<lua_Integer>(end == pos ? end + 1 : end));
      lua_replace(L, lua_upvalueindex(4));
      return PushCaptures(&m, pos, end, true);
    }
  }
  return 0;
}

int Gmatch(lua_State* L) {
  size_t n = 0;
  size_t pn = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  const char* p = luaL_checklstring(L, 2, &pn);
  lua_settop(L, 2);
  Matcher m{};
  CompileFor(L, &m, s, n, p, pn, false);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, GmatchStep, 4);
  return 1;
}

// Appends the expansion of the replacement string (%0 whole match, %1-%9 captures) for the
// match [start, end).
void AddTemplate(Matcher* m, luaL_Buffer* b, const char* repl, size_t rn, size_t start,
                 size_t end) {
  for (size_t i = 0; i < rn; ++i) {
    Charge(&m->meter, 1);
    char c = repl[i];
    if (c != '%') {
      luaL_addchar(b, c);
      continue;
    }
    // As in LuaJIT (Lua 5.1), '%' before a non-digit stands for that character, and a final
    // '%' for a NUL byte; this is not an error.
    ++i;
    char e = i < rn ? repl[i] : '\0';
    if (!IsDigitAscii(static_cast<unsigned char>(e))) {
      luaL_addchar(b, e);
    } else if (e == '0') {
      luaL_addlstring(b, reinterpret_cast<const char*>(m->s + start), end - start);
    } else {
      PushCapture(m, e - '1', start, end);
      luaL_addvalue(b);
    }
  }
}

// Appends the replacement of the match [start, end) for a table or function `repl` (arg 3).
void AddLookup(Matcher* m, luaL_Buffer* b, int repl_type, size_t start, size_t end) {
  lua_State* L = m->meter.L;
  if (repl_type == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    int count = PushCaptures(m, start, end, true);
    lua_call(L, count, 1);
  } else {
    PushCapture(m, 0, start, end);
    lua_gettable(L, 3);
  }
  if (!lua_toboolean(L, -1)) {  // false or nil keeps the original text
    lua_pop(L, 1);
    luaL_addlstring(b, reinterpret_cast<const char*>(m->s + start), end - start);
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  } else {
    luaL_addvalue(b);
  }
}

int Gsub(lua_State* L) {
  size_t n = 0;
  size_t pn = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  const char* p = luaL_checklstring(L, 2, &pn);
  int repl_type = lua_type(L, 3);
  luaL_argcheck(L,
                repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING ||
                    repl_type == LUA_TFUNCTION || repl_type == LUA_TTABLE,
                3, "string/function/table expected");
  lua_Integer max = luaL_optinteger(L, 4, static_cast<lua_Integer>(n) + 1);
  size_t rn = 0;
  const char* repl = nullptr;
  if (repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING) repl = lua_tolstring(L, 3, &rn);
  lua_settop(L, 3);
  Matcher m{};
  const Program* prog = CompileFor(L, &m, s, n, p, pn, true);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t pos = 0;
  lua_Integer count = 0;
  while (count < max) {
    size_t end = MatchFrom(&m, pos, 0);
    if (end != kNoMatch) {
      ++count;
      if (repl != nullptr) {
        AddTemplate(&m, &b, repl, rn, pos, end);
      } else {
        AddLookup(&m, &b, repl_type, pos, end);
      }
    }
    if (end != kNoMatch && end > pos) {
      pos = end;
    } else if (pos < n) {
      luaL_addchar(&b, s[pos++]);
    } else {
      break;
    }
    if (prog->anchored) break;
  }
  luaL_addlstring(&b, s + pos, n - pos);
  luaL_pushresult(&b);
  lua_pushinteger(L, count);
  return 2;
}

}  // namespace

void InstallBoundedStringMatching(lua_State* L) {
  const luaL_Reg functions[] = {
      {"find", Find}, {"match", MatchFn}, {"gmatch", Gmatch}, {"gsub", Gsub}};
  for (const luaL_Reg& f : functions) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
}

}  // namespace inflow::transform
