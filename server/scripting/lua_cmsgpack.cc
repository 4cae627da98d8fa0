// cmsgpack for scripts: MessagePack encoding and decoding with the API and the encoding choices
// of the lua-cmsgpack module Redis embeds (pack, unpack, unpack_one, unpack_limit). Written for
// respd because Debian ships no Lua 5.1 MessagePack module in C.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "server/scripting/lua_redis.h"

namespace respd::server {
namespace {

// Tables nested deeper than this are encoded as nil, as lua-cmsgpack does.
constexpr int kMaxNesting = 16;

void PutBig(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void EncodeInteger(std::string& out, int64_t n) {
  if (n >= 0) {
    uint64_t u = static_cast<uint64_t>(n);
    if (u <= 127) {
      out.push_back(static_cast<char>(u));
    } else if (u <= 0xff) {
      out.push_back('\xcc');
      PutBig(out, u, 1);
    } else if (u <= 0xffff) {
      out.push_back('\xcd');
      PutBig(out, u, 2);
    } else if (u <= 0xffffffffull) {
      out.push_back('\xce');
      PutBig(out, u, 4);
    } else {
      out.push_back('\xcf');
      PutBig(out, u, 8);
    }
  } else if (n >= -32) {
    out.push_back(static_cast<char>(n));
  } else if (n >= -128) {
    out.push_back('\xd0');
    PutBig(out, static_cast<uint64_t>(n), 1);
  } else if (n >= -32768) {
    out.push_back('\xd1');
    PutBig(out, static_cast<uint64_t>(n), 2);
  } else if (n >= INT32_MIN) {
    out.push_back('\xd2');
    PutBig(out, static_cast<uint64_t>(n), 4);
  } else {
    out.push_back('\xd3');
    PutBig(out, static_cast<uint64_t>(n), 8);
  }
}

void EncodeNumber(std::string& out, lua_Number n) {
  if (std::isfinite(n) && n == std::floor(n) && n >= -9223372036854775808.0 &&
      n < 9223372036854775808.0) {
    EncodeInteger(out, static_cast<int64_t>(n));
    return;
  }
  float f = static_cast<float>(n);
  if (static_cast<lua_Number>(f) == n) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    out.push_back('\xca');
    PutBig(out, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &n, sizeof(bits));
    out.push_back('\xcb');
    PutBig(out, bits, 8);
  }
}

void EncodeBytes(std::string& out, const char* s, size_t len) {
  if (len < 32) {
    out.push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    out.push_back('\xd9');
    PutBig(out, len, 1);
  } else if (len <= 0xffff) {
    out.push_back('\xda');
    PutBig(out, len, 2);
  } else {
    out.push_back('\xdb');
    PutBig(out, len, 4);
  }
  out.append(s, len);
}

void EncodeHeader(std::string& out, size_t n, bool map) {
  if (n < 16) {
    out.push_back(static_cast<char>((map ? 0x80 : 0x90) | n));
  } else if (n <= 0xffff) {
    out.push_back(map ? '\xde' : '\xdc');
    PutBig(out, n, 2);
  } else {
    out.push_back(map ? '\xdf' : '\xdd');
    PutBig(out, n, 4);
  }
}

// lua-cmsgpack's test: every key a positive integer and as many keys as the largest one.
// `count` is the number of keys either way: a map's header needs it too.
bool IsArray(lua_State* lua, int t, size_t* count) {
  lua_Number max = 0;
  bool integer_keys = true;
  *count = 0;
  lua_pushnil(lua);
  while (lua_next(lua, t) != 0) {
    lua_pop(lua, 1);
    ++*count;
    if (!integer_keys) continue;
    lua_Number n = lua_type(lua, -1) == LUA_TNUMBER ? lua_tonumber(lua, -1) : 0;
    if (n <= 0 || n != std::floor(n)) {
      integer_keys = false;
    } else if (n > max) {
      max = n;
    }
  }
  return integer_keys && max == static_cast<lua_Number>(*count);
}

void Encode(lua_State* lua, int index, std::string& out, int level) {
  int t = index < 0 ? lua_gettop(lua) + index + 1 : index;
  switch (lua_type(lua, t)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(lua, t, &len);
      EncodeBytes(out, s, len);
      return;
    }
    case LUA_TBOOLEAN:
      out.push_back(lua_toboolean(lua, t) ? '\xc3' : '\xc2');
      return;
    case LUA_TNUMBER:
      EncodeNumber(out, lua_tonumber(lua, t));
      return;
    case LUA_TTABLE: {
      if (level >= kMaxNesting) {
        out.push_back('\xc0');
        return;
      }
      lua_checkstack(lua, 4);
      size_t n;
      if (IsArray(lua, t, &n)) {
        EncodeHeader(out, n, false);
        for (size_t i = 1; i <= n; ++i) {
          lua_rawgeti(lua, t, static_cast<int>(i));
          Encode(lua, -1, out, level + 1);
          lua_pop(lua, 1);
        }
      } else {
        EncodeHeader(out, n, true);
        lua_pushnil(lua);
        while (lua_next(lua, t) != 0) {
          Encode(lua, -2, out, level + 1);
          Encode(lua, -1, out, level + 1);
          lua_pop(lua, 1);
        }
      }
      return;
    }
    default:
      out.push_back('\xc0');
  }
}

struct Cursor {
  const unsigned char* p;
  size_t left;
  const char* error = nullptr;
};

uint64_t TakeBig(Cursor& c, int bytes) {
  if (c.left < static_cast<size_t>(bytes)) {
    c.error = "Missing bytes in input.";
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | c.p[i];
  c.p += bytes;
  c.left -= bytes;
  return v;
}

void Decode(lua_State* lua, Cursor& c);

void DecodeString(lua_State* lua, Cursor& c, size_t len) {
  if (c.left < len) {
    c.error = "Missing bytes in input.";
    return;
  }
  lua_pushlstring(lua, reinterpret_cast<const char*>(c.p), len);
  c.p += len;
  c.left -= len;
}

// Input nested deeper than Lua's stack allows fails with Redis's text (it would otherwise write past
// the stack). The index is pushed before each element, as Redis does, so the same depth fails.
void DecodeArray(lua_State* lua, Cursor& c, size_t n) {
  lua_newtable(lua);
  if (!lua_checkstack(lua, 1)) {
    c.error = "stack overflow (in function mp_decode_to_lua_array)";
    return;
  }
  for (size_t i = 1; i <= n && c.error == nullptr; ++i) {
    lua_pushnumber(lua, static_cast<lua_Number>(i));
    Decode(lua, c);
    if (c.error != nullptr) return;
    lua_rawset(lua, -3);
  }
}

void DecodeMap(lua_State* lua, Cursor& c, size_t n) {
  if (!lua_checkstack(lua, 3)) {
    c.error = "stack overflow (in function mp_decode_to_lua_hash)";
    return;
  }
  lua_newtable(lua);
  for (size_t i = 0; i < n; ++i) {
    Decode(lua, c);
    if (c.error != nullptr) return;
    Decode(lua, c);
    if (c.error != nullptr) return;
    if (lua_isnil(lua, -2)) {
      lua_pop(lua, 2);
    } else {
      lua_settable(lua, -3);
    }
  }
}

void Decode(lua_State* lua, Cursor& c) {
  if (c.left == 0) {
    c.error = "Missing bytes in input.";
    return;
  }
  unsigned char b = *c.p++;
  --c.left;
  if (b <= 0x7f) {
    lua_pushnumber(lua, b);
  } else if (b >= 0xe0) {
    lua_pushnumber(lua, static_cast<int8_t>(b));
  } else if ((b & 0xe0) == 0xa0) {
    DecodeString(lua, c, b & 0x1f);
  } else if ((b & 0xf0) == 0x90) {
    DecodeArray(lua, c, b & 0x0f);
  } else if ((b & 0xf0) == 0x80) {
    DecodeMap(lua, c, b & 0x0f);
  } else {
    switch (b) {
      case 0xc0:
        lua_pushnil(lua);
        break;
      case 0xc2:
        lua_pushboolean(lua, 0);
        break;
      case 0xc3:
        lua_pushboolean(lua, 1);
        break;
      case 0xcc:
      case 0xcd:
      case 0xce:
      case 0xcf: {
        // Redis pushes unsigned values as a lua_Integer: a uint 64 past INT64_MAX wraps negative.
        uint64_t v = TakeBig(c, 1 << (b - 0xcc));
        if (c.error == nullptr) {
          lua_pushnumber(lua, static_cast<lua_Number>(static_cast<int64_t>(v)));
        }
        break;
      }
      case 0xd0:
        if (uint64_t v = TakeBig(c, 1); c.error == nullptr) {
          lua_pushnumber(lua, static_cast<int8_t>(v));
        }
        break;
      case 0xd1:
        if (uint64_t v = TakeBig(c, 2); c.error == nullptr) {
          lua_pushnumber(lua, static_cast<int16_t>(v));
        }
        break;
      case 0xd2:
        if (uint64_t v = TakeBig(c, 4); c.error == nullptr) {
          lua_pushnumber(lua, static_cast<int32_t>(v));
        }
        break;
      case 0xd3:
        if (uint64_t v = TakeBig(c, 8); c.error == nullptr) {
          lua_pushnumber(lua, static_cast<lua_Number>(static_cast<int64_t>(v)));
        }
        break;
      case 0xca:
        if (uint64_t v = TakeBig(c, 4); c.error == nullptr) {
          uint32_t bits = static_cast<uint32_t>(v);
          float f;
          std::memcpy(&f, &bits, sizeof(f));
          lua_pushnumber(lua, f);
        }
        break;
      case 0xcb:
        if (uint64_t v = TakeBig(c, 8); c.error == nullptr) {
          double d;
          std::memcpy(&d, &v, sizeof(d));
          lua_pushnumber(lua, d);
        }
        break;
      // Redis's lua-cmsgpack 0.4.0 predates the bin types (0xc4-0xc6): they are a bad format.
      case 0xd9:
        if (uint64_t n = TakeBig(c, 1); c.error == nullptr) DecodeString(lua, c, n);
        break;
      case 0xda:
        if (uint64_t n = TakeBig(c, 2); c.error == nullptr) DecodeString(lua, c, n);
        break;
      case 0xdb:
        if (uint64_t n = TakeBig(c, 4); c.error == nullptr) DecodeString(lua, c, n);
        break;
      case 0xdc:
        if (uint64_t n = TakeBig(c, 2); c.error == nullptr) DecodeArray(lua, c, n);
        break;
      case 0xdd:
        if (uint64_t n = TakeBig(c, 4); c.error == nullptr) DecodeArray(lua, c, n);
        break;
      case 0xde:
        if (uint64_t n = TakeBig(c, 2); c.error == nullptr) DecodeMap(lua, c, n);
        break;
      case 0xdf:
        if (uint64_t n = TakeBig(c, 4); c.error == nullptr) DecodeMap(lua, c, n);
        break;
      default:
        c.error = "Bad data format in input.";
    }
  }
}

int Pack(lua_State* lua) {
  int argc = lua_gettop(lua);
  if (argc == 0) return luaL_argerror(lua, 0, "MessagePack pack needs input.");
  luaL_Buffer buffer;
  luaL_buffinit(lua, &buffer);
  for (int i = 1; i <= argc; ++i) {
    // The encoded bytes go through a Lua buffer so an error cannot leak C++ memory.
    std::string out;
    Encode(lua, i, out, 0);
    lua_pushlstring(lua, out.data(), out.size());
    out = std::string();
    luaL_addvalue(&buffer);
  }
  luaL_pushresult(&buffer);
  return 1;
}

// Decodes up to `limit` objects from `offset`, and returns how many values it pushed. As in Redis,
// a limit and an offset of 0 decode everything and return the values alone; otherwise the next
// offset (-1 at the end) comes first. Both are 64-bit lua_Integers, as in Redis, but its error
// texts print them truncated to C ints, and name the input length as the limit; that is kept.
int UnpackFull(lua_State* lua, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(lua, 1, &len);
  bool decode_all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    return luaL_error(lua, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<uint64_t>(offset) > len) {
    return luaL_error(lua, "Start offset %d greater than input length %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (decode_all) limit = std::numeric_limits<int>::max();
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int base = lua_gettop(lua);
  if (!decode_all) lua_pushnil(lua);
  for (lua_Integer count = 0; c.left > 0 && count < limit; ++count) {
    if (!lua_checkstack(lua, 2)) {
      return luaL_error(lua,
                        "stack overflow (too many return values at once; use unpack_one or "
                        "unpack_limit instead.)");
    }
    Decode(lua, c);
    if (c.error != nullptr) return luaL_error(lua, "%s", c.error);
  }
  if (!decode_all) {
    lua_Number next = c.left == 0 ? -1 : static_cast<lua_Number>(len - c.left);
    lua_pushnumber(lua, next);
    lua_replace(lua, base + 1);
  }
  return lua_gettop(lua) - base;
}

int Unpack(lua_State* lua) { return UnpackFull(lua, 0, 0); }

int UnpackOne(lua_State* lua) {
  lua_Integer offset = luaL_optinteger(lua, 2, 0);
  // Keeps at most the input (none stays none: "got no value").
  lua_pop(lua, lua_gettop(lua) - 1);
  return UnpackFull(lua, 1, offset);
}

int UnpackLimit(lua_State* lua) {
  lua_Integer limit = luaL_checkinteger(lua, 2);
  lua_Integer offset = luaL_optinteger(lua, 3, 0);
  lua_pop(lua, lua_gettop(lua) - 1);
  return UnpackFull(lua, limit, offset);
}

}  // namespace

int OpenCmsgpack(lua_State* lua) {
  static constexpr luaL_Reg kFunctions[] = {{"pack", Pack},
                                            {"unpack", Unpack},
                                            {"unpack_one", UnpackOne},
                                            {"unpack_limit", UnpackLimit},
                                            {nullptr, nullptr}};
  lua_newtable(lua);
  for (const luaL_Reg* fn = kFunctions; fn->name != nullptr; ++fn) {
    lua_pushcfunction(lua, fn->func);
    lua_setfield(lua, -2, fn->name);
  }
  lua_pushliteral(lua, "lua-cmsgpack");
  lua_setfield(lua, -2, "_NAME");
  lua_pushliteral(lua, "lua-cmsgpack 0.4.0");
  lua_setfield(lua, -2, "_VERSION");
  lua_pushliteral(lua, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(lua, -2, "_COPYRIGHT");
  lua_pushliteral(lua, "MessagePack C implementation for Lua");
  lua_setfield(lua, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace respd::server
