#include "pipeline/task_config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "capture/open_source.h"
#include "capture/source.h"
#include "changelog/password.h"
#include "common/config_json.h"
#include "common/names.h"
#include "pattern/matcher.h"
#include "sink/sink_kinds.h"
#include "transform/steps.h"

namespace inflow::pipeline {
namespace {

constexpr char kMask[] = "******";

bool IsTaskName(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::vector<std::string> StringList(const nlohmann::json& parent, std::string_view key,
                                    std::string_view where, ConfigErrors* errors) {
  std::vector<std::string> out;
  auto it = parent.find(key);
  if (it == parent.end()) return out;
  std::string at = JoinPath(where, key);
  if (!it->is_array()) {
    errors->Add(at, "must be a list of strings");
    return out;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    if (!v.is_string() || v.get<std::string>().empty()) {
      errors->Add(at + "[" + std::to_string(i) + "]", "must be a non-empty string");
    } else {
      out.push_back(v.get<std::string>());
    }
  }
  return out;
}

void ParseTracking(const nlohmann::json& t, TrackingForm form, TrackingSpec* spec,
                   ConfigErrors* errors) {
  const std::string where = "source.tracking";
  if (t.is_string()) {
    if (form == TrackingForm::kInline) {
      errors->Add(where, "must be an inline tracking instance {name, source, tables} here");
      return;
    }
    spec->id = t.get<std::string>();
    if (spec->id.empty()) errors->Add(where, "must not be empty");
    return;
  }
  if (form == TrackingForm::kReference) {
    errors->Add(where, "must be the id of an existing tracking instance");
    return;
  }
  if (!CheckObject(
          t, where,
          {"name", "source", "tables", "exclude_tables", "retention_hours", "capture_from"},
          errors)) {
    return;
  }
  spec->name = StringMember(t, "name", where, true, errors);
  if (t.contains("name") && t["name"].is_string()) {
    // The name is the instance's directory under <data>/tracking.
    if (auto st = ValidateResourceName(spec->name, JoinPath(where, "name")); !st) {
      errors->AddError(st.error());
    }
  }
  spec->source_url = StringMember(t, "source", where, true, errors);
  if (!spec->source_url.empty()) {
    if (auto url = capture::CheckSourceUrl(spec->source_url); !url) {
      errors->Add(JoinPath(where, "source"), url.error().message());
    }
  }
  spec->tables = StringList(t, "tables", where, errors);
  spec->exclude_tables = StringList(t, "exclude_tables", where, errors);
  // Against the document, not the lists, so each error names the item's own index.
  auto check_patterns = [&](std::string_view key) {
    auto list = t.find(key);
    if (list == t.end() || !list->is_array()) return;
    for (size_t i = 0; i < list->size(); ++i) {
      const nlohmann::json& item = (*list)[i];
      if (!item.is_string() || item.get_ref<const std::string&>().empty()) continue;
      if (auto f = capture::TableFilter::Make({item.get<std::string>()}, {}); !f) {
        errors->Add(JoinPath(where, std::string(key) + "[" + std::to_string(i) + "]"),
                    f.error().message());
      }
    }
  };
  check_patterns("tables");
  check_patterns("exclude_tables");
  spec->retention_hours =
      static_cast<int>(IntMember(t, "retention_hours", where, 1, 24 * 365, 24, errors));
  if (t.contains("capture_from")) {
    spec->capture_from = StringMember(t, "capture_from", where, false, errors);
    if (t["capture_from"].is_string()) {
      if (auto start = capture::StartPosition::Parse(spec->capture_from); !start) {
        errors->Add(JoinPath(where, "capture_from"), start.error().message());
      }
    }
  }
}

void ParseSource(const nlohmann::json& doc, TrackingForm form, SourceSpec* spec,
                 ConfigErrors* errors) {
  auto it = doc.find("source");
  if (it == doc.end()) {
    errors->Add("source", "is required");
    return;
  }
  const nlohmann::json& s = *it;
  if (!CheckObject(s, "source", {"tracking", "consumer_group", "start_time", "batch"}, errors)) {
    return;
  }
  if (auto t = s.find("tracking"); t != s.end()) {
    ParseTracking(*t, form, &spec->tracking, errors);
  } else {
    errors->Add("source.tracking", "is required");
  }
  if (auto g = s.find("consumer_group"); g != s.end()) {
    const std::string at = "source.consumer_group";
    if (CheckObject(*g, at, {"name", "account", "password"}, errors)) {
      spec->group = StringMember(*g, "name", at, true, errors);
      if (g->contains("name") && (*g)["name"].is_string()) {
        // The name is the group's file name in the change log's groups directory.
        if (auto st = ValidateResourceName(spec->group, at + ".name"); !st) {
          errors->AddError(st.error());
        }
      }
      spec->account = StringMember(*g, "account", at, true, errors);
      spec->password = StringMember(*g, "password", at, true, errors);
      if (g->contains("account") && (*g)["account"].is_string()) {
        if (auto st = changelog::ValidateAccount(spec->account, at + ".account"); !st) {
          errors->AddError(st.error());
        }
      }
      if (g->contains("password") && (*g)["password"].is_string()) {
        if (auto st = changelog::ValidatePassword(spec->password, at + ".password"); !st) {
          errors->AddError(st.error());
        }
      }
    }
  } else {
    errors->Add("source.consumer_group", "is required");
  }
  if (s.contains("start_time")) {
    spec->start_time_text = StringMember(s, "start_time", "source", false, errors);
    if (s["start_time"].is_string()) {
      auto start = changelog::ParseStartPosition(spec->start_time_text);
      if (start) {
        spec->start = *start;
      } else {
        errors->Add("source.start_time", start.error().message());
      }
    }
  }
  if (auto b = s.find("batch"); b != s.end()) {
    if (CheckObject(*b, "source.batch", {"max_events", "interval_s"}, errors)) {
      spec->max_events =
          static_cast<int>(IntMember(*b, "max_events", "source.batch", 1, 10000, 100, errors));
      spec->interval_s =
          static_cast<int>(IntMember(*b, "interval_s", "source.batch", 0, 15, 3, errors));
    }
  }
}

void ParseDeadLetter(const nlohmann::json& d, DeadLetterSpec* spec, ConfigErrors* errors) {
  const std::string where = "properties.dead_letter";
  if (!CheckObject(d, where, {"file", "rocketmq"}, errors)) return;
  if (d.contains("file") == d.contains("rocketmq")) {
    errors->Add(where, "needs exactly one of `file` or `rocketmq`");
    return;
  }
  if (d.contains("file")) {
    spec->kind = DeadLetterSpec::Kind::kFile;
    spec->file = StringMember(d, "file", where, true, errors);
    if (d["file"].is_string()) {
      if (spec->file.empty()) {
        errors->Add(JoinPath(where, "file"), "must not be empty");
      } else if (auto st = CheckOutputFile(spec->file, JoinPath(where, "file")); !st) {
        errors->AddError(st.error());
      }
    }
    return;
  }
  const std::string at = JoinPath(where, "rocketmq");
  const nlohmann::json& r = d["rocketmq"];
  if (!CheckObject(r, at, {"endpoint", "topic", "access_key", "secret_key"}, errors)) return;
  spec->kind = DeadLetterSpec::Kind::kRocketMQ;
  spec->endpoint = StringMember(r, "endpoint", at, true, errors);
  if (r.contains("endpoint") && r["endpoint"].is_string()) {
    if (auto st = ValidateHostPortList(spec->endpoint, at + ".endpoint"); !st) {
      errors->AddError(st.error());
    }
  }
  spec->topic = StringMember(r, "topic", at, true, errors);
  if (r.contains("topic") && r["topic"].is_string()) {
    if (auto st = ValidateTopicName(spec->topic, at + ".topic"); !st) errors->AddError(st.error());
  }
  spec->access_key = StringMember(r, "access_key", at, false, errors);
  spec->secret_key = StringMember(r, "secret_key", at, false, errors);
}

void ParseProperties(const nlohmann::json& doc, TaskConfig* config, ConfigErrors* errors) {
  auto it = doc.find("properties");
  int64_t max_age_s = 86400;
  if (it != doc.end()) {
    const nlohmann::json& p = *it;
    if (!CheckObject(p, "properties",
                     {"retry", "max_event_age_s", "fault_tolerance", "dead_letter"}, errors)) {
      return;
    }
    max_age_s = IntMember(p, "max_event_age_s", "properties", 60, 86400, 86400, errors);
    if (auto r = p.find("retry"); r != p.end()) {
      const std::string at = "properties.retry";
      if (CheckObject(*r, at, {"policy", "attempts", "initial_ms", "max_ms", "jitter"}, errors)) {
        std::string policy = StringMember(*r, "policy", at, true, errors);
        bool custom_keys = r->contains("attempts") || r->contains("initial_ms") ||
                           r->contains("max_ms") || r->contains("jitter");
        if (policy == "CUSTOM") {
          int64_t attempts = IntMember(*r, "attempts", at, 0, 1000, 3, errors);
          int64_t initial = IntMember(*r, "initial_ms", at, 1, 3'600'000, 1000, errors);
          int64_t max = IntMember(*r, "max_ms", at, 1, 86'400'000, 60'000, errors);
          double jitter = 0;
          if (auto j = r->find("jitter"); j != r->end()) {
            if (!j->is_number() || j->get<double>() < 0 || j->get<double>() > 1) {
              errors->Add(at + ".jitter", "must be a number between 0 and 1");
            } else {
              jitter = j->get<double>();
            }
          }
          auto custom =
              RetryPolicy::Custom(static_cast<int>(attempts), std::chrono::milliseconds(initial),
                                  std::chrono::milliseconds(max), jitter);
          if (custom) {
            config->retry = *custom;
          } else {
            errors->Add(at, custom.error().message());
          }
        } else if (!policy.empty()) {
          auto named = RetryPolicy::FromName(policy);
          if (named) {
            config->retry = *named;
          } else {
            errors->Add(at + ".policy", named.error().message());
          }
          if (custom_keys) {
            errors->Add(at, "attempts / initial_ms / max_ms / jitter apply only to CUSTOM");
          }
        }
      }
    }
    if (p.contains("fault_tolerance")) {
      std::string ft = StringMember(p, "fault_tolerance", "properties", false, errors);
      if (ft == "ALL") {
        config->fault_tolerance = FaultTolerance::kAll;
      } else if (ft == "NONE") {
        config->fault_tolerance = FaultTolerance::kNone;
      } else if (p["fault_tolerance"].is_string()) {
        errors->Add("properties.fault_tolerance", "must be ALL or NONE");
      }
    }
    if (auto d = p.find("dead_letter"); d != p.end()) {
      ParseDeadLetter(*d, &config->dead_letter, errors);
    }
  }
  config->retry = config->retry.WithMaxEventAge(std::chrono::seconds(max_age_s));
}

}  // namespace

Result<TaskConfig> ParseTaskConfig(const nlohmann::json& doc, TrackingForm form) {
  ConfigErrors errors;
  TaskConfig config;
  if (!doc.is_object()) return Fail(InvalidArgument("task: must be an object"));
  CheckObject(doc, "",
              {"name", "description", "source", "filter", "transform", "sink", "properties"},
              &errors);
  config.name = StringMember(doc, "name", "", true, &errors);
  if (doc.contains("name") && doc["name"].is_string() && !IsTaskName(config.name)) {
    errors.Add("name", "must be 1-64 characters of A-Z a-z 0-9 _ - .");
  }
  config.description = StringMember(doc, "description", "", false, &errors);
  if (config.description.size() > 1024) errors.Add("description", "must be at most 1024 bytes");

  ParseSource(doc, form, &config.source, &errors);

  if (auto f = doc.find("filter"); f != doc.end() && !f->is_null()) {
    if (!f->is_object()) {
      errors.Add("filter", "must be an event pattern object ({} matches everything)");
    } else {
      config.filter_json = f->dump();
      if (auto m = pattern::Matcher::Compile(config.filter_json); !m) {
        errors.Add("filter", m.error().message());
      }
    }
  }

  bool has_route = false;
  if (auto t = doc.find("transform"); t != doc.end() && !t->is_null()) {
    config.transform = *t;
    if (auto steps = transform::BuildSteps(*t, "transform"); !steps) {
      errors.AddError(steps.error());
    }
    if (t->is_array()) {
      has_route = std::any_of(t->begin(), t->end(),
                              [](const auto& s) { return s.is_object() && s.contains("route"); });
    }
  }

  if (auto s = doc.find("sink"); s == doc.end()) {
    errors.Add("sink", "is required");
  } else {
    config.sink_section = *s;
    auto spec = sink::SinkSpec::Parse(*s, "sink");
    if (!spec) {
      errors.AddError(spec.error());
      if (s->is_object() && !s->contains("endpoint")) errors.Add("sink.endpoint", "is required");
    } else {
      config.sink = std::move(*spec);
      if (auto why = sink::UnsupportedSinkType(config.sink.type)) errors.Add("sink.type", *why);
      if (auto why = sink::UnsupportedSinkVersion(config.sink.version)) {
        errors.Add("sink.version", *why);
      }
      if (config.sink.endpoint.empty()) errors.Add("sink.endpoint", "is required");
      if (!config.sink.topic && !has_route) {
        errors.Add("sink.topic", "is required (or route events with a `route` transform step)");
      }
    }
  }

  ParseProperties(doc, &config, &errors);
  if (!errors.empty()) return Fail(errors.ToError());
  return config;
}

Status CheckOutputFile(const std::string& path, std::string_view field) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& reason) {
    return Fail(InvalidArgument(std::string(field) + ": '" + path + "' " + reason));
  };
  std::error_code ec;
  fs::path p(path);
  if (fs::is_directory(p, ec)) return fail("is a directory");
  fs::path dir = p.parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::exists(dir, ec))
    return fail("cannot be created: directory '" + dir.string() + "' does not exist");
  if (!fs::is_directory(dir, ec))
    return fail("cannot be created: '" + dir.string() + "' is not a directory");
  if (fs::exists(p, ec)) {
    if (::access(path.c_str(), W_OK) != 0) return fail("is not writable");
  } else if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return fail("cannot be created: directory '" + dir.string() + "' is not writable");
  }
  return Ok();
}

nlohmann::json MaskSecrets(const nlohmann::json& document) {
  nlohmann::json out = document;
  auto mask = [](nlohmann::json* parent, const char* key) {
    if (parent->is_object() && parent->contains(key) && (*parent)[key].is_string() &&
        !(*parent)[key].get<std::string>().empty()) {
      (*parent)[key] = kMask;
    }
  };
  if (out.is_object() && out.contains("source") && out["source"].is_object()) {
    nlohmann::json& src = out["source"];
    if (src.contains("consumer_group")) mask(&src["consumer_group"], "password");
    if (src.contains("tracking") && src["tracking"].is_object() &&
        src["tracking"].contains("source") && src["tracking"]["source"].is_string()) {
      // mysql://user:password@host → mysql://user:******@host
      std::string url = src["tracking"]["source"];
      size_t scheme = url.find("://");
      size_t at = url.rfind('@');
      size_t colon = scheme == std::string::npos ? std::string::npos : url.find(':', scheme + 3);
      if (scheme != std::string::npos && at != std::string::npos && colon != std::string::npos &&
          colon < at) {
        url = url.substr(0, colon + 1) + kMask + url.substr(at);
        src["tracking"]["source"] = url;
      }
    }
  }
  if (out.is_object() && out.contains("sink")) mask(&out["sink"], "secret_key");
  if (out.is_object() && out.contains("properties") && out["properties"].is_object() &&
      out["properties"].contains("dead_letter") &&
      out["properties"]["dead_letter"].contains("rocketmq")) {
    mask(&out["properties"]["dead_letter"]["rocketmq"], "secret_key");
  }
  return out;
}

}  // namespace inflow::pipeline
