// libFuzzer target: the result cache's on-disk format (lib/cache/result_cache.hpp).
// The cache may only make the guard faster, never change a verdict, so:
//  1. decode_cache_entries on any bytes never throws; what it accepts re-encodes to a text
//     that decodes to the same entries (a fixpoint after one round);
//  2. the input is also read as a migration file (first line: its file name, as in
//     fuzz_migration): encoding that parse and decoding it again gives back the same
//     migration, field by field — what a cached run sees is what a cold run sees.
#include "fuzz_common.hpp"
#include "alembic/migration.hpp"
#include "cache/result_cache.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

std::string describe(const ag::Migration& m) {
    std::string s = "rev=[" + m.revision + "] down=";
    for (const auto& d : m.down_revisions) s += "[" + d + "]";
    s += " deps=";
    for (const auto& d : m.depends_on) s += "[" + d + "]";
    s += " labels=";
    for (const auto& d : m.branch_labels) s += "[" + d + "]";
    s += " lines=" + std::to_string(m.revision_line) + "/" + std::to_string(m.down_revision_line);
    s += " error=" + (m.error ? "[" + *m.error + "]@" + std::to_string(m.error_line) : std::string("none"));
    return s;
}

bool same(const ag::Migration& a, const ag::Migration& b) {
    return a.revision == b.revision && a.down_revisions == b.down_revisions && a.depends_on == b.depends_on &&
           a.branch_labels == b.branch_labels && a.revision_line == b.revision_line &&
           a.down_revision_line == b.down_revision_line && a.error == b.error &&
           (!a.error || a.error_line == b.error_line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    ag::fuzz::never_throws("result cache threw", [&] {
        if (auto decoded = ag::decode_cache_entries(in)) {
            const std::string again = ag::encode_cache_entries(*decoded);
            auto twice = ag::decode_cache_entries(again);
            AG_FUZZ_CHECK(twice.has_value(), "re-encoded entries do not decode");
            AG_FUZZ_CHECK(twice->size() == decoded->size(), "entry count changed");
            for (size_t i = 0; i < decoded->size(); ++i) {
                AG_FUZZ_CHECK((*twice)[i].first == (*decoded)[i].first, (*decoded)[i].first);
                AG_FUZZ_CHECK(same((*twice)[i].second, (*decoded)[i].second),
                              describe((*decoded)[i].second) + "  became  " + describe((*twice)[i].second));
            }
            AG_FUZZ_CHECK(ag::encode_cache_entries(*twice) == again, "encoding is not a fixpoint");
        }
        // A real parse survives the cache unchanged.
        auto nl = in.find('\n');
        if (nl == std::string_view::npos || nl > 80) nl = 0;
        std::string name = nl ? std::string(in.substr(0, nl)) : std::string("031_add_table.py");
        for (char& c : name)
            if (c == '/' || c == '\0') c = '_';
        const ag::Migration m = ag::read_migration("alembic/versions/" + name, nl ? in.substr(nl + 1) : in);
        const std::string text = ag::encode_cache_entries({{"0123456789abcdef0123456789abcdef01234567", m}});
        auto back = ag::decode_cache_entries(text);
        AG_FUZZ_CHECK(back.has_value() && back->size() == 1, "a real parse does not decode");
        AG_FUZZ_CHECK(same(back->front().second, m), describe(m) + "  came back as  " + describe(back->front().second));
    });
    return 0;
}
