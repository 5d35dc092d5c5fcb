#include "jsonpath/iregexp.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <string>

namespace inflow::jsonpath {

namespace {

// Group nesting beyond this is rejected: the parser and the code emitter recurse per group.
constexpr int kMaxGroupDepth = 64;
// Counted repetition bounds above this are rejected before any expansion is attempted.
constexpr int kMaxRepeat = 1000;

struct CharClass {
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;
  uint32_t category_mask = 0;            // \p{..} members: union of ICU general-category masks
  std::vector<uint32_t> excluded_masks;  // \P{..} members: "not in this category"

  bool Matches(char32_t c) const {
    bool in = false;
    for (const auto& [lo, hi] : ranges) {
      if (c >= lo && c <= hi) {
        in = true;
        break;
      }
    }
    if (!in && (category_mask != 0 || !excluded_masks.empty())) {
      uint32_t gc = U_GET_GC_MASK(static_cast<UChar32>(c));
      if ((gc & category_mask) != 0) in = true;
      for (uint32_t m : excluded_masks) {
        if ((gc & m) == 0) {
          in = true;
          break;
        }
      }
    }
    return in != negated;
  }
};

enum class Op : uint8_t { kChar, kAny, kClass, kSplit, kJmp, kMatch, kBegin, kEnd };

struct Inst {
  Op op = Op::kMatch;
  char32_t c = 0;  // kChar
  uint32_t x = 0;  // kSplit/kJmp target; kClass: class index
  uint32_t y = 0;  // kSplit second target
};

// The parsed pattern, before emission (counted repetition re-emits a subtree).
struct Node {
  enum class Kind { kEmpty, kChar, kAny, kClass, kConcat, kAlt, kRepeat, kBegin, kEnd };
  Kind kind = Kind::kEmpty;
  char32_t c = 0;
  uint32_t cls = 0;
  int min = 0;
  int max = -1;  // -1: unbounded
  std::vector<std::unique_ptr<Node>> kids;
};

}  // namespace

struct Regex::Program {
  std::vector<Inst> insts;
  std::vector<CharClass> classes;
};

char32_t DecodeUtf8(std::string_view s, size_t* i) {
  auto b = static_cast<unsigned char>(s[*i]);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < len; ++k) {
    auto cb = static_cast<unsigned char>(s[*i + k]);
    if ((cb & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    c = (c << 6) | (cb & 0x3F);
  }
  *i += len;
  return c;
}

namespace {

class RegexParser {
 public:
  RegexParser(std::string_view s, Regex::Program* prog) : s_(s), prog_(prog) {}

  Result<std::unique_ptr<Node>> ParseAll() {
    INFLOW_TRY(auto node, ParseAlt(0));
    if (pos_ < s_.size()) return Err("unmatched ')'");
    return node;
  }

 private:
  tl::unexpected<Error> Err(const std::string& what) const {
    return Fail(ErrorCode::kInvalidArgument,
                "regex position " + std::to_string(pos_) + ": " + what);
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }

  Result<std::unique_ptr<Node>> ParseAlt(int depth) {
    auto alt = std::make_unique<Node>();
    alt->kind = Node::Kind::kAlt;
    INFLOW_TRY(auto first, ParseBranch(depth));
    alt->kids.push_back(std::move(first));
    while (Peek() == '|' && !AtEnd()) {
      ++pos_;
      INFLOW_TRY(auto next, ParseBranch(depth));
      alt->kids.push_back(std::move(next));
    }
    if (alt->kids.size() == 1) return std::move(alt->kids[0]);
    return alt;
  }

  Result<std::unique_ptr<Node>> ParseBranch(int depth) {
    auto cat = std::make_unique<Node>();
    cat->kind = Node::Kind::kConcat;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      INFLOW_TRY(auto atom, ParseAtom(depth));
      INFLOW_TRY(auto piece, ParseQuantifier(std::move(atom)));
      cat->kids.push_back(std::move(piece));
    }
    return cat;
  }

  Result<std::unique_ptr<Node>> ParseQuantifier(std::unique_ptr<Node> atom) {
    int min = 0;
    int max = -1;
    char c = Peek();
    if (AtEnd()) return atom;
    if (c == '*') {
      ++pos_;
    } else if (c == '+') {
      ++pos_;
      min = 1;
    } else if (c == '?') {
      ++pos_;
      max = 1;
    } else if (c == '{') {
      ++pos_;
      INFLOW_TRY(min, ParseCount());
      if (Peek() == ',') {
        ++pos_;
        if (Peek() != '}') {
          INFLOW_TRY(max, ParseCount());
          if (max < min) return Err("repetition {n,m} with m < n");
        }
      } else {
        max = min;
      }
      if (Peek() != '}' || AtEnd()) return Err("expected '}' to close a repetition");
      ++pos_;
    } else {
      return atom;
    }
    auto rep = std::make_unique<Node>();
    rep->kind = Node::Kind::kRepeat;
    rep->min = min;
    rep->max = max;
    rep->kids.push_back(std::move(atom));
    return rep;
  }

  Result<int> ParseCount() {
    if (!(Peek() >= '0' && Peek() <= '9')) return Err("expected a repetition count");
    int64_t v = 0;
    while (Peek() >= '0' && Peek() <= '9' && !AtEnd()) {
      v = v * 10 + (Peek() - '0');
      if (v > kMaxRepeat) return Err("repetition count above " + std::to_string(kMaxRepeat));
      ++pos_;
    }
    return static_cast<int>(v);
  }

  Result<std::unique_ptr<Node>> ParseAtom(int depth) {
    auto node = std::make_unique<Node>();
    char c = Peek();
    switch (c) {
      case '(': {
        if (depth >= kMaxGroupDepth) return Err("groups nested too deeply");
        ++pos_;
        INFLOW_TRY(auto inner, ParseAlt(depth + 1));
        if (Peek() != ')' || AtEnd()) return Err("expected ')'");
        ++pos_;
        return inner;
      }
      case '.':
        ++pos_;
        node->kind = Node::Kind::kAny;
        return node;
      case '^':
        ++pos_;
        node->kind = Node::Kind::kBegin;
        return node;
      case '$':
        ++pos_;
        node->kind = Node::Kind::kEnd;
        return node;
      case '[':
        return ParseClassExpr();
      case '\\': {
        if (Peek(1) == 'p' || Peek(1) == 'P') {
          CharClass cls;
          INFLOW_RETURN_IF_ERROR(ParseCategoryEscape(&cls));
          return AddClass(std::move(cls));
        }
        INFLOW_TRY(char32_t e, ParseSingleCharEscape());
        node->kind = Node::Kind::kChar;
        node->c = e;
        return node;
      }
      case ')':
      case '*':
      case '+':
      case '?':
      case ']':
      case '{':
      case '}':
      case '|':
        return Err(std::string("unexpected '") + c + "'");
      default:
        node->kind = Node::Kind::kChar;
        node->c = DecodeUtf8(s_, &pos_);
        return node;
    }
  }

  std::unique_ptr<Node> AddClass(CharClass cls) {
    prog_->classes.push_back(std::move(cls));
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kClass;
    node->cls = static_cast<uint32_t>(prog_->classes.size() - 1);
    return node;
  }

  // At a backslash that is not \p or \P.
  Result<char32_t> ParseSingleCharEscape() {
    ++pos_;
    if (AtEnd()) return Err("pattern ends after '\\'");
    char c = Peek();
    switch (c) {
      case 'n':
        ++pos_;
        return U'\n';
      case 'r':
        ++pos_;
        return U'\r';
      case 't':
        ++pos_;
        return U'\t';
      case '(':
      case ')':
      case '*':
      case '+':
      case '-':
      case '.':
      case '?':
      case '[':
      case '\\':
      case ']':
      case '^':
      case '{':
      case '|':
      case '}':
        ++pos_;
        return static_cast<char32_t>(c);
      default:
        return Err(std::string("'\\") + c + "' is not an I-Regexp escape");
    }
  }

  // At "\p{" or "\P{": adds the category to `cls` (as a member, or as an exclusion for \P).
  Status ParseCategoryEscape(CharClass* cls) {
    bool complement = Peek(1) == 'P';
    pos_ += 2;
    if (Peek() != '{' || AtEnd()) return Err("expected '{' after \\p");
    ++pos_;
    size_t start = pos_;
    while (!AtEnd() && Peek() != '}') ++pos_;
    if (AtEnd()) return Err("expected '}' to close \\p{");
    std::string_view name = s_.substr(start, pos_ - start);
    ++pos_;
    uint32_t mask = CategoryMask(name);
    if (mask == 0) return Err("unknown Unicode category '" + std::string(name) + "'");
    if (complement) {
      cls->excluded_masks.push_back(mask);
    } else {
      cls->category_mask |= mask;
    }
    return Ok();
  }

  // The categories I-Regexp allows (RFC 9485 §3: IsCategory); 0 for anything else.
  static uint32_t CategoryMask(std::string_view n) {
    struct Entry {
      std::string_view name;
      uint32_t mask;
    };
    static constexpr Entry kTable[] = {
        {"L", U_GC_L_MASK},   {"Lu", U_GC_LU_MASK}, {"Ll", U_GC_LL_MASK}, {"Lt", U_GC_LT_MASK},
        {"Lm", U_GC_LM_MASK}, {"Lo", U_GC_LO_MASK}, {"M", U_GC_M_MASK},   {"Mn", U_GC_MN_MASK},
        {"Mc", U_GC_MC_MASK}, {"Me", U_GC_ME_MASK}, {"N", U_GC_N_MASK},   {"Nd", U_GC_ND_MASK},
        {"Nl", U_GC_NL_MASK}, {"No", U_GC_NO_MASK}, {"P", U_GC_P_MASK},   {"Pc", U_GC_PC_MASK},
        {"Pd", U_GC_PD_MASK}, {"Ps", U_GC_PS_MASK}, {"Pe", U_GC_PE_MASK}, {"Pi", U_GC_PI_MASK},
        {"Pf", U_GC_PF_MASK}, {"Po", U_GC_PO_MASK}, {"Z", U_GC_Z_MASK},   {"Zs", U_GC_ZS_MASK},
        {"Zl", U_GC_ZL_MASK}, {"Zp", U_GC_ZP_MASK}, {"S", U_GC_S_MASK},   {"Sm", U_GC_SM_MASK},
        {"Sc", U_GC_SC_MASK}, {"Sk", U_GC_SK_MASK}, {"So", U_GC_SO_MASK}, {"C", U_GC_C_MASK},
        {"Cc", U_GC_CC_MASK}, {"Cf", U_GC_CF_MASK}, {"Cn", U_GC_CN_MASK}, {"Co", U_GC_CO_MASK},
    };
    for (const auto& e : kTable) {
      if (e.name == n) return e.mask;
    }
    return 0;
  }

  // At '[': charClassExpr = "[" ["^"] ("-" / CCE1) *CCE1 ["-"] "]".
  Result<std::unique_ptr<Node>> ParseClassExpr() {
    ++pos_;
    CharClass cls;
    if (Peek() == '^' && !AtEnd()) {
      cls.negated = true;
      ++pos_;
    }
    bool first = true;
    while (true) {
      if (AtEnd()) return Err("unterminated '['");
      char c = Peek();
      if (c == ']' && !first) {
        ++pos_;
        break;
      }
      if (c == '-') {
        if (first) {
          cls.ranges.emplace_back(U'-', U'-');
          ++pos_;
          first = false;
          continue;
        }
        if (Peek(1) != ']') return Err("'-' in a class must come first, last or in a range");
        cls.ranges.emplace_back(U'-', U'-');
        pos_ += 2;
        break;
      }
      first = false;
      if (c == '\\' && (Peek(1) == 'p' || Peek(1) == 'P')) {
        INFLOW_RETURN_IF_ERROR(ParseCategoryEscape(&cls));
        continue;
      }
      INFLOW_TRY(char32_t lo, ParseClassChar());
      char32_t hi = lo;
      if (Peek() == '-' && Peek(1) != ']' && pos_ + 1 < s_.size()) {
        ++pos_;
        INFLOW_TRY(hi, ParseClassChar());
        if (hi < lo) return Err("class range out of order");
      }
      cls.ranges.emplace_back(lo, hi);
    }
    return AddClass(std::move(cls));
  }

  // CCchar: any character but '-', '[', '\\' and ']', or a single-character escape.
  Result<char32_t> ParseClassChar() {
    if (AtEnd()) return Err("unterminated '['");
    char c = Peek();
    if (c == '\\') return ParseSingleCharEscape();
    if (c == '[' || c == ']' || c == '-')
      return Err(std::string("unexpected '") + c + "' in a class");
    return DecodeUtf8(s_, &pos_);
  }

  std::string_view s_;
  size_t pos_ = 0;
  Regex::Program* prog_;
};

class Emitter {
 public:
  explicit Emitter(Regex::Program* prog) : prog_(prog) {}

  Status Emit(const Node& n) {
    if (prog_->insts.size() > Regex::kMaxProgram) {
      return Fail(
          ErrorCode::kInvalidArgument,
          "regex expands to more than " + std::to_string(Regex::kMaxProgram) + " instructions");
    }
    auto& code = prog_->insts;
    switch (n.kind) {
      case Node::Kind::kEmpty:
        return Ok();
      case Node::Kind::kChar:
        code.push_back({Op::kChar, n.c, 0, 0});
        return Ok();
      case Node::Kind::kAny:
        code.push_back({Op::kAny, 0, 0, 0});
        return Ok();
      case Node::Kind::kBegin:
        code.push_back({Op::kBegin, 0, 0, 0});
        return Ok();
      case Node::Kind::kEnd:
        code.push_back({Op::kEnd, 0, 0, 0});
        return Ok();
      case Node::Kind::kClass:
        code.push_back({Op::kClass, 0, n.cls, 0});
        return Ok();
      case Node::Kind::kConcat:
        for (const auto& k : n.kids) INFLOW_RETURN_IF_ERROR(Emit(*k));
        return Ok();
      case Node::Kind::kAlt: {
        // split L1, next; L1: kid0; jmp end; next: split L2, next2; ... last kid.
        std::vector<size_t> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (k + 1 < n.kids.size()) {
            size_t split = code.size();
            code.push_back({Op::kSplit, 0, static_cast<uint32_t>(split + 1), 0});
            INFLOW_RETURN_IF_ERROR(Emit(*n.kids[k]));
            jumps.push_back(code.size());
            code.push_back({Op::kJmp, 0, 0, 0});
            code[split].y = static_cast<uint32_t>(code.size());
          } else {
            INFLOW_RETURN_IF_ERROR(Emit(*n.kids[k]));
          }
        }
        for (size_t j : jumps) code[j].x = static_cast<uint32_t>(code.size());
        return Ok();
      }
      case Node::Kind::kRepeat: {
        const Node& kid = *n.kids[0];
        for (int k = 0; k < n.min; ++k) INFLOW_RETURN_IF_ERROR(Emit(kid));
        if (n.max < 0) {
          // loop: split body, out; body; jmp loop
          size_t loop = code.size();
          code.push_back({Op::kSplit, 0, static_cast<uint32_t>(loop + 1), 0});
          INFLOW_RETURN_IF_ERROR(Emit(kid));
          code.push_back({Op::kJmp, 0, static_cast<uint32_t>(loop), 0});
          code[loop].y = static_cast<uint32_t>(code.size());
          return Ok();
        }
        // (kid (kid (kid)?)?)? for the optional copies.
        std::vector<size_t> splits;
        for (int k = n.min; k < n.max; ++k) {
          splits.push_back(code.size());
          code.push_back({Op::kSplit, 0, static_cast<uint32_t>(code.size() + 1), 0});
          INFLOW_RETURN_IF_ERROR(Emit(kid));
        }
        for (size_t s : splits) code[s].y = static_cast<uint32_t>(code.size());
        return Ok();
      }
    }
    return Ok();
  }

 private:
  Regex::Program* prog_;
};

}  // namespace

Result<Regex> Regex::Compile(std::string_view pattern) {
  auto prog = std::make_shared<Program>();
  RegexParser parser(pattern, prog.get());
  INFLOW_TRY(auto tree, parser.ParseAll());
  Emitter emitter(prog.get());
  INFLOW_RETURN_IF_ERROR(emitter.Emit(*tree));
  prog->insts.push_back({Op::kMatch, 0, 0, 0});
  if (prog->insts.size() > kMaxProgram) {
    return Fail(ErrorCode::kInvalidArgument,
                "regex expands to more than " + std::to_string(kMaxProgram) + " instructions");
  }
  return Regex(std::move(prog));
}

Result<bool> Regex::FullMatch(std::string_view text, size_t* budget) const {
  return Run(text, true, budget);
}
Result<bool> Regex::Search(std::string_view text, size_t* budget) const {
  return Run(text, false, budget);
}

Result<bool> Regex::Run(std::string_view text, bool anchored, size_t* budget) const {
  const auto& code = program_->insts;
  const size_t n = code.size();
  // Sparse sets by generation stamp: a pc is in the list being built when seen[pc] == gen.
  std::vector<uint32_t> seen(n, 0);
  std::vector<uint32_t> clist;
  std::vector<uint32_t> nlist;
  std::vector<uint32_t> stack;
  clist.reserve(n);
  nlist.reserve(n);
  uint32_t gen = 1;
  // The work done so far. Checked once per input character: the work of one character is at
  // most a few times the program size, so the overshoot is small and bounded.
  const size_t limit = *budget;
  size_t steps = 0;
  auto charge_done = [&] { *budget = limit - std::min(steps, limit); };

  // Follows the epsilon edges from pc and records the consuming / matching states reached.
  // at_begin / at_end: whether the position these states wait at is the text's start / end.
  auto add = [&](std::vector<uint32_t>* list, uint32_t start, bool at_begin, bool at_end) {
    stack.push_back(start);
    while (!stack.empty()) {
      uint32_t pc = stack.back();
      stack.pop_back();
      ++steps;
      if (seen[pc] == gen) continue;
      seen[pc] = gen;
      const Inst& in = code[pc];
      if (in.op == Op::kJmp) {
        stack.push_back(in.x);
      } else if (in.op == Op::kSplit) {
        stack.push_back(in.y);
        stack.push_back(in.x);
      } else if (in.op == Op::kBegin) {
        if (at_begin) stack.push_back(pc + 1);
      } else if (in.op == Op::kEnd) {
        if (at_end) stack.push_back(pc + 1);
      } else {
        list->push_back(pc);
      }
    }
  };

  add(&clist, 0, true, text.empty());
  size_t i = 0;
  while (true) {
    ++gen;
    nlist.clear();
    bool has_char = i < text.size();
    size_t next = i;
    char32_t c = has_char ? DecodeUtf8(text, &next) : 0;
    const bool next_at_end = next >= text.size();
    steps += clist.size();
    if (steps > limit) {
      *budget = 0;
      return Fail(ErrorCode::kResourceExhausted, "regex needs more than " + std::to_string(limit) +
                                                     " matching steps on this text");
    }
    for (uint32_t pc : clist) {
      const Inst& in = code[pc];
      switch (in.op) {
        case Op::kMatch:
          if (!anchored || !has_char) {
            charge_done();
            return true;
          }
          break;
        case Op::kChar:
          if (has_char && c == in.c) add(&nlist, pc + 1, false, next_at_end);
          break;
        case Op::kAny:
          if (has_char && c != U'\n' && c != U'\r') add(&nlist, pc + 1, false, next_at_end);
          break;
        case Op::kClass:
          if (has_char && program_->classes[in.x].Matches(c))
            add(&nlist, pc + 1, false, next_at_end);
          break;
        case Op::kSplit:
        case Op::kJmp:
        case Op::kBegin:
        case Op::kEnd:
          break;
      }
    }
    if (!has_char) {
      charge_done();
      return false;
    }
    i = next;
    if (!anchored) add(&nlist, 0, false, next_at_end);
    std::swap(clist, nlist);
    if (clist.empty()) {
      charge_done();
      return false;
    }
  }
}

}  // namespace inflow::jsonpath
