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
