#include "drawbridge/runner/Reports.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <map>
#include <set>

namespace drawbridge::runner {
namespace {

std::string escapeXml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t')
        out += c;
    }
  }
  return out;
}

std::string format(const char* spec, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, spec, value);
  return buffer;
}

// Workloads in first-seen order, and the paths that were asked for.
std::vector<std::string> workloadsOf(const SuiteResults& results) {
  std::vector<std::string> names;
  for (const auto& r : results.results)
    if (std::find(names.begin(), names.end(), r.workload) == names.end())
      names.push_back(r.workload);
  return names;
}
std::vector<std::string> pathsOf(const SuiteResults& results) {
  std::vector<std::string> paths;
  for (const auto& r : results.results)
    if (std::find(paths.begin(), paths.end(), r.path) == paths.end())
      paths.push_back(r.path);
  return paths;
}
const PathResult* find(const SuiteResults& results, const std::string& w, const std::string& p) {
  for (const auto& r : results.results)
    if (r.workload == w && r.path == p)
      return &r;
  return nullptr;
}

std::string summaryLine(const SuiteResults& results) {
  std::string line = std::to_string(countOutcome(results, Outcome::Pass)) + " passed, " +
                     std::to_string(countOutcome(results, Outcome::Fail)) + " failed";
  for (Outcome o : {Outcome::Compiled, Outcome::NotCheckable, Outcome::NotRun})
    if (size_t n = countOutcome(results, o))
      line += ", " + std::to_string(n) + " " + outcomeName(o);
  return line;
}

std::string cellText(const PathResult& r) {
  switch (r.outcome) {
  case Outcome::Pass:
    return "pass: error " + format("%.1e", r.logitsError) + ", " + std::to_string(r.tokensMatched) +
           "/" + std::to_string(r.steps) + " tokens" +
           (r.tokensForgiven ? " (+" + std::to_string(r.tokensForgiven) + " within tolerance)"
                             : "");
  case Outcome::Fail:
    return "FAIL: " + r.reason;
  case Outcome::Compiled:
  case Outcome::NotCheckable:
  case Outcome::NotRun:
    return outcomeName(r.outcome);
  }
  return "";
}

// Log10 of the error, clamped to the plot's range.
double plotY(double error, double top, double height) {
  double lg = std::log10(std::max(error, 1e-9));
  double clamped = std::clamp(lg, -9.0, 0.0);
  return top + height * (-clamped / 9.0);
}

std::string errorPlot(const PathResult& r) {
  const double width = 220, height = 60, left = 4, top = 4;
  size_t n = r.boundaryErrors.size() + 1; // boundaries, then the logits
  std::string svg = "<svg class=\"plot\" width=\"" + format("%.0f", width + 8) + "\" height=\"" +
                    format("%.0f", height + 8) +
                    "\" role=\"img\"><title>normalised error per layer: ";
  std::string points;
  for (size_t i = 0; i < n; ++i) {
    double e = i + 1 < n ? r.boundaryErrors[i] : r.logitsError;
    svg +=
        (i + 1 < n ? (i == 0 ? "embedding " : "layer " + std::to_string(i - 1) + " ") : "logits ") +
        format("%.2e", e) + (i + 1 < n ? "; " : "");
    double x = left + (n > 1 ? width * double(i) / double(n - 1) : width / 2);
    points += format("%.1f", x) + "," + format("%.1f", plotY(e, top, height)) + " ";
  }
  svg += "</title>";
  for (double decade : {1e-2, 1e-4, 1e-6, 1e-8})
    svg += "<line x1=\"" + format("%.0f", left) + "\" x2=\"" + format("%.0f", left + width) +
           "\" y1=\"" + format("%.1f", plotY(decade, top, height)) + "\" y2=\"" +
           format("%.1f", plotY(decade, top, height)) + "\" class=\"grid\"/>";
  svg += "<polyline points=\"" + points + "\" class=\"" +
         (r.outcome == Outcome::Pass ? "good" : "bad") + "\"/></svg>";
  return svg;
}

} // namespace

std::string junitReport(const SuiteResults& results) {
  double total = 0;
  for (const auto& r : results.results)
    total += r.seconds;
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"drawbridge-conformance\" tests=\"" +
         std::to_string(results.results.size()) + "\" failures=\"" +
         std::to_string(countOutcome(results, Outcome::Fail)) + "\" skipped=\"" +
         std::to_string(results.results.size() - countOutcome(results, Outcome::Pass) -
                        countOutcome(results, Outcome::Fail)) +
         "\" time=\"" + format("%.3f", total) + "\">\n";
  for (const auto& path : pathsOf(results)) {
    size_t tests = 0, failures = 0, skipped = 0;
    for (const auto& r : results.results)
      if (r.path == path) {
        ++tests;
        failures += r.outcome == Outcome::Fail;
        skipped += !ran(r.outcome);
      }
    xml += "  <testsuite name=\"conformance." + path + "\" tests=\"" + std::to_string(tests) +
           "\" failures=\"" + std::to_string(failures) + "\" skipped=\"" + std::to_string(skipped) +
           "\">\n";
    for (const auto& r : results.results) {
      if (r.path != path)
        continue;
      xml += "    <testcase classname=\"conformance." + path + "\" name=\"" +
             escapeXml(r.workload) + "\" time=\"" + format("%.3f", r.seconds) + "\"";
      if (r.outcome == Outcome::Pass) {
        xml += "/>\n";
        continue;
      }
      xml += ">\n";
      if (!ran(r.outcome)) {
        xml += "      <skipped message=\"" + escapeXml(outcomeName(r.outcome) + (": " + r.reason)) +
               "\"/>\n";
      } else {
        std::string details;
        for (const auto& f : r.failures)
          details += f + "\n";
        xml += "      <failure message=\"" + escapeXml(r.reason) + "\">" + escapeXml(details) +
               "</failure>\n";
      }
      xml += "    </testcase>\n";
    }
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

std::string jsonReport(const SuiteResults& results) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::json::OStream j(os, 2);
  j.object([&] {
    j.attribute("suite", "drawbridge-conformance");
    j.attribute("model", results.model);
    j.attribute("machine", results.machine);
    j.attribute("passed", static_cast<int64_t>(countOutcome(results, Outcome::Pass)));
    j.attribute("failed", static_cast<int64_t>(countOutcome(results, Outcome::Fail)));
    j.attribute("compiled", static_cast<int64_t>(countOutcome(results, Outcome::Compiled)));
    j.attribute("notCheckable", static_cast<int64_t>(countOutcome(results, Outcome::NotCheckable)));
    j.attribute("notRun", static_cast<int64_t>(countOutcome(results, Outcome::NotRun)));
    j.attributeArray("results", [&] {
      for (const auto& r : results.results)
        j.object([&] {
          j.attribute("workload", r.workload);
          j.attribute("path", r.path);
          j.attribute("outcome", outcomeName(r.outcome));
          if (!r.reason.empty())
            j.attribute("reason", r.reason);
          if (!ran(r.outcome))
            return;
          j.attribute("logitsError", r.logitsError);
          j.attribute("maxAbsError", r.maxAbsError);
          j.attributeArray("boundaryErrors", [&] {
            for (double e : r.boundaryErrors)
              j.value(e);
          });
          j.attribute("tokensMatched", static_cast<int64_t>(r.tokensMatched));
          j.attribute("tokensWithinTolerance", static_cast<int64_t>(r.tokensForgiven));
          j.attribute("steps", static_cast<int64_t>(r.steps));
          j.attribute("seconds", r.seconds);
          j.attribute("prefillTokensPerSecond", r.prefillTokensPerSecond);
          j.attribute("decodeTokensPerSecond", r.decodeTokensPerSecond);
          j.attributeArray("failures", [&] {
            for (const auto& f : r.failures)
              j.value(f);
          });
        });
    });
  });
  os << "\n";
  return text;
}

std::string markdownReport(const SuiteResults& results) {
  auto paths = pathsOf(results);
  std::string md = "## Drawbridge conformance\n\n**" + summaryLine(results) + "**  \n";
  md += "Model: " + results.model + "; machine: " + results.machine + "\n\n";
  md += "| workload |";
  for (const auto& p : paths)
    md += " " + p + " |";
  md += "\n|---|";
  for (size_t i = 0; i < paths.size(); ++i)
    md += "---|";
  md += "\n";
  for (const auto& w : workloadsOf(results)) {
    md += "| " + w + " |";
    for (const auto& p : paths) {
      const PathResult* r = find(results, w, p);
      std::string cell = r ? cellText(*r) : "";
      if (r && r->outcome == Outcome::Pass)
        cell += "; " + format("%.1f", r->seconds) + " s, decode " +
                format("%.1f", r->decodeTokensPerSecond) + " tok/s";
      md += " " + cell + " |";
    }
    md += "\n";
  }
  std::set<std::string> reasons;
  for (const auto& r : results.results)
    if (!ran(r.outcome))
      reasons.insert(r.path + ", " + outcomeName(r.outcome) + ": " + r.reason);
  if (!reasons.empty()) {
    md += "\n**Not run, and why**\n\n";
    for (const auto& reason : reasons)
      md += "- " + reason + "\n";
  }
  md += "\nError: the largest normalised error of the logits (max |difference| / max |reference|); "
        "tokens: steps whose token is the reference's choice, the reference fed the same tokens "
        "(others must be choices the sampling rule allows within tolerance); time: the whole run; "
        "decode tok/s: measured by the workload around its decode steps.\n";
  return md;
}

std::string htmlReport(const SuiteResults& results) {
  auto paths = pathsOf(results);
  std::string html = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Drawbridge conformance</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:middle}
th{background:#f3f3f3}
td.pass{background:#e8f6e8}td.fail{background:#fbe3e3}td.notrun{color:#777;background:#f7f7f7}
.plot .grid{stroke:#ddd;stroke-width:1}
.plot polyline{fill:none;stroke-width:2}.plot .good{stroke:#2a7}.plot .bad{stroke:#c33}
small{color:#666}
</style></head><body>
<h1>Drawbridge conformance</h1>
)";
  html += "<p><b>" + escapeXml(summaryLine(results)) +
          "</b><br>Model: " + escapeXml(results.model) +
          "; machine: " + escapeXml(results.machine) + "</p>\n";
  html += "<table><tr><th>workload</th>";
  for (const auto& p : paths)
    html += "<th>" + escapeXml(p) + "</th><th>error per layer (log, 1e-9 to 1)</th>";
  html += "</tr>\n";
  for (const auto& w : workloadsOf(results)) {
    html += "<tr><td>" + escapeXml(w) + "</td>";
    for (const auto& p : paths) {
      const PathResult* r = find(results, w, p);
      if (!r) {
        html += "<td></td><td></td>";
        continue;
      }
      const char* cls = r->outcome == Outcome::Pass   ? "pass"
                        : r->outcome == Outcome::Fail ? "fail"
                                                      : "notrun";
      std::string detail =
          !ran(r->outcome) ? outcomeName(r->outcome) + (": " + r->reason)
                           : cellText(*r) + "<br><small>max abs " + format("%.2e", r->maxAbsError) +
                                 ", " + format("%.2f", r->seconds) + " s; prefill " +
                                 format("%.1f", r->prefillTokensPerSecond) + ", decode " +
                                 format("%.1f", r->decodeTokensPerSecond) + " tokens/s</small>";
      html += std::string("<td class=\"") + cls + "\">" +
              (!ran(r->outcome) ? escapeXml(detail) : detail) + "</td><td>" +
              (!ran(r->outcome) ? "" : errorPlot(*r)) + "</td>";
    }
    html += "</tr>\n";
  }
  html +=
      "</table>\n<p><small>Error: largest |difference| divided by the largest |reference| value "
      "of each tensor, at each layer boundary (embedding, each layer) and the logits. Time is "
      "the whole run: start-up, compilation, prefill and decode. Tokens/s are measured by the "
      "workload around its steps; the prefill includes loading (on the CPU backend, compiling) "
      "the kernels' module at their first launch.</small></p>\n</body></html>\n";
  return html;
}

std::optional<Error> writeReports(const SuiteResults& results, const std::string& directory) {
  if (auto ec = llvm::sys::fs::create_directories(directory))
    return Error{"cannot create the report directory '" + directory + "': " + ec.message()};
  const std::pair<const char*, std::string> files[] = {{"conformance.xml", junitReport(results)},
                                                       {"conformance.json", jsonReport(results)},
                                                       {"conformance.md", markdownReport(results)},
                                                       {"conformance.html", htmlReport(results)}};
  for (const auto& [name, text] : files) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec);
    if (ec)
      return Error{"cannot write '" + path.str().str() + "': " + ec.message()};
    out << text;
  }
  return std::nullopt;
}

} // namespace drawbridge::runner
