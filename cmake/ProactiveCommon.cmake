# Shared build settings: every target links proactive_flags.

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

find_program(PROACTIVE_CCACHE ccache)
if(PROACTIVE_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${PROACTIVE_CCACHE}")
endif()

add_library(proactive_flags INTERFACE)
target_compile_features(proactive_flags INTERFACE cxx_std_20)
target_compile_options(proactive_flags INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers>)
target_compile_definitions(proactive_flags INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_FOREACH
    QT_NO_KEYWORDS)

# proactive_add_test(<layer> <unit> LIBS <targets...> [SOURCES <extra...>])
# Builds tests/<layer>/tst_<unit>.cpp into one executable and registers it with ctest.
# Every test can wait in a real event loop (tests/support/eventwait.h).
function(proactive_add_test layer unit)
    cmake_parse_arguments(ARG "" "" "LIBS;SOURCES" ${ARGN})
    set(target tst_${layer}_${unit})
    add_executable(${target} tst_${unit}.cpp ${ARG_SOURCES})
    target_link_libraries(${target} PRIVATE proactive_flags Qt6::Test proactive_eventwait ${ARG_LIBS})
    target_compile_definitions(${target} PRIVATE
        PROACTIVE_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data"
        PROACTIVE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_test(NAME ${layer}/${unit} COMMAND ${target})
    set_tests_properties(${layer}/${unit} PROPERTIES LABELS ${layer} TIMEOUT 300)
    # tests_<layer> builds one layer's tests only (the asan run builds core and service).
    if(NOT TARGET tests_${layer})
        add_custom_target(tests_${layer})
    endif()
    add_dependencies(tests_${layer} ${target})
endfunction()
