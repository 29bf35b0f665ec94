#include "drawbridge/trace/Trace.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace drawbridge::trace {
namespace {

// Dumps stay far below this; a larger declared size is corruption.
constexpr uint64_t kMaxValues = uint64_t{1} << 32;

class Writer {
public:
  void u32(uint32_t value) { raw(&value, 4); }
  void i32(int32_t value) { raw(&value, 4); }
  void floats(const std::vector<float>& values) { raw(values.data(), values.size() * 4); }
  void raw(const void* data, size_t size) {
    const std::byte* p = static_cast<const std::byte*>(data);
    bytes.insert(bytes.end(), p, p + size);
  }
  std::vector<std::byte> bytes;
};

class Reader {
public:
  Reader(const std::vector<std::byte>& bytes, const std::string& name)
      : bytes_(bytes), name_(name) {}

  bool u32(uint32_t& out, const char* what) { return raw(&out, 4, what); }
  bool i32(int32_t& out, const char* what) { return raw(&out, 4, what); }
  bool f32(float& out, const char* what) { return raw(&out, 4, what); }
  bool floats(std::vector<float>& out, uint64_t count, const char* what) {
    if (count > kMaxValues || count * 4 > bytes_.size() - pos_)
      return truncated(what);
    out.resize(static_cast<size_t>(count));
    return raw(out.data(), out.size() * 4, what);
  }
  bool raw(void* out, size_t size, const char* what) {
    if (size > bytes_.size() - pos_)
      return truncated(what);
    std::memcpy(out, bytes_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  bool truncated(const char* what) {
    if (!error_)
      error_ = Error{name_ + ": truncated in " + what + " at byte " + std::to_string(pos_)};
    return false;
  }
  bool atEnd() const { return pos_ == bytes_.size(); }
  size_t position() const { return pos_; }
  std::optional<Error>& error() { return error_; }

private:
  const std::vector<std::byte>& bytes_;
  const std::string& name_;
  size_t pos_ = 0;
  std::optional<Error> error_;
};

bool readStep(Reader& in, const Trace& trace, StepTrace& step) {
  if (!in.u32(step.tokenCount, "a step's token count") ||
      !in.u32(step.firstPosition, "a step's first position"))
    return false;
  step.boundaries.resize(trace.boundaryCount);
  for (std::vector<float>& boundary : step.boundaries)
    if (!in.floats(boundary, uint64_t{step.tokenCount} * trace.hidden, "boundary activations"))
      return false;
  return in.floats(step.logits, trace.vocab, "logits") && in.i32(step.token, "a token") &&
         in.f32(step.margin, "a margin");
}

} // namespace

std::vector<int32_t> Trace::tokens() const {
  std::vector<int32_t> tokens;
  for (const StepTrace& step : steps)
    tokens.push_back(step.token);
  return tokens;
}

std::vector<std::byte> encodeTrace(const Trace& trace) {
  Writer out;
  out.raw(kMagic, sizeof kMagic);
  out.u32(trace.hidden);
  out.u32(trace.vocab);
  out.u32(trace.boundaryCount);
  out.u32(static_cast<uint32_t>(trace.steps.size()));
  for (const StepTrace& step : trace.steps) {
    out.u32(step.tokenCount);
    out.u32(step.firstPosition);
    for (const std::vector<float>& boundary : step.boundaries)
      out.floats(boundary);
    out.floats(step.logits);
    out.i32(step.token);
    out.raw(&step.margin, 4);
  }
  return std::move(out.bytes);
}

Expected<Trace> decodeTrace(const std::vector<std::byte>& bytes, const std::string& name) {
  Reader in(bytes, name);
  char magic[8];
  if (!in.raw(magic, 8, "the magic") || std::memcmp(magic, kMagic, 8) != 0)
    return Error{name + ": not a Drawbridge trace (the magic \"DBTRACE1\" is missing)"};
  Trace trace;
  uint32_t steps = 0;
  if (in.u32(trace.hidden, "the header") && in.u32(trace.vocab, "the header") &&
      in.u32(trace.boundaryCount, "the header") && in.u32(steps, "the header")) {
    // Each step needs at least its fixed fields; this bounds the allocation below.
    if (uint64_t{steps} * 16 > bytes.size())
      return Error{name + ": declares " + std::to_string(steps) +
                   " steps, more than the file holds"};
    trace.steps.resize(steps);
    for (StepTrace& step : trace.steps)
      if (!readStep(in, trace, step))
        break;
  }
  if (in.error())
    return *in.error();
  if (!in.atEnd())
    return Error{name + ": " + std::to_string(bytes.size() - in.position()) +
                 " unexpected bytes after the last step"};
  return trace;
}

std::optional<Error> writeTrace(const std::string& path, const Trace& trace) {
  std::vector<std::byte> bytes = encodeTrace(trace);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out)
    return Error{"cannot write the trace " + path};
  return std::nullopt;
}

Expected<Trace> readTrace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{"cannot open the trace " + path};
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return decodeTrace(bytes, path);
}

} // namespace drawbridge::trace
