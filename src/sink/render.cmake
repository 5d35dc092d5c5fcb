# Message rendering (render.h): sink section + event -> messages. Included by
# src/sink/CMakeLists.txt.
add_library(inflow_sink_render ${CMAKE_CURRENT_LIST_DIR}/render.cc)
target_include_directories(inflow_sink_render PUBLIC ${INFLOW_SRC})
target_link_libraries(inflow_sink_render PUBLIC inflow_common inflow_jsonpath inflow_sink_message
                      nlohmann_json::nlohmann_json simdjson::simdjson)
inflow_test(sink_render_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/render_test.cc
            LIBS inflow_sink_render)
