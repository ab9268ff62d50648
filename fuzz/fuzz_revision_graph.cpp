// libFuzzer target: the revision graph (Alembic 1.8.1's RevisionMap rules).
//
// A small structured decoder turns the bytes into migrations, so that duplicate IDs,
// missing parents, cycles, self-loops and label clashes are all a few bytes away:
//   byte 0: bit 0 allow_multiple_heads
//   then per migration a header byte h and its operands:
//     h & 0x03  number of down_revisions (0..3)
//     h>>2 & 3  number of depends_on (0..3)
//     h>>4 & 3  number of branch_labels (0..3)
//     h & 0x40  the file is unloadable (error set)
//     h & 0x80  add a note
//   operands: 1 byte revision ID, then one byte per parent / dependency / label, each an
//   index into a 12-symbol alphabet shared by IDs and labels.
// At most 256 migrations. Invariants: never throws; head_count >= heads.size(); heads and
// bases sorted, unique and loaded IDs; one head location per counted head; several heads
// are a multiple-heads problem exactly when they are not allowed.
#include "fuzz_common.hpp"
#include "alembic/revision_graph.hpp"
#include "report/problem_wording.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace {

const char* const kAlphabet[] = {"a", "b", "c", "d", "e", "f", "031", "030", "expand", "contract", "a@head", ""};
constexpr size_t kSymbols = sizeof(kAlphabet) / sizeof(kAlphabet[0]);

struct Reader {
    const uint8_t* p;
    const uint8_t* end;
    bool more() const { return p < end; }
    uint8_t byte() { return p < end ? *p++ : 0; }
    std::string sym() { return kAlphabet[byte() % kSymbols]; }
};

bool sorted_unique(const std::vector<std::string>& v) {
    return std::adjacent_find(v.begin(), v.end(), [](const auto& a, const auto& b) { return !(a < b); }) == v.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    Reader r{data + 1, data + size};
    const bool allow = data[0] & 1;
    std::vector<ag::Migration> migrations;
    while (r.more() && migrations.size() < 256) {
        const uint8_t h = r.byte();
        ag::Migration m;
        const size_t n = migrations.size();
        m.path = "alembic/versions/" + std::to_string(n) + ".py";
        m.revision = r.sym();
        m.revision_line = 7;
        m.down_revision_line = 8;
        for (int i = 0; i < (h & 3); ++i) m.down_revisions.push_back(r.sym());
        for (int i = 0; i < ((h >> 2) & 3); ++i) m.depends_on.push_back(r.sym());
        for (int i = 0; i < ((h >> 4) & 3); ++i) m.branch_labels.push_back(r.sym());
        if (h & 0x40) {
            m.error = "is not valid Python";
            m.error_line = 3;
        }
        migrations.push_back(std::move(m));
    }
    ag::fuzz::never_throws("build_revision_graph threw", [&] {
        const ag::RevisionGraph g = ag::build_revision_graph(migrations, allow);
        std::set<std::string> loaded;
        size_t loaded_count = 0;
        for (const auto& m : migrations)
            if (!m.error) {
                loaded.insert(m.revision);
                ++loaded_count;
            }
        AG_FUZZ_CHECK(g.head_count >= g.heads.size(), "head_count < heads.size()");
        AG_FUZZ_CHECK(g.head_locations.size() == g.head_count, "head_locations != head_count");
        AG_FUZZ_CHECK(sorted_unique(g.heads), "heads not sorted/unique");
        AG_FUZZ_CHECK(sorted_unique(g.bases), "bases not sorted/unique");
        AG_FUZZ_CHECK(g.revision_count == loaded_count, "revision_count");
        for (const auto& h : g.heads) AG_FUZZ_CHECK(loaded.count(h) == 1, h);
        for (const auto& b : g.bases) AG_FUZZ_CHECK(loaded.count(b) == 1, b);
        const bool multi = std::any_of(g.problems.begin(), g.problems.end(),
                                       [](const ag::Problem& p) { return p.code == ag::code::multiple_heads; });
        // design.md: where Alembic raises before it has heads, no multiple-heads is derived.
        const bool stops_early = std::any_of(g.problems.begin(), g.problems.end(), [](const ag::Problem& p) {
            return p.code == ag::code::missing_revision || p.code == ag::code::cycle ||
                   p.code == ag::code::branch_label_conflict;
        });
        if (allow) AG_FUZZ_CHECK(!multi, "multiple-heads reported although allowed");
        else AG_FUZZ_CHECK(multi == (g.head_count > 1 && !stops_early), "multiple-heads problem disagrees with head_count");
        for (const auto& p : g.problems) {
            AG_FUZZ_CHECK(!p.code.empty() && !ag::problem_message(p).empty() && !ag::problem_fix(p).empty(), p.code);
            (void)p.key();
        }
        size_t unparsable = 0;
        for (const auto& p : g.problems) unparsable += p.code == ag::code::unparsable_migration;
        AG_FUZZ_CHECK(unparsable == migrations.size() - loaded_count, "one unparsable-migration per unloadable file");
    });
    return 0;
}
