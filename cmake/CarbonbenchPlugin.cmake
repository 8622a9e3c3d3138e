# carbonbench_add_plugin(NAME <target> SOURCES <files...> [OUTPUT_DIR <dir>])
# Builds one plugin shared object against the carbonbench SDK. Used in tree
# and, through the installed package config, by out-of-tree plugins.
function(carbonbench_add_plugin)
  cmake_parse_arguments(ARG "" "NAME;OUTPUT_DIR" "SOURCES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "carbonbench_add_plugin needs NAME and SOURCES")
  endif()
  add_library(${ARG_NAME} MODULE ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE carbonbench::sdk)
  set_target_properties(${ARG_NAME} PROPERTIES
    PREFIX "libcarbonbench_"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIR)
    set_target_properties(${ARG_NAME} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  elseif(DEFINED CARBONBENCH_PLUGIN_OUTPUT_DIR)
    set_target_properties(${ARG_NAME} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY ${CARBONBENCH_PLUGIN_OUTPUT_DIR})
  endif()
endfunction()
