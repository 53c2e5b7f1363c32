#include "server/common/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>

#include "server/common/thread_annotations.h"

namespace alder {

class Metrics::Scraped final : public prometheus::Collectable {
 public:
  struct Family {
    std::string name, help;
    prometheus::MetricType type;
    std::function<Samples()> read;
  };

  void Add(Family family) {
    MutexLock lock(&mu_);
    families_.push_back(std::move(family));
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    MutexLock lock(&mu_);
    std::vector<prometheus::MetricFamily> out;
    for (const Family& f : families_) out.push_back({f.name, f.help, f.type, f.read()});
    return out;
  }

 private:
  mutable Mutex mu_;  // reads may take their own locks: none is held across them elsewhere
  std::vector<Family> families_ GUARDED_BY(mu_);
};

class Metrics::All final : public prometheus::Collectable {
 public:
  explicit All(const Metrics* metrics) : metrics_(metrics) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return metrics_->Collect(); }

 private:
  const Metrics* const metrics_;
};

namespace {

// One counter or gauge sample, with one label unless `label` is empty.
prometheus::ClientMetric Sample(prometheus::MetricType type, const std::string& label,
                                const std::string& label_value, double value) {
  prometheus::ClientMetric metric;
  if (!label.empty()) metric.label.push_back({label, label_value});
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return metric;
}

}  // namespace

Metrics::Metrics() : scraped_(std::make_shared<Scraped>()), all_(std::make_shared<All>(this)) {}

void Metrics::AddScrapedCounter(std::string name, std::string help, std::function<double()> read) {
  AddScrapedFamily(std::move(name), std::move(help), prometheus::MetricType::Counter, "",
                   [read = std::move(read)] {
                     return LabelledValues{{"", read()}};
                   });
}

void Metrics::AddScrapedGauge(std::string name, std::string help, std::function<double()> read) {
  AddScrapedFamily(std::move(name), std::move(help), prometheus::MetricType::Gauge, "",
                   [read = std::move(read)] {
                     return LabelledValues{{"", read()}};
                   });
}

void Metrics::AddScrapedFamily(std::string name, std::string help, prometheus::MetricType type,
                               std::string label, std::function<LabelledValues()> read) {
  AddScrapedSamples(std::move(name), std::move(help), type,
                    [type, label = std::move(label), read = std::move(read)] {
                      Samples samples;
                      for (const auto& [label_value, value] : read()) {
                        samples.push_back(Sample(type, label, label_value, value));
                      }
                      return samples;
                    });
}

void Metrics::AddScrapedSamples(std::string name, std::string help, prometheus::MetricType type,
                                std::function<Samples()> read) {
  scraped_->Add({std::move(name), std::move(help), type, std::move(read)});
}

std::vector<prometheus::MetricFamily> Metrics::Collect() const {
  std::vector<prometheus::MetricFamily> all = scraped_->Collect();
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
