// EVAL/EVALSHA/SCRIPT/FCALL through the dispatcher: the Redis<->Lua conversion rules both ways,
// the sandbox, the script cache and shebang flags, with Redis 7.0.15's exact replies.
#include "server/composition.h"
#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class ScriptingTest : public CommandTest {
 protected:
  std::string Eval(const std::string& script) { return Run({"eval", script, "0"}); }
};

TEST_F(ScriptingTest, LuaValuesToReplies) {
  EXPECT_EQ(Eval("return 3.99"), ":3\r\n");  // numbers truncate
  EXPECT_EQ(Eval("return -3.99"), ":-3\r\n");
  EXPECT_EQ(Eval("return 4294967296.7"), ":4294967296\r\n");
  EXPECT_EQ(Eval("return 'str'"), "$3\r\nstr\r\n");
  EXPECT_EQ(Eval("return true"), ":1\r\n");
  EXPECT_EQ(Eval("return false"), "$-1\r\n");
  EXPECT_EQ(Eval("return nil"), "$-1\r\n");
  EXPECT_EQ(Eval("return function() end"), "$-1\r\n");
  EXPECT_EQ(Eval("return 1, 2"), ":1\r\n");
  EXPECT_EQ(Eval("return {1,2,nil,4}"), "*2\r\n:1\r\n:2\r\n");  // arrays stop at the first nil
  EXPECT_EQ(Eval("return {nil,2}"), "*0\r\n");
  EXPECT_EQ(Eval("return {a=1}"), "*0\r\n");
  EXPECT_EQ(Eval("return {1,{2,{3,'a'}},{}}"),
            "*3\r\n:1\r\n*2\r\n:2\r\n*2\r\n:3\r\n$1\r\na\r\n*0\r\n");
  EXPECT_EQ(Eval("return {true, false, 2.9, -0.5}"), "*4\r\n:1\r\n$-1\r\n:2\r\n:0\r\n");
  EXPECT_EQ(Eval("return {ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(Eval("return {err='bad thing'}"), "-bad thing\r\n");
  EXPECT_EQ(Eval("return {err='x', ok='y'}"), "-x\r\n");
  EXPECT_EQ(Eval("return {ok='y', 7}"), "+y\r\n");
  EXPECT_EQ(Eval("return {err=3}"), "*0\r\n");
  EXPECT_EQ(Eval("return {1, {err='inner'}, {ok='fine'}}"), "*3\r\n:1\r\n-inner\r\n+fine\r\n");
  EXPECT_EQ(Eval("return redis.error_reply('-ERR dash')"), "-ERR dash\r\n");
  EXPECT_EQ(Eval("return redis.status_reply('')"), "+\r\n");
  EXPECT_EQ(Eval("return {double=3.5}"), "$3\r\n3.5\r\n");
  EXPECT_EQ(Eval("return {map={a=1}}"), "*2\r\n$1\r\na\r\n:1\r\n");
}

TEST_F(ScriptingTest, Resp3ValuesUnderSetresp3) {
  // A RESP2 caller gets RESP2 whatever the script asked for.
  EXPECT_EQ(Eval("redis.setresp(3); return true"), ":1\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return false"), ":0\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {set={a=true}}"), "*1\r\n$1\r\na\r\n");
  Run({"hello", "3"});
  EXPECT_EQ(Eval("return false"), "_\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return true"), "#t\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return false"), "#f\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return nil"), "_\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {double=3.5}"), ",3.5\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {double=-1/0}"), ",-inf\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {map={a=1,b={1,2}}}"),
            "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n:1\r\n:2\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {map={}}"), "%0\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {big_number='123456789012345678901234567890'}"),
            "(123456789012345678901234567890\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {big_number=12}"), "*0\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {verbatim_string={format='txt', string='hi'}}"),
            "=6\r\ntxt:hi\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return {1,false,{map={x=true}}}"),
            "*3\r\n:1\r\n#f\r\n%1\r\n$1\r\nx\r\n#t\r\n");
}

TEST_F(ScriptingTest, RepliesToLuaValues) {
  Run({"set", "s", "1"});
  Run({"hset", "h", "f", "v"});
  Run({"sadd", "st", "m"});
  Run({"zadd", "z", "1.5", "m"});
  EXPECT_EQ(Eval("return type(redis.call('get','nokey'))"), "$7\r\nboolean\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return type(redis.call('get','nokey'))"), "$3\r\nnil\r\n");
  EXPECT_EQ(Eval("return type(redis.call('incr','s'))"), "$6\r\nnumber\r\n");
  EXPECT_EQ(Eval("local t = redis.call('set','x','1'); return {type(t), t.ok}"),
            "*2\r\n$5\r\ntable\r\n$2\r\nOK\r\n");
  EXPECT_EQ(Eval("local r = redis.call('mget','s','nokey','s'); return {type(r[2]), #r}"),
            "*2\r\n$7\r\nboolean\r\n:3\r\n");
  EXPECT_EQ(Eval("return redis.pcall('incr','h').err"),
            "$65\r\nWRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(
      Eval("redis.setresp(3); local r = redis.call('hgetall','h'); return {type(r.map), r.map.f}"),
      "*2\r\n$5\r\ntable\r\n$1\r\nv\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); local r = redis.call('smembers','st'); "
                 "return tostring(r.set.m)"),
            "$4\r\ntrue\r\n");
  EXPECT_EQ(Eval("redis.setresp(3); return tostring(redis.call('zscore','z','m').double)"),
            "$3\r\n1.5\r\n");
  // A RESP3 value handed back to a RESP2 caller.
  EXPECT_EQ(Eval("redis.setresp(3); return redis.call('hgetall','h')"),
            "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
}

TEST_F(ScriptingTest, SandboxRefusesGlobalsAndUnsafeLibraries) {
  EXPECT_EQ(Eval("return os.time()"),
            "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' "
            "script: 13dea82ee9da896aebcd10f5e36f4a1eeb839b48, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return loadfile"),
            "-ERR user_script:1: Script attempted to access nonexistent global variable "
            "'loadfile' script: a08fbe72c95f67027cc9b6349f5d335b598397b7, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("function f() end"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "f37995b1d7c626139c9a239b83b074295e82ad29, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("local ok, e = pcall(function() x = 1 end); return e"),
            "$49\r\nuser_script:1: Attempt to modify a readonly table\r\n");
  EXPECT_EQ(Eval("return loadstring('return 7')()"), ":7\r\n");
  EXPECT_EQ(Eval("return _VERSION"), "$7\r\nLua 5.1\r\n");
}

// lua-enable-deprecated-api (immutable, read when the engine starts) gives scripts and functions
// getfenv, setfenv and newproxy back; by default they are missing globals, as in Redis 7.0.15.
TEST_F(ScriptingTest, DeprecatedApiOnlyWhenConfigured) {
  EXPECT_EQ(Eval("return getfenv"),
            "-ERR user_script:1: Script attempted to access nonexistent global variable "
            "'getfenv' script: 16cfebc0feae9751eb6419326840e1512625eb36, on @user_script:1.\r\n");
  EXPECT_EQ(Run({"config", "set", "lua-enable-deprecated-api", "yes"}),
            "-ERR CONFIG SET failed (possibly related to argument 'lua-enable-deprecated-api') - "
            "can't set immutable config\r\n");
  clients_.clear();
  ASSERT_EQ(config_.Get("lua-enable-deprecated-api").Set({"yes"}), "");
  server_ = std::make_unique<ServerContext>(config_, clock_);
  Compose(*server_);
  EXPECT_EQ(Eval("local f = function() return 1 end; setfenv(f, {}); return type(getfenv(f))"),
            "$5\r\ntable\r\n");
  EXPECT_EQ(Eval("getmetatable(newproxy(true)).__gc = function() return 1 end; return 0"),
            ":0\r\n");
  EXPECT_EQ(Run({"function", "load",
                 "#!lua name=lib\nredis.register_function('f', function() return type(setfenv) "
                 "end)"}),
            "$3\r\nlib\r\n");
  EXPECT_EQ(Run({"fcall", "f", "0"}), "$8\r\nfunction\r\n");
}

// Regression: assigning an existing global (redis, cjson, KEYS) used to succeed and stay for
// every later script; so did changing the string metatable.
TEST_F(ScriptingTest, ExistingGlobalsAndStringMetatableAreReadOnly) {
  EXPECT_EQ(Eval("cjson = nil"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "f18cd635a4843c791eae09bf352c0edf1b386809, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("KEYS = {}; return 1"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "acc7a090c0cbc976132bbe600424049e9dba61b0, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("_G.redis = nil"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "6af9ce79e05e68fb2006e01b14e492bc00faca49, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("loadstring('KEYS = 1')()"),
            "-ERR [string \"KEYS = 1\"]:1: Attempt to modify a readonly table script: "
            "ac14e7e96bd6bb23a973de03faf314d1c2ce4e7d, on KEYS = 1:1.\r\n");
  EXPECT_EQ(Eval("getmetatable('').__index = {}"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "600bbd8170b33df355d1857b51be5ad60f77ab7b, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("getmetatable('').__index.foo = 1"),
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "4efc98eaab8f6b651a70d1f7569a7b2f429b449f, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return type(cjson) .. type(redis) .. type(KEYS)"), "$15\r\ntabletabletable\r\n");
  EXPECT_EQ(Eval("return {('abc'):upper(), rawequal(string, getmetatable('').__index)}"),
            "*2\r\n$3\r\nABC\r\n:1\r\n");
  EXPECT_EQ(Run({"eval", "KEYS[1] = 'x'; return KEYS[1]", "1", "k"}), "$1\r\nx\r\n");
  EXPECT_EQ(Run({"eval", "return KEYS[1]", "1", "k"}), "$1\r\nk\r\n");
}

TEST_F(ScriptingTest, ScriptCache) {
  EXPECT_EQ(Run({"evalsha", "ffffffffffffffffffffffffffffffffffffffff", "0"}),
            "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(Run({"evalsha", "short", "0"}), "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(Run({"script", "load", "return 1+1"}),
            "$40\r\na27e7e8a43702b7046d4f6a7ccf5b60cef6b9bd9\r\n");
  EXPECT_EQ(Run({"evalsha", "A27E7E8A43702B7046D4F6A7CCF5B60CEF6B9BD9", "0"}), ":2\r\n");
  EXPECT_EQ(Run({"script", "exists", "a27e7e8a43702b7046d4f6a7ccf5b60cef6b9bd9", "x"}),
            "*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(Run({"script", "load", "return ("}),
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near "
            "'<eof>'\r\n");
  EXPECT_EQ(Run({"script", "flush", "bad"}),
            "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
  EXPECT_EQ(Run({"script", "flush", "async"}), "+OK\r\n");
  EXPECT_EQ(Run({"script", "exists", "a27e7e8a43702b7046d4f6a7ccf5b60cef6b9bd9"}), "*1\r\n:0\r\n");
  EXPECT_EQ(Run({"evalsha", "a27e7e8a43702b7046d4f6a7ccf5b60cef6b9bd9", "0"}),
            "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_EQ(Run({"script", "kill"}), "-NOTBUSY No scripts in execution right now.\r\n");
}

TEST_F(ScriptingTest, ReadOnlyScriptsRefuseWrites) {
  EXPECT_EQ(Run({"eval_ro", "return redis.call('get','x')", "0"}), "$-1\r\n");
  EXPECT_EQ(Run({"eval_ro", "return redis.pcall('set','x','1')", "0"}),
            "-ERR Write commands are not allowed from read-only scripts.\r\n");
  EXPECT_EQ(Run({"eval_ro", "return redis.call('del','x')", "1", "x"}),
            "-ERR Write commands are not allowed from read-only scripts. script: "
            "e4d1866104ef0eb6c1e608d2556416b8d62840d1, on @user_script:1.\r\n");
  EXPECT_EQ(Run({"exists", "x"}), ":0\r\n");
}

TEST_F(ScriptingTest, NoscriptCommandsAreRefused) {
  EXPECT_EQ(Eval("return redis.call('multi')"),
            "-ERR This Redis command is not allowed from script script: "
            "c329a1a294be6bf95b44144f7502610661ae925a, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return redis.pcall('multi')"),
            "-ERR This Redis command is not allowed from script\r\n");
  EXPECT_EQ(Eval("return redis.call('script','load','return 1')"),
            "-ERR This Redis command is not allowed from script script: "
            "e884fdd1089d33f7e88d638d04f7355ac44786c2, on @user_script:1.\r\n");
  // Blocking commands are flagged noscript in Redis 7.0: refused, never blocking.
  EXPECT_EQ(Eval("return redis.call('blpop','nolist','0')"),
            "-ERR This Redis command is not allowed from script script: "
            "e1756cc4bfe98195c8420a7d606591965592a8ea, on @user_script:1.\r\n");
  EXPECT_EQ(Eval("return redis.call('bzpopmin','noz','0')"),
            "-ERR This Redis command is not allowed from script script: "
            "0865c3a8da8d494979292b40dfb42bd925b482bb, on @user_script:1.\r\n");
  // DEBUG SET-DISABLE-DENY-SCRIPTS lets DEBUG through, not what would stall the script.
  ASSERT_EQ(config_.Get("enable-debug-command").Set({"yes"}), "");
  ASSERT_EQ(Run({"debug", "set-disable-deny-scripts", "1"}), "+OK\r\n");
  EXPECT_EQ(Eval("return redis.call('debug','protocol','integer')"), ":12345\r\n");
  EXPECT_EQ(Eval("return redis.pcall('multi')"),
            "-ERR This Redis command is not allowed from script\r\n");
  EXPECT_EQ(Eval("return redis.pcall('script','flush')"),
            "-ERR This Redis command is not allowed from script\r\n");
  Run({"debug", "set-disable-deny-scripts", "0"});
  EXPECT_EQ(Eval("return redis.pcall('debug','protocol','integer')"),
            "-ERR This Redis command is not allowed from script\r\n");
  // SELECT inside a script moves only the script.
  EXPECT_EQ(Eval("redis.call('select','1'); redis.call('set','indb1','v'); return 1"), ":1\r\n");
  EXPECT_EQ(Run({"exists", "indb1"}), ":0\r\n");
  Run({"select", "1"});
  EXPECT_EQ(Run({"exists", "indb1"}), ":1\r\n");
}

TEST_F(ScriptingTest, ShebangFlags) {
  Run({"set", "a", "1"});
  EXPECT_EQ(Eval("#!lua\nreturn 1"), ":1\r\n");
  EXPECT_EQ(Eval("#!lua   flags=no-writes,allow-oom\r\nreturn redis.call('get','a')"),
            "$1\r\n1\r\n");
  EXPECT_EQ(Eval("#!lua flags=no-writes\nreturn redis.call('set','a','1')"),
            "-ERR Write commands are not allowed from read-only scripts. script: "
            "71c6978aa8dbb43cfeb7536150d4b9326e6031a2, on @user_script:2.\r\n");
  EXPECT_EQ(Eval("#!lua flags=\nreturn 1"), ":1\r\n");
  EXPECT_EQ(Eval("#!lua flags=bad\nreturn 1"), "-ERR Unexpected flag in script shebang: bad\r\n");
  EXPECT_EQ(Eval("#!lua flags=no-writes,\nreturn 1"),
            "-ERR Unexpected flag in script shebang: \r\n");
  EXPECT_EQ(Eval("#!lua name=x\nreturn 1"), "-ERR Unknown lua shebang option: name=x\r\n");
  EXPECT_EQ(Eval("#!py\nreturn 1"), "-ERR Unexpected engine in script shebang: #!py\r\n");
  EXPECT_EQ(Eval("#! lua\nreturn 1"), "-ERR Unexpected engine in script shebang: #!\r\n");
  EXPECT_EQ(Eval("#!lua flags=no-writes"), "-ERR Invalid script shebang\r\n");
  // Lines still count from the shebang.
  EXPECT_EQ(Eval("#!lua\nreturn ("),
            "-ERR Error compiling script (new function): user_script:2: unexpected symbol near "
            "'<eof>'\r\n");
  // EVAL_RO runs shebang scripts only if they declare no-writes; scripts without one always.
  EXPECT_EQ(Run({"eval_ro", "#!lua\nreturn 1", "0"}),
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");
  EXPECT_EQ(Run({"eval_ro", "#!lua flags=no-writes\nreturn 1", "0"}), ":1\r\n");
  EXPECT_EQ(Run({"script", "load", "#!lua flags=bad\nreturn 1"}),
            "-ERR Unexpected flag in script shebang: bad\r\n");
}

TEST_F(ScriptingTest, FunctionsBasics) {
  EXPECT_EQ(Run({"function", "load",
                 "#!lua name=lib\n"
                 "redis.register_function('incr2', function(keys, args) "
                 "return redis.call('incrby', keys[1], 2) end)\n"
                 "redis.register_function{function_name='ro', callback=function(keys) "
                 "return redis.call('get', keys[1]) end, flags={'no-writes'}}"}),
            "$3\r\nlib\r\n");
  EXPECT_EQ(Run({"fcall", "incr2", "1", "n"}), ":2\r\n");
  EXPECT_EQ(Run({"fcall_ro", "ro", "1", "n"}), "$1\r\n2\r\n");
  EXPECT_EQ(Run({"fcall_ro", "incr2", "1", "n"}),
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");
  EXPECT_EQ(Run({"fcall", "nosuch", "0"}), "-ERR Function not found\r\n");
  EXPECT_EQ(Run({"function", "load", "#!lua name=lib\nreturn 1"}),
            "-ERR Library 'lib' already exists\r\n");
  EXPECT_EQ(Run({"function", "delete", "lib"}), "+OK\r\n");
  EXPECT_EQ(Run({"fcall", "incr2", "1", "n"}), "-ERR Function not found\r\n");
}

// Redis 7.0's functions.tcl: RESTORE APPEND names a library that exists without quotes (LOAD quotes
// it), before any function collision; REPLACE then reports the function that collides.
TEST_F(ScriptingTest, FunctionRestoreCollisions) {
  Run({"function", "load",
       "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)\n"
       "redis.register_function('f3', function() return 3 end)"});
  std::string dump = Run({"function", "dump"});
  std::string payload = dump.substr(dump.find("\r\n") + 2);
  payload.resize(payload.size() - 2);
  Run({"function", "flush"});
  Run({"function", "load", "#!lua name=lib1\nredis.register_function('f6', function() end)"});
  Run({"function", "load", "#!lua name=lib2\nredis.register_function('f3', function() end)"});
  EXPECT_EQ(Run({"function", "restore", payload}), "-ERR Library lib1 already exists\r\n");
  EXPECT_EQ(Run({"function", "restore", payload, "replace"}),
            "-ERR Function f3 already exists\r\n");
  EXPECT_EQ(Run({"fcall", "f6", "0"}), "$-1\r\n");
  EXPECT_EQ(Run({"function", "restore", payload, "flush"}), "+OK\r\n");
  EXPECT_EQ(Run({"fcall", "f3", "0"}), ":3\r\n");
}

// Redis 7.0's scripting.tcl "SCRIPTING FLUSH ASYNC" reads number_of_cached_scripts; the Lua
// fields stand where Redis 7.0 puts them.
TEST_F(ScriptingTest, InfoMemoryScriptFields) {
  Run({"script", "load", "return 1"});
  Run({"script", "load", "return 2"});
  std::string info = Run({"info", "memory"});
  EXPECT_NE(info.find("\r\nnumber_of_cached_scripts:2\r\nnumber_of_functions:0\r\n"),
            std::string::npos);
  EXPECT_NE(info.find("\r\nused_memory_scripts_eval:96\r\n"), std::string::npos);  // 2 x (40 + 8)
  size_t lua = info.find("\r\nused_memory_lua:");
  size_t vm_total = info.find("\r\nused_memory_vm_total:");
  size_t scripts = info.find("\r\nused_memory_scripts_human:");
  ASSERT_NE(lua, std::string::npos);
  EXPECT_LT(lua, vm_total);
  EXPECT_LT(vm_total, scripts);
  EXPECT_LT(scripts, info.find("\r\nmaxmemory:"));
  EXPECT_EQ(std::stoll(info.substr(lua + 18)) % 1024, 0);  // whole kilobytes, as Redis shows it
  Run({"script", "flush"});
  EXPECT_NE(Run({"info", "memory"}).find("\r\nnumber_of_cached_scripts:0\r\n"), std::string::npos);
}

// Regression: packing a table that is not an array wrote an uninitialized element count.
TEST_F(ScriptingTest, CmsgpackMaps) {
  Run({"eval", "redis.call('SET', KEYS[1], cmsgpack.pack({1, 2, 3}, {a = 1})) return 1", "1",
       "blob"});
  EXPECT_EQ(Run({"get", "blob"}), std::string("$8\r\n\x93\x01\x02\x03\x81\xa1"
                                              "a\x01\r\n",
                                              14));
  EXPECT_EQ(Eval("local t = cmsgpack.unpack(cmsgpack.pack({x = {1, {y = 'z'}}, [2] = 'two'})) "
                 "return {t.x[2].y, t[2]}"),
            "*2\r\n$1\r\nz\r\n$3\r\ntwo\r\n");
}

}  // namespace
}  // namespace respd::server
