// pyscan: runs ag::read_python_module on files and prints one JSON line per file.
//
//   pyscan [--python-version X.Y] FILE...   read the named files
//   pyscan [--python-version X.Y]           read file names from stdin, one per line, answering each at once
//
// Each line: {"file": ..., "error_line": N|null, "message": ...|null,
//             "names": {name: {"kind": ..., "items": [...], "line": N}}}
// A file that cannot be read gives {"file": ..., "read_error": ...}.
#include "python/python_module.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

namespace {

const char* kind_name(ag::PyValue::Kind k) {
    switch (k) {
    case ag::PyValue::Kind::None: return "none";
    case ag::PyValue::Kind::String: return "string";
    case ag::PyValue::Kind::Sequence: return "sequence";
    case ag::PyValue::Kind::NonString: return "nonstring";
    case ag::PyValue::Kind::Computed: return "computed";
    case ag::PyValue::Kind::Reference: return "computed";  // names of other modules: known only with them
    }
    return "unknown";
}

ag::py::PythonVersion g_version = ag::py::kUndeclaredPython;

void scan(const std::string& path) {
    nlohmann::json out;
    out["file"] = path;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        out["read_error"] = "cannot open";
        std::cout << out.dump() << '\n';
        return;
    }
    const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const ag::PyModule m = ag::read_python_module(source, g_version);
    if (m.syntax_error) {
        out["error_line"] = m.syntax_error->line;
        out["message"] = m.syntax_error->message;
    } else {
        out["error_line"] = nullptr;
        out["message"] = nullptr;
    }
    out["unprovable"] = m.unprovable ? nlohmann::json(m.unprovable->message) : nlohmann::json(nullptr);
    out["import_error"] = m.import_error ? nlohmann::json(m.import_error->message) : nlohmann::json(nullptr);
    nlohmann::json names = nlohmann::json::object();
    for (const auto& [name, binding] : m.names) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& item : binding.value.items) items.push_back(item);
        names[name] = {{"kind", kind_name(binding.value.kind)}, {"items", items}, {"line", binding.line}};
    }
    out["names"] = std::move(names);
    // Items may hold bytes that are not UTF-8 (a latin-1 file, '\xff' escapes): replace them
    // with U+FFFD rather than letting dump() throw.
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    int first = 1;
    if (argc > 2 && std::string(argv[1]) == "--python-version") {
        const auto v = ag::py::parse_python_version(argv[2]);
        if (!v) {
            std::cerr << "pyscan: --python-version takes X.Y\n";
            return 2;
        }
        g_version = *v;
        first = 3;
    }
    if (argc > first) {
        for (int k = first; k < argc; ++k) scan(argv[k]);
        return 0;
    }
    // One answer per name, flushed at once: compare.py keeps pyscan running as a co-process.
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        scan(line);
        std::cout.flush();
    }
    return 0;
}
