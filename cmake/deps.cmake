# Every third-party library as an IMPORTED target; all come from Debian 12 packages.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(Protobuf REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)

# CAF 0.17 ships neither a CMake config nor a .pc file.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
add_library(caf_core_imported INTERFACE IMPORTED)
target_include_directories(caf_core_imported SYSTEM INTERFACE ${CAF_INCLUDE_DIR})
target_link_libraries(caf_core_imported INTERFACE ${CAF_CORE_LIBRARY} Threads::Threads)
add_library(CAF::core ALIAS caf_core_imported)

# Control plane: HTTP server (Boost.Beast, header-only), its client in tests and tools
# (cpp-httplib), password hashing, WAV checks, SMTP.
find_package(Boost 1.74 REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
find_package(CURL REQUIRED)

# SIP gateway: SIP, SDP, RTP, RFC 4733 (libre 1.1.0, pkg-config only).
pkg_check_modules(LIBRE REQUIRED IMPORTED_TARGET libre)

# Metrics: prometheus-cpp's core only (registry, text format); /metrics is served by our own
# HTTP server, so its civetweb-based exposer is not needed.
pkg_check_modules(PROMETHEUS REQUIRED IMPORTED_TARGET prometheus-cpp-core)
