# Fails when a source file includes across a forbidden layer edge, or uses Asio outside server/net
# or Lua outside server/scripting. Run as: cmake -DSOURCE_DIR=<repo> -P tests/layering.cmake
# The allowed edges are docs/ARCHITECTURE.md's; a layer may always include itself.
cmake_minimum_required(VERSION 3.25)

set(ALLOWED_protocol "")
set(ALLOWED_storage "")
set(ALLOWED_server/config "protocol;storage")
set(ALLOWED_server/dispatch "protocol;storage;server/config;server/services;server/scripting")
set(ALLOWED_server/services "protocol;storage;server/config;server/dispatch")
set(ALLOWED_server/scripting "protocol;storage;server/config;server/dispatch;server/services")
set(ALLOWED_server/commands
    "protocol;storage;server/config;server/dispatch;server/services;server/scripting")
set(ALLOWED_server/net "protocol;storage;server/config;server/dispatch;server/services")
set(ALLOWED_server
    "protocol;storage;server/config;server/dispatch;server/services;server/scripting;server/commands;server/net")
# Unit tests of a layer see only that layer (and the layers it may use).
set(ALLOWED_tests/protocol "protocol")
set(ALLOWED_tests/storage "storage")

set(LAYERS protocol storage server/config server/dispatch server/services server/scripting
           server/commands server/net server tests/protocol tests/storage)
set(violations "")
foreach(layer ${LAYERS})
  file(GLOB files "${SOURCE_DIR}/${layer}/*.h" "${SOURCE_DIR}/${layer}/*.cc")
  foreach(file ${files})
    file(RELATIVE_PATH relative "${SOURCE_DIR}" "${file}")
    file(STRINGS "${file}" includes REGEX "^#include [<\"]")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include [<\"]([^>\"]+)[>\"].*" "\\1" header "${line}")
      if(header MATCHES "^boost/asio" AND NOT layer STREQUAL "server/net")
        list(APPEND violations "${relative}: Asio outside server/net (${header})")
      elseif(header MATCHES "^(lua|lauxlib|lualib)\\.h$" AND NOT layer STREQUAL "server/scripting")
        list(APPEND violations "${relative}: Lua outside server/scripting (${header})")
      elseif(line MATCHES "^#include \"" AND header MATCHES "/")
        get_filename_component(target "${header}" DIRECTORY)
        if(NOT target STREQUAL layer AND NOT target IN_LIST ALLOWED_${layer})
          list(APPEND violations "${relative}: ${layer} may not include ${header}")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  list(JOIN violations "\n" text)
  message(FATAL_ERROR "Forbidden includes:\n${text}")
endif()
