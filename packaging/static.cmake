# Static build (ALEMBIC_GUARD_STATIC=ON), included from the top-level CMakeLists.txt after
# pkg_check_modules(LIBGIT2 ...). Everything comes from Debian's own static archives:
#   libgit2.a and what `pkg-config --static --libs libgit2` names (mbedtls, http_parser, libssh2,
#   pcre2, zlib); libssh2.a in turn needs OpenSSL and libgcrypt (libssl-dev, libgcrypt20-dev,
#   libgpg-error-dev); libstdc++, libgcc and glibc via -static.
# Debian has no libfmt.a: fmt is used header-only. Debian has no static Kerberos: the nine GSSAPI
# symbols libgit2.a references are stubbed (packaging/gssapi_stubs.cpp). glibc's NSS functions
# (getpwuid_r, getaddrinfo, ...) would need shared libnss_*.so at run time: the few that
# libgit2/libssh2/OpenSSL reference are wrapped to fail (packaging/static_wraps.cpp), so the binary
# runs alone in an empty chroot (tests/integration/test_static_chroot.py).

if(ALEMBIC_GUARD_TESTS)
  message(WARNING "ALEMBIC_GUARD_STATIC=ON: configure the static build with -DALEMBIC_GUARD_TESTS=OFF "
                  "(the test suites run against the ordinary build in build/)")
endif()

# fmt, header-only (no libfmt.a in Debian).
add_library(fmt::fmt INTERFACE IMPORTED)
set_target_properties(fmt::fmt PROPERTIES INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY=1")

# Every static archive must exist: say which package brings a missing one.
set(_ag_static_archives
  "git2:libgit2-dev" "mbedtls:libmbedtls-dev" "mbedx509:libmbedtls-dev" "mbedcrypto:libmbedtls-dev"
  "http_parser:libhttp-parser-dev" "ssh2:libssh2-1-dev" "pcre2-8:libpcre2-dev" "z:zlib1g-dev"
  "ssl:libssl-dev" "crypto:libssl-dev" "gcrypt:libgcrypt20-dev" "gpg-error:libgpg-error-dev"
  "deflate:libdeflate-dev")
foreach(_pair IN LISTS _ag_static_archives)
  string(REPLACE ":" ";" _pair "${_pair}")
  list(GET _pair 0 _lib)
  list(GET _pair 1 _pkg)
  find_library(AG_STATIC_${_lib} NAMES lib${_lib}.a)
  if(NOT AG_STATIC_${_lib})
    message(FATAL_ERROR "ALEMBIC_GUARD_STATIC=ON needs lib${_lib}.a: apt-get install ${_pkg}")
  endif()
endforeach()

# The libraries: pkg-config's static list, then what libssh2.a needs, then our stubs and wraps.
add_library(ag_static_shims STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/gssapi_stubs.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/static_wraps.cpp)
set(_ag_static_libs ${LIBGIT2_STATIC_LDFLAGS} -lssl -lcrypto -lgcrypt -lgpg-error ag_static_shims)
list(REMOVE_DUPLICATES _ag_static_libs)
set_target_properties(PkgConfig::LIBGIT2 PROPERTIES
  INTERFACE_LINK_LIBRARIES "${_ag_static_libs}"
  INTERFACE_LINK_DIRECTORIES ""
  INTERFACE_LINK_OPTIONS "")

set_target_properties(PkgConfig::LIBDEFLATE PROPERTIES
  INTERFACE_LINK_LIBRARIES "${AG_STATIC_deflate}"
  INTERFACE_LINK_DIRECTORIES ""
  INTERFACE_LINK_OPTIONS "")

set_target_properties(PkgConfig::ZLIB PROPERTIES
  INTERFACE_LINK_LIBRARIES "${AG_STATIC_z}"
  INTERFACE_LINK_DIRECTORIES ""
  INTERFACE_LINK_OPTIONS "")

# Wrapped libc functions (see static_wraps.cpp) and the static link itself.
set(AG_STATIC_WRAPPED getpwuid_r getaddrinfo freeaddrinfo getnameinfo gethostbyname dlopen
  mbedtls_x509_crt_parse_file mbedtls_x509_crt_parse_path git_mbedtls_stream_global_init git_transport_ssh_global_init)
set(AG_STATIC_LINK_OPTIONS -static -static-libstdc++ -static-libgcc)
foreach(_fn IN LISTS AG_STATIC_WRAPPED)
  list(APPEND AG_STATIC_LINK_OPTIONS "LINKER:--wrap=${_fn}")
endforeach()
