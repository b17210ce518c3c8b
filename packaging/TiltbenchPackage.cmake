# The Debian package (CPack, DEB generator). Included at the end of the top-level CMakeLists, after every target
# and install() rule exists. `make package` builds it from the release preset (build/release); the test
# `packaging.deb` (packaging/test-deb.sh) builds it from the tree under test and checks, installs and runs it.
#
# Contents (install() rules next to their targets, GNUInstallDirs paths, prefix /usr in the package):
#   bin/tiltbench-cli                                   app/cli
#   bin/tiltbench                                       app/gui (TILTBENCH_GUI)
#   share/applications/tiltbench.desktop                app/gui, from resources/
#   share/icons/hicolor/scalable/apps/tiltbench.svg     app/gui, from resources/
# Binaries are stripped (CPACK_STRIP_FILES); Depends comes from dpkg-shlibdeps (Debian package dpkg-dev) plus
# the run-time pieces no ELF dependency shows.

#   share/doc/tiltbench/copyright                       packaging/copyright (Debian's machine-readable format)
# The project's licence is GPL-3.0-or-later (LICENSE): the GUI links Debian's QCustomPlot, which is GPL-3+.
# Maintainer and homepage are whoever ships the package: the defaults say that no address has been set, and
# Homepage is left out unless one is given (-DTILTBENCH_PACKAGE_MAINTAINER=..., -DTILTBENCH_PACKAGE_HOMEPAGE=...).

set(TILTBENCH_PACKAGE_MAINTAINER "Tiltbench contributors <unset@invalid>" CACHE STRING
    "Maintainer field of the .deb (Name <email>); set it to whoever ships the package")
set(TILTBENCH_PACKAGE_HOMEPAGE "" CACHE STRING "Homepage field of the .deb (left out when empty)")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "tiltbench")
set(CPACK_PACKAGE_VENDOR "Tiltbench")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${TILTBENCH_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "workbench for reward-weighted fine-tuning of generative recommenders")
# Debian wants description lines under 80 characters; CPack indents them and turns the empty line into " .".
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "Tiltbench weights every logged example of an interaction log by\n"
  "w = exp(reward/lambda) and fine-tunes a next-item recommender (SASRec, or\n"
  "closed-form tilted policies) with the weighted loss. It imports logs\n"
  "(MovieLens, delimited files, rating matrices) into a SQLite workspace, shows\n"
  "how the weights shift with lambda, trains single runs and lambda sweeps, and\n"
  "compares their metrics with bootstrap intervals.\n"
  "\n"
  "This package contains the desktop application (tiltbench) and the headless\n"
  "command line tool (tiltbench-cli).")
set(CPACK_STRIP_FILES ON)
# Staging paths in the package are /usr/...; nothing outside the install() rules is packaged.
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")

set(CPACK_DEBIAN_PACKAGE_NAME "tiltbench")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")  # tiltbench_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TILTBENCH_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
if(TILTBENCH_PACKAGE_HOMEPAGE)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${TILTBENCH_PACKAGE_HOMEPAGE}")
endif()
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Shared-library dependencies (libtorch, Qt 6, SQLite, fmt, libstdc++, ...) with their minimum versions.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What dpkg-shlibdeps cannot see:
#  - libopenblas0-openmp: LibTorch links libblas.so.3, which any BLAS satisfies (the reference libblas3 is many
#    times slower); the OpenMP build of OpenBLAS threads with OpenMP like LibTorch itself, where the pthread
#    build would start a second thread pool next to LibTorch's.
#  - libqt6svg6 (GUI): the window icon is an SVG, drawn by Qt's SVG icon-engine plugin. Only needed here when
#    the GUI does not link QtSvg itself (ui/ links it when found, and dpkg-shlibdeps then lists it).
set(_tb_depends "libopenblas0-openmp")
if(TILTBENCH_GUI)
  get_target_property(_tb_ui_libs tiltbench_ui LINK_LIBRARIES)
  if(NOT "Qt6::Svg" IN_LIST _tb_ui_libs)
    list(APPEND _tb_depends "libqt6svg6")
  endif()
endif()
list(JOIN _tb_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
# The icon theme owning share/icons/hicolor (and its cache trigger); Python's torch loads exported TorchScript.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "hicolor-icon-theme")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-torch")

include(CPack)

# The test: package the tree under test, check the .deb, install it (root in CI) or extract it, run it. Only
# against Debian's LibTorch: dpkg-shlibdeps finds no package for a LibTorch unpacked elsewhere (pip, a download),
# so no .deb can be built that declares it.
if(TILTBENCH_TESTS AND NOT Torch_DIR MATCHES "^/usr/(lib|share)/")
  message(STATUS "Tiltbench: test packaging.deb not registered: LibTorch at ${Torch_DIR} is not Debian's "
                 "(its .deb could not declare it as a dependency)")
elseif(TILTBENCH_TESTS)
  set(_tb_deb_kind nogui)
  if(TILTBENCH_GUI)
    set(_tb_deb_kind gui)
  endif()
  add_test(NAME packaging.deb
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/test-deb.sh "${CMAKE_BINARY_DIR}" "${PROJECT_VERSION}" ${_tb_deb_kind}
                   "${CMAKE_CPACK_COMMAND}")
  set_tests_properties(packaging.deb PROPERTIES
    TIMEOUT 900
    ENVIRONMENT "TILTBENCH_TEST_TMP=${CMAKE_BINARY_DIR}/tests/tmp"
    SKIP_RETURN_CODE 77)
endif()
