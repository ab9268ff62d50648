// libFuzzer target: the configparser-compatible .ini reader and BasicInterpolation.
// Parses the input, then gets every option of every section with Alembic's `here` default.
// Invariants: never throws; every listed option is found by has_option/line_of/get.
#include "fuzz_common.hpp"
#include "support/ini_config.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const std::map<std::string, std::string, std::less<>> kHere{{"here", "/srv/app"}};
    ag::fuzz::never_throws("ini reader threw", [&] {
        auto parsed = ag::parse_ini(text);
        if (auto* err = std::get_if<ag::IniError>(&parsed)) {
            AG_FUZZ_CHECK(err->line >= 0, err->message);
            return;
        }
        const auto& ini = std::get<ag::IniFile>(parsed);
        for (const auto& sec : ini.sections()) {
            AG_FUZZ_CHECK(ini.section(sec.name) != nullptr, sec.name);
            for (const auto& [opt, o] : sec.options) {
                AG_FUZZ_CHECK(ini.has_option(sec.name, opt), opt);
                AG_FUZZ_CHECK(ini.line_of(sec.name, opt) >= 1, opt);
                auto v = ini.get(sec.name, opt, kHere);
                AG_FUZZ_CHECK(!std::holds_alternative<std::monostate>(v), opt);
            }
            // What Alembic asks for, present or not.
            for (const char* key : {"script_location", "version_locations", "version_path_separator", "path_separator",
                                    "here", "sqlalchemy.url"})
                (void)ini.get(sec.name, key, kHere);
        }
        (void)ini.get("alembic", "script_location", kHere);
        (void)ini.get("no such section", "x", kHere);
    });
    return 0;
}
