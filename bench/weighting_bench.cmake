# weighting_bench: the λ slider on a generated 20 M-interaction dataset (issue 3). Included from
# bench/CMakeLists.txt:   include(${CMAKE_CURRENT_SOURCE_DIR}/weighting_bench.cmake)
add_executable(weighting_bench ${CMAKE_CURRENT_LIST_DIR}/weighting_bench.cpp)
target_compile_options(weighting_bench PRIVATE ${TILTBENCH_WARNINGS})
target_link_libraries(weighting_bench PRIVATE tiltbench_core benchmark::benchmark)
