# Every dependency is a Debian package installed by scripts/deps; nothing is downloaded.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(restinio REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(OATH REQUIRED IMPORTED_TARGET liboath)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# libinjection, as compiled into ModSecurity (the threat detector uses its C API).
pkg_check_modules(MODSECURITY REQUIRED IMPORTED_TARGET modsecurity)
find_package(OpenSSL REQUIRED)

# RESTinio's Debian package wants these at link time.
find_library(HTTP_PARSER_LIBRARY http_parser REQUIRED)

if(EYEWEAR_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(EYEWEAR_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
