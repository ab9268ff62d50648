#include "alembic/migration_reader.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace ag {

namespace {
// Below this many files a second thread costs more than it saves.
constexpr size_t kParallelFrom = 64;
constexpr unsigned kMaxThreads = 4;
// How far reading may run ahead of interpreting: bounds the bytes held at once.
constexpr size_t kWindow = 64;

// The failure of the lowest file index met. Files are claimed in order and a claimed file is
// always finished, so that is the one a single thread would have met first.
class FirstFailure {
public:
    void record(size_t i, std::exception_ptr e) {
        std::lock_guard<std::mutex> lock(lock_);
        if (i < index_) {
            error_ = std::move(e);
            index_ = i;
        }
    }
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    std::mutex lock_;
    std::exception_ptr error_;
    size_t index_ = SIZE_MAX;
};

// Runs `helper` on up to threads - 1 new threads and `caller` on this one, and waits for all.
template <class Helper, class Caller>
void run_on_threads(unsigned threads, const Helper& helper, const Caller& caller) {
    std::vector<std::thread> helpers;
    for (unsigned k = 1; k < threads; ++k) {
        try {
            helpers.emplace_back(helper);
        } catch (const std::system_error&) {
            break;  // no more threads allowed (ulimit -u): fewer helpers, same result
        }
    }
    caller();
    for (auto& t : helpers) t.join();
}

// One thread (the caller) reads every file, in order, and is the only one to touch the
// tree; the others interpret what has been read, and so does the reader whenever it may
// not read further. A lock around the tree instead was measured slower than one thread:
// the threads spent their time waking each other.
//
// Read bytes wait in a ring of kWindow buffers, so reading never runs far ahead and each
// buffer is allocated and freed by the reading thread only (a buffer freed by another
// thread showed as malloc lock contention).
class Pipeline {
public:
    Pipeline(const SourceTree& tree, const std::vector<MigrationSource>& sources, const std::vector<Migration*>& into)
        : tree_(tree), sources_(sources), ring_(kWindow), generation_(kWindow), out_(into) {}

    void read_all() {
        const size_t n = sources_.size();
        size_t r = 0;
        while (r < n && !failed_.load(std::memory_order_acquire)) {
            auto& gen = generation_[r % kWindow];
            // The slot is free once the file read into it kWindow files ago has been interpreted.
            if (const size_t g = gen.load(std::memory_order_acquire); g < r / kWindow) {
                if (auto i = try_claim(r)) interpret(*i);
                else gen.wait(g, std::memory_order_acquire);
                continue;
            }
            try {
                ring_[r % kWindow] = tree_.read_entry(sources_[r].dir, *sources_[r].entry);
            } catch (...) {
                fail(r, std::current_exception());
                break;
            }
            produced_.store(++r, std::memory_order_seq_cst);  // seq_cst: ordered before reading waiting_
            // Waking costs a system call; helpers are rarely waiting (reading is the faster part).
            if (waiting_.load(std::memory_order_seq_cst) > 0) produced_.notify_all();
        }
        interpret_all();
    }

    void interpret_all() {
        while (true) {
            const size_t i = next_.fetch_add(1, std::memory_order_relaxed);
            if (i >= sources_.size()) return;
            for (size_t p = produced_.load(std::memory_order_acquire); p <= i;
                 p = produced_.load(std::memory_order_acquire)) {
                if (failed_.load(std::memory_order_acquire)) return;
                waiting_.fetch_add(1, std::memory_order_seq_cst);
                // Re-read after announcing: a store made before the announcement is seen here.
                if (produced_.load(std::memory_order_seq_cst) == p && !failed_.load(std::memory_order_acquire))
                    produced_.wait(p, std::memory_order_acquire);
                waiting_.fetch_sub(1, std::memory_order_seq_cst);
            }
            interpret(i);
        }
    }

    void finish() const { failure_.rethrow(); }

private:
    // Claims the next file to interpret if it has already been read (below `limit`).
    std::optional<size_t> try_claim(size_t limit) {
        size_t i = next_.load(std::memory_order_relaxed);
        while (i < limit)
            if (next_.compare_exchange_weak(i, i + 1, std::memory_order_relaxed)) return i;
        return std::nullopt;
    }

    void interpret(size_t i) {
        if (!failed_.load(std::memory_order_acquire)) {
            try {
                const MigrationSource& s = sources_[i];
                *out_[i] = read_migration(join_path(s.dir, s.entry->name), ring_[i % kWindow], s.python);
            } catch (...) {
                fail(i, std::current_exception());
            }
        }
        // Always hand the slot back, so a reader waiting for it wakes (and sees a failure).
        auto& gen = generation_[i % kWindow];
        gen.fetch_add(1, std::memory_order_release);
        gen.notify_all();
    }

    void fail(size_t i, std::exception_ptr e) {
        failure_.record(i, std::move(e));
        failed_.store(true, std::memory_order_release);
        // Wake the waiting: they see `failed_` and stop. A helper that checked `failed_` just
        // before it was set then sleeps until produced_ changes, so it must change: a notify
        // alone would come too early for it and leave it asleep (a hang seen in the unit test
        // of unreadable files on four threads). Counting one file too many is harmless once
        // failed: every interpret() then skips its file.
        produced_.fetch_add(1, std::memory_order_seq_cst);
        produced_.notify_all();
    }

    const SourceTree& tree_;
    const std::vector<MigrationSource>& sources_;
    std::vector<std::string> ring_;
    std::vector<std::atomic<size_t>> generation_;  // per slot: files interpreted from it
    const std::vector<Migration*>& out_;
    std::atomic<size_t> produced_{0};  // files [0, produced_) have been read
    std::atomic<size_t> next_{0};      // the next file to interpret
    std::atomic<bool> failed_{false};
    std::atomic<int> waiting_{0};  // helpers waiting for produced_ to move
    FirstFailure failure_;
};

// When the tree can read on several threads at once (GitTree from its packs), every thread
// claims the next file, reads it and interprets it: inflating runs on every core too. What
// the tree declines is read through read_entry(), one thread at a time (libgit2).
class ConcurrentReads {
public:
    ConcurrentReads(const SourceTree& tree, const std::vector<MigrationSource>& sources, const std::vector<Migration*>& into)
        : tree_(tree), sources_(sources), out_(into) {}

    void run() {
        thread_local std::string bytes;  // one buffer per thread, reused from file to file
        while (!failed_.load(std::memory_order_acquire)) {
            const size_t i = next_.fetch_add(1, std::memory_order_relaxed);
            if (i >= sources_.size()) return;
            const MigrationSource& s = sources_[i];
            try {
                if (!tree_.read_entry_concurrently(s.dir, *s.entry, bytes)) {
                    std::lock_guard<std::mutex> lock(serial_);
                    bytes = tree_.read_entry(s.dir, *s.entry);
                }
                *out_[i] = read_migration(join_path(s.dir, s.entry->name), bytes, s.python);
            } catch (...) {
                fail(i, std::current_exception());
            }
        }
    }

    void finish() const { failure_.rethrow(); }

private:
    void fail(size_t i, std::exception_ptr e) {
        failure_.record(i, std::move(e));
        failed_.store(true, std::memory_order_release);
    }

    const SourceTree& tree_;
    const std::vector<MigrationSource>& sources_;
    const std::vector<Migration*>& out_;
    std::atomic<size_t> next_{0};
    std::atomic<bool> failed_{false};
    std::mutex serial_;  // around read_entry()
    FirstFailure failure_;
};

}  // namespace

std::vector<Migration> read_migrations(const SourceTree& tree, const std::vector<MigrationSource>& sources,
                                       unsigned threads) {
    std::vector<Migration> out(sources.size());
    std::vector<Migration*> into;
    into.reserve(out.size());
    for (auto& m : out) into.push_back(&m);
    read_migrations(tree, sources, into, threads);
    return out;
}

void read_migrations(const SourceTree& tree, const std::vector<MigrationSource>& sources,
                     const std::vector<Migration*>& into, unsigned threads) {
    if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
    if (sources.size() < kParallelFrom) threads = 1;
    if (threads > 1 && tree.prepare_concurrent_reads()) {
        ConcurrentReads work(tree, sources, into);
        const auto run = [&work] { work.run(); };
        run_on_threads(threads, run, run);
        work.finish();
        return;
    }
    Pipeline pipeline(tree, sources, into);
    run_on_threads(threads, [&pipeline] { pipeline.interpret_all(); }, [&pipeline] { pipeline.read_all(); });
    pipeline.finish();
}

}  // namespace ag
