#pragma once
// One loose object read straight from its file: objects/<2 hex>/<38 hex>, zlib over
// "<type> <size>\0<content>". A push of a few commits arrives loose in the quarantine
// directory, so its new versions/ tree (629 KB at 10,000 migrations) is read here: mapped
// from the page cache and inflated once with libdeflate, where libgit2 would read the whole
// file into memory and inflate it with zlib (5.3 -> 3.3 ms for that tree, measured).
#include <git2.h>

#include <string>

namespace ag {

// Puts the content of the loose object `id` of `objects_dir` in `out` and returns true when
// that file holds a whole, well-formed object of type `want`. False when there is no such
// file or anything about it does not fit (wrong type, damaged stream, a size that lies): the
// caller then reads through libgit2, which names what is wrong. Safe from several threads.
bool read_loose_object(const std::string& objects_dir, const git_oid& id, git_object_t want, std::string& out);

}  // namespace ag
