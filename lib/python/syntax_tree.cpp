#include "python/syntax_tree.hpp"

#include <cstring>

namespace ag::py {

namespace {
// A typical migration's tree (a few hundred nodes) fits in the first block.
constexpr size_t kFirstBlock = 64 * 1024;
}  // namespace

void* Arena::allocate(size_t bytes, size_t align) {
    size_t offset = (used_ + align - 1) & ~(align - 1);
    if (blocks_.empty() || offset + bytes > block_size_) {
        const size_t size = std::max(bytes + align, blocks_.empty() ? kFirstBlock : block_size_ * 2);
        blocks_.push_back(std::make_unique<std::byte[]>(size));
        block_size_ = size;
        used_ = 0;
        offset = 0;
        // make_unique<byte[]> is aligned for any fundamental type.
    }
    void* p = blocks_.back().get() + offset;
    used_ = offset + bytes;
    return p;
}

Node* Arena::node(NodeKind kind, int line) {
    Node* n = new (allocate(sizeof(Node), alignof(Node))) Node{};
    n->kind = kind;
    n->line = line;
    return n;
}

NodeList Arena::list(Node* const* items, size_t count) {
    NodeList l;
    if (count == 0) return l;
    auto* p = static_cast<Node**>(allocate(sizeof(Node*) * count, alignof(Node*)));
    std::memcpy(p, items, sizeof(Node*) * count);
    l.items = p;
    l.count = static_cast<uint32_t>(count);
    return l;
}

std::string_view Arena::copy(std::string_view text) {
    if (text.empty()) return {};
    auto* p = static_cast<char*>(allocate(text.size(), 1));
    std::memcpy(p, text.data(), text.size());
    return {p, text.size()};
}

void Arena::reset() {
    if (blocks_.empty()) return;
    // Keep the largest (last) block only.
    std::unique_ptr<std::byte[]> keep = std::move(blocks_.back());
    blocks_.clear();
    blocks_.push_back(std::move(keep));
    used_ = 0;
}

}  // namespace ag::py
