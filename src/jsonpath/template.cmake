# `${var}` templates (template.h): included by src/jsonpath/CMakeLists.txt after inflow_jsonpath
# is defined; adds the template sources to that library and registers their test and fuzzer.
target_sources(inflow_jsonpath PRIVATE ${CMAKE_CURRENT_LIST_DIR}/template.cc)
inflow_test(jsonpath_template_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/template_test.cc
            LIBS inflow_jsonpath)
inflow_fuzzer(jsonpath_template_fuzz SOURCES ${CMAKE_CURRENT_LIST_DIR}/template_fuzz.cc
              LIBS inflow_jsonpath CORPUS ${CMAKE_CURRENT_LIST_DIR}/template_fuzz_corpus)
