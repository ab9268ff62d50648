#include "alembic/compiled_files.hpp"

namespace ag {

std::optional<std::string> hash_stamped_copy(const SourceTree& tree, const std::string& pycache_dir,
                                             const Listing& pycache, std::string_view source_name) {
    const std::string_view stem = source_name.substr(0, source_name.size() - 3);
    for (const auto& c : pycache) {
        if (!(c.name.size() > stem.size() + 1 && c.name.substr(0, stem.size()) == stem && c.name[stem.size()] == '.' &&
              c.name.ends_with(".pyc")))
            continue;
        if (c.kind != EntryKind::File) return std::string(c.name);
        // Python ignores what is no compiled file (shorter than the 16-byte header, or a magic
        // number that does not end in \r\n) and recompiles the source.
        const std::string header = tree.read_entry(pycache_dir, c).substr(0, 16);
        if (header.size() < 16 || header[2] != '\r' || header[3] != '\n') continue;
        if (static_cast<unsigned char>(header[4]) & 1) return std::string(c.name);
    }
    return std::nullopt;
}

bool is_extension_module_for(std::string_view file, std::string_view stem) {
    if (file.size() <= stem.size() + 1 || file.substr(0, stem.size()) != stem || file[stem.size()] != '.') return false;
    return file.ends_with(".so") || file.ends_with(".pyd");
}

}  // namespace ag
