# inflow_capture: the MySQL / MariaDB replication client (protocol, auth, connection), the
# information_schema SchemaProvider, and the MySQL Source that drives the binlog decoder.
set(_mysql ${CMAKE_CURRENT_SOURCE_DIR}/mysql)
add_library(inflow_capture
  ${CMAKE_CURRENT_SOURCE_DIR}/source.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/open_source.cc
  ${_mysql}/packet_codec.cc
  ${_mysql}/protocol_messages.cc
  ${_mysql}/auth_plugins.cc
  ${_mysql}/connection_options.cc
  ${_mysql}/connection.cc
  ${_mysql}/schema_provider_server.cc
  ${_mysql}/mysql_source.cc
)
target_include_directories(inflow_capture PUBLIC ${INFLOW_SRC})
target_link_libraries(inflow_capture PUBLIC inflow_common inflow_changelog OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB
                      Threads::Threads)
if(TARGET inflow_capture_decoder)
  target_link_libraries(inflow_capture PUBLIC inflow_capture_decoder)
endif()

inflow_test(capture_protocol_test
  SOURCES ${_mysql}/packet_codec_test.cc ${_mysql}/protocol_messages_test.cc
          ${_mysql}/auth_plugins_test.cc ${_mysql}/connection_options_test.cc
          ${_mysql}/sql_quote_test.cc
  LIBS inflow_capture)

inflow_test(capture_source_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/source_test.cc
  ${_mysql}/schema_provider_server_test.cc LIBS inflow_capture)

inflow_fuzzer(mysql_protocol_fuzz
  SOURCES ${_mysql}/mysql_protocol_fuzz.cc
  LIBS inflow_capture
  CORPUS ${_mysql}/mysql_protocol_fuzz_corpus)
