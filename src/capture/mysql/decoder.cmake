# inflow_capture_decoder: binlog event + row decoding, value rendering, schema history.
# Pure functions over bytes (no networking); see src/capture/mysql/README.md.
set(INFLOW_DECODER_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(inflow_capture_decoder
  ${INFLOW_DECODER_DIR}/binlog_event.cc
  ${INFLOW_DECODER_DIR}/binlog_file.cc
  ${INFLOW_DECODER_DIR}/decoder.cc
  ${INFLOW_DECODER_DIR}/json_binary.cc
  ${INFLOW_DECODER_DIR}/rows_event.cc
  ${INFLOW_DECODER_DIR}/ddl_parser.cc
  ${INFLOW_DECODER_DIR}/schema.cc
  ${INFLOW_DECODER_DIR}/schema_ddl.cc
  ${INFLOW_DECODER_DIR}/statement_classifier.cc
  ${INFLOW_DECODER_DIR}/value_decoder.cc
  ${INFLOW_DECODER_DIR}/value_numeric.cc
  ${INFLOW_DECODER_DIR}/value_temporal.cc
  ${INFLOW_DECODER_DIR}/value_text.cc
  ${INFLOW_DECODER_DIR}/charset.cc)
target_include_directories(inflow_capture_decoder PUBLIC ${INFLOW_SRC})
target_link_libraries(inflow_capture_decoder
  PUBLIC inflow_common tl::expected fmt::fmt
  PRIVATE simdjson::simdjson ZLIB::ZLIB PkgConfig::ZSTD)

inflow_test(capture_decoder_test
  SOURCES ${INFLOW_DECODER_DIR}/decoder_test.cc
  LIBS inflow_capture_decoder PkgConfig::ZSTD)

inflow_fuzzer(binlog_decoder_fuzz
  SOURCES ${INFLOW_DECODER_DIR}/binlog_decoder_fuzz.cc
  LIBS inflow_capture_decoder
  CORPUS ${INFLOW_DECODER_DIR}/binlog_decoder_fuzz_corpus)
