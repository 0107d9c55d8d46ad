#include "security/threat_libinjection.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

// libinjection's public API (libinjection.h, libinjection_sqli.h), exported by libmodsecurity.so.
// The state is opaque here: it is only allocated (kStateBytes, below) and handed back.
extern "C" {
struct libinjection_sqli_state;
using LibinjectionLookup = char (*)(libinjection_sqli_state*, int lookup_type, const char* word,
                                    std::size_t len);
const char* libinjection_version(void);
int libinjection_sqli(const char* s, std::size_t slen, char fingerprint[]);
int libinjection_xss(const char* s, std::size_t slen);
void libinjection_sqli_init(libinjection_sqli_state* state, const char* s, std::size_t slen, int flags);
void libinjection_sqli_callback(libinjection_sqli_state* state, LibinjectionLookup fn, void* userdata);
int libinjection_is_sqli(libinjection_sqli_state* state);
char libinjection_sqli_lookup_word(libinjection_sqli_state* state, int lookup_type, const char* word,
                                   std::size_t len);
int libinjection_sqli_not_whitelist(libinjection_sqli_state* state);
}

namespace eyewear::security::libinjection {
namespace {

// sizeof(struct libinjection_sqli_state) is 544 bytes in Debian 12's libmodsecurity 3.0.9 (the
// size libinjection_sqli_init clears); the buffer leaves room for a larger build of the struct.
constexpr std::size_t kStateBytes = 4096;
// libinjection's lookup types: LOOKUP_WORD, and LOOKUP_FINGERPRINT, the check of a whole
// fingerprint, which is asked with the state's fingerprint as the word.
constexpr int kLookupWord = 1;
constexpr int kLookupFingerprint = 4;
constexpr std::size_t kMaxFingerprint = 5;  // LIBINJECTION_SQLI_MAX_TOKENS

// libinjection's default word lookup is a binary search of its ~9,000-keyword table with a
// case-folding compare, once for every word of a value in every quoting context it tries: on
// catalogue prose it was a ninth of a bulk upload's instructions. The answer depends only on
// the lookup type and the word's bytes, so a per-thread direct-mapped cache of answers returns
// exactly what the library would; a miss (or a word too long for a slot) asks the library.
//
// The fingerprint check is the library's libinjection_sqli_check_fingerprint: the blacklist (is
// "0" + the upper-cased fingerprint a fingerprint entry of the same keyword table?) and then,
// for a listed one, libinjection_sqli_not_whitelist, which reads the tokens in the state. The
// first part depends only on the fingerprint, so it is a cached word lookup; the second, asked
// for the rare listed fingerprint only, is the library's own. (The blacklist also notes a
// debugging line number in the state's `reason` when it says no; nothing here reads it.)
class WordCache {
 public:
  [[gnu::always_inline]] char lookup(libinjection_sqli_state* state, int type, const char* word,
                                     std::size_t len) noexcept {
    if (type == kLookupFingerprint) [[unlikely]]
      return check_fingerprint(state, word, len);
    return lookup_word(state, type, word, len);
  }

 private:
  [[gnu::always_inline]] char lookup_word(libinjection_sqli_state* state, int type, const char* word,
                                          std::size_t len) noexcept {
    if (len == 0 || len > kMaxWord) return libinjection_sqli_lookup_word(state, type, word, len);
    // Most words are short: one zero-padded chunk is their hash input and their whole compare.
    const std::uint64_t head = len <= 8 ? short_word(word, len) : load(word);
    std::uint64_t h = mix((std::uint64_t{static_cast<std::uint8_t>(type)} << 8 | len) * kMul, head);
    if (len > 8) {
      std::size_t i = 8;
      for (; i + 8 <= len; i += 8) h = mix(h, load(word + i));
      if (i < len) h = mix(h, load(word + len - 8));  // the last 8 bytes, overlapping
    }
    Slot& slot = slots_[(h ^ (h >> 32)) & (kSlots - 1)];
    if (slot.type == type && slot.len == len &&
        (len <= 8 ? slot.head == head : std::memcmp(slot.word, word, len) == 0)) {
      return slot.answer;
    }
    const char answer = libinjection_sqli_lookup_word(state, type, word, len);
    slot.type = static_cast<std::uint8_t>(type);
    slot.len = static_cast<std::uint8_t>(len);
    slot.answer = answer;
    slot.head = head;
    if (len > 8) std::memcpy(slot.word, word, len);
    return answer;
  }

  [[gnu::noinline]] char check_fingerprint(libinjection_sqli_state* state, const char* fingerprint,
                                           std::size_t len) noexcept {
    if (len == 0 || len > kMaxFingerprint)
      return libinjection_sqli_lookup_word(state, kLookupFingerprint, fingerprint, len);
    char v1[kMaxFingerprint + 1];
    v1[0] = '0';
    for (std::size_t i = 0; i < len; ++i) {
      const char c = fingerprint[i];
      v1[i + 1] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
    constexpr char kTypeFingerprint = 'F';
    if (lookup_word(state, kLookupWord, v1, len + 1) != kTypeFingerprint) return '\0';
    return libinjection_sqli_not_whitelist(state) != 0 ? 'X' : '\0';
  }

  static constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  static std::uint64_t mix(std::uint64_t h, std::uint64_t chunk) noexcept {
    h = (h ^ chunk) * kMul;
    return h ^ (h >> 29);
  }
  static std::uint64_t load(const char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // A word of 1 to 8 bytes as one integer, its bytes in order from the lowest and zeros above,
  // never reading past its end (it may end at the end of its buffer): 8 bytes loaded whole, 4 to
  // 7 as two overlapping 4-byte loads, 1 to 3 from the first, middle and last byte.
  static std::uint64_t short_word(const char* w, std::size_t len) noexcept {
    static_assert(std::endian::native == std::endian::little, "bytes are placed from the lowest");
    if (len == 8) return load(w);
    if (len >= 4) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, w, 4);
      std::memcpy(&hi, w + len - 4, 4);
      return lo | std::uint64_t{hi} << (8 * (len - 4));
    }
    const auto byte = [w](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(w[i])}; };
    return byte(0) | byte(len / 2) << (8 * (len / 2)) | byte(len - 1) << (8 * (len - 1));
  }

  static constexpr std::size_t kMaxWord = 48;  // libinjection looks up at most 31 bytes
  static constexpr std::size_t kSlots = 4096;  // 256 KiB a thread
  struct Slot {
    std::uint8_t type = 0;  // 0: empty (libinjection's lookup types are 1 to 4)
    std::uint8_t len = 0;
    char answer = 0;
    std::uint64_t head = 0;  // a word of up to 8 bytes (short_word)
    char word[kMaxWord];     // a longer word
  };
  static_assert(sizeof(Slot) == 64);
  std::array<Slot, kSlots> slots_{};
};

// The thread's cache, through a plain pointer: the owner's lazy initialisation is checked only
// on the first lookup of a thread.
thread_local constinit WordCache* t_cache = nullptr;

WordCache& word_cache() {
  if (t_cache != nullptr) [[likely]]
    return *t_cache;
  thread_local const std::unique_ptr<WordCache> owner = std::make_unique<WordCache>();
  t_cache = owner.get();
  return *t_cache;
}

char cached_lookup(libinjection_sqli_state* state, int type, const char* word, std::size_t len) {
  return word_cache().lookup(state, type, word, len);
}

}  // namespace

bool is_sqli(std::string_view value, Fingerprint& fingerprint) noexcept {
  fingerprint.fill('\0');
  if (value.empty()) return false;
  alignas(std::max_align_t) std::array<unsigned char, kStateBytes> storage;
  auto* state = reinterpret_cast<libinjection_sqli_state*>(storage.data());
  libinjection_sqli_init(state, value.data(), value.size(), 0);
  libinjection_sqli_callback(state, cached_lookup, nullptr);
  if (libinjection_is_sqli(state) == 0) return false;
  // Injection is the rare answer: the library's own entry point is asked again for the
  // fingerprint rather than reading it out of a struct whose layout is not ours.
  return libinjection_sqli(value.data(), value.size(), fingerprint.data()) != 0;
}

bool is_sqli_uncached(std::string_view value, Fingerprint& fingerprint) noexcept {
  fingerprint.fill('\0');
  if (value.empty()) return false;
  return libinjection_sqli(value.data(), value.size(), fingerprint.data()) != 0;
}

bool is_xss(std::string_view value) noexcept {
  if (value.empty()) return false;
  return libinjection_xss(value.data(), value.size()) != 0;
}

std::string_view version() noexcept { return libinjection_version(); }

}  // namespace eyewear::security::libinjection
