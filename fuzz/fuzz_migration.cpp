// libFuzzer target: one migration file as Alembic would load it.
// Input: the file name (up to the first '\n', at most 80 bytes), then the file's bytes.
// Invariants: never throws; the result is an error or a revision; a revision taken from
// the file name (revision_line 0) only for a legacy `<lowercase hex>.py` name; the result cache
// gives back exactly what the read gave (a verdict from the cache equals one without it). (An empty
// item, `down_revision = ('',)`, is legitimate: Alembic fails on it with KeyError '', and so
// the graph reports a missing revision.)
#include "fuzz_common.hpp"
#include "alembic/migration.hpp"
#include "cache/result_cache.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {
bool legacy_hex_name(std::string_view name) {
    if (name.size() < 4 || name.substr(name.size() - 3) != ".py") return false;
    const auto stem = name.substr(0, name.size() - 3);
    if (stem.empty()) return false;
    for (char c : stem)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    auto nl = in.find('\n');
    if (nl == std::string_view::npos || nl > 80) nl = 0;  // no name line: a fixed name, all bytes are the file
    std::string name = nl ? std::string(in.substr(0, nl)) : std::string("031_add_table.py");
    for (char& c : name)
        if (c == '/' || c == '\0') c = '_';
    const std::string_view bytes = nl ? in.substr(nl + 1) : in;
    const std::string path = "alembic/versions/" + name;
    ag::fuzz::never_throws("read_migration threw", [&] {
        const ag::Migration m = ag::read_migration(path, bytes);
        AG_FUZZ_CHECK(m.path == path, m.path);
        // A revision comes from a `revision` binding (which may be the string '': Alembic
        // accepts that) or from a legacy hex file name.
        AG_FUZZ_CHECK(m.error || !m.revision.empty() || m.revision_line > 0, "neither an error nor a revision");
        if (m.error) {
            AG_FUZZ_CHECK(!m.error->empty(), "empty error message");
            AG_FUZZ_CHECK(m.error_line >= 0, *m.error);
        } else {
            AG_FUZZ_CHECK(m.revision_line >= 0, m.revision);
            if (m.revision_line == 0) {
                AG_FUZZ_CHECK(legacy_hex_name(name), name);
                AG_FUZZ_CHECK(m.revision == name.substr(0, name.size() - 3), m.revision);
            }
        }
        (void)ag::is_migration_file_name(name);
        // Through the result cache and back: the same fields, so the same graph and verdict.
        const auto back = ag::decode_cache_entries(ag::encode_cache_entries({{"0123456789abcdef0123456789abcdef01234567", m}}));
        AG_FUZZ_CHECK(back && back->size() == 1, "the cache did not give the entry back");
        const ag::Migration& c = back->front().second;
        AG_FUZZ_CHECK(c.revision == m.revision && c.down_revisions == m.down_revisions && c.depends_on == m.depends_on &&
                          c.branch_labels == m.branch_labels && c.revision_line == m.revision_line &&
                          c.down_revision_line == m.down_revision_line && c.error == m.error &&
                          c.error_line == m.error_line && c.calls == m.calls && c.imports == m.imports && c.python == m.python &&
                          c.references.size() == m.references.size(),
                      "the cache changed a field");
        for (size_t k = 0; k < m.references.size(); ++k)
            AG_FUZZ_CHECK(c.references[k].field == m.references[k].field && c.references[k].items == m.references[k].items &&
                              c.references[k].sequence == m.references[k].sequence && c.references[k].line == m.references[k].line,
                          "the cache changed a reference");
    });
    return 0;
}
