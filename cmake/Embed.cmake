# eyewear_embed_sql(<target> <dialect> <dir>) turns the versioned migration files of one
# database dialect into a generated C++ source, so the binary carries its own schema.
function(eyewear_embed_migrations OUT_VAR)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/migrations_embedded.cpp)
  file(GLOB sqlite_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/migrations/sqlite/*.sql)
  file(GLOB pg_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/migrations/postgres/*.sql)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}/migrations -DOUT=${out}
            -P ${CMAKE_SOURCE_DIR}/cmake/GenerateMigrations.cmake
    DEPENDS ${sqlite_files} ${pg_files} ${CMAKE_SOURCE_DIR}/cmake/GenerateMigrations.cmake
    COMMENT "Embedding SQL migrations")
  set(${OUT_VAR} ${out} PARENT_SCOPE)
endfunction()
