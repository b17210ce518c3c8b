# LibTorch: find it, say what was found, and adapt the build to it. Included by the top-level CMakeLists
# before any target exists. Accepts LibTorch 1.13 (Debian 12's libtorch-dev) and 2.x (e.g. the one bundled
# with a pip CUDA PyTorch: -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')").
#
# Sets, for the rest of the build:
#   TILTBENCH_TORCH_VERSION     e.g. 1.13.0, 2.11.0
#   TILTBENCH_TORCH_CUDA        ON when this LibTorch was built with CUDA (whether a GPU is present is a run-time
#                               question: `tiltbench-cli runtime`)
#   TILTBENCH_TORCH_CXX11_ABI   1 or 0: the libstdc++ string ABI LibTorch was built with (empty if not GCC-like)
#   CMAKE_CXX_STANDARD          17, or 20 when this LibTorch's headers require it (2.12 and later do)
#
# The pre-C++11 ABI (_GLIBCXX_USE_CXX11_ABI=0; pip wheels before PyTorch 2.7): everything in one binary must use
# the same std::string layout, so the whole project is then compiled with _GLIBCXX_USE_CXX11_ABI=0, fmt is
# used header-only, and SQLiteCpp must be compiled from source (TILTBENCH_SQLITECPP_SOURCE_DIR) because
# Debian's libSQLiteCpp.a is built with the C++11 ABI and passes std::string across its interface. Prebuilt
# Qt 6, GoogleTest and Google Benchmark are C++11-ABI too, so only the headless build (TILTBENCH_GUI=OFF,
# TILTBENCH_TESTS=OFF) is supported with such a LibTorch. See docs/GPU.md.

set(TILTBENCH_CXX_STANDARD "" CACHE STRING
    "C++ standard for the whole project (17 or 20); empty: 17, or 20 when LibTorch's headers require it")
set(TILTBENCH_SQLITECPP_SOURCE_DIR "" CACHE PATH
    "Compile SQLiteCpp from this source tree (its include/ and src/) instead of using the installed package; required with a pre-C++11-ABI LibTorch")

option(TILTBENCH_CUDA_NVTX_SHIM
  "Before finding a CUDA LibTorch, define CUDA::nvToolsExt as the header-only NVTX 3 when the CUDA toolkit has no legacy nvToolsExt library (CUDA 12.9 and later); LibTorch's Caffe2 config links it when it misses nvtx3"
  OFF)
if(TILTBENCH_CUDA_NVTX_SHIM)
  find_package(CUDAToolkit REQUIRED)
  if(NOT TARGET CUDA::nvToolsExt)
    add_library(CUDA::nvToolsExt INTERFACE IMPORTED)
    if(TARGET CUDA::nvtx3)
      target_link_libraries(CUDA::nvToolsExt INTERFACE CUDA::nvtx3)
    else()
      target_include_directories(CUDA::nvToolsExt INTERFACE ${CUDAToolkit_INCLUDE_DIRS})
    endif()
    message(STATUS "Tiltbench: CUDA::nvToolsExt defined as header-only NVTX 3 (CUDA ${CUDAToolkit_VERSION})")
  endif()
endif()

find_package(Torch REQUIRED)

# ---- version -------------------------------------------------------------------------------------------------
set(TILTBENCH_TORCH_VERSION "${Torch_VERSION}")
if(NOT TILTBENCH_TORCH_VERSION)
  # A config without TorchConfigVersion.cmake: read torch/version.h.
  foreach(dir IN LISTS TORCH_INCLUDE_DIRS)
    foreach(candidate "${dir}/torch/version.h" "${dir}/torch/csrc/api/include/torch/version.h")
      if(NOT TILTBENCH_TORCH_VERSION AND EXISTS "${candidate}")
        file(STRINGS "${candidate}" _tb_lines REGEX "#define TORCH_VERSION_(MAJOR|MINOR|PATCH) ")
        set(_tb_parts "")
        foreach(part MAJOR MINOR PATCH)
          foreach(line IN LISTS _tb_lines)
            if(line MATCHES "TORCH_VERSION_${part} ([0-9]+)")
              list(APPEND _tb_parts "${CMAKE_MATCH_1}")
            endif()
          endforeach()
        endforeach()
        list(JOIN _tb_parts "." TILTBENCH_TORCH_VERSION)
      endif()
    endforeach()
  endforeach()
endif()
if(NOT TILTBENCH_TORCH_VERSION)
  message(FATAL_ERROR "Tiltbench: found LibTorch at ${Torch_DIR} but could not tell its version "
                      "(no Torch_VERSION and no torch/version.h under ${TORCH_INCLUDE_DIRS})")
endif()
if(TILTBENCH_TORCH_VERSION VERSION_LESS 1.13)
  message(FATAL_ERROR "Tiltbench needs LibTorch 1.13 or 2.x; found ${TILTBENCH_TORCH_VERSION} at ${Torch_DIR}")
endif()
if(TILTBENCH_TORCH_VERSION VERSION_GREATER_EQUAL 3)
  message(WARNING "Tiltbench: LibTorch ${TILTBENCH_TORCH_VERSION} is newer than any version it was checked "
                  "against (1.13 and 2.x); trying anyway")
endif()

# ---- CUDA ----------------------------------------------------------------------------------------------------
set(TILTBENCH_TORCH_CUDA OFF)
if(TARGET torch_cuda OR TARGET c10_cuda OR TORCH_CUDA_LIBRARIES)
  set(TILTBENCH_TORCH_CUDA ON)
endif()
set(_tb_cuda "no")
if(TILTBENCH_TORCH_CUDA)
  set(_tb_cuda "yes")
  if(CUDAToolkit_VERSION)
    string(APPEND _tb_cuda ", toolkit ${CUDAToolkit_VERSION}")
  elseif(CUDA_VERSION)
    string(APPEND _tb_cuda ", toolkit ${CUDA_VERSION}")
  endif()
endif()

# ---- libstdc++ ABI -------------------------------------------------------------------------------------------
set(TILTBENCH_TORCH_CXX11_ABI "")
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=([01])")
  set(TILTBENCH_TORCH_CXX11_ABI "${CMAKE_MATCH_1}")
endif()
if(TILTBENCH_TORCH_CXX11_ABI STREQUAL "0")
  set(_tb_abi "pre-C++11 (_GLIBCXX_USE_CXX11_ABI=0)")
  if(TILTBENCH_GUI OR TILTBENCH_TESTS)
    message(FATAL_ERROR
      "Tiltbench: LibTorch ${TILTBENCH_TORCH_VERSION} at ${Torch_DIR} uses the pre-C++11 libstdc++ ABI; the "
      "prebuilt Qt 6 and GoogleTest use the C++11 ABI and cannot be linked with it. Configure the headless "
      "build: -DTILTBENCH_GUI=OFF -DTILTBENCH_TESTS=OFF -DTILTBENCH_SQLITECPP_SOURCE_DIR=<SQLiteCpp source> "
      "(see docs/GPU.md).")
  endif()
  if(NOT TILTBENCH_SQLITECPP_SOURCE_DIR)
    message(FATAL_ERROR
      "Tiltbench: LibTorch ${TILTBENCH_TORCH_VERSION} at ${Torch_DIR} uses the pre-C++11 libstdc++ ABI, and "
      "the installed libSQLiteCpp.a uses the C++11 ABI (std::string crosses its interface). Pass "
      "-DTILTBENCH_SQLITECPP_SOURCE_DIR=<folder with SQLiteCpp's include/ and src/> to compile it with the "
      "same ABI (packaging/fetch-gpu-debs.sh fetches Debian's source; see docs/GPU.md).")
  endif()
  # Every target, not only those that link torch: core and core_torch exchange std::string.
  add_compile_definitions(_GLIBCXX_USE_CXX11_ABI=0)
elseif(TILTBENCH_TORCH_CXX11_ABI STREQUAL "1")
  set(_tb_abi "C++11 (_GLIBCXX_USE_CXX11_ABI=1)")
else()
  set(_tb_abi "not stated by LibTorch (compiler default)")
endif()

# ---- C++ standard --------------------------------------------------------------------------------------------
# LibTorch 2.12 and later refuse C++17 (#error in ATen/ATen.h and torch/all.h). Decide from the headers
# themselves, with the version as a fallback.
set(_tb_needs_cxx20 OFF)
if(TILTBENCH_TORCH_VERSION VERSION_GREATER_EQUAL 2.12)
  set(_tb_needs_cxx20 ON)
endif()
foreach(dir IN LISTS TORCH_INCLUDE_DIRS)
  foreach(header "ATen/ATen.h" "torch/all.h")
    if(EXISTS "${dir}/${header}")
      file(STRINGS "${dir}/${header}" _tb_cxx20 REGEX "C\\+\\+ ?20 or later")
      if(_tb_cxx20)
        set(_tb_needs_cxx20 ON)
      endif()
    endif()
  endforeach()
endforeach()
if(TILTBENCH_CXX_STANDARD)
  set(CMAKE_CXX_STANDARD ${TILTBENCH_CXX_STANDARD})
  if(_tb_needs_cxx20 AND TILTBENCH_CXX_STANDARD LESS 20)
    message(WARNING "Tiltbench: TILTBENCH_CXX_STANDARD=${TILTBENCH_CXX_STANDARD}, but LibTorch "
                    "${TILTBENCH_TORCH_VERSION} needs C++20")
  endif()
elseif(_tb_needs_cxx20)
  set(CMAKE_CXX_STANDARD 20)
else()
  set(CMAKE_CXX_STANDARD 17)
endif()

message(STATUS "Tiltbench: found LibTorch ${TILTBENCH_TORCH_VERSION} at ${Torch_DIR}")
message(STATUS "Tiltbench:   CUDA: ${_tb_cuda}; libstdc++ ABI: ${_tb_abi}; C++${CMAKE_CXX_STANDARD}")

# ---- fmt and SQLiteCpp, built to match --------------------------------------------------------------------------
if(TILTBENCH_TORCH_CXX11_ABI STREQUAL "0")
  # Header-only fmt: nothing of libfmt.so (C++11 ABI) is linked.
  find_path(TILTBENCH_FMT_INCLUDE_DIR fmt/format.h REQUIRED)
  add_library(fmt::fmt INTERFACE IMPORTED)
  set_target_properties(fmt::fmt PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${TILTBENCH_FMT_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY=1")
  message(STATUS "Tiltbench:   fmt: header-only from ${TILTBENCH_FMT_INCLUDE_DIR}")
else()
  find_package(fmt REQUIRED)
endif()

if(TILTBENCH_SQLITECPP_SOURCE_DIR)
  set(_tb_sqlitecpp "${TILTBENCH_SQLITECPP_SOURCE_DIR}")
  if(NOT EXISTS "${_tb_sqlitecpp}/include/SQLiteCpp/SQLiteCpp.h" OR NOT EXISTS "${_tb_sqlitecpp}/src/Database.cpp")
    message(FATAL_ERROR "Tiltbench: TILTBENCH_SQLITECPP_SOURCE_DIR=${_tb_sqlitecpp} holds no SQLiteCpp "
                        "source (expected include/SQLiteCpp/SQLiteCpp.h and src/Database.cpp)")
  endif()
  find_package(SQLite3 REQUIRED)
  file(GLOB _tb_sqlitecpp_sources "${_tb_sqlitecpp}/src/*.cpp")
  # The same settings as Debian's package: system SQLite, column metadata on.
  add_library(SQLiteCpp STATIC ${_tb_sqlitecpp_sources})
  target_include_directories(SQLiteCpp SYSTEM PUBLIC "${_tb_sqlitecpp}/include")
  target_compile_definitions(SQLiteCpp PUBLIC SQLITE_ENABLE_COLUMN_METADATA)
  target_link_libraries(SQLiteCpp PUBLIC SQLite::SQLite3 Threads::Threads ${CMAKE_DL_LIBS})
  set_target_properties(SQLiteCpp PROPERTIES POSITION_INDEPENDENT_CODE ON)
  message(STATUS "Tiltbench:   SQLiteCpp: compiled from ${_tb_sqlitecpp}")
else()
  find_package(SQLiteCpp REQUIRED)
endif()
