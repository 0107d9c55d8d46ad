# Every dependency is a Debian package installed by scripts/deps; nothing is downloaded.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(simdjson 3.0 REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(restinio REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(OATH REQUIRED IMPORTED_TARGET liboath)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# libinjection, as compiled into ModSecurity (the threat detector uses its C API).
pkg_check_modules(MODSECURITY REQUIRED IMPORTED_TARGET modsecurity)
find_package(OpenSSL REQUIRED)
if(EYEWEAR_MIMALLOC)
  find_package(mimalloc 2.0 REQUIRED)
endif()

# libphonenumber (no CMake or pkg-config file in Debian): the library, plus what its headers use
# (protobuf messages, abseil hash containers) and what it is built on (ICU).
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
pkg_check_modules(PROTOBUF REQUIRED IMPORTED_TARGET protobuf)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
find_package(absl REQUIRED)
set(EYEWEAR_PHONENUMBER_LIBS ${PHONENUMBER_LIBRARY} PkgConfig::PROTOBUF PkgConfig::ICU absl::node_hash_set
    absl::node_hash_map absl::hash absl::raw_hash_set absl::strings)

# RESTinio's Debian package wants these at link time.
find_library(HTTP_PARSER_LIBRARY http_parser REQUIRED)

if(EYEWEAR_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(EYEWEAR_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
