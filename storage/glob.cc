// Glob matching that answers exactly as Redis 7.0's stringmatchlen() does, quirks included, so
// KEYS, SCAN MATCH and PSUBSCRIBE select the same names as Redis. Depends on nothing else in respd.
#include "storage/glob.h"

#include <cstddef>
#include <utility>

namespace respd::storage {
namespace {

// Redis recurses once per '*' and answers "no match" beyond this depth (its guard against abusive
// patterns, CVE-2022-36021). We give up at the same depth, or we would match keys Redis skips.
constexpr int kMaxStarNesting = 1000;

// Redis compares pattern and subject bytes as plain `char`, which is signed on x86-64 Linux, the
// platform whose answers we reproduce. It matters for ranges: "[\x01-\xff]" means -1..1 there.
int SignedByte(char c) { return static_cast<signed char>(c); }

// Redis folds case with tolower() under the "C" LC_CTYPE (it only sets LC_COLLATE), so only ASCII
// letters fold; every other value, negative ones included, is left alone.
int FoldAscii(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

class Matcher {
 public:
  explicit Matcher(bool nocase) : nocase_(nocase) {}

  // One call of Redis's stringmatchlen_impl: `nesting` counts the '*' recursions above this call.
  bool Match(std::string_view p, std::string_view s, int nesting) {
    if (nesting > kMaxStarNesting) return false;
    size_t pi = 0;
    size_t si = 0;
    while (pi < p.size() && si < s.size()) {
      switch (p[pi]) {
        case '*': {
          while (pi + 1 < p.size() && p[pi + 1] == '*') ++pi;
          if (pi + 1 == p.size()) return true;
          for (; si < s.size(); ++si) {
            if (Match(p.substr(pi + 1), s.substr(si), nesting + 1)) return true;
            if (skip_longer_matches_) return false;
          }
          // The rest of the pattern matched at no position of the rest of the subject. A '*'
          // further left swallowing more would only start that rest later still, so every enclosing
          // '*' can stop too. This is what keeps "a*a*a*a*b" polynomial instead of exponential.
          skip_longer_matches_ = true;
          return false;
        }
        case '?':
          ++si;
          break;
        case '[':
          if (!MatchClass(p, pi, s[si])) return false;
          ++si;
          break;
        case '\\':
          // A trailing backslash is a literal backslash.
          if (pi + 1 < p.size()) ++pi;
          [[fallthrough]];
        default:
          if (!SameChar(p[pi], s[si])) return false;
          ++si;
          break;
      }
      ++pi;
      if (si == s.size()) {
        while (pi < p.size() && p[pi] == '*') ++pi;
        break;
      }
    }
    // Note an empty subject never enters the loop, so it matches only the empty pattern, not "*".
    return pi == p.size() && si == s.size();
  }

 private:
  bool SameChar(char a, char b) const {
    return nocase_ ? FoldAscii(SignedByte(a)) == FoldAscii(SignedByte(b)) : a == b;
  }

  // Matches one subject byte against the class opening at p[pi] ('['). On return p[pi] is the
  // class's last byte: its ']' or, for an unclosed class, the pattern's last byte (Redis lets an
  // unclosed class run to the end of the pattern, so "[ab" is "[ab]" and "[^" matches any byte).
  bool MatchClass(std::string_view p, size_t& pi, char c) const {
    ++pi;
    const bool negate = pi < p.size() && p[pi] == '^';
    if (negate) ++pi;
    bool match = false;
    while (true) {
      if (pi == p.size()) {
        --pi;
        break;
      }
      if (p[pi] == '\\' && pi + 1 < p.size()) {
        ++pi;
        // Redis compares escaped class members exactly, even when folding case.
        if (p[pi] == c) match = true;
      } else if (p[pi] == ']') {
        break;
      } else if (pi + 2 < p.size() && p[pi + 1] == '-') {
        // Reversed ranges are swapped; folding happens after the swap, as in Redis, and a ']' right
        // after '-' is taken as the range's end, not as the class's close.
        int start = SignedByte(p[pi]);
        int end = SignedByte(p[pi + 2]);
        int ch = SignedByte(c);
        if (start > end) std::swap(start, end);
        if (nocase_) {
          start = FoldAscii(start);
          end = FoldAscii(end);
          ch = FoldAscii(ch);
        }
        pi += 2;
        if (ch >= start && ch <= end) match = true;
      } else if (SameChar(p[pi], c)) {
        match = true;
      }
      ++pi;
    }
    return negate ? !match : match;
  }

  const bool nocase_;
  // Redis's skipLongerMatches: shared by the whole recursion of one top-level match.
  bool skip_longer_matches_ = false;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view subject, bool nocase) {
  Matcher matcher(nocase);
  return matcher.Match(pattern, subject, 0);
}

bool GlobIsLiteral(std::string_view pattern) {
  return pattern.find_first_of("*?[\\") == std::string_view::npos;
}

}  // namespace respd::storage
