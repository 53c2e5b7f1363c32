#include "server/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>

namespace alder {

class Metrics::Scraped final : public prometheus::Collectable {
 public:
  struct Family {
    std::string name, help;
    prometheus::MetricType type;
    std::string label;  // empty: one unlabelled sample
    std::function<LabelledValues()> read;
  };

  void Add(Family family) {
    std::lock_guard lock(mu_);
    families_.push_back(std::move(family));
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard lock(mu_);
    std::vector<prometheus::MetricFamily> out;
    for (const Family& f : families_) {
      prometheus::MetricFamily family{f.name, f.help, f.type, {}};
      for (const auto& [label_value, value] : f.read()) {
        prometheus::ClientMetric metric;
        if (!f.label.empty()) metric.label.push_back({f.label, label_value});
        if (f.type == prometheus::MetricType::Counter) {
          metric.counter.value = value;
        } else {
          metric.gauge.value = value;
        }
        family.metric.push_back(std::move(metric));
      }
      out.push_back(std::move(family));
    }
    return out;
  }

 private:
  mutable std::mutex mu_;  // reads may take their own locks: none is held across them elsewhere
  std::vector<Family> families_;
};

class Metrics::All final : public prometheus::Collectable {
 public:
  explicit All(const Metrics* metrics) : metrics_(metrics) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return metrics_->Collect(); }

 private:
  const Metrics* const metrics_;
};

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      scraped_(std::make_shared<Scraped>()),
      all_(std::make_shared<All>(this)) {}

void Metrics::AddScrapedCounter(std::string name, std::string help, std::function<double()> read) {
  scraped_->Add({std::move(name), std::move(help), prometheus::MetricType::Counter, "",
                 [read = std::move(read)] {
                   return LabelledValues{{"", read()}};
                 }});
}

void Metrics::AddScrapedGauge(std::string name, std::string help, std::function<double()> read) {
  scraped_->Add({std::move(name), std::move(help), prometheus::MetricType::Gauge, "",
                 [read = std::move(read)] {
                   return LabelledValues{{"", read()}};
                 }});
}

void Metrics::AddScrapedFamily(std::string name, std::string help, prometheus::MetricType type,
                               std::string label, std::function<LabelledValues()> read) {
  scraped_->Add({std::move(name), std::move(help), type, std::move(label), std::move(read)});
}

std::vector<prometheus::MetricFamily> Metrics::Collect() const {
  std::vector<prometheus::MetricFamily> all = registry_->Collect();
  std::vector<prometheus::MetricFamily> scraped = scraped_->Collect();
  all.insert(all.end(), std::make_move_iterator(scraped.begin()),
             std::make_move_iterator(scraped.end()));
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (prometheus::MetricFamily& family : all) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  }
  return all;
}

std::weak_ptr<prometheus::Collectable> Metrics::collectable() const { return all_; }

std::string Metrics::SerializeText() const {
  return prometheus::TextSerializer().Serialize(Collect());
}

}  // namespace alder
