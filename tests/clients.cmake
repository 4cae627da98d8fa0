# The pytest plugin's and the Node helper's own tests (clients/), run against the respd built here.
# Their servers start on free ports of 127.0.0.1 and are stopped by pid, like every test's.
add_test(NAME clients_python
         COMMAND ${RESPD_SYSTEM_PYTHON3} -m pytest -q -p no:cacheprovider
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/clients/python)
set_tests_properties(clients_python PROPERTIES TIMEOUT 120
                     ENVIRONMENT "RESPD_BIN=$<TARGET_FILE:respd>;PYTHONDONTWRITEBYTECODE=1")

find_program(RESPD_NODE NAMES node nodejs)
if(NOT RESPD_NODE)
  message(WARNING "node not found: the clients_node test will fail (.ci/setup --test installs nodejs)")
endif()
add_test(NAME clients_node COMMAND ${RESPD_NODE} --test
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/clients/node)
set_tests_properties(clients_node PROPERTIES TIMEOUT 120 ENVIRONMENT "RESPD_BIN=$<TARGET_FILE:respd>")
