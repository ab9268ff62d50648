// GSSAPI (Kerberos) stubs for the static build only (ALEMBIC_GUARD_STATIC=ON).
//
// Debian's libgit2.a references nine GSSAPI symbols for HTTP "Negotiate" authentication, and
// Debian ships no static Kerberos library. alembic-guard never talks to a network (it reads the
// repository it runs in), so these definitions make every GSSAPI call fail the way a system
// without a Kerberos mechanism would: libgit2 then simply does not offer Negotiate. Never link
// this file into the ordinary (shared) build, where the real libgssapi_krb5 is used.
#include <cstddef>
#include <cstdint>

namespace {
using OM_uint32 = std::uint32_t;
constexpr OM_uint32 kComplete = 0;
constexpr OM_uint32 kFailure = 13U << 16;  // GSS_S_FAILURE
constexpr OM_uint32 kBadMech = 1U << 16;   // GSS_S_BAD_MECH

struct gss_buffer_desc {
    std::size_t length;
    void* value;
};

OM_uint32 fail(OM_uint32* minor, OM_uint32 major) {
    if (minor != nullptr) *minor = 0;
    return major;
}
}  // namespace

extern "C" {

// gss_OID GSS_C_NT_HOSTBASED_SERVICE: an OID pointer; nothing dereferences it once every call fails.
void* GSS_C_NT_HOSTBASED_SERVICE = nullptr;

OM_uint32 gss_init_sec_context(OM_uint32* minor, void*, void**, void*, void*, OM_uint32, OM_uint32, void*, void*,
                               void**, gss_buffer_desc* out, OM_uint32*, OM_uint32*) {
    if (out != nullptr) *out = gss_buffer_desc{0, nullptr};
    return fail(minor, kFailure);
}

OM_uint32 gss_import_name(OM_uint32* minor, void*, void*, void** out) {
    if (out != nullptr) *out = nullptr;
    return fail(minor, kFailure);
}

OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32, int, void*, OM_uint32* context, gss_buffer_desc* out) {
    if (context != nullptr) *context = 0;
    if (out != nullptr) *out = gss_buffer_desc{0, nullptr};
    return fail(minor, kFailure);
}

OM_uint32 gss_delete_sec_context(OM_uint32* minor, void** context, void*) {
    if (context != nullptr) *context = nullptr;
    return fail(minor, kComplete);
}

OM_uint32 gss_indicate_mechs(OM_uint32* minor, void** mechs) {
    if (mechs != nullptr) *mechs = nullptr;
    return fail(minor, kBadMech);
}

OM_uint32 gss_release_buffer(OM_uint32* minor, gss_buffer_desc* buffer) {
    if (buffer != nullptr) *buffer = gss_buffer_desc{0, nullptr};
    return fail(minor, kComplete);
}

OM_uint32 gss_release_name(OM_uint32* minor, void** name) {
    if (name != nullptr) *name = nullptr;
    return fail(minor, kComplete);
}

OM_uint32 gss_release_oid_set(OM_uint32* minor, void** set) {
    if (set != nullptr) *set = nullptr;
    return fail(minor, kComplete);
}

}  // extern "C"
