// The random commands give every member the same chance, as Redis's "SRANDMEMBER histogram
// distribution" tests check with chi_square_value (tests/unit/type/set.tcl, tests/util.tcl):
// SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count, with a positive count on both
// sides of the "shuffle a copy" threshold, and without a count; SPOP with a count; RANDOMKEY. Each
// runs on a small (intset/listpack) and a hashtable/skiplist container. The generator is seeded,
// so the numbers are the same on every run; the bounds are the chi-square values a fair sampler
// passes with probability 0.99999, which bucket-then-chain picking missed by 4x to 20x.
#include <map>
#include <string>
#include <vector>

#include "server/dispatch/server_context.h"
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

// Chi-square bounds at p = 0.00001 for 9 and 499 degrees of freedom (10 and 500 members).
constexpr double kBound10 = 40;
constexpr double kBound500 = 645;

// The bulk strings of a flat array reply, in order.
std::vector<std::string> Bulks(const std::string& reply) {
  std::vector<std::string> out;
  for (size_t p = reply.find("\r\n$"); p != std::string::npos; p = reply.find("\r\n$", p)) {
    size_t len_end = reply.find("\r\n", p + 3);
    size_t len = std::stoul(reply.substr(p + 3, len_end - p - 3));
    out.push_back(reply.substr(len_end + 2, len));
    p = len_end + 2 + len;
  }
  return out;
}

// Redis's chi_square_value: counts of each distinct sample against their mean.
double ChiSquare(const std::vector<std::string>& samples) {
  std::map<std::string, int> counts;
  for (const std::string& s : samples) ++counts[s];
  double expected = static_cast<double>(samples.size()) / static_cast<double>(counts.size());
  double chi = 0;
  for (const auto& [sample, count] : counts) {
    chi += (count - expected) * (count - expected) / expected;
  }
  return chi;
}

// A bulk string reply's payload.
std::string Bulk(const std::string& reply) { return Bulks("\r\n" + reply).at(0); }

struct Container {
  std::string type;      // "set", "hash", "zset"
  std::string encoding;  // as OBJECT ENCODING names it
  size_t size;

  std::string AddCommand() const {
    return type == "set" ? "sadd" : type == "hash" ? "hset" : "zadd";
  }
  std::string RandCommand() const {
    return type == "set" ? "srandmember" : type == "hash" ? "hrandfield" : "zrandmember";
  }
};

class RandomDistributionTest : public CommandTest {
 protected:
  RandomDistributionTest() { ServerContext::Rng().seed(20240607); }

  // Creates `c` at key "k"; members are m0, m1... ("0", "1"... for an intset).
  void Create(const Container& c) {
    Run({"del", "k"});
    std::vector<std::string> args = {c.AddCommand(), "k"};
    // A member or value past the listpack's 64 bytes makes a small container a hashtable/skiplist.
    bool force_big = c.encoding != "intset" && c.encoding != "listpack";
    for (size_t i = 0; i < c.size; ++i) {
      std::string member = c.encoding == "intset" ? std::to_string(i) : "m" + std::to_string(i);
      if (force_big && i == 0 && c.type == "zset") member.append(70, 'x');
      if (c.type == "zset") args.push_back(std::to_string(i));
      args.push_back(member);
      if (c.type == "hash") args.push_back(force_big && i == 0 ? std::string(70, 'v') : "v");
    }
    Run(args);
    ASSERT_EQ(Run({"object", "encoding", "k"}),
              "$" + std::to_string(c.encoding.size()) + "\r\n" + c.encoding + "\r\n");
  }

  // About 100 draws per member with `count` per call (until enough came back).
  std::vector<std::string> Draw(const Container& c, int64_t count) {
    std::vector<std::string> all;
    while (all.size() < c.size * 100) {
      std::vector<std::string> got = Bulks(Run({c.RandCommand(), "k", std::to_string(count)}));
      EXPECT_EQ(got.size(), static_cast<size_t>(count < 0 ? -count : count));
      all.insert(all.end(), got.begin(), got.end());
    }
    return all;
  }
};

const std::vector<Container> kContainers = {
    {"set", "intset", 10},    {"set", "hashtable", 10},  {"set", "hashtable", 500},
    {"hash", "listpack", 10}, {"hash", "hashtable", 10}, {"hash", "hashtable", 500},
    {"zset", "listpack", 10}, {"zset", "skiplist", 10},  {"zset", "skiplist", 500},
};

double BoundFor(const Container& c) { return c.size == 10 ? kBound10 : kBound500; }

TEST_F(RandomDistributionTest, WithCount) {
  for (const Container& c : kContainers) {
    SCOPED_TRACE(c.type + " " + c.encoding + " " + std::to_string(c.size));
    Create(c);
    auto size = static_cast<int64_t>(c.size);
    // Repeats allowed; then distinct members by shuffling a copy (count * 3 > size) and by drawing
    // until enough distinct ones came up (count * 3 <= size).
    for (int64_t count : {-size * 100, size * 4 / 5, size / 5}) {
      EXPECT_LT(ChiSquare(Draw(c, count)), BoundFor(c)) << "count " << count;
    }
  }
}

TEST_F(RandomDistributionTest, WithoutCount) {
  for (const Container& c : kContainers) {
    SCOPED_TRACE(c.type + " " + c.encoding + " " + std::to_string(c.size));
    Create(c);
    std::vector<std::string> all;
    for (size_t i = 0; i < c.size * 100; ++i) all.push_back(Bulk(Run({c.RandCommand(), "k"})));
    EXPECT_LT(ChiSquare(all), BoundFor(c));
  }
}

TEST_F(RandomDistributionTest, SPopWithCount) {
  for (const Container& c : {Container{"set", "intset", 10}, Container{"set", "hashtable", 10},
                             Container{"set", "hashtable", 500}}) {
    SCOPED_TRACE(c.encoding + " " + std::to_string(c.size));
    // Drawing members one by one, and shuffling a copy when nearly all of them go.
    for (size_t count : {c.size / 5, c.size * 4 / 5, c.size * 9 / 10}) {
      std::vector<std::string> all;
      while (all.size() < c.size * 100) {
        Create(c);
        std::vector<std::string> got = Bulks(Run({"spop", "k", std::to_string(count)}));
        ASSERT_EQ(got.size(), count);
        all.insert(all.end(), got.begin(), got.end());
      }
      EXPECT_LT(ChiSquare(all), BoundFor(c)) << "count " << count;
    }
  }
}

TEST_F(RandomDistributionTest, RandomKey) {
  for (size_t keys : {10, 500}) {
    Run({"flushall"});
    for (size_t i = 0; i < keys; ++i) Run({"set", "k" + std::to_string(i), "v"});
    std::vector<std::string> all;
    for (size_t i = 0; i < keys * 100; ++i) all.push_back(Bulk(Run({"randomkey"})));
    EXPECT_LT(ChiSquare(all), keys == 10 ? kBound10 : kBound500) << keys << " keys";
  }
}

}  // namespace
}  // namespace respd::server
