// The stream RDB codec: payloads of redis-server 7.0.15 read back and written out to the same
// bytes, respd's streams built from the same XADD history written as Redis writes them, round
// trips with groups, and malformed payloads refused (hand-made cases and a mutation fuzz).
#include "storage/rdb_stream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "storage/rdb_format.h"
#include "storage/stream.h"

namespace respd::storage {
namespace {

// DUMP payloads of redis-server 7.0.15 (type byte, value, RDB version, CRC-64). Histories:
// kSimple: XADD s 1-1 a 1; XADD s 1-2 a 2 b hello; XADD s 2-0 a -5.
// kEmptyWithGroup: XADD s 5-1 f v; XDEL s 5-1; XGROUP CREATE s g1 $.
// kDeletedEntries: stream-node-max-entries 3, XADD s 10-<i> field value<i> for i in 1..5;
//   XDEL s 10-2; XDEL s 10-1.
// kGroupsAndConsumers: stream-node-max-entries 3, XADD s <100+i>-0 name n<i> num <1000i> for
//   i in 1..8, XADD s 109-5 other x, XDEL 104-0, groups grp and 123 from 0, XREADGROUP by alice
//   (3) and bob (2), XCLAIM of 101-0 by bob, XACK 102-0, XGROUP CREATECONSUMER carol, and
//   consumer 7 of group 123 reading one.
// kLongAndNumericValues: XADD s 1-1 f <300 x> g 12345678901234;
//   XADD s 1-2 f "\x00\xc3\xbf" g -9223372036854775808.
// kThreeNodes: XADD s <1000+i/3>-<i%3> k <"v" * (i%7)> idx <i> for i in 0..249.
// kNodeOfDeletedEntries: stream-node-max-entries 4, XADD s <i>-1 a b for i in 1..8, XDEL 4-1,
//   XDEL 3-1, XTRIM s MINID 3-5: the first node keeps only deleted entries.
// kSplitNodes: stream-node-max-entries 3, XADD s <100+i>-0 name n<i> for i in 1..8, XDEL 102-0,
//   groups g0 (0), gmid (105-0), glast ($), gfirst (101-0), XREADGROUP GROUP g0 c1 COUNT 2.
// kSplitNodesV1, kEmptyV1: those payloads in Redis 6.x's RDB_TYPE_STREAM_LISTPACKS form (no
//   first ID, max deleted ID, entries added, entries read); the ...Redumped payloads are Redis
//   7.0.15's DUMP of them after RESTORE.
constexpr std::string_view kSimple =
    "13011000000000000000010000000000000001c33c404111410000001800030100010101816102000102200a40"
    "0c0004200540070002401620040962028568656c6c6f060820120a0101dfff02dffb020401ff03020001010000"
    "03000a0071b56cf1babb0ba4";

constexpr std::string_view kEmptyWithGroup =
    "1300000501000005010101026731050181ffffffffffffffff00000a00a33a9dbde48021f6";

constexpr std::string_view kDeletedEntries =
    "130210000000000000000a0000000000000001c33d404617460000001400010102010101856669656c64060001"
    "0301002001088676616c7565310704600f0001a00f0032200f0002201d0002a00f0033200f00ff100000000000"
    "00000a0000000000000004c3303614360000000f00020100010101856669656c64060001400e0a00018676616c"
    "7565340704600f0001a00f0035200f00ff030a050a030a0205000a0026d91f9586e6916f";

constexpr std::string_view kGroupsAndConsumers =
    "13031000000000000000650000000000000000c34041404716470000001800030100010201846e616d6505836e"
    "756d04400e0000200107826e3103c3e80205201d0001600e033203c7d0600e401f05826e3303cbb8200e00ff10"
    "000000000000006800000000000000004049490000001800020101010201846e616d6505836e756d0400010301"
    "00010001826e3403cfa0020501020101010001826e3503f18813030501020102010001826e3603f17017030501"
    "ff10000000000000006b0000000000000000404e4e0000001900030100010201846e616d6505836e756d040001"
    "020100010001826e3703f1581b030501020101010001826e3803f1401f0305010001020105010101856f746865"
    "72068178020601ff08406d054065004068000902c07b40650081ffffffffffffffff0100000000000000650000"
    "00000000000040c1924ea20100000101c00740c1924ea201000001000000000000006500000000000000000367"
    "7270406a0081ffffffffffffffff04000000000000006500000000000000003fc1924ea2010000020000000000"
    "00006700000000000000003fc1924ea201000001000000000000006900000000000000003fc1924ea201000001"
    "000000000000006a00000000000000003fc1924ea2010000010305616c6963653fc1924ea20100000100000000"
    "00000067000000000000000003626f623fc1924ea2010000030000000000000065000000000000000000000000"
    "000000690000000000000000000000000000006a0000000000000000056361726f6c3fc1924ea2010000000a00"
    "a352140a77eee236";

constexpr std::string_view kLongAndNumericValues =
    "13011000000000000000010000000000000001c34047416e116e01000012000201000102018166028167024009"
    "0000200102e12c78e0ff00e01a000c02aef4f22fce733a0b00000905214b0a000101018300c3bf04f400800000"
    "80201600ff0201020101000002000a0048e6a80b1d2414e3";

constexpr std::string_view kThreeNodes =
    "13031000000000000003e80000000000000000c3433d45ee13ee0500005e02640100010201816b028369647804"
    "400b000020010080200300052017070001010181760201a00c0602018276760302600d0001201c058376767604"
    "03a00e02010184200e02760504a00f02020185200e03767606056010404c0086200e2000010706a01100012068"
    "0007a00b208402760208600c0003205a40680009a00d00018068000aa00e0002a068000b600f0004202ca06800"
    "0ca0100001e00068000da01100022068000e600b0005202e2068000f2008400c000160680010a00d0002806800"
    "11600e0006202980d10012a00f0001c0680013a0100002e00068001460110007203202800115a00b613a0016a0"
    "0c813a0017600d00082026613a0018a00ec13a0019a00fe1003a001a60100009202fc13a001ba011413a001ca0"
    "0b613a001d600c000a202a413a001ea00da13a001fa00ec13a0020600f000b202ca13a0021a010e1013a0022a0"
    "11413a0023600b000c202e213a0024a00c813a0025a00da13a0026600e000d2029813a0027a00fe1003a0028a0"
    "10e1013a00296011000e20320280012aa00b613a002ba00c813a002c600d000f2026613a002da00ec13a002ea0"
    "0fe1003a002f60100010202fc13a0030a011413a0031a00b613a0032600c0011202a413a0033a00da13a0034a0"
    "0ec13a0035600f0012202ca13a0036a010e1013a0037a011413a0038600b0013202e213a0039a00c813a003aa0"
    "0da13a003b600e00142029813a003ca00fe1003a003da010e1013a003e6011001520320280013fa00b613a0040"
    "a00c813a0041600d00162026613a0042a00ec13a0043a00fe1003a004460100017202fc13a0045a011413a0046"
    "a00b613a0047600c0018202a413a0048a00da13a0049a00ec13a004a600f0019202ca13a004ba010e1013a004c"
    "a011413a004d600b001a202e213a004ea00c813a004fa00da13a0050600e001b2029813a0051a00fe1003a0052"
    "a010e1013a00536011001c203202800154a00b613a0055a00c813a0056600d001d2026613a0057a00ec13a0058"
    "a00fe1003a00596010001e202fc13a005aa011413a005ba00b613a005c600c001f202a413a005da00da13a005e"
    "a00ec13a005f600f0020202ca13a0060a010e1013a0061a011413a0062600b0021202e213a0063200c00ff1000"
    "000000000004090000000000000001c3435c465b135b0600005e02640100010201816b028369647804400b0000"
    "2001068276760364010520190900010101837676760465600e050101dfff0284200f02760566a0100200018520"
    "0e0376760667a01002010186200e200001076860110002403302800169a00c0500018176026aa00c0001606a00"
    "6b600d00034027606b006ca00f010001806a006da00f0001c06a006e601000044030c06b006fa0120400018001"
    "70a00b0001406a0071600c0005402b40d60072200a400e000080d60073a00e0001a06a0074600f0006402da0d6"
    "0075a0110000e000d60076a0110001206a0077600b0007402f20d60078a00d81410079a00da141007a600e0008"
    "402a80d6007ba010e10041007ca010e10141007d6011000940330280017ea00c6141007fa00c814102c0800240"
    "d6000a4028614201c081a010c14301c082a010e1004401c0836011000b4033c14501c084a013414601c085a00c"
    "614701c086600d000c402e414801c087a00fa14901c088a00fc14a01c0896010000d4030a14b01c08aa012e101"
    "4c01c08ba012414d01c08c600c000e4032214e01c08da00e814f01c08ea00ea15001c08f600f000f402d815101"
    "c090a011e1005201c091a011e1015301c09260120010403620720093a00d615501c094a00da1560095600e0011"
    "402a81560096a010e100560097a010e101560098601100124033e100560099a0136156009aa00c8156009b600d"
    "0013402e6156009ca00fc156009da00fe10056009e601000144030c156009fa012e1025600a0a012615600a160"
    "0c00154032415600a2a00ea15600a3a00ec15600a4600f0016402da15600a5a011e1015600a6a011e1025600a7"
    "601200174036215600a8a00d815600a9a00da15600aa600e0018402a815600aba010e1005600aca010e1015600"
    "ad601100194033e1005600aea013615600afa00c815600b0600d001a402e615600b1a00fc15600b2a00fe10056"
    "00b36010001b4030c15600b4a012e1025600b5a012615600b6600c001c4032415600b7a00ea15600b8a00ec156"
    "00b9600f001d402da15600baa011e1015600bba011e1025600bc6012001e4036215600bda00d815600bea00da1"
    "5600bf600e001f402a815600c0a010e1005600c1a010e1015600c2601100204033e1005600c3a013615600c4a0"
    "0c815600c5600d0021402e615600c6a00fc15600c7200f00ff10000000000000042a0000000000000002c341d5"
    "435913590300003201320100010201816b028369647804400b0000200101847620000405c0c80205201c050101"
    "dffe0285201004767606c0c9c01202ff0286201020000207c0caa0130500018001c0cb600c0002403304817602"
    "c0ccc00e07ff0282767603c0cda00f02000183203b0204c0ce600f0003402ea07400cfc01100ffe0007400d0a0"
    "12010001e0007300d1601200044037207400d2c00d00ff607400d3a00e010001607300d4600e0005402b807400"
    "d5c01000ffc07400d6a011010001c0e800d7601100064034e0007400d8c01300ff407400d9a00d01000140e800"
    "da600d0007402f607400dbc00f00ffa07400dca010e1005d00dd601000084031c07400dec012e1025d00dfa013"
    "615d00e0600c00094033407400e1c00ea15d00e2a00fc15d00e3600f000a402ea15d00e4c011e1015d00e5a012"
    "e1025d00e66012000b4037215d00e7c00d815d00e8a00ea15d00e9600e000c402b815d00eac010e1005d00eba0"
    "11e1015d00ec6011000d4034e1005d00edc013615d00eea00d815d00ef600d000e402f615d00f0c00fc15d00f1"
    "a010e1005d00f26010000f4031c15d00f3c012e1025d00f4a013615d00f5600c00104033415d00f6c00ea15d00"
    "f7a00fc15d00f8600f0011402ea15d00f9201100ff40fa443b0043e800000040fa000a0052c7dc57ca7fd54e";

constexpr std::string_view kNodeOfDeletedEntries =
    "13021000000000000000010000000000000001c32f3e133e000000190000010401010181610200010301002001"
    "0381620204200a0001e0010a0002e0010a402240200101ff1000000000000000050000000000000001c32e3e11"
    "3e0000001900040100010101816102000102200a05000181620204200a0001e0010a4017a0150003a0150101ff"
    "0408010501040108000a00f1761bb0759879bd";

constexpr std::string_view kSplitNodes =
    "1303100000000000000065000000000000000039390000001400020101010101846e616d650500010201000100"
    "01826e31030401030101010001826e32030401020102010001826e33030401ff10000000000000006800000000"
    "0000000039390000001400030100010101846e616d65050001020100010001826e34030401020101010001826e"
    "35030401020102010001826e36030401ff10000000000000006b00000000000000002d2d0000000f0002010001"
    "0101846e616d65050001020100010001826e37030401020101010001826e38030401ff07406c00406500406600"
    "080402673040670081ffffffffffffffff0200000000000000650000000000000000501c954ea2010000010000"
    "0000000000670000000000000000501c954ea20100000101026331501c954ea201000002000000000000006500"
    "00000000000000000000000000006700000000000000000667666972737440650081ffffffffffffffff000005"
    "676c617374406c0081ffffffffffffffff000004676d696440690081ffffffffffffffff00000a0020b43ec13b"
    "201132";

constexpr std::string_view kSplitNodesV1 =
    "0f03100000000000000065000000000000000039390000001400020101010101846e616d650500010201000100"
    "01826e31030401030101010001826e32030401020102010001826e33030401ff10000000000000006800000000"
    "0000000039390000001400030100010101846e616d65050001020100010001826e34030401020101010001826e"
    "35030401020102010001826e36030401ff10000000000000006b00000000000000002d2d0000000f0002010001"
    "0101846e616d65050001020100010001826e37030401020101010001826e38030401ff07406c00040267304067"
    "000200000000000000650000000000000000501c954ea20100000100000000000000670000000000000000501c"
    "954ea20100000101026331501c954ea20100000200000000000000650000000000000000000000000000006700"
    "0000000000000006676669727374406500000005676c617374406c00000004676d696440690000000a00508e8b"
    "7093e38b5f";

constexpr std::string_view kSplitNodesV1Redumped =
    "1303100000000000000065000000000000000039390000001400020101010101846e616d650500010201000100"
    "01826e31030401030101010001826e32030401020102010001826e33030401ff10000000000000006800000000"
    "0000000039390000001400030100010101846e616d65050001020100010001826e34030401020101010001826e"
    "35030401020102010001826e36030401ff10000000000000006b00000000000000002d2d0000000f0002010001"
    "0101846e616d65050001020100010001826e37030401020101010001826e38030401ff07406c00406500000007"
    "0402673040670081ffffffffffffffff0200000000000000650000000000000000501c954ea201000001000000"
    "00000000670000000000000000501c954ea20100000101026331501c954ea20100000200000000000000650000"
    "000000000000000000000000006700000000000000000667666972737440650001000005676c617374406c0007"
    "000004676d696440690081ffffffffffffffff00000a0014df6101be791080";

constexpr std::string_view kEmptyV1 =
    "0f00000501010167000000000a00eaa19d49bde9b862";

constexpr std::string_view kEmptyV1Redumped =
    "130000050181ffffffffffffffff81ffffffffffffffff00000001016700000000000a004d2463678f0b84a2";

// tests/unit/type/stream-cgroups.tcl's payload of Redis 5: XADD x <i>-0 data <a..f> for i in 1..6,
// XDEL x 3-0, groups g1 and g2 from 0, XREADGROUP GROUP g1 c11 COUNT 4, XTRIM x MAXLEN = 2.
constexpr std::string_view kRedis5 =
    "0f011000000000000000010000000000000000c3404a4057165700000023000201040101018464617461050001"
    "03010020010381610204200a0001400a0062600a0002400a0063600a4022018164200a4039200a0065600a0005"
    "400a0066200a00ff02060002026731050004000000000000000100000000000000003ef783437a010000010000"
    "00000000000200000000000000003ef783437a01000001000000000000000400000000000000003ef783437a01"
    "000001000000000000000500000000000000003ef783437a0100000101036331313ef783437a01000004000000"
    "000000000100000000000000000000000000000002000000000000000000000000000000040000000000000000"
    "000000000000000500000000000000000267320000000009003d52ef6867521dfa";

// The stream payloads of Redis's tests/integration/corrupt-dump.tcl, which redis-server 7.0.15
// refuses with sanitize-dump-payload yes (their CRCs are not checked there).
constexpr std::string_view kRedisCorruptPayloads[] = {
    // listpack invalid size header
    "0f01100000000000000002000000000000000240555f0000000f000101000102018831000000000000000988"
    "3200000000000000090001000100010001020288310000000000000009886100000000000000098832000000"
    "0000000009886200000000000000090801ff0a010000090045910a872fa5f92e",
    // listpack too long entry len
    "0f0110000000000000000200000000000000024055550000000f000101000102018831000000000000000988"
    "3200000000000000090001000100010001020289310000000000000009886100000000000000098832000000"
    "0000000009886200000000000000090801ff0a01000009004063c93703a2e568",
    // listpack very long entry len
    "0f0110000000000000000200000000000000024055550000000f000101000102018831000000000000000988"
    "3200000000000000090001000100010001020288310000000000000009886100000000000000098832000000"
    "00000000099c6200000000000000090801ff0a0100000900636f428e7cb5a29d",
    // listpack too long entry prev len
    "0f0110000000000000000200000000000000024055550000000f000101001502018831000000000000000988"
    "3200000000000000090001000100010001020288310000000000000009886100000000000000098832000000"
    "0000000009886200000000000000090801ff0a010000090006fb44240a8e75ea",
    // stream with duplicate consumers
    "0f0000000001076d7967726f757000000002046e616d652a4caa9a7d01000000046e616d652b4caa9a7d0100"
    "00000a00cced8ca762eec7c8",
    // fuzzer findings - NPD in streamIteratorGetID
    "0f011000000173bd68487100000000000000004042420000001800030100010201846974656d058576616c75"
    "650600010201000100010101000105010201000101010101825f31030501020100010201010102014801ff03"
    "8100000173bd6848710201076d7967726f75708100000173bd684871000100000173bd684871000000000000"
    "0000724868bd73010000010105416c696365724868bd730100000100000173bd684871000000000000000009"
    "0080cdb0d51aceff10",
    // fuzzer findings - listpack NPD on invalid stream
    "0f011000000173dcb66bf100000000000000004042420000001800030100010201846974656d058576616c75"
    "6506000102010001000101010001050102011f01000101016d5f31030501020129010001010102010501ff03"
    "8100000173dcb66c1a0001076d7967726f75708100000173dcb66bf1000100000173dcb66bf1000000000000"
    "00004b6cb6dc73010000010105416c6963653d6cb6dc730100000100000173dcb66bf1000000000000000009"
    "00c77d1cd704ffe69d",
    // fuzzer findings - lzf decompression fails, avoid valg
    "0f021000000173ddaa2ab90000000000000000c3404b405c185c0000002400050100010201846974656d0585"
    "76616c756506401000002001000120030005201c4007050101825f3103800d40000002601940274019003360"
    "19402902010104201900ff1000000173ddaa2abc0000000000000000c3404d405e185e000000240005010001"
    "0201846974656d058576616c756506401000002001060101825f350305201e170b0301010601400b0001600d"
    "02825f376019800000086019802702825f39201900ff0a8100000173ddaa2abe0000090021857743717b1788",
    // fuzzer findings - stream bad lp count
    "0f011000000173dedf7d9b00000000000000004042420000001800030100010201846974656d058576616c75"
    "650600010201000100010101000156010201220100010101825f3103050102012c010001010102010501ff03"
    "8100000173dedf7dc70001076d7967726f75708100000173dedf7d9b000100000173dedf7d9b000000000000"
    "0000f97ddfde73010000010105416c696365eb7ddfde730100000100000173dedf7d9b000000000000000009"
    "00b2a8a75f1b6172d5",
    // fuzzer findings - stream bad lp count - unsanitized
    "0f011000000173dedf7d9b00000000000000004042420000001800030100010201846974656d058576616c75"
    "650600010201000100010101000156010201220100010101825f3103050102012c010001010102010501ff03"
    "8100000173dedf7dc70001076d7967726f75708100000173dedf7d9b000100000173dedf7d9b000000000000"
    "0000f97ddfde73010000010105416c696365eb7ddfde730100000100000173dedf7d9b000000000000000009"
    "00b2a8a75f1b6172d5",
    // fuzzer findings - stream integrity check issue
    "0f0210000001752da290670000000000000000c3404f405c185c0000002400050100014a01846974656d0585"
    "76616c756506401000002001000120030005201c4009050101825f3103800d0002200d0002a0190003200b02"
    "825f33a0190004200d0004201900ff10000001752da290670000000000000005c34056406018600000002400"
    "050100010201846974656d058576616c756506401000002001060101825f350305201e400b0301010601800b"
    "0002200b02825f376019030101dffb20050008601a200c00fc200502825f39201b00ff0a81000001752da290"
    "68010009001d6fc0698adef792",
    // fuzzer findings - infinite loop
    "0f0110000001753aa6d09300000000000000004042420000001800030100010201846974656d058576616c75"
    "650600010201000100010101000105010201000101010101825f3103fd01020100010201010102010501ff03"
    "81000001753aa6d0930201076d7967726f757081000001753aa6d0930001000001753aa6d093000000000000"
    "000094d0a63a75010000010105416c69636594d0a63a7501000001000001753aa6d093000000000000000009"
    "00c409ad697eeea62f",
    // fuzzer findings - negative reply length
    "0f011000000175cfa116a700000000000000004042420000001800030100010201846974656d058576616c75"
    "650600010201000100010101000105010201000101010101145f31030501020100010201010102010501ff03"
    "8100000175cfa116a70201076d7967726f75708100000175cfa116a7010100000175cfa116a7000000000000"
    "0001a716a1cf75010000010105416c696365a716a1cf750100000100000175cfa116a7000000000000000109"
    "001b4252b8dd5ce54e",
    // fuzzer findings - stream with no records
    "0f0110000001784d55680900000000000000004042420000001800020101010201846974656d058576616c75"
    "6506000102010001000101010001050103013e0100010101825f31030501020150010001010102010523ff02"
    "81000001784d5568590001076d7967726f757081000001784d5568470001000001784d556847000000000000"
    "00009f68554d78010000010105416c6963658568554d7801000001000001784d556847000000000000000009"
    "00f1c0727039401ea9",
    // fuzzer findings - stream PEL without consumer
    "0f01100000017b08f0b2340000000000000000c33b404219420000001800020101010201846974656d058576"
    "616c7565060020100000200100012003020501032005400004825f31030560198032020501ff02810000017b"
    "08f0b2340201076d7967726f7570810000017b08f0b23401010000017b08f0b234000000000000000135b2f0"
    "087b010000010113416c69636535b2f0087b010000010000017b08f0b23400000000000000010900282fe0c5"
    "04bba731",
    // fuzzer findings - stream listpack valgrind issue
    "0f01100000017b095e94ff00000000000000004042420000001800020101010201846974656d058576616c75"
    "650600010201000100010101000105010301250100010101825f3103050102013201000101010201f001ff02"
    "810000017b095e95310001076d7967726f7570810000017b095e952400010000017b095e9524000000000000"
    "00005c955e097b010000010105416c6963654b955e097b010000010000017b095e9524000000000000000009"
    "00192994df76f81ac6",
    // fuzzer findings - stream with bad lpFirst
    "0f01100000017b0e52d2ec0000000000000000404242000000180002f701010201846974656d058576616c75"
    "650600010201000100010101000105010301010100010101825f31030501020101010101010102010501ff02"
    "810000017b0e52d2ed0101076d7967726f7570810000017b0e52d2ed00010000017b0e52d2ed000000000000"
    "0000edd2520e7b010000010105416c696365edd2520e7b010000010000017b0e52d2ed000000000000000009"
    "00ac05c9975d4580b3",
    // fuzzer findings - stream listpack lpPrev valgrind iss
    "0f01100000017b0eae663600000000000000004042420000001800020101010201846974656d058576616c75"
    "65060001020100010001010100011d010301240100010169825f31030501020133010001010102010501ff02"
    "810000017b0eae66690001076d7967726f7570810000017b0eae665a00010000017b0eae665a000000000000"
    "00009466ae0e7b010000010105416c6963658366ae0e7b010000010000017b0eae665a000000000000000009"
    "00d5d7a55c631c0940",
    // fuzzer findings - stream with non-integer entry id
    "0f03100000017b1334c3b20000000000000000c3404f405c185c0000002400050100010201846974656d0585"
    "76616c756506401000802001000120030005201c4009050101825f3103800d0002200d0002a0190003200b02"
    "825f33a0190004200d0004201900ff100000017b1334c3b20000000000000005c34056406118610000002400"
    "050100010201846974656d058576616c756506401000002001060101825f350305201e400b0301010601400b"
    "030101dffb200502825f37601a200e00fc20050008c01b00fd200c02825f39201b00ff100000017b1334c3b3"
    "0000000000000003c33d404a184a0000001500020100010201846974656d058576616c756506401000002001"
    "40000005600702dffd02c02309010186756e6971756507a02d020801ff0c810000017b1334c3b4000009009d"
    "bdd5b933c4c5ff",
    // fuzzer findings - stream double free listpack when in
    "0f03100000017b605a23790000000000000000c3404f405c185c0000002400050100010201846974656d0585"
    "76616c756506401000002001000120030005201c4009050101825f3103800d0002200d0002a0190003200b02"
    "825f33a0190004200d0004201900ff100000017b605a23790000000000000005c34051405e185e0000002400"
    "050100010201846974656d058576616c756506401000002001060101825f350305201e400b0301010601800b"
    "0002200b02825f37a0190003200d0008a0190004200b02825f39201900ff100000017b605a23790000000000"
    "000000c33b404918490000001500020100010201846974656d058576616c7565064010000020014000000520"
    "074009c02209010186756e6971756507a02c020801ff0c810000017b605a237a01000a009c8f1ebf2e055909",
    // fuzzer findings - streamLastValidID panic
    "13c010000001802048a0330000000000000000c3404f405c185c0000002400050100010201846974656d0585"
    "76616c756506401000002001000120030005201c4009050101825f3103800d0002200d0002a0190003200b02"
    "825f336019402f02010104201900ff10000001802048a0340000000000000001c34051405e185e0000002400"
    "050100010201846974656d058576616c756506401000002001060101825f350305201e400b0301010601800b"
    "0002200b02825f37a0190003200d0008a0190004200b02825f39201900ff10000001802048a0340000000000"
    "000006c33d404a184a0000001500020100010201846974656d058576616c7565064010000020014000000560"
    "0702dffa02c02309010186756e6971756507a02d020801ff0c81000001802048a0350081000001802048a033"
    "0000000c000a00348b0e5b42cdd608",
    // fuzzer findings - valgrind fishy value warning
    "13011000000181cc07dcf200000000000000004042420000001800020101010201846974656d058576616c75"
    "6506000102010001000101010001050103012c0100010101825f3103050102013c010001010102010501ff02"
    "d000000181cc07dd2e008100000181cc07dcf2008100000181cc07dd1e000301076d7967726f757081000001"
    "81cc07dd1e00020100000181cc07dd1e000000000000000071dd07cc81010000010105416c69636558dd07cc"
    "810100000100000181cc07dd1e00000000000000000a002fb0d1150a97876b",
};

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The type byte and value of a DUMP payload: before its version and CRC.
std::string ValueOf(const std::string& payload) { return payload.substr(0, payload.size() - 10); }

// A type byte and value, all read.
std::unique_ptr<Stream> Read(std::string_view bytes) {
  rdb::Reader in(bytes);
  uint8_t type = 0;
  if (!in.Byte(&type)) return nullptr;
  std::unique_ptr<Stream> stream = rdb::ReadStream(in, type);
  return stream != nullptr && in.AtEnd() ? std::move(stream) : nullptr;
}

std::unique_ptr<Stream> ReadPayload(std::string_view hex) { return Read(ValueOf(Unhex(hex))); }

std::string Write(const Stream& stream, bool compress = true) {
  rdb::Writer out(compress);
  rdb::WriteStream(stream, out);
  return out.Take();
}

void Add(Stream& s, StreamId id, std::vector<std::string> field_values,
         StreamNodeLimits limits = {}) {
  std::vector<std::string_view> views(field_values.begin(), field_values.end());
  s.Append(id, views, limits);
}

std::vector<std::string> Entries(const Stream& s) {
  std::vector<std::string> out;
  for (const StreamEntryRef& e : s.Range({}, StreamId::Max(), 0, false)) {
    std::string line = e.id.ToString();
    e.ForEach([&](std::string_view element) { line.append(" ").append(element); });
    out.push_back(line);
  }
  return out;
}

TEST(RdbStreamTest, RedisPayloadsWriteBackToTheSameBytes) {
  for (std::string_view hex :
       {kSimple, kEmptyWithGroup, kDeletedEntries, kGroupsAndConsumers, kLongAndNumericValues,
        kThreeNodes, kNodeOfDeletedEntries, kSplitNodes}) {
    std::unique_ptr<Stream> stream = ReadPayload(hex);
    ASSERT_NE(stream, nullptr) << hex.substr(0, 40);
    EXPECT_EQ(Write(*stream), ValueOf(Unhex(hex))) << hex.substr(0, 40);
  }
}

TEST(RdbStreamTest, ReadsWhatRedisHolds) {
  std::unique_ptr<Stream> s = ReadPayload(kGroupsAndConsumers);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->Length(), 8u);
  EXPECT_EQ(s->last_id(), (StreamId{109, 5}));
  EXPECT_EQ(s->max_deleted_id(), (StreamId{104, 0}));
  EXPECT_EQ(s->entries_added(), 9u);
  EXPECT_EQ(s->RadixTreeKeys(), 3u);
  EXPECT_EQ(Entries(*s).back(), "109-5 other x");
  StreamGroup* grp = s->FindGroup("grp");
  ASSERT_NE(grp, nullptr);
  EXPECT_EQ(grp->last_id, (StreamId{106, 0}));
  EXPECT_EQ(grp->entries_read, StreamGroup::kInvalidEntriesRead);
  ASSERT_EQ(grp->consumers.size(), 3u);
  EXPECT_EQ(grp->FindConsumer("alice")->pel, (std::set<StreamId>{{103, 0}}));
  EXPECT_EQ(grp->FindConsumer("bob")->pel, (std::set<StreamId>{{101, 0}, {105, 0}, {106, 0}}));
  EXPECT_TRUE(grp->FindConsumer("carol")->pel.empty());
  EXPECT_EQ(grp->pel.at({101, 0}).delivery_count, 2u);
  EXPECT_EQ(grp->pel.at({101, 0}).delivery_time, 1796614570303);
  EXPECT_EQ(grp->pel.at({101, 0}).consumer, grp->FindConsumer("bob"));
  ASSERT_NE(s->FindGroup("123"), nullptr);
  EXPECT_EQ(s->FindGroup("123")->FindConsumer("7")->pel.size(), 1u);

  std::unique_ptr<Stream> trimmed = ReadPayload(kNodeOfDeletedEntries);
  ASSERT_NE(trimmed, nullptr);
  EXPECT_EQ(Entries(*trimmed),
            (std::vector<std::string>{"5-1 a b", "6-1 a b", "7-1 a b", "8-1 a b"}));
  EXPECT_EQ(trimmed->first_id(), (StreamId{5, 1}));
}

TEST(RdbStreamTest, ReadsRedis6PayloadsAsRedis7Does) {
  std::unique_ptr<Stream> s = ReadPayload(kSplitNodesV1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(Write(*s), ValueOf(Unhex(kSplitNodesV1Redumped)));
  std::unique_ptr<Stream> empty = ReadPayload(kEmptyV1);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->first_id(), StreamId::Max());
  EXPECT_EQ(Write(*empty), ValueOf(Unhex(kEmptyV1Redumped)));

  std::unique_ptr<Stream> old = ReadPayload(kRedis5);
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->max_deleted_id(), (StreamId{0, 0}));
  EXPECT_EQ(old->entries_added(), 2u);
  EXPECT_EQ(old->FindGroup("g1")->entries_read, 1);
  EXPECT_EQ(old->FindGroup("g2")->entries_read, 0);
  EXPECT_EQ(old->FindGroup("g1")->pel.size(), 4u);
}

// respd's own streams, built from the XADD history of Redis's payloads, write Redis's bytes.
TEST(RdbStreamTest, SameHistoryWritesRedisBytes) {
  Stream simple;
  Add(simple, {1, 1}, {"a", "1"});
  Add(simple, {1, 2}, {"a", "2", "b", "hello"});
  Add(simple, {2, 0}, {"a", "-5"});
  EXPECT_EQ(Write(simple), ValueOf(Unhex(kSimple)));

  Stream deleted;
  StreamNodeLimits three{.max_bytes = 4096, .max_entries = 3};
  for (uint64_t i = 1; i <= 5; ++i) {
    Add(deleted, {10, i}, {"field", "value" + std::to_string(i)}, three);
  }
  deleted.Delete({10, 2});
  deleted.Delete({10, 1});
  EXPECT_EQ(Write(deleted), ValueOf(Unhex(kDeletedEntries)));

  Stream nodes;
  for (int i = 0; i < 250; ++i) {
    Add(nodes, {1000 + static_cast<uint64_t>(i / 3), static_cast<uint64_t>(i % 3)},
        {"k", std::string(i % 7, 'v'), "idx", std::to_string(i)});
  }
  EXPECT_EQ(Write(nodes), ValueOf(Unhex(kThreeNodes)));

  Stream trimmed;
  StreamNodeLimits four{.max_bytes = 4096, .max_entries = 4};
  for (uint64_t i = 1; i <= 8; ++i) Add(trimmed, {i, 1}, {"a", "b"}, four);
  trimmed.Delete({4, 1});
  trimmed.Delete({3, 1});
  trimmed.Trim({.strategy = StreamTrim::Strategy::kMinId, .minid = {3, 5}});
  EXPECT_EQ(Write(trimmed), ValueOf(Unhex(kNodeOfDeletedEntries)));
}

// A stream with every kind of state: nodes of several entries, deleted entries, entries with
// and without the master's fields, groups with pending entries, consumers with and without.
std::unique_ptr<Stream> Busy() {
  auto s = std::make_unique<Stream>();
  StreamNodeLimits limits{.max_bytes = 200, .max_entries = 5};
  for (uint64_t i = 1; i <= 40; ++i) {
    if (i % 4 == 0) {
      Add(*s, {i, i}, {"other", std::to_string(i * 1000003), "x", std::string(i, 'y')}, limits);
    } else {
      Add(*s, {i, 0}, {"f", "v" + std::to_string(i)}, limits);
    }
  }
  for (uint64_t i : {2, 3, 17, 21}) s->Delete({i, 0});
  s->Delete({40, 40});
  StreamGroup* g = s->CreateGroup("g", {20, 0}, 17);
  StreamConsumer* alice = g->CreateConsumer("alice", 1700000000123);
  StreamConsumer* bob = g->CreateConsumer("bob", -5);
  g->CreateConsumer("idle", 0);
  for (uint64_t i : {5, 6, 17, 19}) {
    g->pel[{i, 0}] = StreamNack{.delivery_time = int64_t(i) * 7, .delivery_count = i,
                                .consumer = i % 2 ? alice : bob};
    (i % 2 ? alice : bob)->pel.insert({i, 0});
  }
  s->CreateGroup("12345", {0, 0}, StreamGroup::kInvalidEntriesRead);
  s->CreateGroup(std::string(100, 'n'), StreamId::Max(), INT64_MAX);
  return s;
}

TEST(RdbStreamTest, RoundTripKeepsEverything) {
  std::unique_ptr<Stream> s = Busy();
  for (bool compress : {true, false}) {
    std::string bytes = Write(*s, compress);
    std::unique_ptr<Stream> back = Read(bytes);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(Write(*back, compress), bytes);
    EXPECT_EQ(Entries(*back), Entries(*s));
    EXPECT_EQ(back->Length(), s->Length());
    EXPECT_EQ(back->first_id(), s->first_id());
    EXPECT_EQ(back->max_deleted_id(), s->max_deleted_id());
    EXPECT_EQ(back->entries_added(), s->entries_added());
    EXPECT_EQ(back->MemoryUsage(), s->MemoryUsage());
    // The nodes' Redis byte sizes, which decide later splits, are the listpacks' sizes.
    ASSERT_EQ(back->nodes().size(), s->nodes().size());
    for (auto a = s->nodes().begin(), b = back->nodes().begin(); a != s->nodes().end(); ++a, ++b) {
      EXPECT_EQ(a->first, b->first);
      EXPECT_EQ(a->second.listpack_bytes(), b->second.listpack_bytes());
      EXPECT_EQ(a->second.deleted(), b->second.deleted());
    }
    ASSERT_EQ(back->groups().size(), 3u);
    StreamGroup* g = back->FindGroup("g");
    EXPECT_EQ(g->entries_read, 17);
    EXPECT_EQ(g->FindConsumer("bob")->seen_time, -5);
    EXPECT_EQ(g->pel.at({17, 0}).consumer, g->FindConsumer("alice"));
    EXPECT_EQ(g->pel.at({17, 0}).delivery_time, 119);
    EXPECT_EQ(back->FindGroup("12345")->entries_read, StreamGroup::kInvalidEntriesRead);
    EXPECT_EQ(back->FindGroup(std::string(100, 'n'))->last_id, StreamId::Max());
  }
}

TEST(RdbStreamTest, EmptyStreamWithGroupsRoundTrips) {
  Stream s;
  Add(s, {5, 1}, {"f", "v"});
  s.Delete({5, 1});
  s.CreateGroup("g1", {5, 1}, StreamGroup::kInvalidEntriesRead);
  EXPECT_EQ(Write(s), ValueOf(Unhex(kEmptyWithGroup)));
  std::unique_ptr<Stream> back = Read(Write(s));
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->Length(), 0u);
  EXPECT_EQ(back->last_id(), (StreamId{5, 1}));
  EXPECT_NE(back->FindGroup("g1"), nullptr);
}

// A loaded stream goes on growing and splitting where the original does.
TEST(RdbStreamTest, LoadedStreamAppendsLikeTheOriginal) {
  std::unique_ptr<Stream> s = Busy();
  std::unique_ptr<Stream> back = Read(Write(*s));
  ASSERT_NE(back, nullptr);
  StreamNodeLimits limits{.max_bytes = 200, .max_entries = 5};
  for (uint64_t i = 50; i < 70; ++i) {
    Add(*s, {i, 0}, {"f", std::string(i, 'z')}, limits);
    Add(*back, {i, 0}, {"f", std::string(i, 'z')}, limits);
  }
  EXPECT_EQ(Write(*back), Write(*s));
}

TEST(RdbStreamTest, RefusesRedisCorruptPayloads) {
  for (std::string_view hex : kRedisCorruptPayloads) {
    // As RESTORE reads a value: from the whole payload, trailer included.
    std::string payload = Unhex(hex);
    rdb::Reader in(std::string_view(payload).substr(1));
    EXPECT_EQ(rdb::ReadStream(in, static_cast<uint8_t>(payload[0])), nullptr) << hex.substr(0, 60);
  }
}

// Hand-made stream values around one node whose listpack holds `elements`.
struct Payload {
  std::vector<std::string> elements = {"1", "0", "1", "f", "0", "2", "0", "0", "v", "4"};
  std::string key = std::string(7, '\0') + "\x01" + std::string(7, '\0') + "\x01";  // 1-1
  uint64_t length = 1;
  StreamId last_id{1, 1};
  std::string groups = std::string(1, '\0');  // no groups

  std::string Bytes() const {
    rdb::ListpackWriter lp;
    for (const std::string& e : elements) lp.Append(e);
    rdb::Writer out(false);
    out.Byte(rdb::kTypeStreamListpacks2);
    out.Length(1);
    out.String(key);
    out.String(lp.Finish());
    out.Length(length);
    for (uint64_t v : {last_id.ms, last_id.seq, uint64_t{1}, uint64_t{1}, uint64_t{0},
                       uint64_t{0}, uint64_t{1}}) {
      out.Length(v);
    }
    out.Raw(groups);
    return out.Take();
  }
};

std::string RawId(StreamId id) {
  std::string out;
  for (uint64_t v : {id.ms, id.seq}) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  }
  return out;
}

// One group "g" with a PEL of `pel` and consumers, each with the PEL IDs it lists.
std::string Groups(const std::vector<StreamId>& pel,
                   const std::vector<std::pair<std::string, std::vector<StreamId>>>& consumers,
                   int count = 1) {
  rdb::Writer out(false);
  out.Length(count);
  for (int g = 0; g < count; ++g) {
    out.String("g");
    out.Length(0);
    out.Length(0);
    out.Length(0);
    out.Length(pel.size());
    for (StreamId id : pel) {
      out.Raw(RawId(id));
      out.Millis(1);
      out.Length(1);
    }
    out.Length(consumers.size());
    for (const auto& [name, ids] : consumers) {
      out.String(name);
      out.Millis(2);
      out.Length(ids.size());
      for (StreamId id : ids) out.Raw(RawId(id));
    }
  }
  return out.Take();
}

TEST(RdbStreamTest, RefusesMalformedNodes) {
  ASSERT_NE(Read(Payload{}.Bytes()), nullptr);
  auto refused = [](auto change) {
    Payload p;
    change(p);
    return Read(p.Bytes()) == nullptr;
  };
  EXPECT_TRUE(refused([](Payload& p) { p.key.pop_back(); }));
  EXPECT_TRUE(refused([](Payload& p) { p.key.back() = 2; }));         // not the first entry's ID
  EXPECT_TRUE(refused([](Payload& p) { p.elements[0] = "2"; }));      // live count
  EXPECT_TRUE(refused([](Payload& p) { p.elements[1] = "1"; }));      // deleted count
  EXPECT_TRUE(refused([](Payload& p) { p.elements[0] = "-1"; }));
  EXPECT_TRUE(refused([](Payload& p) { p.elements[2] = "0"; }));      // no master fields
  EXPECT_TRUE(refused([](Payload& p) { p.elements[2] = "9"; }));
  EXPECT_TRUE(refused([](Payload& p) { p.elements[4] = "1"; }));      // master terminator
  EXPECT_TRUE(refused([](Payload& p) { p.elements[5] = "6"; }));      // unknown flag
  EXPECT_TRUE(refused([](Payload& p) { p.elements[5] = "x"; }));
  EXPECT_TRUE(refused([](Payload& p) { p.elements[9] = "5"; }));      // lp-count
  EXPECT_TRUE(refused([](Payload& p) { p.elements.push_back("0"); }));
  EXPECT_TRUE(refused([](Payload& p) { p.elements.pop_back(); }));
  EXPECT_TRUE(refused([](Payload& p) { p.length = 2; }));
  EXPECT_TRUE(refused([](Payload& p) { p.last_id = {1, 0}; }));       // below the last entry
  EXPECT_TRUE(refused([](Payload& p) {
    p.elements = {"0", "0", "1", "f", "0"};                            // no entries at all
  }));
  // A second entry: not above the first, or without fields of its own.
  EXPECT_TRUE(refused([](Payload& p) {
    p.elements[0] = "2";
    p.length = 2;
    for (const char* e : {"2", "0", "0", "w", "4"}) p.elements.push_back(e);
  }));
  EXPECT_TRUE(refused([](Payload& p) {
    p.elements[0] = "2";
    p.length = 2;
    for (const char* e : {"0", "0", "1", "0", "4"}) p.elements.push_back(e);
  }));
  // The same with a larger ID and its own fields is fine, deleted or not.
  for (const char* flags : {"0", "1"}) {
    Payload p;
    bool deleted = flags[0] == '1';
    p.elements[0] = deleted ? "1" : "2";
    p.elements[1] = deleted ? "1" : "0";
    p.length = deleted ? 1 : 2;
    p.last_id = {1, 2};
    for (const char* e : {flags, "0", "1", "1", "a", "b", "6"}) p.elements.push_back(e);
    std::unique_ptr<Stream> s = Read(p.Bytes());
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(Entries(*s).back(), deleted ? "1-1 f v" : "1-2 a b");
    EXPECT_EQ(Write(*s, false), p.Bytes());
  }
}

TEST(RdbStreamTest, RefusesInconsistentGroups) {
  auto read = [](std::string groups) {
    Payload p;
    p.groups = std::move(groups);
    return Read(p.Bytes()) != nullptr;
  };
  StreamId a{1, 1}, b{7, 7};
  EXPECT_TRUE(read(Groups({a, b}, {{"c1", {a}}, {"c2", {b}}})));
  EXPECT_TRUE(read(Groups({}, {{"c1", {}}})));
  EXPECT_FALSE(read(Groups({a}, {}, 2)));                     // the same group twice
  EXPECT_FALSE(read(Groups({a, a}, {{"c1", {a}}})));          // an ID pending twice
  EXPECT_FALSE(read(Groups({a}, {{"c1", {}}})));              // pending with no consumer
  EXPECT_FALSE(read(Groups({a}, {{"c1", {a}}, {"c2", {a}}})));  // with two
  EXPECT_FALSE(read(Groups({a}, {{"c1", {a, a}}})));
  EXPECT_FALSE(read(Groups({a}, {{"c1", {a, b}}})));          // not in the group's PEL
  EXPECT_FALSE(read(Groups({a}, {{"c1", {a}}, {"c1", {}}})));  // the same consumer twice
  std::string whole = Groups({a, b}, {{"c1", {a}}, {"c2", {b}}});
  for (size_t cut = 0; cut < whole.size(); ++cut) EXPECT_FALSE(read(whole.substr(0, cut)));
  std::string other_type = Payload{}.Bytes();
  other_type[0] = static_cast<char>(rdb::kTypeHashListpack);
  EXPECT_EQ(Read(other_type), nullptr);
}

// Mutations of valid values (a fixed seed, so failures reproduce): each is refused or reads into
// a stream that works and writes out to bytes that read back the same.
TEST(RdbStreamTest, MutatedPayloadsNeverBreakTheReader) {
  std::vector<std::string> seeds;
  for (std::string_view hex : {kGroupsAndConsumers, kNodeOfDeletedEntries, kSplitNodes}) {
    std::unique_ptr<Stream> s = ReadPayload(hex);
    ASSERT_NE(s, nullptr);
    seeds.push_back(Write(*s, false));
    seeds.push_back(ValueOf(Unhex(hex)));
  }
  seeds.push_back(Write(*Busy(), false));
  std::mt19937 rng(20261207);
  constexpr int kMutationsPerSeed = 3000;
  int accepted = 0;
  for (const std::string& seed : seeds) {
    for (int n = 0; n < kMutationsPerSeed; ++n) {
      std::string bytes = seed;
      for (int edits = 1 + rng() % 3; edits > 0 && !bytes.empty(); --edits) {
        size_t at = rng() % bytes.size();
        switch (rng() % 5) {
          case 0: bytes[at] = static_cast<char>(rng()); break;
          case 1: bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8))); break;
          case 2: bytes.erase(at, 1 + rng() % 4); break;
          case 3: bytes.insert(at, 1, static_cast<char>(rng())); break;
          default: bytes.resize(at); break;
        }
      }
      std::unique_ptr<Stream> s = Read(bytes);
      if (s == nullptr) continue;
      ++accepted;
      std::string out = Write(*s, false);
      std::unique_ptr<Stream> again = Read(out);
      ASSERT_NE(again, nullptr);
      EXPECT_EQ(Write(*again, false), out);
      // Exercise the invariants the stream code relies on.
      std::vector<StreamEntryRef> all = s->Range({}, StreamId::Max(), 0, false);
      EXPECT_EQ(all.size(), s->Length());
      EXPECT_EQ(s->Range({}, StreamId::Max(), 0, true).size(), all.size());
      if (!all.empty()) s->Delete(all.front().id);
      StreamId next = s->last_id();
      if (next.Incr()) Add(*s, next, {"f", "v"});
      for (auto& [name, group] : s->groups()) {
        while (!group.pel.empty()) group.Acknowledge(group.pel.begin());
      }
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace respd::storage
