#include "support/process_memory.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

// A sanitizer brings its own malloc, with no glibc heap to advise.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AG_TEST_OWN_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define AG_TEST_OWN_MALLOC 1
#endif
#endif

namespace {

// Bytes of the main heap ([heap] in /proc/self/smaps) advised for huge pages (VmFlags "hg").
size_t heap_bytes_advised_huge() {
    std::ifstream smaps("/proc/self/smaps");
    size_t advised = 0, size = 0;
    bool heap = false;
    for (std::string line; std::getline(smaps, line);) {
        const std::string first = line.substr(0, line.find(' '));
        if (first.find('-') != std::string::npos) {  // a mapping's first line: "start-end perms ..."
            heap = line.size() >= 6 && line.compare(line.size() - 6, 6, "[heap]") == 0;
            const auto dash = line.find('-'), space = line.find(' ');
            size = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16) -
                   std::stoull(line.substr(0, dash), nullptr, 16);
        } else if (heap && line.rfind("VmFlags:", 0) == 0 && (line + " ").find(" hg ") != std::string::npos) {
            advised += size;
        }
    }
    return advised;
}

}  // namespace

TEST_CASE("a huge-page heap advises the heap it grows for huge pages, and lets it go on destruction") {
#if defined(AG_TEST_OWN_MALLOC)
    MESSAGE("skipped: the sanitizer's malloc has no glibc heap to advise");
    return;
#endif
    if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled")) {
        MESSAGE("skipped: this kernel has no transparent huge pages");
        return;
    }
    ag::keep_freed_memory();
    const size_t before = heap_bytes_advised_huge();
    {
        const ag::HugePageHeap huge(16 << 20);
        // Whole 2 MiB pages of the 12 MiB span it grew, at least 5 of them.
        CHECK(heap_bytes_advised_huge() >= before + (10u << 20));
    }
    const size_t after = heap_bytes_advised_huge();
    const ag::HugePageHeap small(1 << 20);  // too small to be worth a huge page: nothing done
    CHECK(heap_bytes_advised_huge() == after);
}
