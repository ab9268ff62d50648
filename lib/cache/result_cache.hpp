#pragma once
// What a migration blob parses to never changes (blobs are content-addressed), so parses
// are remembered: in memory for the life of a run (a push reads old and new tips once),
// and on disk, per version-location tree, OUTSIDE the guarded repository. Writes are
// atomic (temp file + rename) so concurrent pushes are safe; an unreadable or corrupt
// file is ignored. The cache can only make the guard faster, never change a verdict.
#include "cache/cache_pruning.hpp"
#include "alembic/migration.hpp"
#include "alembic/module_references.hpp"
#include "alembic/revision_graph.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

namespace ag {

// What judging one environment concluded from its migrations: a pure function of its
// version-location trees and the settings in its cache key.
struct EnvironmentResult {
    RevisionGraph graph;
    std::vector<Note> notes;  // the migrations' notes, then the graph's
    // Files outside the version locations that the result read (modules whose names the
    // migrations use): the result holds only while they are unchanged.
    std::vector<ModuleDependency> dependencies;
};

// Every revision ID and branch label of a clean environment, for deciding whether a push
// that adds migrations may be judged from them alone. Read back from the cache it stays the
// file's text, searched where it lies: every push of a 10,000-revision history reads and
// rewrites its names, and a string per name would be most of that push's fresh memory.
class RevisionNames {
public:
    RevisionNames() = default;
    // From names in any order; repeats count once.
    RevisionNames(std::vector<std::string> ids, std::vector<std::string> labels);
    bool has_id(std::string_view id) const;
    bool has_label(std::string_view label) const;
    // Adds an ID that is not there yet (has_id(id) is false).
    void add_id(std::string id);
    // The names, sorted (for tests; a push needs only the lookups).
    std::vector<std::string> ids() const;
    std::vector<std::string> labels() const;

private:
    friend std::optional<RevisionNames> decode_names(const std::string& key, std::string text);
    friend std::vector<std::string_view> encode_names_pieces(const std::string& key, const RevisionNames& names,
                                                             std::string& head);
    // `text_` holds one escaped name per line, its IDs (sorted) then its labels (sorted);
    // `lines_` says where each line starts, the first `id_count_` being IDs.
    std::string_view line(size_t i) const;
    // The lines [from, to) hold a name equal to `plain`.
    bool holds(size_t from, size_t to, std::string_view plain) const;
    std::string text_;
    std::vector<uint32_t> lines_;
    size_t id_count_ = 0;
    std::vector<std::string> added_;  // sorted, escaped: IDs added since, not in text_
};

class ResultCache {
public:
    // `dir` empty: remember in memory only. So is a `dir` that another user owns or that
    // its group or others may write to: its files would be believed.
    explicit ResultCache(std::string dir = {}, CacheLimits limits = {});
    // A cache that stored files prunes `dir` to `limits` when a prune is due (cache_pruning.hpp).
    ~ResultCache();
    ResultCache(const ResultCache&) = delete;
    ResultCache& operator=(const ResultCache&) = delete;

    // Loads what a run stored for the version-location tree `tree_id`; false on a miss.
    bool load(const std::string& tree_id);
    // A parse of blob `blob_id` under the file name of `path`, re-pointed at `path`.
    std::optional<Migration> find(const std::string& blob_id, const std::string& path) const;
    void remember(const std::string& blob_id, const Migration& m);
    // Stores the parses of one version-location tree (blob ID, migration) for later runs.
    void store(const std::string& tree_id, const std::vector<std::pair<std::string, Migration>>& entries);

    // Whole-environment results on disk, for a `key` naming everything the result depends
    // on (the key is stored in the file and compared, so a file never answers another key).
    std::optional<EnvironmentResult> load_result(const std::string& key) const;
    void store_result(const std::string& key, const EnvironmentResult& result) const;
    // The revision names beside a result (stored only for clean environments).
    std::optional<RevisionNames> load_names(const std::string& key) const;
    void store_names(const std::string& key, const RevisionNames& names) const;

    const std::string& dir() const { return dir_; }
    size_t hits() const { return hits_; }

    // The cache format; a binary of another version never reads these files.
    static std::string format_tag();

private:
    // Before the first write of this run: the format directory exists and is tagged as a cache.
    void prepare_write() const;
    // `name` in this binary's format directory.
    std::filesystem::path file(const std::string& name) const;
    std::filesystem::path keyed_file(const std::string& key, std::string_view kind) const;
    std::string dir_;
    CacheLimits limits_;
    mutable bool stored_ = false;  // this run wrote a file: the directory may have outgrown its limits
    std::unordered_map<std::string, Migration> memo_;  // "<blob>\x1f<name>"
    std::set<std::string> loaded_;
    mutable size_t hits_ = 0;
};

// Serialisation, exposed for the fuzzer and the corruption tests.
std::string encode_cache_entries(const std::vector<std::pair<std::string, Migration>>& entries);
// nullopt when the text is not exactly what encode_cache_entries writes.
std::optional<std::vector<std::pair<std::string, Migration>>> decode_cache_entries(std::string_view text);
std::string encode_result(const std::string& key, const EnvironmentResult& result);
// nullopt when the text is not a result stored under `key`.
std::optional<EnvironmentResult> decode_result(const std::string& key, std::string_view text);
std::string encode_names(const std::string& key, const RevisionNames& names);
// encode_names' bytes in order, as views into `names` and into `head`, which it fills with
// the lines before the names: what a write needs, without a copy of the list.
std::vector<std::string_view> encode_names_pieces(const std::string& key, const RevisionNames& names,
                                                  std::string& head);
std::optional<RevisionNames> decode_names(const std::string& key, std::string text);

}  // namespace ag
