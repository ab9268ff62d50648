// Migration fields that name the repository's own modules, resolved from the tree.
#include "environment.hpp"
#include "fixtures.hpp"
#include "module_references.hpp"
#include "tree_check.hpp"

#include <doctest/doctest.h>

using ag::test::MemoryTree;

namespace {

ag::EnvironmentCheck only_environment(const MemoryTree& t) {
    const auto check = ag::check_tree(t);
    REQUIRE(check.environments.size() == 1);
    return check.environments.front();
}

MemoryTree expand_contract(const std::string& cli_source) {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = migrations\nprepend_sys_path = .\n");
    t.file("migrations/env.py", "");
    t.file("cli.py", cli_source);
    t.file("migrations/versions/a1.py", ag::test::migration_source("'a1'", "None", "import cli\nbranch_labels = (cli.EXPAND,)"));
    t.file("migrations/versions/b1.py",
           ag::test::migration_source("'b1'", "None", "from cli import CONTRACT\nbranch_labels = ('liberty_' + CONTRACT,)"));
    t.file("migrations/versions/a2.py",
           ag::test::migration_source("'a2'", "'a1'", "import cli\ndepends_on = cli.EXPAND"));
    return t;
}

}  // namespace

TEST_CASE("labels named through the repository's own module resolve to that module's literals") {
    const auto e = only_environment(expand_contract("EXPAND = 'expand'\nCONTRACT = 'contract'\n"));
    for (const auto& p : e.problems) INFO(p.message);
    CHECK(e.graph.heads == std::vector<std::string>{"a2", "b1"});
    // The labels are known, so depends_on = cli.EXPAND is a label, not a missing revision.
    for (const auto& p : e.problems) CHECK(p.code != "missing-revision");
    for (const auto& p : e.problems) CHECK(p.code != "unparsable-migration");
}

TEST_CASE("two labels that resolve to the same text clash, as in Alembic") {
    const auto e = only_environment(expand_contract("EXPAND = 'same'\nCONTRACT = 'same'\n"));
    // 'liberty_same' and 'same' differ: no clash.
    for (const auto& p : e.problems) CHECK(p.code != "branch-label-conflict");
    const auto clash = only_environment(expand_contract("EXPAND = 'liberty_x'\nCONTRACT = 'x'\n"));
    bool found = false;
    for (const auto& p : clash.problems) found |= p.code == "branch-label-conflict";
    CHECK(found);
}

TEST_CASE("a module name the guard cannot resolve makes the migration unparsable, saying why") {
    SUBCASE("computed in the module") {
        const auto e = only_environment(expand_contract("import os\nEXPAND = os.environ['E']\nCONTRACT = 'c'\n"));
        bool found = false;
        for (const auto& p : e.problems)
            if (p.code == "unparsable-migration" && p.message.find("cli.EXPAND") != std::string::npos) found = true;
        CHECK(found);
    }
    SUBCASE("absent from the module") {
        const auto e = only_environment(expand_contract("CONTRACT = 'c'\n"));
        bool found = false;
        for (const auto& p : e.problems)
            if (p.code == "unparsable-migration" && p.message.find("AttributeError") != std::string::npos) found = true;
        CHECK(found);
    }
    SUBCASE("a module that fails to import") {
        const auto e = only_environment(expand_contract("EXPAND = 'e'\nCONTRACT = undefined\n"));
        bool found = false;
        for (const auto& p : e.problems)
            if (p.code == "unparsable-migration" && p.message.find("NameError") != std::string::npos) found = true;
        CHECK(found);
    }
    SUBCASE("not a file of the repository") {
        MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
        t.file("migrations/versions/c1.py", ag::test::migration_source("'c1'", "'a2'", "import elsewhere\nbranch_labels = elsewhere.X"));
        const auto e = only_environment(t);
        bool found = false;
        for (const auto& p : e.problems)
            if (p.code == "unparsable-migration" && p.message.find("not a file of the repository") != std::string::npos)
                found = true;
        CHECK(found);
    }
}

TEST_CASE("resolution records every file it read or looked for, and a changed file breaks the record") {
    MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
    auto env = ag::discover_environments(t);
    REQUIRE(env.size() == 1);
    CHECK(env[0].module_roots == std::vector<std::string>{"", });
    std::vector<ag::Migration> ms{ag::read_migration("migrations/versions/a1.py", t.read("migrations/versions/a1.py"))};
    std::vector<ag::ModuleDependency> deps;
    ag::resolve_module_references(t, env[0].module_roots, ms, deps);
    CHECK(ms[0].branch_labels == std::vector<std::string>{"e"});
    REQUIRE_FALSE(deps.empty());
    // The package form (cli/__init__.py) is looked for first, then cli.py.
    CHECK(deps.front().path == "cli/__init__.py");
    CHECK(deps.front().id == "-");
    CHECK(deps.back().path == "cli.py");
    CHECK(ag::dependencies_hold(t, deps));
    MemoryTree changed = t;
    changed.file("cli/__init__.py", "EXPAND = 'other'\n");
    CHECK_FALSE(ag::dependencies_hold(changed, deps));
}

TEST_CASE("a migration that calls the repository's own code at import is unparsable when that code reaches its caller") {
    MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
    t.file("app/__init__.py", "");
    t.file("app/ids.py", "import sys\n\ndef bind():\n    sys._getframe(1).f_globals['down_revision'] = 'zzz'\n");
    t.file("migrations/versions/c1.py", ag::test::migration_source("'c1'", "'a2'", "from app.ids import bind\nbind()"));
    bool found = false;
    for (const auto& p : only_environment(t).problems)
        if (p.code == "unparsable-migration" && p.message.find("app.ids.bind") != std::string::npos) found = true;
    CHECK(found);
    // The same call into harmless code, or into a library outside the repository, is fine.
    t.file("app/ids.py", "def bind():\n    return 1\n");
    t.file("migrations/versions/c2.py", ag::test::migration_source("'c2'", "'c1'", "import logging\nlog = logging.getLogger('x')"));
    for (const auto& p : only_environment(t).problems) CHECK(p.code != "unparsable-migration");
}
