// libFuzzer target: the Python module reader (tokenizer, indentation, literal resolution).
// Invariants: never throws; lines are 1-based; resolved string values are consistent.
#include "fuzz_common.hpp"
#include "python/python_module.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view src(reinterpret_cast<const char*>(data), size);
    ag::fuzz::never_throws("read_python_module threw", [&] {
        const ag::PyModule m = ag::read_python_module(src);
        if (m.syntax_error) AG_FUZZ_CHECK(m.syntax_error->line >= 1, m.syntax_error->message);
        for (const auto& [name, b] : m.names) {
            AG_FUZZ_CHECK(!name.empty(), "empty name bound");
            AG_FUZZ_CHECK(b.line >= 1, name);
            if (b.value.kind == ag::PyValue::Kind::String) AG_FUZZ_CHECK(b.value.items.size() == 1, name);
            if (b.value.kind == ag::PyValue::Kind::None) AG_FUZZ_CHECK(b.value.items.empty(), name);
        }
    });
    return 0;
}
