#include "support/deadline.hpp"

#include <csignal>

#include <unistd.h>

namespace ag {

namespace {
// Read by the signal handler: set before the timer is armed, never freed.
std::string* g_message = nullptr;
volatile sig_atomic_t g_exit_code = 2;

extern "C" void on_deadline(int) {
    if (g_message) {
        const char* p = g_message->data();
        size_t left = g_message->size();
        while (left > 0) {
            const ssize_t n = ::write(STDERR_FILENO, p, left);
            if (n <= 0) break;
            p += n;
            left -= static_cast<size_t>(n);
        }
    }
    ::_exit(g_exit_code);
}
}  // namespace

void arm_deadline(unsigned seconds, std::string message, int exit_code) {
    ::alarm(0);
    if (seconds == 0) return;
    if (!g_message) g_message = new std::string;
    *g_message = std::move(message);
    g_exit_code = exit_code;
    struct sigaction sa {};
    sa.sa_handler = on_deadline;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGALRM, &sa, nullptr);
    ::alarm(seconds);
}

void disarm_deadline() { ::alarm(0); }

}  // namespace ag
