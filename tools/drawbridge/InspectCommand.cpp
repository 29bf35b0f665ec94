// `drawbridge inspect FILE`: lists the fatbins, entries and kernels of a CUDA binary, and
// extracts its PTX; what cuobjdump's listing and extraction do, for toolkits without it.
#include "Command.h"
#include "drawbridge/fatbin/Cubin.h"
#include "drawbridge/fatbin/Image.h"
#include "drawbridge/fatbin/Payload.h"
#include "drawbridge/fatbin/PtxSelection.h"
#include "drawbridge/fatbin/PtxSummary.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Demangle/Demangle.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <optional>

namespace drawbridge::cli {
namespace {

namespace cl = llvm::cl;
using namespace drawbridge::fatbin;

cl::SubCommand Inspect("inspect", "List the fatbins, device code and kernels of a CUDA binary");
cl::opt<std::string> InputPath(cl::Positional, cl::Required,
                               cl::desc("<executable, library or fatbin>"), cl::sub(Inspect));
cl::opt<bool> Json("json", cl::desc("Print the listing as JSON"), cl::sub(Inspect));
cl::opt<std::string> ExtractDir("extract-ptx", cl::desc("Write every PTX entry into <dir>"),
                                cl::value_desc("dir"), cl::sub(Inspect));

struct EntryView {
  const Entry* entry;
  std::optional<std::vector<std::string>> kernels; // PTX and SASS entries
  std::string ptxText;                             // PTX entries only
};

struct FatbinView {
  const Fatbin* fatbin;
  std::vector<EntryView> entries;
  std::optional<std::string> noUsablePtx; // why no PTX can be chosen, when there is device code
};

std::string_view originName(Origin origin) {
  switch (origin) {
  case Origin::Bare:
    return "bare";
  case Origin::Wrapper:
    return "wrapper";
  case Origin::Prelinked:
    return "prelinked";
  case Origin::Section:
    return "section";
  }
  return "unknown";
}

std::string isaOf(const Entry& e) {
  return std::to_string(e.versionMajor) + "." + std::to_string(e.versionMinor);
}

std::string hexOf(uint64_t v) {
  return llvm::utohexstr(v, /*LowerCase=*/true);
}

Expected<std::vector<FatbinView>> describe(const Image& image) {
  std::vector<FatbinView> views;
  for (const auto& fatbin : image.fatbins()) {
    FatbinView view{&fatbin, {}, std::nullopt};
    for (const auto& entry : fatbin.entries) {
      EntryView ev{&entry, std::nullopt, {}};
      if (entry.isPtx()) {
        auto text = ptxText(entry);
        if (!text)
          return std::move(text).takeError();
        ev.kernels = summarizePtx(*text).kernels;
        ev.ptxText = std::move(*text);
      } else if (entry.isElf()) {
        auto cubin = decompress(entry);
        if (!cubin)
          return std::move(cubin).takeError();
        auto kernels = cubinKernels(*cubin);
        if (!kernels)
          return std::move(kernels).takeError();
        ev.kernels = std::move(*kernels);
      }
      view.entries.push_back(std::move(ev));
    }
    // A version-2 wrapper is nvcc's device-link output: in whole-program builds it holds only a
    // link stub, and in -rdc builds the PTX sits in the units it links. Units carry the PTX.
    if (!fatbin.entries.empty() && fatbin.wrapperVersion != 2)
      if (auto chosen = selectPtx(fatbin); !chosen)
        view.noUsablePtx = chosen.error().message;
    views.push_back(std::move(view));
  }
  return views;
}

void printText(const Image& image, const std::vector<FatbinView>& views, llvm::raw_ostream& os) {
  os << InputPath << ": " << (image.format() == Image::Format::Elf ? "ELF file" : "fatbin file")
     << ", " << views.size() << " fatbin" << (views.size() == 1 ? "" : "s") << "\n";
  for (size_t i = 0; i < views.size(); ++i) {
    const Fatbin& f = *views[i].fatbin;
    os << "\nfatbin " << i << ": " << originName(f.origin);
    if (f.wrapperVersion)
      os << " v" << f.wrapperVersion << (f.wrapperVersion == 2 ? " (device link)" : "") << " at 0x"
         << hexOf(f.wrapperOffset);
    if (!f.section.empty())
      os << ", section " << f.section;
    os << ", container at 0x" << hexOf(f.offset) << ", " << f.size << " bytes, " << f.entries.size()
       << " entr" << (f.entries.size() == 1 ? "y" : "ies") << "\n";
    for (size_t j = 0; j < views[i].entries.size(); ++j) {
      const auto& ev = views[i].entries[j];
      const Entry& e = *ev.entry;
      os << "  entry " << j << ": " << kindName(e.kind);
      if (!e.isPtx() && !e.isElf())
        os << " (kind " << e.kind << ")";
      os << " " << archName(e);
      if (e.isPtx())
        os << ", PTX ISA " << isaOf(e);
      os << ", " << compressionName(e.compression);
      if (e.compression != Compression::None)
        os << " " << e.stored.size() << " -> " << e.uncompressedSize << " bytes";
      else
        os << " " << e.stored.size() << " bytes";
      os << ", flags 0x" << hexOf(e.flags) << "\n";
      if (!e.sourceName.empty())
        os << "    source: " << e.sourceName << "\n";
      if (!e.options.empty())
        os << "    options: " << llvm::StringRef(e.options).trim() << "\n";
      if (ev.kernels) {
        os << "    kernels (" << ev.kernels->size() << "):\n";
        for (const auto& k : *ev.kernels) {
          std::string demangled = llvm::demangle(k);
          os << "      " << k;
          if (demangled != k)
            os << "  " << demangled;
          os << "\n";
        }
      }
    }
    if (views[i].noUsablePtx)
      os << "  note: " << *views[i].noUsablePtx << "\n";
  }
}

void printJson(const Image& image, const std::vector<FatbinView>& views, llvm::raw_ostream& os) {
  llvm::json::OStream j(os, 2);
  j.object([&] {
    j.attribute("file", InputPath);
    j.attribute("format", image.format() == Image::Format::Elf ? "elf" : "fatbin");
    j.attributeArray("fatbins", [&] {
      for (const auto& view : views) {
        const Fatbin& f = *view.fatbin;
        j.object([&] {
          j.attribute("origin", std::string(originName(f.origin)));
          if (f.wrapperVersion) {
            j.attribute("wrapperVersion", f.wrapperVersion);
            j.attribute("wrapperOffset", f.wrapperOffset);
          }
          if (!f.section.empty())
            j.attribute("section", f.section);
          j.attribute("offset", f.offset);
          j.attribute("size", f.size);
          if (view.noUsablePtx)
            j.attribute("noUsablePtx", *view.noUsablePtx);
          j.attributeArray("entries", [&] {
            for (const auto& ev : view.entries) {
              const Entry& e = *ev.entry;
              j.object([&] {
                j.attribute("kind", std::string(kindName(e.kind)));
                j.attribute("kindValue", e.kind);
                j.attribute("arch", archName(e));
                j.attribute("sm", e.smArch);
                if (e.isPtx())
                  j.attribute("ptxIsa", isaOf(e));
                j.attribute("compression", std::string(compressionName(e.compression)));
                j.attribute("storedSize", static_cast<uint64_t>(e.stored.size()));
                j.attribute("uncompressedSize", e.uncompressedSize);
                j.attribute("flags", e.flags);
                j.attribute("offset", e.offset);
                if (!e.sourceName.empty())
                  j.attribute("sourceName", e.sourceName);
                if (!e.options.empty())
                  j.attribute("options", llvm::StringRef(e.options).trim());
                if (!ev.kernels)
                  return;
                j.attributeArray("kernels", [&] {
                  for (const auto& k : *ev.kernels)
                    j.object([&] {
                      j.attribute("name", k);
                      j.attribute("demangled", llvm::demangle(k));
                    });
                });
              });
            }
          });
        });
      }
    });
  });
  os << "\n";
}

std::optional<std::string> extractPtx(const std::vector<FatbinView>& views) {
  if (auto ec = llvm::sys::fs::create_directories(ExtractDir.getValue()))
    return "cannot create '" + ExtractDir + "': " + ec.message();
  std::string stem = llvm::sys::path::filename(InputPath.getValue()).str();
  for (size_t i = 0; i < views.size(); ++i)
    for (size_t j = 0; j < views[i].entries.size(); ++j) {
      const auto& ev = views[i].entries[j];
      if (!ev.entry->isPtx())
        continue;
      llvm::SmallString<256> path(ExtractDir.getValue());
      llvm::sys::path::append(path, stem + "." + std::to_string(i) + "." + std::to_string(j) + "." +
                                        archName(*ev.entry) + ".ptx");
      std::error_code ec;
      llvm::raw_fd_ostream out(path, ec);
      if (ec)
        return "cannot write '" + path.str().str() + "': " + ec.message();
      out << ev.ptxText;
    }
  return std::nullopt;
}

int runInspect() {
  auto image = Image::open(InputPath);
  if (!image)
    return fail("inspect", image.error().message);
  auto views = describe(*image);
  if (!views)
    return fail("inspect", InputPath + ": " + views.error().message);
  if (!ExtractDir.empty())
    if (auto error = extractPtx(*views))
      return fail("inspect", *error);
  if (Json)
    printJson(*image, *views, llvm::outs());
  else
    printText(*image, *views, llvm::outs());
  return 0;
}

const bool registered = registerCommand(Inspect, runInspect);

} // namespace
} // namespace drawbridge::cli
