# Man page, bash completion, install rules and CPack, included from the top-level CMakeLists.txt
# after the alembic-guard target exists.
#
#   build/:        cpack -G DEB --config build/CPackConfig.cmake       -> build/alembic-guard_<v>-1_<arch>.deb
#   build-static/: cpack -G TGZ --config build-static/CPackConfig.cmake -> build-static/alembic-guard-<v>-linux-<arch>-static.tar.gz
#
# The man page and the completion are generated at build time from the binary's own --help
# (packaging/gen_docs.py: one source for options, man page and completion).

find_package(Python3 COMPONENTS Interpreter)
set(AG_DOCS_DIR ${CMAKE_BINARY_DIR}/packaging)
if(Python3_Interpreter_FOUND)
  add_custom_command(
    OUTPUT ${AG_DOCS_DIR}/alembic-guard.1 ${AG_DOCS_DIR}/alembic-guard.1.gz ${AG_DOCS_DIR}/alembic-guard.bash
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/packaging/gen_docs.py
            --binary $<TARGET_FILE:alembic-guard>
            --man ${AG_DOCS_DIR}/alembic-guard.1 --man-gz ${AG_DOCS_DIR}/alembic-guard.1.gz
            --completion ${AG_DOCS_DIR}/alembic-guard.bash
    DEPENDS alembic-guard ${CMAKE_CURRENT_SOURCE_DIR}/packaging/gen_docs.py
    COMMENT "Generating the man page and bash completion from alembic-guard --help"
    VERBATIM)
  add_custom_target(alembic-guard-docs ALL
    DEPENDS ${AG_DOCS_DIR}/alembic-guard.1 ${AG_DOCS_DIR}/alembic-guard.1.gz ${AG_DOCS_DIR}/alembic-guard.bash)
  install(FILES ${AG_DOCS_DIR}/alembic-guard.1.gz DESTINATION share/man/man1)
  install(FILES ${AG_DOCS_DIR}/alembic-guard.bash DESTINATION share/bash-completion/completions
          RENAME alembic-guard)
else()
  message(WARNING "python3 not found: no man page or bash completion (apt-get install python3)")
endif()

# README, license and host guides under /usr/share/doc/alembic-guard.
set(AG_DOC_DEST share/doc/alembic-guard)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/README.md DESTINATION ${AG_DOC_DEST})
# The README's companions: how it is built and how fast, read beside it.
foreach(page performance architecture)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/docs/${page}.md)
    install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/docs/${page}.md DESTINATION ${AG_DOC_DEST}/docs)
  endif()
endforeach()
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/docs/install)
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/docs/install DESTINATION ${AG_DOC_DEST} FILES_MATCHING PATTERN "*.md")
endif()
# Debian wants /usr/share/doc/<package>/copyright: the license text (LICENSE at the top level).
set(AG_LICENSE_FILE ${CMAKE_CURRENT_SOURCE_DIR}/LICENSE)
if(EXISTS ${AG_LICENSE_FILE})
  file(READ ${AG_LICENSE_FILE} AG_LICENSE_TEXT)
else()
  message(WARNING "no LICENSE file at the top of the source tree: the package's copyright file says so")
  set(AG_LICENSE_TEXT "No license has been chosen yet: see LICENSE in the source repository.\n")
endif()
# copyright-format 1.0: every line of the text indented by one space, empty lines as " .".
string(STRIP "${AG_LICENSE_TEXT}" AG_LICENSE_TEXT)
string(REGEX REPLACE "\n[ \t]*\n" "\n.\n" AG_LICENSE_TEXT "${AG_LICENSE_TEXT}")
string(REGEX REPLACE "\n[ \t]*\n" "\n.\n" AG_LICENSE_TEXT "${AG_LICENSE_TEXT}")
string(REPLACE "\n" "\n " AG_LICENSE_TEXT " ${AG_LICENSE_TEXT}")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/packaging/copyright.in ${AG_DOCS_DIR}/copyright @ONLY)
install(FILES ${AG_DOCS_DIR}/copyright DESTINATION ${AG_DOC_DEST})

# ---- CPack --------------------------------------------------------------------------------
# AG_VERSION is `git describe` (1.2.0, 1.2.0-5-gabc1234, or 0.0.0+gabc1234[-dirty]): always a
# leading digit. A Debian version may not carry extra hyphens (the last one starts the Debian
# revision), so they become '+': 1.2.0+5+gabc1234, 0.0.0+gabc1234+dirty.
string(REPLACE "-" "+" AG_PACKAGE_VERSION "${AG_VERSION}")
set(CPACK_PACKAGE_NAME alembic-guard)
set(CPACK_PACKAGE_VENDOR "alembic-guard")
set(CPACK_PACKAGE_VERSION "${AG_PACKAGE_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "keeps forked or duplicated Alembic migration histories from landing")
set(CPACK_PACKAGE_DESCRIPTION
"A git server hook (pre-receive) and client hook (pre-push) that rejects a push or merge
adding a second Alembic head, a duplicated revision ID, a missing or cyclic revision, without
running Python or touching the repository. Installs into plain git, Forgejo/Gitea, GitLab,
gitolite and GitHub Enterprise (see /usr/share/doc/alembic-guard).")
set(CPACK_PACKAGE_CONTACT "alembic-guard developers <alembic-guard@example.invalid>")
set(CPACK_RESOURCE_FILE_README ${CMAKE_CURRENT_SOURCE_DIR}/README.md)
if(EXISTS ${AG_LICENSE_FILE})
  set(CPACK_RESOURCE_FILE_LICENSE ${AG_LICENSE_FILE})
endif()
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build.*/")

# .deb (from build/, the shared-library build): /usr/bin/alembic-guard, Depends: git and what
# dpkg-shlibdeps finds.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "git")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")

# The static build ships as a tarball (and as a GitHub Enterprise pre-receive environment,
# packaging/ghes-environment.sh).
if(ALEMBIC_GUARD_STATIC)
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _ag_arch)
  set(CPACK_GENERATOR TGZ)
  set(CPACK_PACKAGE_FILE_NAME "alembic-guard-${AG_PACKAGE_VERSION}-linux-${_ag_arch}-static")
  set(CPACK_PACKAGING_INSTALL_PREFIX /)
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
else()
  set(CPACK_GENERATOR DEB)
endif()
include(CPack)
