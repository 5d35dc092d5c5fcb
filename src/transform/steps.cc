#include "transform/steps.h"

#include <nlohmann/json.hpp>

#include "common/config_json.h"
#include "transform/enrich.h"
#include "transform/http_function.h"
#include "transform/lua.h"
#include "transform/map.h"
#include "transform/route.h"
#include "transform/split.h"

namespace inflow::transform {
namespace {

Result<std::unique_ptr<Step>> BuildLua(const nlohmann::json& c, const std::string& where) {
  ConfigErrors errors;
  if (!CheckObject(c, where, {"code", "timeout_ms", "memory_mb"}, &errors)) {
    return Fail(errors.ToError());
  }
  LuaOptions options;
  options.code = StringMember(c, "code", where, true, &errors);
  options.timeout =
      std::chrono::milliseconds(IntMember(c, "timeout_ms", where, 1, 60'000, 50, &errors));
  options.memory_limit_bytes =
      static_cast<size_t>(IntMember(c, "memory_mb", where, 1, 4096, 64, &errors)) << 20;
  if (!errors.empty()) return Fail(errors.ToError());
  auto lua = LuaTransform::Create(options);
  if (!lua) return Fail(lua.error().WithContext(where));
  return std::unique_ptr<Step>(std::move(*lua));
}

Result<std::unique_ptr<Step>> BuildHttp(const nlohmann::json& c, const std::string& where) {
  ConfigErrors errors;
  if (!CheckObject(c, where, {"url", "timeout_ms"}, &errors)) return Fail(errors.ToError());
  HttpFunctionOptions options;
  options.url = StringMember(c, "url", where, true, &errors);
  options.timeout =
      std::chrono::milliseconds(IntMember(c, "timeout_ms", where, 1, 600'000, 60'000, &errors));
  if (!errors.empty()) return Fail(errors.ToError());
  auto fn = HttpFunction::Create(options);
  if (!fn) return Fail(fn.error().WithContext(where));
  return std::unique_ptr<Step>(std::move(*fn));
}

template <typename T>
Result<std::unique_ptr<Step>> Upcast(Result<std::unique_ptr<T>> r) {
  if (!r) return Fail(r.error());
  return std::unique_ptr<Step>(std::move(*r));
}

}  // namespace

Result<std::vector<std::unique_ptr<Step>>> BuildSteps(const nlohmann::json& section,
                                                      std::string_view where) {
  std::vector<std::unique_ptr<Step>> steps;
  if (section.is_null()) return steps;
  if (!section.is_array()) {
    return Fail(InvalidArgument(std::string(where) + ": must be a list of steps"));
  }
  ConfigErrors errors;
  for (size_t i = 0; i < section.size(); ++i) {
    const nlohmann::json& s = section[i];
    std::string at = std::string(where) + "[" + std::to_string(i) + "]";
    if (!s.is_object() || s.size() != 1) {
      errors.Add(at, "must be an object with exactly one of split, map, route, enrich, lua, http");
      continue;
    }
    const std::string& verb = s.begin().key();
    const nlohmann::json& c = s.begin().value();
    std::string path = at + "." + verb;
    Result<std::unique_ptr<Step>> step = Fail(Internal("unreachable"));
    if (verb == "split") {
      step = Upcast(Split::FromConfig(c, path));
    } else if (verb == "map") {
      step = Upcast(Map::FromConfig(c, path));
    } else if (verb == "route") {
      step = Upcast(Route::FromConfig(c, path));
    } else if (verb == "enrich") {
      step = Upcast(Enrich::FromConfig(c, path));
    } else if (verb == "lua") {
      step = BuildLua(c, path);
    } else if (verb == "http") {
      step = BuildHttp(c, path);
    } else {
      errors.Add(at,
                 "unknown step '" + verb + "' (expected split, map, route, enrich, lua or http)");
      continue;
    }
    if (step) {
      steps.push_back(std::move(*step));
    } else {
      errors.AddError(step.error());
    }
  }
  if (!errors.empty()) return Fail(errors.ToError());
  return steps;
}

}  // namespace inflow::transform
