// Geo commands: GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE and the older GEORADIUS,
// GEORADIUSBYMEMBER and their _RO forms. A geo index is a sorted set whose scores are geohashes
// (storage/geo.h); argument checks run in the order of Redis 7.0's geo.c, so the same bad command
// gets the same first error.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "server/commands/args.h"
#include "server/commands/handler_support.h"
#include "server/commands/families.h"
#include "server/commands/sorted_set_common.h"
#include "server/dispatch/errors.h"
#include "storage/geo.h"
#include "storage/numbers.h"
#include "storage/zset.h"

namespace respd::server {
namespace {

using storage::OpStatus;
using storage::ZSet;
namespace geo = storage::geo;

constexpr std::string_view kErrUnit = "ERR unsupported unit provided. please use M, KM, FT, MI";
constexpr std::string_view kErrBadMember = "ERR could not decode requested zset member";
constexpr std::string_view kErrCount = "ERR COUNT must be > 0";
constexpr std::string_view kErrAnyCount = "ERR the ANY argument requires COUNT argument";

// extractLongLatOrReply: two floats inside the storable range.
void ReadLonLat(ArgParser& parser, double xy[2]) {
  xy[0] = parser.NextDouble();
  xy[1] = parser.NextDouble();
  if (parser.failed() || geo::ValidLonLat(xy[0], xy[1])) return;
  // %f of 1e308 has 309 digits, all of which Redis prints.
  constexpr const char* kFormat = "ERR invalid longitude,latitude pair %f,%f";
  std::string message(static_cast<size_t>(std::snprintf(nullptr, 0, kFormat, xy[0], xy[1])), ' ');
  std::snprintf(message.data(), message.size() + 1, kFormat, xy[0], xy[1]);
  parser.Fail(message);
}

// extractUnitOrReply: meters per unit.
double NextUnit(ArgParser& parser) {
  return parser.NextOneOf<double>({{"m", 1}, {"km", 1000}, {"ft", 0.3048}, {"mi", 1609.34}},
                                  kErrUnit);
}

// extractDistanceOrReply: radius unit.
void ReadRadius(ArgParser& parser, geo::Shape* shape) {
  shape->radius = parser.NextDouble("ERR need numeric radius");
  if (!parser.failed() && shape->radius < 0) parser.Fail("ERR radius cannot be negative");
  shape->conversion = NextUnit(parser);
}

// extractBoxOrReply: width height unit.
void ReadBox(ArgParser& parser, geo::Shape* shape) {
  shape->width = parser.NextDouble("ERR need numeric width");
  shape->height = parser.NextDouble("ERR need numeric height");
  if (!parser.failed() && (shape->height < 0 || shape->width < 0)) {
    parser.Fail("ERR height or width cannot be negative");
  }
  shape->conversion = NextUnit(parser);
}

// The decoded position of `member`, false when it is not in the set.
bool MemberPosition(const ZSet& z, std::string_view member, double xy[2]) {
  auto score = z.Score(member);
  if (!score) return false;
  geo::DecodeScore(*score, xy);
  return true;
}

// Redis's addReplyHumanLongDouble: "%.17Lf" without trailing zeros, a bulk string in RESP2 and a
// double frame in RESP3.
void ReplyCoordinate(CommandContext& ctx, double v) {
  std::string text = storage::FormatLongDoubleHuman(static_cast<long double>(v)).value_or("0");
  if (ctx.reply.resp3()) {
    ctx.reply.Raw(",");
    ctx.reply.Raw(text);
    ctx.reply.Raw("\r\n");
  } else {
    ctx.reply.Bulk(text);
  }
}

// Distances are bulk strings with four decimals in both protocols.
void ReplyDistance(CommandContext& ctx, double meters) {
  char buf[128];
  int n = std::snprintf(buf, sizeof(buf), "%.4f", meters);
  ctx.reply.Bulk(std::string_view(buf, static_cast<size_t>(n)));
}

// Looks the key up as Redis's lookupKeyRead + checkType: *z stays null for a missing key; false
// after replying WRONGTYPE.
bool LookupOrReply(CommandContext& ctx, std::string_view key, const ZSet** z) {
  auto found = storage::FindZSet(ctx.db(), key);
  *z = nullptr;
  if (found.ok()) {
    *z = *found;
  } else if (found.status() != OpStatus::kKeyNotFound) {
    ctx.ReplyStatus(found.status());
    return false;
  }
  return true;
}

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
void CmdGeoAdd(CommandContext& ctx) {
  int flags = 0;
  bool ch = false;
  ArgParser parser(ctx.args, 2);
  while (parser.HasNext()) {
    if (parser.Accept("nx")) {
      flags |= storage::kZAddNx;
    } else if (parser.Accept("xx")) {
      flags |= storage::kZAddXx;
    } else if (parser.Accept("ch")) {
      ch = true;
    } else {
      break;
    }
  }
  if (parser.Remaining() % 3 != 0 || ((flags & storage::kZAddNx) && (flags & storage::kZAddXx))) {
    return ctx.ReplySyntaxError();
  }
  // GEOADD hands over to ZADD, which refuses an empty element list (after the coordinates).
  const bool empty = !parser.HasNext();
  thread_local std::vector<storage::ScoredMember> members;
  members.clear();
  while (parser.HasNext()) {
    double xy[2];
    ReadLonLat(parser, xy);
    if (!parser.Check(ctx)) return;
    members.push_back({static_cast<double>(geo::EncodeScore(xy[0], xy[1])), parser.Next()});
  }
  if (empty) return ctx.ReplySyntaxError();
  auto result = storage::ZAdd(ctx.db(), ctx.args[1], members, flags, ZSetLimitsOf(ctx.server));
  if (!result.ok()) return ctx.ReplyStatus(result.status());
  ctx.reply.Integer(static_cast<int64_t>(result->added + (ch ? result->updated : 0)));
  // Redis runs GEOADD as the ZADD of its geohash scores, options kept as typed, and propagates
  // that ZADD.
  if (ctx.propagating()) {
    Args key_and_options = ctx.args.subspan(1, ctx.args.size() - 1 - 3 * members.size());
    std::vector<std::string> zadd{"zadd"};
    zadd.insert(zadd.end(), key_and_options.begin(), key_and_options.end());
    for (const storage::ScoredMember& member : members) {
      zadd.push_back(std::to_string(static_cast<uint64_t>(member.score)));
      zadd.emplace_back(member.member);
    }
    ctx.PropagateAs(std::move(zadd));
  }
}

// GEOPOS key [member ...]
void CmdGeoPos(CommandContext& ctx) {
  const ZSet* z;
  if (!LookupOrReply(ctx, ctx.args[1], &z)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    double xy[2];
    if (z == nullptr || !MemberPosition(*z, ctx.args[i], xy)) {
      ctx.reply.NullArray();
      continue;
    }
    ctx.reply.ArrayHeader(2);
    ReplyCoordinate(ctx, xy[0]);
    ReplyCoordinate(ctx, xy[1]);
  }
}

// GEOHASH key [member ...]
void CmdGeoHash(CommandContext& ctx) {
  const ZSet* z;
  if (!LookupOrReply(ctx, ctx.args[1], &z)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    double xy[2];
    if (z == nullptr || !MemberPosition(*z, ctx.args[i], xy)) {
      ctx.reply.Null();
      continue;
    }
    ctx.reply.Bulk(geo::StandardGeohash(xy[0], xy[1]));
  }
}

// GEODIST key member1 member2 [M|KM|FT|MI]
void CmdGeoDist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.args.size() == 5) {
    ArgParser parser(ctx.args, 4);
    to_meters = NextUnit(parser);
    if (!parser.Check(ctx)) return;
  } else if (ctx.args.size() > 5) {
    return ctx.ReplySyntaxError();
  }
  const ZSet* z;
  if (!LookupOrReply(ctx, ctx.args[1], &z)) return;
  double a[2], b[2];
  if (z == nullptr || !MemberPosition(*z, ctx.args[2], a) ||
      !MemberPosition(*z, ctx.args[3], b)) {
    return ctx.reply.Null();
  }
  ReplyDistance(ctx, geo::Distance(a[0], a[1], b[0], b[1]) / to_meters);
}

// What a search command accepts, as Redis's georadiusGeneric flags.
enum SearchFlag : int {
  kByCoords = 1 << 0,   // GEORADIUS: key longitude latitude radius unit
  kByMember = 1 << 1,   // GEORADIUSBYMEMBER: key member radius unit
  kNoStore = 1 << 2,    // the _RO forms
  kSearch = 1 << 3,     // GEOSEARCH syntax
  kSearchStore = 1 << 4,
};

enum class SortOrder : uint8_t { kNone, kAsc, kDesc };

struct SearchOptions {
  bool withdist = false;
  bool withhash = false;
  bool withcoord = false;
  bool any = false;
  SortOrder sort = SortOrder::kNone;
  int64_t count = 0;  // 0: unlimited
  std::string_view store_key;
  bool has_store = false;
  bool storedist = false;
};

// Stores a search's result at its STORE key and replies with the stored count.
void ReplyStored(CommandContext& ctx, const SearchOptions& opts, int flags,
                 storage::ScoredMembers elements) {
  auto kind = (flags & kSearchStore) ? storage::ZStoreKind::kGeoSearchStore
                                     : storage::ZStoreKind::kGeoRadiusStore;
  size_t stored = storage::ZStore(ctx.db(), opts.store_key, std::move(elements),
                                  ZSetLimitsOf(ctx.server), kind);
  ctx.reply.Integer(static_cast<int64_t>(stored));
}

// Every point of `z` inside `shape`, in the order Redis scans them: box by box, ascending score
// inside a box; with `limit`, the scan stops once that many were found.
std::vector<geo::Found> FindInShape(const ZSet& z, const geo::Shape& shape, size_t limit) {
  std::vector<geo::Found> found;
  for (const geo::ScoreBox& box : geo::SearchBoxes(shape)) {
    if (limit != 0 && found.size() >= limit) break;
    storage::ScoreRange range{.min = static_cast<double>(box.min),
                              .max = static_cast<double>(box.max),
                              .min_exclusive = false,
                              .max_exclusive = true};
    auto [start, end] = storage::RankBounds(z, range);
    z.ForRange(start, end, false, [&](std::string_view member, double score) {
      if (limit != 0 && found.size() >= limit) return;
      double xy[2], dist;
      geo::DecodeScore(score, xy);
      if (!geo::WithinShape(shape, xy[0], xy[1], &dist)) return;
      found.push_back({xy[0], xy[1], dist, score, std::string(member)});
    });
  }
  return found;
}

void ReplyFound(CommandContext& ctx, const std::vector<geo::Found>& found, size_t n,
                const SearchOptions& opts, double conversion) {
  size_t extra = (opts.withdist ? 1 : 0) + (opts.withhash ? 1 : 0) + (opts.withcoord ? 1 : 0);
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    const geo::Found& f = found[i];
    if (extra != 0) ctx.reply.ArrayHeader(extra + 1);
    ctx.reply.Bulk(f.member);
    if (opts.withdist) ReplyDistance(ctx, f.dist / conversion);
    if (opts.withhash) ctx.reply.Integer(static_cast<int64_t>(f.score));
    if (opts.withcoord) {
      ctx.reply.ArrayHeader(2);
      ReplyCoordinate(ctx, f.lon);
      ReplyCoordinate(ctx, f.lat);
    }
  }
}

// Redis's georadiusGeneric: the source key is args[src].
void SearchGeneric(CommandContext& ctx, size_t src, int flags) {
  const ZSet* z;
  if (!LookupOrReply(ctx, ctx.args[src], &z)) return;

  geo::Shape shape;
  SearchOptions opts;
  // The center of the search: FROMMEMBER's member, as its position.
  auto read_member_center = [&](ArgParser& parser) {
    std::string_view member = parser.Next();
    double xy[2];
    if (z == nullptr || parser.failed()) return;
    if (!MemberPosition(*z, member, xy)) return parser.Fail(kErrBadMember);
    shape.lon = xy[0];
    shape.lat = xy[1];
  };
  ArgParser parser(ctx.args, src + 1);
  if (flags & kByCoords) {
    double xy[2];
    ReadLonLat(parser, xy);
    shape.lon = xy[0];
    shape.lat = xy[1];
    ReadRadius(parser, &shape);
  } else if (flags & kByMember) {
    read_member_center(parser);
    // Without the key Redis still parses the options, to choose between the empty replies.
    if (z != nullptr) {
      ReadRadius(parser, &shape);
    } else {
      parser.NextSpan(2);
    }
  } else if (flags & kSearchStore) {
    opts.store_key = ctx.args[1];
    opts.has_store = true;
  }

  bool frommember = false, fromlonlat = false, byradius = false, bybox = false;
  const bool search = flags & kSearch;
  const bool old_store = !(flags & kNoStore) && !search;
  while (parser.HasNext()) {
    if (parser.Accept("withdist")) {
      opts.withdist = true;
    } else if (parser.Accept("withhash")) {
      opts.withhash = true;
    } else if (parser.Accept("withcoord")) {
      opts.withcoord = true;
    } else if (parser.Accept("any")) {
      opts.any = true;
    } else if (parser.Accept("asc")) {
      opts.sort = SortOrder::kAsc;
    } else if (parser.Accept("desc")) {
      opts.sort = SortOrder::kDesc;
    } else if (parser.Accept("count", 1)) {
      opts.count = parser.NextInt64();
      if (!parser.failed() && opts.count <= 0) parser.Fail(kErrCount);
    } else if (old_store && (parser.Is("store") || parser.Is("storedist")) &&
               parser.Remaining() >= 2) {
      opts.storedist = parser.Is("storedist");
      parser.Next();
      opts.store_key = parser.Next();
      opts.has_store = true;
    } else if ((flags & kSearchStore) && parser.Accept("storedist")) {
      opts.storedist = true;
    } else if (search && !fromlonlat && parser.Accept("frommember", 1)) {
      read_member_center(parser);
      frommember = true;
    } else if (search && !frommember && parser.Accept("fromlonlat", 2)) {
      double xy[2];
      ReadLonLat(parser, xy);
      shape.lon = xy[0];
      shape.lat = xy[1];
      fromlonlat = true;
    } else if (search && !bybox && parser.Accept("byradius", 2)) {
      ReadRadius(parser, &shape);
      shape.box = false;
      byradius = true;
    } else if (search && !byradius && parser.Accept("bybox", 3)) {
      ReadBox(parser, &shape);
      shape.box = true;
      bybox = true;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!parser.Check(ctx)) return;

  if (opts.has_store && (opts.withdist || opts.withhash || opts.withcoord)) {
    return ctx.reply.Error(std::string("ERR ") +
                           ((flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                           " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  if (search && !(frommember || fromlonlat)) {
    return ctx.reply.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                           std::string(ctx.args[0]));
  }
  if (search && !(byradius || bybox)) {
    return ctx.reply.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                           std::string(ctx.args[0]));
  }
  if (opts.any && opts.count == 0) return ctx.reply.Error(kErrAnyCount);

  if (z == nullptr) {
    if (opts.has_store) return ReplyStored(ctx, opts, flags, {});
    return ctx.reply.ArrayHeader(0);
  }
  // COUNT without an order means the nearest ones, unless ANY asked for whichever come first.
  if (opts.count != 0 && opts.sort == SortOrder::kNone && !opts.any) opts.sort = SortOrder::kAsc;

  auto limit = static_cast<size_t>(opts.any ? opts.count : 0);
  std::vector<geo::Found> found = FindInShape(*z, shape, limit);
  if (found.empty() && !opts.has_store) return ctx.reply.ArrayHeader(0);
  size_t n = found.size();
  if (opts.count != 0 && static_cast<uint64_t>(opts.count) < n) n = static_cast<size_t>(opts.count);
  if (opts.sort != SortOrder::kNone) geo::SortFound(&found, opts.sort == SortOrder::kDesc, n);

  if (!opts.has_store) return ReplyFound(ctx, found, n, opts, shape.conversion);
  storage::ScoredMembers elements;
  elements.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    double score = opts.storedist ? found[i].dist / shape.conversion : found[i].score;
    elements.emplace_back(std::move(found[i].member), score);
  }
  ReplyStored(ctx, opts, flags, std::move(elements));
}

// GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC|DESC] [STORE key] [STOREDIST key]
void CmdGeoRadius(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords); }
void CmdGeoRadiusRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords | kNoStore); }
// GEORADIUSBYMEMBER key member radius M|KM|FT|MI [options as GEORADIUS]
void CmdGeoRadiusByMember(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember); }
void CmdGeoRadiusByMemberRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember | kNoStore); }
// GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius unit|BYBOX width
//   height unit [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
void CmdGeoSearch(CommandContext& ctx) { SearchGeneric(ctx, 1, kSearch); }
// GEOSEARCHSTORE destination source [GEOSEARCH's area and order options] [STOREDIST]
void CmdGeoSearchStore(CommandContext& ctx) { SearchGeneric(ctx, 2, kSearch | kSearchStore); }

// The source key, and the destination of a STORE or STOREDIST (the last one wins), as Redis's
// georadiusGetKeys.
bool GeoRadiusKeys(Args args, std::vector<int>* positions) {
  positions->push_back(1);
  int stored = -1;
  for (size_t i = 5; i < args.size(); ++i) {
    if ((IsKeyword(args[i], "store") || IsKeyword(args[i], "storedist")) && i + 1 < args.size()) {
      stored = static_cast<int>(++i);
    }
  }
  if (stored != -1) positions->push_back(stored);
  return true;
}


constexpr CommandSpec kRows[] = {
    {.name = "geoadd",
     .arity = -5,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoAdd},
    {.name = "geopos",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoPos},
    {.name = "geodist",
     .arity = -4,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoDist},
    {.name = "geohash",
     .arity = -2,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoHash},
    {.name = "geosearch",
     .arity = -7,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoSearch},
    {.name = "geosearchstore",
     .arity = -8,
     .flags = kWrite | kDenyOom,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = CmdGeoSearchStore},
    {.name = "georadius",
     .arity = -6,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoRadius,
     .movable_keys = GeoRadiusKeys},
    {.name = "georadius_ro",
     .arity = -6,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoRadiusRo},
    {.name = "georadiusbymember",
     .arity = -5,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoRadiusByMember,
     .movable_keys = GeoRadiusKeys},
    {.name = "georadiusbymember_ro",
     .arity = -5,
     .flags = kReadonly,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = CmdGeoRadiusByMemberRo},
};

}  // namespace

void RegisterGeoFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
