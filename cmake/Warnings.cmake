# Warning flags shared by every target of the project (not by third-party headers,
# which are system includes and stay quiet).
add_library(eyewear_warnings INTERFACE)
target_compile_options(eyewear_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -Wsuggest-override -Wformat=2
  # GCC 12 flags designated initializers that rely on default member initializers.
  -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(eyewear_warnings INTERFACE -Wduplicated-cond -Wlogical-op)
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports out-of-bounds accesses inside libstdc++'s std::string that do not exist
    # (GCC bugs 105329, 105651); the sanitizer build checks bounds for real.
    target_compile_options(eyewear_warnings INTERFACE -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
  endif()
endif()
if(EYEWEAR_WERROR)
  target_compile_options(eyewear_warnings INTERFACE -Werror)
endif()
