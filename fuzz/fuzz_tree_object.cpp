// libFuzzer target: the tree object parser (lib/git/tree_object) over raw tree bytes. Invariant:
// never crashes, never throws, never reads outside the input (ASan); a parse either names
// what is wrong or yields entries that fit the input, each found again by its name (sorted in
// git's order or not), and the entry order is antisymmetric.
#include "fuzz_common.hpp"
#include "git/tree_object.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ag;
    ag::fuzz::never_throws("TreeObject::parse", [&] {
        std::string error;
        auto tree = TreeObject::parse(std::string(reinterpret_cast<const char*>(data), size), error);
        if (!tree) {
            AG_FUZZ_CHECK(!error.empty(), "a refused tree says why");
            return;
        }
        size_t bytes = 0;
        bool sorted = true;
        for (size_t i = 0; i < tree->size(); ++i) {
            const auto& e = (*tree)[i];
            AG_FUZZ_CHECK(!e.name.empty(), "an entry has a name");
            AG_FUZZ_CHECK(e.name.find('\0') == std::string_view::npos, e.name);
            bytes += e.name.size() + 1 + GIT_OID_RAWSZ;
            if (i > 0) {
                const int c = tree_entry_order((*tree)[i - 1], e);
                AG_FUZZ_CHECK((c < 0) == (tree_entry_order(e, (*tree)[i - 1]) > 0), e.name);
                sorted = sorted && c < 0;
            }
        }
        AG_FUZZ_CHECK(bytes <= size, "entries fit the input");
        AG_FUZZ_CHECK(tree->size() > 0 || size == 0, "a non-empty input has entries");
        AG_FUZZ_CHECK(sorted == tree->sorted(), "sorted() is git's order, each name once");
        for (const auto& e : *tree) {
            const auto found = tree->find(e.name);
            AG_FUZZ_CHECK(found && found->name == e.name, e.name);
        }
        (void)tree->find(std::string_view(reinterpret_cast<const char*>(data), size < 8 ? size : 8));
    });
    return 0;
}
