#include "citylots.h"

#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace inflow::bench {
namespace {

// Street names of San Francisco (public knowledge), so exact / prefix / suffix patterns hit a
// realistic fraction of events. The three sample streets come first.
const char* const kStreets[] = {
    "GREENWICH",    "TURK",       "CABRILLO",    "MARKET",     "MISSION",    "VALENCIA",
    "GEARY",        "CALIFORNIA", "BROADWAY",    "LOMBARD",    "FILBERT",    "UNION",
    "GREEN",        "VALLEJO",    "PACIFIC",     "JACKSON",    "WASHINGTON", "CLAY",
    "SACRAMENTO",   "PINE",       "BUSH",        "SUTTER",     "POST",       "OFARRELL",
    "ELLIS",        "EDDY",       "GOLDEN GATE", "MCALLISTER", "FULTON",     "GROVE",
    "HAYES",        "FELL",       "OAK",         "PAGE",       "HAIGHT",     "WALLER",
    "DUBOCE",       "CHURCH",     "SANCHEZ",     "NOE",        "CASTRO",     "DIAMOND",
    "DOLORES",      "GUERRERO",   "HARRISON",    "FOLSOM",     "HOWARD",     "BRYANT",
    "BRANNAN",      "TOWNSEND",   "KING",        "BERRY",      "POTRERO",    "DE HARO",
    "RHODE ISLAND", "KANSAS",     "VERMONT",     "SAN BRUNO",  "IRVING",     "JUDAH",
    "KIRKHAM",      "LAWTON",     "MORAGA",      "NORIEGA",    "ORTEGA",     "PACHECO",
    "QUINTARA",     "RIVERA",     "SANTIAGO",    "TARAVAL",    "ULLOA",      "VICENTE",
    "WAWONA",       "ANZA",       "BALBOA",      "CLEMENT",    "SCOTT",      "PIERCE",
    "STEINER",      "FILLMORE",   "WEBSTER",     "BUCHANAN",   "LAGUNA",     "OCTAVIA",
    "GOUGH",        "FRANKLIN",   "VAN NESS",    "POLK",       "LARKIN",     "HYDE",
    "LEAVENWORTH",  "JONES",      "TAYLOR",      "MASON",      "POWELL",     "STOCKTON",
    "GRANT",        "KEARNY",     "MONTGOMERY",  "SANSOME",    "BATTERY",    "FRONT",
    "DAVIS",        "DRUMM",      "17TH",        "24TH",       "ALEMANY",    "OCEAN",
    "SLOAT",        "PORTOLA",    "CRANLEIGH",   "ZAMPA"};
const char* const kStreetTypes[] = {"ST",  "ST",  "ST", "AVE", "AVE", "BLVD",
                                    "WAY", "TER", "PL", "DR",  "CT",  "LN"};

struct Rng {
  uint64_t s;
  uint64_t Next() {  // xorshift64*: fully specified, unlike std distributions
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ULL;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
};

struct Sample {
  std::vector<std::pair<double, double>> ring;  // lon, lat
};

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.Below(10));
  return s;
}

}  // namespace

Result<std::vector<std::string>> GenerateCityLots(const std::string& samples_dir, size_t count,
                                                  uint64_t seed) {
  std::vector<Sample> samples;
  for (int i = 0; i < 3; ++i) {
    std::string path = samples_dir + "/cl-sample-" + std::to_string(i) + ".json";
    simdjson::padded_string text;
    if (simdjson::padded_string::load(path).get(text)) {
      return Fail(IoError("cannot read " + path));
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(text).get(doc)) return Fail(InvalidArgument(path + ": not JSON"));
    simdjson::dom::array ring;
    if (doc["geometry"]["coordinates"].at(0).get(ring)) {
      return Fail(InvalidArgument(path + ": no geometry.coordinates[0]"));
    }
    Sample s;
    for (simdjson::dom::element p : ring) {
      double lon = 0, lat = 0;
      if (p.at(0).get(lon) || p.at(1).get(lat)) return Fail(InvalidArgument(path + ": bad point"));
      s.ring.emplace_back(lon, lat);
    }
    samples.push_back(std::move(s));
  }

  Rng rng{seed | 1};
  std::vector<std::string> events;
  events.reserve(count);
  char buf[64];
  for (size_t e = 0; e < count; ++e) {
    const Sample& base = samples[rng.Below(samples.size())];
    std::string block = Digits(rng, 4);
    std::string lot = Digits(rng, 3);
    std::string from = std::to_string(1 + rng.Below(3000));
    std::string street = kStreets[rng.Below(std::size(kStreets))];
    std::string type = kStreetTypes[rng.Below(std::size(kStreetTypes))];
    std::string ev = "{\"type\":\"Feature\",\"properties\":{\"MAPBLKLOT\":\"" + block + lot +
                     "\",\"BLKLOT\":\"" + block + lot + "\",\"BLOCK_NUM\":\"" + block +
                     "\",\"LOT_NUM\":\"" + lot + "\",\"FROM_ST\":\"" + from + "\",\"TO_ST\":\"" +
                     from + "\",\"STREET\":\"" + street + "\",\"ST_TYPE\":\"" + type +
                     "\",\"ODD_EVEN\":\"" + (rng.Below(2) ? "O" : "E") +
                     "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[";
    // The sample's polygon, moved somewhere in the city and resampled to 8..24 points (mean
    // 16, ~900 B per event); the ring stays closed like the original.
    double dlon = (rng.Unit() - 0.5) * 0.08;
    double dlat = (rng.Unit() - 0.5) * 0.06;
    size_t points = 8 + rng.Below(17);
    for (size_t i = 0; i < points; ++i) {
      double t = static_cast<double>(i % (points - 1)) / (points - 1) * (base.ring.size() - 1);
      size_t k = static_cast<size_t>(t);
      double f = t - k;
      const auto& a = base.ring[k];
      const auto& b = base.ring[std::min(k + 1, base.ring.size() - 1)];
      double lon = a.first + (b.first - a.first) * f + dlon;
      double lat = a.second + (b.second - a.second) * f + dlat;
      std::snprintf(buf, sizeof buf, "%s[%.14f,%.15f,0]", i ? "," : "", lon, lat);
      ev += buf;
    }
    ev += "]]}}";
    events.push_back(std::move(ev));
  }
  return events;
}

std::vector<PatternSet> BenchmarkPatternSets() {
  auto street = [](const std::string& cond) {
    return "{\"properties\":{\"STREET\":[" + cond + "]}}";
  };
  std::vector<PatternSet> sets;
  PatternSet s;

  s = {"exact", {}, {}};
  for (const char* v : {"MARKET", "MISSION", "GREENWICH", "TURK", "CABRILLO"}) {
    s.ours.push_back(street(std::string("\"") + v + "\""));
  }
  s.quamina = s.ours;
  sets.push_back(s);

  s = {"prefix", {}, {}};
  for (const char* v : {"MA", "VAL", "GEA", "TU", "CA"}) {
    s.ours.push_back(street(std::string("{\"prefix\":\"") + v + "\"}"));
  }
  s.quamina = s.ours;
  sets.push_back(s);

  s = {"suffix", {}, {}};
  for (const char* v : {"ON", "ER", "TH", "GE", "RA"}) {
    s.ours.push_back(street(std::string("{\"suffix\":\"") + v + "\"}"));
    s.quamina.push_back(street(std::string("{\"shellstyle\":\"*") + v + "\"}"));
  }
  sets.push_back(s);

  s = {"equals-ignore-case", {}, {}};
  for (const char* v : {"market", "Mission", "greenWICH", "turk", "Cabrillo"}) {
    s.ours.push_back(street(std::string("{\"equals-ignore-case\":\"") + v + "\"}"));
  }
  s.quamina = s.ours;
  sets.push_back(s);

  s = {"wildcard", {}, {}};
  for (const char* v : {"*A*O*", "M*T", "C*LLO", "*EE*", "S*N*"}) {
    s.ours.push_back(street(std::string("{\"wildcard\":\"") + v + "\"}"));
    s.quamina.push_back(street(std::string("{\"shellstyle\":\"") + v + "\"}"));
  }
  sets.push_back(s);

  s = {"contains", {}, {}};
  for (const char* v : {"AR", "ISS", "OO", "LL", "EN"}) {
    s.ours.push_back(street(std::string("{\"contains\":\"") + v + "\"}"));
    s.quamina.push_back(street(std::string("{\"shellstyle\":\"*") + v + "*\"}"));
  }
  sets.push_back(s);

  s = {"anything-but", {}, {}};
  s.ours = {
      R"({"properties":{"ST_TYPE":[{"anything-but":["ST","AVE"]}]}})",
      R"({"properties":{"ST_TYPE":[{"anything-but":["BLVD"]}]}})",
      R"({"properties":{"STREET":[{"anything-but":["MARKET","MISSION"]}]}})",
      R"({"properties":{"ODD_EVEN":[{"anything-but":["O"]}]}})",
      R"({"properties":{"STREET":[{"anything-but":["TURK","GEARY","CLAY"]}]}})",
  };
  s.quamina = s.ours;
  sets.push_back(s);

  s = {"numeric", {}, {}};
  s.ours = {
      R"({"geometry":{"coordinates":[{"numeric":[">",-122.45,"<",-122.44]}]}})",
      R"({"geometry":{"coordinates":[{"numeric":["<",-122.5]}]}})",
      R"({"geometry":{"coordinates":[{"numeric":[">=",37.8,"<",37.81]}]}})",
      R"({"geometry":{"coordinates":[{"numeric":[">",37.76,"<=",37.77]}]}})",
      R"({"geometry":{"coordinates":[{"numeric":[">",-122.40,"<",-122.39]}]}})",
  };
  sets.push_back(s);

  s = {"exists", {}, {}};
  s.ours = {
      R"({"properties":{"FROM_ST":[{"exists":true}]}})",
      R"({"properties":{"NOPE":[{"exists":false}]}})",
      R"({"geometry":{"type":[{"exists":true}]}})",
      R"({"properties":{"MAPBLKLOT":[{"exists":true}]}})",
      R"({"properties":{"X":[{"exists":false}]}})",
  };
  s.quamina = s.ours;
  sets.push_back(s);

  for (size_t n : {1, 100, 10000}) {
    s = {"scale-" + std::to_string(n), {}, {}};
    for (size_t i = 0; i < n; ++i) {
      char block[8];
      std::snprintf(block, sizeof block, "%04zu", (i * 7919) % 10000);
      s.ours.push_back(std::string("{\"properties\":{\"STREET\":[\"") +
                       kStreets[i % std::size(kStreets)] + "\"],\"BLOCK_NUM\":[\"" + block +
                       "\"]}}");
    }
    s.quamina = s.ours;
    sets.push_back(s);
  }
  return sets;
}

}  // namespace inflow::bench
