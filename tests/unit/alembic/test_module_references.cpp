// Migration fields that name the repository's own modules, resolved from the tree.
#include "alembic/environment.hpp"
#include "fixtures.hpp"
#include "alembic/module_references.hpp"
#include "verdict/environment_check.hpp"

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
    for (const auto& p : e.problems) INFO(p.reason);
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
            if (p.code == "unparsable-migration" && p.reason.find("cli.EXPAND") != std::string::npos) found = true;
        CHECK(found);
    }
    SUBCASE("absent from the module") {
        const auto e = only_environment(expand_contract("CONTRACT = 'c'\n"));
        bool found = false;
        for (const auto& p : e.problems)
            if (p.code == "unparsable-migration" && p.reason.find("AttributeError") != std::string::npos) found = true;
        CHECK(found);
    }
    SUBCASE("a module that fails to import") {
        const auto e = only_environment(expand_contract("EXPAND = 'e'\nCONTRACT = undefined\n"));
        bool found = false;
        for (const auto& p : e.problems)
            if (p.code == "unparsable-migration" && p.reason.find("NameError") != std::string::npos) found = true;
        CHECK(found);
    }
    SUBCASE("not a file of the repository") {
        MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
        t.file("migrations/versions/c1.py", ag::test::migration_source("'c1'", "'a2'", "import elsewhere\nbranch_labels = elsewhere.X"));
        const auto e = only_environment(t);
        bool found = false;
        for (const auto& p : e.problems)
            if (p.code == "unparsable-migration" && p.reason.find("not a file of the repository") != std::string::npos)
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
    ag::resolve_module_references(t, env[0].module_roots, env[0].python.version, "", ms, deps);
    CHECK(ms[0].branch_labels == std::vector<std::string>{"e"});
    // What Python's path finder looks at for `cli` in the root: every entry named cli or cli.*,
    // there and in __pycache__.
    REQUIRE(deps.size() == 2);
    CHECK(deps[0].path == "");
    CHECK(deps[0].stem == "cli");
    CHECK(deps[1].path == "__pycache__");
    CHECK(deps[1].stem == "cli");
    CHECK(ag::dependencies_hold(t, deps));
    MemoryTree unrelated = t;
    unrelated.file("client.py", "X = 1\n");
    CHECK(ag::dependencies_hold(unrelated, deps));
    for (const char* path : {"cli/__init__.py", "cli.cpython-311-x86_64-linux-gnu.so", "cli.pyc",
                             "__pycache__/cli.cpython-311.pyc"}) {
        INFO(path);
        MemoryTree changed = t;
        changed.file(path, "EXPAND = 'other'\n");
        CHECK_FALSE(ag::dependencies_hold(changed, deps));
    }
}

TEST_CASE("after a migration changes sys.path, a module found in no module root but in the repository cannot be proven") {
    MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
    t.file("tools/helpers/evil.py", "X = 1\n");
    auto refused = [&](const char* code) {
        MemoryTree u = t;
        u.file("migrations/versions/c1.py", ag::test::migration_source("'c1'", "'a2'", code));
        for (const auto& p : only_environment(u).problems)
            if (p.code == "unparsable-migration" && p.reason.find("sys.path") != std::string::npos) return true;
        return false;
    };
    CHECK(refused("import sys\nsys.path.insert(0, 'tools/helpers')\nimport evil"));
    CHECK(refused("from sys import path\npath.append('tools')\nfrom helpers import evil"));
    CHECK_FALSE(refused("import sys\nsys.path.insert(0, 'x')\nimport sqlalchemy_utils"));  // no such file: a library
    CHECK_FALSE(refused("import sys\nsys.path.insert(0, 'x')\nimport cli"));                // in a module root
    CHECK_FALSE(refused("import evil"));  // sys.path untouched: Python never finds it there
    // env.py runs before the migrations (for `upgrade`): its sys.path counts too.
    t.file("migrations/env.py", "import sys\nsys.path.insert(0, 'tools/helpers')\n");
    CHECK(refused("import evil"));
    t.file("migrations/env.py", "import sys\nglobals()['x'] = 1\n");  // cannot be followed
    CHECK(refused("import evil"));
    t.file("migrations/env.py", "from logging.config import fileConfig\nfileConfig('alembic.ini')\n");
    CHECK_FALSE(refused("import evil"));
}

TEST_CASE("a module Python would run from something other than its source cannot be proven") {
    struct Shape {
        const char* path;
        std::string content;
        const char* said;
    };
    // A .pyc header: magic ending in \r\n, then flags (bit 0: hash-stamped), then 8 bytes.
    const std::string unchecked_hash = std::string("\xa7\x0d\r\n\x01\0\0\0", 8) + std::string(8, 'h') + "code";
    const std::string timestamp = std::string("\xa7\x0d\r\n\0\0\0\0", 8) + std::string(8, 't') + "code";
    const Shape refused[] = {
        {"cli.cpython-311-x86_64-linux-gnu.so", "ELF", "compiled extension cli.cpython-311-x86_64-linux-gnu.so"},
        {"cli.abi3.so", "ELF", "compiled extension cli.abi3.so"},
        {"__pycache__/cli.cpython-311.pyc", unchecked_hash, "hash-stamped compiled copy"},
    };
    for (const auto& s : refused) {
        INFO(s.path);
        MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
        t.file(s.path, s.content);
        bool found = false;
        for (const auto& p : only_environment(t).problems)
            if (p.code == "unparsable-migration" && p.reason.find(s.said) != std::string::npos) found = true;
        CHECK(found);
    }
    // A compiled file without its source.
    MemoryTree sourceless = expand_contract("");
    sourceless.remove("cli.py");
    sourceless.file("cli.pyc", timestamp);
    bool found = false;
    for (const auto& p : only_environment(sourceless).problems)
        if (p.code == "unparsable-migration" && p.reason.find("cli.pyc without its source") != std::string::npos)
            found = true;
    CHECK(found);
    // A source Python reads through a link the guard does not follow.
    MemoryTree linked = expand_contract("");
    linked.remove("cli.py");
    linked.entry("cli.py", ag::EntryKind::Symlink);
    found = false;
    for (const auto& p : only_environment(linked).problems)
        if (p.code == "unparsable-migration" && p.reason.find("no regular file") != std::string::npos) found = true;
    CHECK(found);
    // A copy stamped with a time Python compares with the checkout's: the source runs.
    MemoryTree stale = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
    stale.file("__pycache__/cli.cpython-311.pyc", timestamp);
    for (const auto& p : only_environment(stale).problems) CHECK(p.code != "unparsable-migration");
}

TEST_CASE("a package's __init__.py importing its own submodule leaves the submodule's file what Python reads") {
    MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
    t.file("app/ids.py", "PARENT = 'a2'\n");
    t.file("migrations/versions/c1.py",
           ag::test::migration_source("'c1'", "None", "import app.ids\ndepends_on = app.ids.PARENT"));
    for (const char* init : {"from . import ids\n", "from app import ids\n", "from .ids import PARENT\n"}) {
        CAPTURE(std::string(init));
        MemoryTree u = t;
        u.file("app/__init__.py", init);
        for (const auto& p : only_environment(u).problems) CHECK_MESSAGE(p.code != "unparsable-migration", p.reason);
    }
    // Bound to something else, `app.ids` is that, not the file.
    for (const char* init : {"from . import other as ids\n", "from . import ids\nids = 1\n"}) {
        CAPTURE(std::string(init));
        MemoryTree u = t;
        u.file("app/__init__.py", init);
        u.file("app/other.py", "PARENT = 'b1'\n");
        bool refused = false;
        for (const auto& p : only_environment(u).problems) refused |= p.code == "unparsable-migration";
        CHECK(refused);
    }
}

TEST_CASE("a submodule is looked for in its package's own directory only, as Python's __path__ has it") {
    MemoryTree t;
    t.file("alembic.ini", "[alembic]\nscript_location = migrations\nprepend_sys_path = src lib\n");
    t.file("migrations/env.py", "");
    t.file("src/app/__init__.py", "");
    t.file("lib/app/labels.py", "LABEL = 'x'\n");  // another root's app: not where Python looks
    t.file("lib/other/__init__.py", "");
    t.file("src/plain.py", "LABEL = 'y'\n");
    t.file("src/plain/labels.py", "LABEL = 'z'\n");  // under a plain module: no submodule
    for (const char* read : {"import app.labels\nbranch_labels = (app.labels.LABEL,)",
                             "import plain.labels\nbranch_labels = (plain.labels.LABEL,)"}) {
        CAPTURE(std::string(read));
        MemoryTree u = t;
        u.file("migrations/versions/a1.py", ag::test::migration_source("'a1'", "None", read));
        bool refused = false;
        for (const auto& p : only_environment(u).problems)
            refused |= p.code == "unparsable-migration" && p.reason.find("labels.LABEL") != std::string::npos;
        CHECK(refused);
    }
    // The package's own directory, and a namespace package's in every root, are read.
    t.file("src/app/labels.py", "LABEL = 'x'\n");
    t.file("src/ns/one.py", "LABEL = 'n1'\n");
    t.file("lib/ns/two.py", "LABEL = 'n2'\n");
    t.file("migrations/versions/a1.py",
           ag::test::migration_source("'a1'", "None", "import app.labels\nbranch_labels = (app.labels.LABEL,)"));
    t.file("migrations/versions/b1.py",
           ag::test::migration_source("'b1'", "None", "import ns.two\nbranch_labels = (ns.two.LABEL,)"));
    const auto e = only_environment(t);
    for (const auto& p : e.problems) CHECK_MESSAGE(p.code != "unparsable-migration", p.reason);
}

TEST_CASE("a module of the repository handed on as a value at import cannot be proven; a class or value of it can") {
    const auto refusal = [](const MemoryTree& t) -> std::string {
        for (const auto& p : only_environment(t).problems)
            if (p.code == "unparsable-migration") return p.reason;
        return {};
    };
    MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
    t.file("app/__init__.py", "");
    t.file("app/labels.py", "PARENT = 'a2'\nclass Status:\n    A = 'a'\n");
    SUBCASE("a module given to a function of the migration") {
        t.file("migrations/versions/c1.py",
               ag::test::migration_source("'c1'", "'a2'", "from app import labels\ndef _f(m):\n    m.PARENT = 'b1'\n_f(labels)"));
        const std::string why = refusal(t);
        CHECK(why.find("hands the module app.labels (app/labels.py) on as a value") != std::string::npos);
        CHECK(why.find("labels.NAME") != std::string::npos);
    }
    SUBCASE("a module aliased by a module the migration imports") {
        t.file("app/evil.py", "from app import labels\n_m = labels\n_m.PARENT = 'b1'\n");
        t.file("migrations/versions/c1.py", ag::test::migration_source("'c1'", "'a2'", "import app.evil"));
        CHECK(refusal(t).find("it imports app.evil (app/evil.py), whose code run at import hands the module app.labels") !=
              std::string::npos);
    }
    SUBCASE("a namespace package (a directory without __init__.py)") {
        t.file("ns/labels.py", "PARENT = 'a2'\n");
        t.file("migrations/versions/c1.py",
               ag::test::migration_source("'c1'", "'a2'", "import ns.labels\ndef _f(m):\n    pass\n_f(ns)"));
        CHECK(refusal(t).find("ns/, a namespace package") != std::string::npos);
    }
    SUBCASE("a module another module binds by importing it, surely or perhaps") {
        for (const char* reexport : {"from app import labels as sub\n", "import app.labels as sub\n",
                                     "try:\n    from app import labels as sub\nexcept ImportError:\n    sub = None\n"}) {
            CAPTURE(std::string(reexport));
            MemoryTree u = t;
            u.file("app/more.py", reexport);
            u.file("migrations/versions/c1.py",
                   ag::test::migration_source("'c1'", "'a2'", "from app.more import sub\nX = str(sub)"));
            const std::string why = refusal(u);
            CAPTURE(why);
            CHECK(why.find("hands the module app.more.sub (") != std::string::npos);
        }
    }
    SUBCASE("a class, a value, or a library's module is no way to another file's names") {
        t.file("migrations/versions/c1.py",
               ag::test::migration_source("'c1'", "'a2'",
                                          "import logging\nfrom app import labels\nS = str(labels.Status)\nL = "
                                          "logging.getLogger(labels.PARENT)\nM = repr(logging)"));
        CHECK(refusal(t).empty());
    }
}

TEST_CASE("a migration that calls the repository's own code at import is unparsable when that code reaches its caller") {
    MemoryTree t = expand_contract("EXPAND = 'e'\nCONTRACT = 'c'\n");
    t.file("app/__init__.py", "");
    t.file("app/ids.py", "import sys\n\ndef bind():\n    sys._getframe(1).f_globals['down_revision'] = 'zzz'\n");
    t.file("migrations/versions/c1.py", ag::test::migration_source("'c1'", "'a2'", "from app.ids import bind\nbind()"));
    bool found = false;
    for (const auto& p : only_environment(t).problems)
        if (p.code == "unparsable-migration" && p.reason.find("app.ids.bind") != std::string::npos) found = true;
    CHECK(found);
    // A method of a class of the module, and a module __getattr__ asked for a missing name.
    for (const char* source : {"import sys\n\nclass Ids:\n    @staticmethod\n    def bind():\n"
                               "        sys._getframe(1).f_globals['down_revision'] = 'zzz'\n",
                               "import sys\nclass Ids:\n    pass\n\ndef __getattr__(name):\n"
                               "    sys._getframe(1).f_globals['down_revision'] = 'zzz'\n"}) {
        INFO(source);
        MemoryTree u = t;
        u.file("app/ids.py", source);
        u.file("migrations/versions/c1.py", ag::test::migration_source("'c1'", "'a2'", "from app.ids import Ids, X\nIds.bind()"));
        bool refused = false;
        for (const auto& p : only_environment(u).problems) refused |= p.code == "unparsable-migration";
        CHECK(refused);
    }
    // The same call into harmless code, or into a library outside the repository, is fine.
    t.file("app/ids.py", "def bind():\n    return 1\n");
    t.file("migrations/versions/c2.py", ag::test::migration_source("'c2'", "'c1'", "import logging\nlog = logging.getLogger('x')"));
    for (const auto& p : only_environment(t).problems) CHECK(p.code != "unparsable-migration");
}
