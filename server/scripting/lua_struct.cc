// struct for scripts: binary packing with the format language of Roberto Ierusalimschy's struct
// library that Redis embeds (struct.pack, struct.unpack, struct.size): > < = ! x b B h H l L T
// i I[n] f d s c[n]. Written for respd because Debian ships no Lua 5.1 struct module.
#include <cctype>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "server/scripting/lua_redis.h"

namespace respd::server {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;

struct Header {
  bool little;
  size_t align;
};

bool NativeLittle() {
  uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

bool IsDigit(int c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// A count in a format ("c10", "i8", "!4"), `def` when there is none. Past INT_MAX it is an error,
// as in Redis, so that sizes stay small enough for the size arithmetic below.
int GetNum(lua_State* lua, const char** fmt, int def) {
  if (!IsDigit(**fmt)) return def;
  int a = 0;
  do {
    const int digit = **fmt - '0';
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - digit) luaL_error(lua, "integral size overflow");
    a = a * 10 + digit;
    ++*fmt;
  } while (IsDigit(**fmt));
  return a;
}

size_t OptSize(lua_State* lua, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return sizeof(short);
    case 'L':
    case 'l':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(GetNum(lua, fmt, 1));
    case 'i':
    case 'I': {
      int sz = GetNum(lua, fmt, sizeof(int));
      if (sz > kMaxIntSize)
        luaL_error(lua, "integral size %d is larger than limit of %d", sz, kMaxIntSize);
      return static_cast<size_t>(sz);
    }
    default:
      return 0;
  }
}

// Padding before an item of `size` bytes at offset `len`, Redis's mask arithmetic even for sizes
// that are not powers of two (i3 after one byte under !4 gets two). Strings and sizeless options
// (controls, an unknown option about to be refused) are never aligned: with size 0 the mask
// arithmetic would ask for 2^64 - len bytes.
size_t Gap(const Header& h, size_t len, char opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

void ControlOptions(lua_State* lua, char opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->little = false;
      return;
    case '<':
      h->little = true;
      return;
    case '!': {
      int a = GetNum(lua, fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(lua, "alignment %d is not a power of 2", a);
      h->align = static_cast<size_t>(a);
      return;
    }
    default:
      luaL_argerror(lua, 1, lua_pushfstring(lua, "invalid format option '%c'", opt));
  }
}

// Writes the integer `size` bytes wide; bytes past the eighth are zero, whatever the sign, as
// Redis's putinteger shifts its 64-bit value out.
void PutInteger(lua_State* lua, luaL_Buffer* b, int arg, bool little, size_t size) {
  lua_Number n = luaL_checknumber(lua, arg);
  unsigned long long value = n < 0 ? static_cast<unsigned long long>(static_cast<long long>(n))
                                   : static_cast<unsigned long long>(n);
  char buff[kMaxIntSize];
  for (size_t i = 0; i < size; ++i) {
    size_t pos = little ? i : size - 1 - i;
    buff[pos] = static_cast<char>(i < 8 ? (value >> (8 * i)) & 0xff : 0);
  }
  luaL_addlstring(b, buff, size);
}

void PutReversed(luaL_Buffer* b, const char* data, size_t size, bool little) {
  char buff[sizeof(double)];
  std::memcpy(buff, data, size);
  if (little != NativeLittle()) {
    for (size_t i = 0; i < size / 2; ++i) std::swap(buff[i], buff[size - 1 - i]);
  }
  luaL_addlstring(b, buff, size);
}

int Pack(lua_State* lua) {
  const char* fmt = luaL_checkstring(lua, 1);
  Header h{NativeLittle(), 1};
  int arg = 2;
  size_t total = 0;
  luaL_Buffer b;
  lua_pushnil(lua);  // keeps the buffer above the arguments
  luaL_buffinit(lua, &b);
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = OptSize(lua, opt, &fmt);
    size_t gap = Gap(h, total, opt, size);
    total += gap;
    while (gap-- > 0) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PutInteger(lua, &b, arg++, h.little, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(lua, arg++));
        PutReversed(&b, reinterpret_cast<const char*>(&f), size, h.little);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(lua, arg++);
        PutReversed(&b, reinterpret_cast<const char*>(&d), size, h.little);
        break;
      }
      case 'c':
      case 's': {
        size_t len;
        const char* s = luaL_checklstring(lua, arg++, &len);
        if (size == 0) size = len;
        // Redis names the argument after this one.
        luaL_argcheck(lua, len >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        ControlOptions(lua, opt, &fmt, &h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

// Reads an integer `size` bytes wide as Redis's getinteger does: every byte is shifted through a
// 64-bit value, so past eight bytes only the least significant eight count, and the sign mask is
// shifted by (size * 8 - 1) modulo 64, as the x86 shift Redis compiles to does.
lua_Number GetInteger(const char* buff, bool little, bool is_signed, size_t size) {
  unsigned long long value = 0;
  for (size_t i = 0; i < size; ++i) {
    value <<= 8;
    value |= static_cast<unsigned char>(buff[little ? size - 1 - i : i]);
  }
  if (!is_signed) return static_cast<lua_Number>(value);
  const unsigned long long mask = ~0ull << ((size * 8 - 1) & 63);
  if ((value & mask) != 0) value |= mask;
  return static_cast<lua_Number>(static_cast<long long>(value));
}

int Unpack(lua_State* lua) {
  const char* fmt = luaL_checkstring(lua, 1);
  size_t ld;
  const char* data = luaL_checklstring(lua, 2, &ld);
  // As Redis reads it: a negative offset wraps to a huge one, which no data is long enough for.
  size_t pos = static_cast<size_t>(luaL_optinteger(lua, 3, 1));
  luaL_argcheck(lua, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  Header h{NativeLittle(), 1};
  int pushed = 0;
  lua_settop(lua, 2);
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = OptSize(lua, opt, &fmt);
    pos += Gap(h, pos, opt, size);
    luaL_argcheck(lua, size <= ld && pos <= ld - size, 2, "data string too short");
    luaL_checkstack(lua, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(lua, GetInteger(data + pos, h.little, std::islower(opt) != 0, size));
        ++pushed;
        break;
      case 'x':
        break;
      case 'f':
      case 'd': {
        char buff[sizeof(double)];
        std::memcpy(buff, data + pos, size);
        if (h.little != NativeLittle()) {
          for (size_t i = 0; i < size / 2; ++i) std::swap(buff[i], buff[size - 1 - i]);
        }
        if (opt == 'f') {
          float f;
          std::memcpy(&f, buff, sizeof(f));
          lua_pushnumber(lua, f);
        } else {
          double d;
          std::memcpy(&d, buff, sizeof(d));
          lua_pushnumber(lua, d);
        }
        ++pushed;
        break;
      }
      case 'c':
        if (size == 0) {
          if (pushed == 0 || !lua_isnumber(lua, -1)) {
            luaL_error(lua, "format 'c0' needs a previous size");
          }
          size = static_cast<size_t>(lua_tonumber(lua, -1));
          lua_pop(lua, 1);
          --pushed;
          luaL_argcheck(lua, size <= ld && pos <= ld - size, 2, "data string too short");
        }
        lua_pushlstring(lua, data + pos, size);
        ++pushed;
        break;
      case 's': {
        const void* end = std::memchr(data + pos, '\0', ld - pos);
        if (end == nullptr) luaL_error(lua, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos));
        lua_pushlstring(lua, data + pos, size);
        ++pushed;
        ++size;
        break;
      }
      default:
        ControlOptions(lua, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(lua, static_cast<lua_Integer>(pos + 1));
  return pushed + 1;
}

int Size(lua_State* lua) {
  const char* fmt = luaL_checkstring(lua, 1);
  Header h{NativeLittle(), 1};
  size_t pos = 0;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = OptSize(lua, opt, &fmt);
    pos += Gap(h, pos, opt, size);
    if (opt == 's') {
      luaL_argerror(lua, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(lua, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(static_cast<unsigned char>(opt))) ControlOptions(lua, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(lua, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int OpenStruct(lua_State* lua) {
  static constexpr luaL_Reg kFunctions[] = {
      {"pack", Pack}, {"unpack", Unpack}, {"size", Size}, {nullptr, nullptr}};
  lua_newtable(lua);
  for (const luaL_Reg* fn = kFunctions; fn->name != nullptr; ++fn) {
    lua_pushcfunction(lua, fn->func);
    lua_setfield(lua, -2, fn->name);
  }
  return 1;
}

}  // namespace respd::server
