# Sanitizer builds are whole-program: every target (and the tests) get the flags.
if(EYEWEAR_SANITIZE)
  # GCC reports maybe-uninitialized false positives inside libstdc++ under ASan instrumentation.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
                      -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()
if(EYEWEAR_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(EYEWEAR_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EYEWEAR_FUZZ needs clang (libFuzzer); scripts/fuzz configures clang++-16")
  endif()
  # Everything the fuzzers link is instrumented for coverage and checked by ASan and UBSan.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
    # libstdc++ 12 offers std::expected only when __cpp_concepts >= 202002L, which clang reports
    # from version 19 on although clang 16 implements what <expected> needs (P0848, conditionally
    # trivial special members). Clang 14 does not: it cannot build this project at all.
    add_compile_options(-D__cpp_concepts=202002L -Wno-macro-redefined)
  endif()
endif()
