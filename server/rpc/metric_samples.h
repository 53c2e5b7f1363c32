// A node's metrics (server/metrics.h) as the status RPC carries them: one
// api::MetricSample per sample /metrics would show, so that clients such as
// `alder status` and `alder top` read the very figures Prometheus reads.
#ifndef ALDER_SERVER_RPC_METRIC_SAMPLES_H_
#define ALDER_SERVER_RPC_METRIC_SAMPLES_H_

#include <prometheus/metric_family.h>

#include <map>
#include <string>
#include <vector>

#include "Alder.h"

namespace alder {

// Counters and gauges as one sample each; histograms as _bucket (label le,
// cumulative, "+Inf" last), _sum and _count.
std::vector<api::MetricSample> SamplesOf(const std::vector<prometheus::MetricFamily>& families);

// The value of the sample named `name` whose labels include `labels`,
// summed over every such sample (0 when there is none).
double SumOf(const std::vector<api::MetricSample>& samples, const std::string& name,
             const std::map<std::string, std::string>& labels = {});

}  // namespace alder

#endif  // ALDER_SERVER_RPC_METRIC_SAMPLES_H_
