# eyewear_embed_sql(<target> <dialect> <dir>) turns the versioned migration files of one
# database dialect into a generated C++ source, so the binary carries its own schema.
function(eyewear_embed_migrations OUT_VAR)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/migrations_embedded.cpp)
  file(GLOB sqlite_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/migrations/sqlite/*.sql)
  file(GLOB pg_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/migrations/postgres/*.sql)
  # The list of files is a dependency too: removing or renaming a migration changes it (the
  # globs re-run at build time), while the files left behind are all older than the output.
  # file(CONFIGURE) rewrites the list only when its content changes.
  set(list_file ${CMAKE_CURRENT_BINARY_DIR}/migrations_embedded.list)
  string(REPLACE ";" "\n" listing "${sqlite_files};${pg_files}")
  file(CONFIGURE OUTPUT ${list_file} CONTENT "${listing}\n")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}/migrations -DOUT=${out}
            -P ${CMAKE_SOURCE_DIR}/cmake/GenerateMigrations.cmake
    DEPENDS ${sqlite_files} ${pg_files} ${list_file} ${CMAKE_SOURCE_DIR}/cmake/GenerateMigrations.cmake
    COMMENT "Embedding SQL migrations")
  set(${OUT_VAR} ${out} PARENT_SCOPE)
endfunction()
